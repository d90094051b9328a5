import { error, type Handle, type HandleServerError } from '@sveltejs/kit';
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

export const handle: Handle = sequence(handleServices, handleSession, handleLocale, handleHeaders);

/** Unexpected errors are logged once with a code and shown to the user as that code, never as a stack. */
export const handleError: HandleServerError = ({ error: err, event, status }) => {
	const code = newId(8);
	if (status !== 404) console.error(`[error ${code}] ${event.request.method} ${event.url.pathname}:`, err);
	return { message: status === 404 ? 'Not found' : 'Unexpected error', code };
};
