import { redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { invalidateSession } from '$lib/server/auth/session';
import { deleteSessionTokenCookie } from '$lib/server/auth/cookie';
import { userActor, writeAudit } from '$lib/server/repositories/audit.repository';

export const load: PageServerLoad = () => redirect(303, '/');

export const actions: Actions = {
	default: async ({ locals, cookies, url, getClientAddress }) => {
		if (locals.session) {
			const session = locals.session;
			await locals.db.transaction().execute(async (tx) => {
				await invalidateSession(tx, session.id);
				if (locals.user) await writeAudit(tx, { actor: userActor(locals.user), action: 'session.signOut', target: { kind: 'user', id: locals.user.id, name: locals.user.displayName }, ip: getClientAddress() });
			});
			locals.services.closeLiveConnections({ sessionId: locals.session.id }, 'signedOut');
		}
		deleteSessionTokenCookie(cookies, url);
		redirect(303, '/login');
	}
};
