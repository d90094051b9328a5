import { error, json, text, type Handle, type HandleServerError } from '@sveltejs/kit';
import { sequence } from '@sveltejs/kit/hooks';
import { paraglideMiddleware } from '$lib/paraglide/server';
import { SESSION_COOKIE, validateSessionToken } from '$lib/server/auth/session';
import { deleteSessionTokenCookie, setSessionTokenCookie } from '$lib/server/auth/cookie';
import { newId } from '$lib/domain/ids';
import { isDatabaseUnavailable } from '$lib/server/db/database';
import { m } from '$lib/paraglide/messages';
import { getLocale } from '$lib/paraglide/runtime';
import { log as processLog, loggableId, type Logger } from '$lib/server/log';

/**
 * Losing the database is not a bug: the answer is 503 with a plain message and Retry-After, whether it struck in
 * a hook (the session lookup) or in a page's load (handleError marks the request).
 */
const handleUnavailable: Handle = async ({ event, resolve }) => {
	let response: Response;
	try {
		response = await resolve(event);
	} catch (err) {
		if (!isDatabaseUnavailable(err)) throw err;
		logUnavailable(event.locals.log, event.request.method, err);
		return unavailableResponse(event.request);
	}
	if (!unavailableRequests.has(event.request)) return response;
	const headers = new Headers(response.headers);
	headers.set('retry-after', '5');
	headers.set('cache-control', 'no-store');
	return new Response(response.body, { status: 503, headers });
};

function logUnavailable(log: Logger | undefined, method: string, err: unknown): void {
	(log ?? processLog).error({ method, reason: err instanceof Error ? err.message : String(err) }, '[db] database unavailable');
}

/** Routes whose `[id]` is an event's id: their log lines name the event. */
const EVENT_ROUTES = ['/events/[id]', '/api/events/[id]'];

/**
 * Gives the request its logger (the Node entry's, which carries the request id) and tells the Node entry the route
 * id for its metrics and log line. Never the address: a query string may carry a party's name or phone.
 */
const handleObservation: Handle = async ({ event, resolve }) => {
	const observed = event.platform?.req?.observed;
	const routeId = event.route.id;
	const eventId = routeId && EVENT_ROUTES.some((r) => routeId === r || routeId.startsWith(`${r}/`)) ? loggableId(event.params.id) : undefined;
	let log = observed?.log ?? processLog;
	if (eventId) log = log.child({ eventId });
	event.locals.log = log;
	if (observed) {
		observed.route = routeId;
		observed.eventId = eventId ?? null;
	}
	return resolve(event);
};

/** Requests whose load hit an unreachable database (set by handleError, read by handleUnavailable). */
const unavailableRequests = new WeakSet<Request>();

function unavailableResponse(request: Request): Response {
	const headers = { 'retry-after': '5', 'cache-control': 'no-store' };
	const wantsHtml = (request.headers.get('accept') ?? '').includes('text/html');
	if (!wantsHtml) {
		return Response.json({ error: 'unavailable', message: m.error_unavailable() }, { status: 503, headers });
	}
	// The layout needs the database too (the session), so this page stands alone.
	const esc = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
	const html = `<!doctype html><html lang="${getLocale()}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta http-equiv="refresh" content="10"><title>${esc(m.error_unavailable_title())}</title><style>body{font:16px/1.6 'PingFang SC','Hiragino Sans GB','Microsoft YaHei','Noto Sans CJK SC','WenQuanYi Micro Hei',system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#1f2937}h1{font-size:1.25rem}</style></head><body><h1>503 · ${esc(m.error_unavailable_title())}</h1><p>${esc(m.error_unavailable())}</p></body></html>`;
	return new Response(html, { status: 503, headers: { ...headers, 'content-type': 'text/html; charset=utf-8' } });
}

/** Takes the services the Node entry attached to the request; there is no other way to reach the database. */
const handleServices: Handle = async ({ event, resolve }) => {
	const services = event.platform?.req?.liandong;
	if (!services) error(500, { message: 'The server was started without its services; start it with npm start.' });
	event.locals.services = services;
	event.locals.db = services.db;
	return resolve(event);
};

const FORM_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data'];

/** A refusal in the form the caller reads: an enhanced form's JSON, or plain text. */
function refuseInput(request: Request, status: number, message: string): Response {
	if (request.headers.get('x-sveltekit-action') === 'true') return json({ type: 'error', error: { message } }, { status });
	return text(message, { status, headers: { 'content-type': 'text/plain; charset=utf-8' } });
}

/**
 * Refuses input no page or action can use before any of them reads it: a NUL character in the address or in a
 * form field (PostgreSQL's text type refuses it, so it surfaced as a 500 from whichever query met it first), a
 * form post in another content type (request.formData() throws on text/plain, another 500), and a form body
 * that does not parse. Files are left alone: the CSV imports read their bytes themselves.
 */
