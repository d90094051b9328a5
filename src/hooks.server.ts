import { error, json, text, type Handle, type HandleServerError } from '@sveltejs/kit';
import { sequence } from '@sveltejs/kit/hooks';
import { paraglideMiddleware } from '$lib/paraglide/server';
import { SESSION_COOKIE, validateSessionToken } from '$lib/server/auth/session';
import { deleteSessionTokenCookie, setSessionTokenCookie } from '$lib/server/auth/cookie';
import { newId } from '$lib/domain/ids';

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
		return refuseInput(request, 400, 'The address is not valid UTF-8.');
	}
	if (address.includes('\u0000')) return refuseInput(request, 400, 'The address holds a NUL character.');
	if (request.method !== 'POST' || url.pathname.startsWith('/api/')) return resolve(event);
	const type = (request.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
	if (!FORM_TYPES.includes(type)) return refuseInput(request, 415, 'Send the form as application/x-www-form-urlencoded or multipart/form-data.');
	let form: FormData;
	try {
		form = await request.clone().formData();
	} catch (err) {
		// SvelteKit's own limits carry their status (413 for a body over BODY_SIZE_LIMIT); anything else is malformed.
		const status = (err as { status?: unknown }).status;
		return refuseInput(request, typeof status === 'number' && status >= 400 && status < 500 ? status : 400, 'The form could not be read.');
	}
	for (const [key, value] of form) {
		if (key.includes('\u0000') || (typeof value === 'string' && value.includes('\u0000'))) {
			return refuseInput(request, 400, 'A form field holds a NUL character.');
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

export const handle: Handle = sequence(handleServices, handleUnreadableInput, handleSession, handleLocale, handleHeaders);

/** Unexpected errors are logged once with a code and shown to the user as that code, never as a stack. */
export const handleError: HandleServerError = ({ error: err, event, status }) => {
	const code = newId(8);
	// A 4xx is the request's fault (SvelteKit's own 415 for a JSON form post, say), not an unknown error: one line.
	if (status >= 500) console.error(`[error ${code}] ${event.request.method} ${event.url.pathname}:`, err);
	else if (status !== 404) console.warn(`[refused ${code}] ${event.request.method} ${event.url.pathname}: ${status} ${err instanceof Error ? err.message : String(err)}`);
	return { message: status === 404 ? 'Not found' : 'Unexpected error', code };
};
