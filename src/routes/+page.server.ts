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
	// Launched from the home screen: straight to the board of the one event running for this user, if there is one.
	if (url.searchParams.get('source') === 'app') {
		const running = events.filter((e) => e.status === 'active' && e.role !== 'admin');
		if (running.length === 1) redirect(303, `/events/${running[0].id}/board`);
	}
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
