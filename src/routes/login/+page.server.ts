import { fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { attemptLogin } from '$lib/server/auth/login';
import { createSession, generateSessionToken } from '$lib/server/auth/session';
import { setSessionTokenCookie } from '$lib/server/auth/cookie';
import { isSetupOpen } from '$lib/server/repositories/setup.repository';
import { cookieMaxAge, cookieName, isLocale } from '$lib/paraglide/runtime';
import { sameSitePath } from '$lib/server/same-site-path';
import { writeAudit } from '$lib/server/repositories/audit.repository';

export const load: PageServerLoad = async ({ locals, url }) => {
	if (locals.user) redirect(303, sameSitePath(url.searchParams.get('redirectTo')));
	if (await isSetupOpen(locals.db)) redirect(303, '/setup');
	return {};
};

export const actions: Actions = {
	default: async ({ request, locals, cookies, url, getClientAddress }) => {
		const form = await request.formData();
		const username = String(form.get('username') ?? '').trim();
		const password = String(form.get('password') ?? '');
		if (!username || !password) return fail(400, { username, error: 'missing' as const });
		const result = await attemptLogin(locals.db, { username, password, address: getClientAddress() });
		if (!result.ok) {
			// The username tried is kept (never the password): repeated tries at one account show here.
			await writeAudit(locals.db, {
				actor: { kind: 'anonymous' },
				action: 'session.signInFailed',
				target: { kind: 'username', name: username.slice(0, 100) },
				details: { reason: result.reason },
				ip: getClientAddress()
			});
			return fail(result.reason === 'throttled' ? 429 : 400, {
				username,
				error: result.reason,
				retryAfterSeconds: result.retryAfterSeconds,
				retryAfterMinutes: result.retryAfterSeconds ? Math.ceil(result.retryAfterSeconds / 60) : undefined
			});
		}
		// A fresh token at every login: a session id planted before login is never promoted (no fixation).
		const token = generateSessionToken();
		const session = await createSession(locals.db, token, result.userId, {
			ip: getClientAddress(),
			userAgent: request.headers.get('user-agent')
		});
		await writeAudit(locals.db, {
			actor: { kind: 'user', id: result.userId, name: result.displayName },
			action: 'session.signIn',
			target: { kind: 'user', id: result.userId, name: result.displayName },
			ip: getClientAddress()
		});
		setSessionTokenCookie(cookies, url, token, session.expiresAt);
		// The language chosen on another device follows the account.
		if (result.locale && isLocale(result.locale)) {
			cookies.set(cookieName, result.locale, { path: '/', maxAge: cookieMaxAge, httpOnly: false, sameSite: 'lax' });
		}
		redirect(303, sameSitePath(url.searchParams.get('redirectTo')));
	}
};
