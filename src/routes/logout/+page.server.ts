import { redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { invalidateSession } from '$lib/server/auth/session';
import { deleteSessionTokenCookie } from '$lib/server/auth/cookie';

export const load: PageServerLoad = () => redirect(303, '/');

export const actions: Actions = {
	default: async ({ locals, cookies, url }) => {
		if (locals.session) {
			await invalidateSession(locals.db, locals.session.id);
			locals.services.closeLiveConnections({ sessionId: locals.session.id }, 'signedOut');
		}
		deleteSessionTokenCookie(cookies, url);
		redirect(303, '/login');
	}
};
