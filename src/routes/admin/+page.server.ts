import type { PageServerLoad } from './$types';
import { listAgencies } from '$lib/server/repositories/agency.repository';
import { listTeams } from '$lib/server/repositories/team.repository';
import { listUsers } from '$lib/server/repositories/user.repository';
import { listEvents } from '$lib/server/repositories/event.repository';
import { requireAdmin } from './admin.server';

export const load: PageServerLoad = async ({ locals, url }) => {
	requireAdmin({ locals, url });
	const [agencies, teams, users, events] = await Promise.all([
		listAgencies(locals.db),
		listTeams(locals.db),
		listUsers(locals.db),
		listEvents(locals.db)
	]);
	return {
		counts: {
			agencies: agencies.length,
			teams: teams.length,
			users: users.filter((u) => !u.disabled).length,
			events: events.length,
			activeEvents: events.filter((e) => e.status === 'active').length
		}
	};
};
