/** The only session code that knows SvelteKit: reading and writing the session cookie. */
import type { Cookies } from '@sveltejs/kit';
import { SESSION_COOKIE } from './session.ts';

export function setSessionTokenCookie(cookies: Cookies, url: URL, token: string, expiresAt: Date): void {
	cookies.set(SESSION_COOKIE, token, {
		httpOnly: true,
		sameSite: 'lax',
		// Secure whenever the board is reached over TLS; plain http only on a trusted local network.
		secure: url.protocol === 'https:',
		expires: expiresAt,
		path: '/'
	});
}

export function deleteSessionTokenCookie(cookies: Cookies, url: URL): void {
	cookies.set(SESSION_COOKIE, '', {
		httpOnly: true,
		sameSite: 'lax',
		secure: url.protocol === 'https:',
		maxAge: 0,
		path: '/'
	});
}
