import { redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { cookieName, cookieMaxAge, isLocale } from '$lib/paraglide/runtime';
import { setUserLocale } from '$lib/server/repositories/user.repository';
import { sameSitePath } from '$lib/server/same-site-path';

export const load: PageServerLoad = () => redirect(303, '/');

export const actions: Actions = {
	/** Switches the language and remembers it: in a cookie for this browser, on the account for the next one. */
	default: async ({ request, cookies, locals }) => {
		const form = await request.formData();
		const locale = String(form.get('locale') ?? '');
		const back = String(form.get('redirectTo') ?? '/');
		if (isLocale(locale)) {
			cookies.set(cookieName, locale, { path: '/', maxAge: cookieMaxAge, httpOnly: false, sameSite: 'lax' });
			if (locals.user) await setUserLocale(locals.db, locals.user.id, locale);
		}
		redirect(303, sameSitePath(back));
	}
};
