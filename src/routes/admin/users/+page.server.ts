import type { PageServerLoad } from './$types';
import { listAgencies } from '$lib/server/repositories/agency.repository';
import { listTeams } from '$lib/server/repositories/team.repository';
import { listUsers } from '$lib/server/repositories/user.repository';
import { requireAdmin } from '../admin.server';

export const load: PageServerLoad = async ({ locals, url }) => {
	const me = requireAdmin({ locals, url });
	const [users, agencies, teams] = await Promise.all([listUsers(locals.db), listAgencies(locals.db), listTeams(locals.db)]);
	return {
		meId: me.id,
		// Only what the list shows: no phone numbers in a page that does not display them.
		users: users.map((u) => ({
			id: u.id,
			username: u.username,
			displayName: u.displayName,
			agencyCode: u.agencyCode,
			teamId: u.teamId,
			isAdmin: u.isAdmin,
			clearedPersonalData: u.clearedPersonalData,
			disabled: u.disabled
		})),
		agencies,
		teams
	};
};
