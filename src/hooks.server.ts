import { error, type Handle, type HandleServerError } from '@sveltejs/kit';
import { sequence } from '@sveltejs/kit/hooks';
import { paraglideMiddleware } from '$lib/paraglide/server';
import { SESSION_COOKIE, validateSessionToken } from '$lib/server/auth/session';
import { deleteSessionTokenCookie, setSessionTokenCookie } from '$lib/server/auth/cookie';
import { newId } from '$lib/domain/ids';
import { isDatabaseUnavailable } from '$lib/server/db/database';
import { m } from '$lib/paraglide/messages';
import { getLocale } from '$lib/paraglide/runtime';

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
		console.error(`[db] ${event.request.method} ${event.url.pathname}: database unavailable (${err instanceof Error ? err.message : err})`);
		return unavailableResponse(event.request);
	}
	if (!unavailableRequests.has(event.request)) return response;
	const headers = new Headers(response.headers);
	headers.set('retry-after', '5');
	headers.set('cache-control', 'no-store');
	return new Response(response.body, { status: 503, headers });
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
	return resolve(event);
};

const handleLocale: Handle = ({ event, resolve }) =>
	paraglideMiddleware(event.request, ({ request, locale }) => {
		event.request = request;
		return resolve(event, {
			transformPageChunk: ({ html }) => html.replace('%paraglide.lang%', locale)
		});
	});

/** Security headers for every page. */
const handleHeaders: Handle = async ({ event, resolve }) => {
	const response = await resolve(event);
	response.headers.set('X-Content-Type-Options', 'nosniff');
	response.headers.set('Referrer-Policy', 'same-origin');
	if (!event.url.pathname.startsWith('/wall/')) response.headers.set('X-Frame-Options', 'DENY');
	return response;
};

// The language comes first so that even the database-unavailable page speaks the user's language.
export const handle: Handle = sequence(handleLocale, handleUnavailable, handleServices, handleSession, handleHeaders);

/** Unexpected errors are logged once with a code and shown to the user as that code, never as a stack. */
export const handleError: HandleServerError = ({ error: err, event, status }) => {
	if (status === 404) return { message: m.error_not_found() };
	if (isDatabaseUnavailable(err)) {
		unavailableRequests.add(event.request);
		console.error(`[db] ${event.request.method} ${event.url.pathname}: database unavailable (${err instanceof Error ? err.message : err})`);
		return { message: m.error_unavailable() };
	}
	const code = newId(8);
	console.error(`[error ${code}] ${event.request.method} ${event.url.pathname}:`, err);
	return { message: m.error_unexpected(), code };
};
