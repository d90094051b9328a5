import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { listEventsForUser } from '$lib/server/repositories/event.repository';

/** GET /api/events: the events the signed-in user may see, with their role in each. */
export const GET: RequestHandler = async ({ locals }) => {
	if (!locals.user) return json({ error: 'unauthenticated', message: 'Sign in first.' }, { status: 401 });
	const events = await listEventsForUser(locals.db, locals.user.id, locals.user.isAdmin);
	return json({
		events: events.map((e) => ({
			id: e.id,
			name: e.name,
			status: e.status,
			startsAt: e.startsAt.toISOString(),
			endsAt: e.endsAt.toISOString(),
			timezone: e.timezone,
			role: e.role
		}))
	});
};
