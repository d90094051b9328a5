import { fail } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { checkTeam, LIMITS, type FieldErrors } from '$lib/domain/validation';
import { agencyExists, listAgencies } from '$lib/server/repositories/agency.repository';
import { createTeam, getTeam, listTeams, renameTeam, teamParentProblem } from '$lib/server/repositories/team.repository';
import { formValues, requireAdmin } from '../admin.server';

const FIELDS = ['agencyCode', 'level', 'parentId', 'name'] as const;

export const load: PageServerLoad = async ({ locals, url }) => {
	requireAdmin({ locals, url });
	const [agencies, teams] = await Promise.all([listAgencies(locals.db), listTeams(locals.db)]);
	return { agencies, teams };
};

export const actions: Actions = {
	create: async ({ request, locals, url }) => {
		requireAdmin({ locals, url });
		const form = Object.fromEntries(await request.formData());
		const values = formValues(form, FIELDS);
		const checked = checkTeam(form);
		if (!checked.ok) return fail(400, { action: 'create' as const, values, errors: checked.errors });
		const input = checked.value;
		// The parent check and the insert share a transaction, so the team is only written under the parent we checked.
		const errors = await locals.db.transaction().execute(async (tx): Promise<FieldErrors | null> => {
			if (!(await agencyExists(tx, input.agencyCode))) return { agencyCode: 'notFound' };
			if (await teamParentProblem(tx, input)) {
				// Say which rule the parent breaks: missing, another agency's, or the wrong level.
				const parent = input.parentId ? await getTeam(tx, input.parentId) : null;
				if (input.parentId && !parent) return { parentId: 'notFound' };
				if (parent && parent.agencyCode !== input.agencyCode) return { parentId: 'invalidChoice' };
				return { parentId: 'wrongParent' };
			}
			await createTeam(tx, input);
			return null;
		});
		if (errors) return fail(400, { action: 'create' as const, values, errors });
		// The choice of agency, level and parent stays for the next team, which is often a sibling.
		return { action: 'create' as const, created: input.name, values: { ...values, name: '' } };
	},

	rename: async ({ request, locals, url }) => {
		requireAdmin({ locals, url });
		const form = await request.formData();
		const teamId = String(form.get('teamId') ?? '');
		const name = String(form.get('name') ?? '').trim();
		const values = { teamId, name };
		if (!name) return fail(400, { action: 'rename' as const, values, errors: { name: 'required' as const } });
		if ([...name].length > LIMITS.name) return fail(400, { action: 'rename' as const, values, errors: { name: 'tooLong' as const } });
		if (!(await renameTeam(locals.db, teamId, name))) {
			return fail(404, { action: 'rename' as const, values, errors: { name: 'notFound' as const } });
		}
		return { action: 'rename' as const, renamed: teamId };
	}
};