const handleUnreadableInput: Handle = async ({ event, resolve }) => {
	const { request, url } = event;
	let address: string;
	try {
		address = decodeURIComponent(url.pathname) + decodeURIComponent(url.search.replaceAll('+', ' '));
	} catch {
		return refuseInput(request, 400, m.error_input_address());
	}
	if (address.includes('\u0000')) return refuseInput(request, 400, m.error_input_address());
	if (request.method !== 'POST' || url.pathname.startsWith('/api/')) return resolve(event);
	const type = (request.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
	if (!FORM_TYPES.includes(type)) return refuseInput(request, 415, m.error_input_content_type());
	let form: FormData;
	try {
		form = await request.clone().formData();
	} catch (err) {
		// SvelteKit's own limits carry their status (413 for a body over BODY_SIZE_LIMIT); anything else is malformed.
		const status = (err as { status?: unknown }).status;
		return refuseInput(request, typeof status === 'number' && status >= 400 && status < 500 ? status : 400, m.error_input_unreadable());
	}
	for (const [key, value] of form) {
		if (key.includes('\u0000') || (typeof value === 'string' && value.includes('\u0000'))) {
			return refuseInput(request, 400, m.error_input_nul());
		}
	}
	return resolve(event);
};

const handleSession: Handle = async ({ event, resolve }) => {
	const token = event.cookies.get(SESSION_COOKIE) ?? null;
	if (!token) {
		event.locals.user = null;
		event.locals.session = null;
		return resolve(event);
	}
	const result = await validateSessionToken(event.locals.db, token);
	if (result.session) {
		if (result.renewed) setSessionTokenCookie(event.cookies, event.url, token, result.session.expiresAt);
	} else {
		deleteSessionTokenCookie(event.cookies, event.url);
	}
	event.locals.user = result.user;
	event.locals.session = result.session;
	if (result.user) {
		event.locals.log = event.locals.log.child({ userId: result.user.id });
		const observed = event.platform?.req?.observed;
		if (observed) observed.userId = result.user.id;
	}
	return resolve(event);
};

const handleLocale: Handle = ({ event, resolve }) =>
	paraglideMiddleware(event.request, ({ request, locale }) => {
		event.request = request;
		return resolve(event, {
			transformPageChunk: ({ html }) => html.replace('%paraglide.lang%', locale)
		});
	});

/**
 * What a page may use of the device: the camera and the position for field reports and "my post", on this site
 * only; nothing else.
 */
const PERMISSIONS_POLICY = 'camera=(self), geolocation=(self), microphone=(), payment=(), usb=(), serial=(), bluetooth=(), midi=()';

/** Security headers for every response (the Content-Security-Policy comes from kit.csp in svelte.config.js). */
const handleHeaders: Handle = async ({ event, resolve }) => {
	const response = await resolve(event);
	response.headers.set('X-Content-Type-Options', 'nosniff');
	response.headers.set('Referrer-Policy', 'same-origin');
	// For browsers that predate frame-ancestors: no page is framed by another site, walls included.
	response.headers.set('X-Frame-Options', 'DENY');
	response.headers.set('Permissions-Policy', PERMISSIONS_POLICY);
	// Over https (directly or behind a TLS proxy that says so), browsers keep to https for half a year.
	if (event.url.protocol === 'https:') response.headers.set('Strict-Transport-Security', 'max-age=15552000');
	return response;
};

// The language comes first so that even the database-unavailable page and input refusals speak the user's
// language; unreadable input is refused before the session lookup touches the database.
export const handle: Handle = sequence(handleObservation, handleLocale, handleUnavailable, handleServices, handleUnreadableInput, handleSession, handleHeaders);

/** Unexpected errors are logged once with a code and shown to the user as that code, never as a stack. */
export const handleError: HandleServerError = ({ error: err, event, status }) => {
	if (status === 404) return { message: m.error_not_found() };
	if (isDatabaseUnavailable(err)) {
		unavailableRequests.add(event.request);
		logUnavailable(event.locals.log, event.request.method, err);
		return { message: m.error_unavailable() };
	}
	const code = newId(8);
	// A 4xx is the request's fault (SvelteKit's own 415 for a JSON form post, say), not an unknown error: one line.
	const log = event.locals.log ?? processLog;
	const fields = { code, method: event.request.method, route: event.route.id, status };
	if (status >= 500) log.error({ ...fields, err }, `[error ${code}] request failed`);
	else log.warn({ ...fields, reason: err instanceof Error ? err.message : String(err) }, `[refused ${code}] request refused`);
	return { message: status >= 500 ? m.error_unexpected() : m.error_bad_request(), code };
};
