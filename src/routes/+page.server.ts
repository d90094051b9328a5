import { redirect } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { listEventsForUser } from '$lib/server/repositories/event.repository';
import { isSetupOpen } from '$lib/server/repositories/setup.repository';

export const load: PageServerLoad = async ({ locals, url }) => {
	if (!locals.user) {
		if (await isSetupOpen(locals.db)) redirect(303, '/setup');
		redirect(303, `/login?redirectTo=${encodeURIComponent(url.pathname)}`);
	}
	const events = await listEventsForUser(locals.db, locals.user.id, locals.user.isAdmin);
	return {
		isAdmin: locals.user.isAdmin,
		events: events.map((e) => ({
			id: e.id,
			name: e.name,
			venue: e.venue,
			status: e.status,
			startsAt: e.startsAt.toISOString(),
			endsAt: e.endsAt.toISOString(),
			timezone: e.timezone,
			role: e.role
		}))
	};
};
