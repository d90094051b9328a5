import { fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { checkUser } from '$lib/domain/validation';
import { completeSetup, isSetupOpen } from '$lib/server/repositories/setup.repository';
import { createSession, generateSessionToken } from '$lib/server/auth/session';
import { setSessionTokenCookie } from '$lib/server/auth/cookie';

export const load: PageServerLoad = async ({ locals }) => {
	if (!(await isSetupOpen(locals.db))) redirect(303, locals.user ? '/' : '/login');
	return {};
};

export const actions: Actions = {
	default: async ({ request, locals, cookies, url, getClientAddress }) => {
		if (!(await isSetupOpen(locals.db))) return fail(403, { closed: true, values: { username: '', displayName: '' }, errors: {} });
		const form = Object.fromEntries(await request.formData());
		const values = { username: String(form.username ?? ''), displayName: String(form.displayName ?? '') };
		const checked = checkUser(form, true);
		if (!checked.ok) return fail(400, { closed: false, values, errors: checked.errors });
		const result = await completeSetup(locals.db, { ...checked.value, password: checked.value.password! }, getClientAddress());
		if (!result.ok) return fail(403, { closed: true, values, errors: {} });
		const token = generateSessionToken();
		const session = await createSession(locals.db, token, result.userId, {
			ip: getClientAddress(),
			userAgent: request.headers.get('user-agent')
		});
		setSessionTokenCookie(cookies, url, token, session.expiresAt);
		redirect(303, '/admin');
	}
};
