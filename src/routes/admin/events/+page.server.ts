import type { PageServerLoad } from './$types';
import { countMembersByEvent, listEvents } from '$lib/server/repositories/event.repository';
import { requireAdmin } from '../admin.server';

export const load: PageServerLoad = async ({ locals, url }) => {
	requireAdmin({ locals, url });
	const [events, members] = await Promise.all([listEvents(locals.db), countMembersByEvent(locals.db)]);
	return { events: events.map((e) => ({ ...e, members: members.get(e.id) ?? 0 })) };
};
