import { fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { checkUser } from '$lib/domain/validation';
import { listAgencies } from '$lib/server/repositories/agency.repository';
import { listTeams } from '$lib/server/repositories/team.repository';
import { createUser, usernameTaken } from '$lib/server/repositories/user.repository';
import { userActor, writeAudit } from '$lib/server/repositories/audit.repository';
import { isUniqueViolation, requireAdmin } from '../../admin.server';
import { userFormValues } from '../user-form';
import { checkUserRefs } from '../user-input.server';

export const load: PageServerLoad = async ({ locals, url }) => {
	requireAdmin({ locals, url });
	const [agencies, teams] = await Promise.all([listAgencies(locals.db), listTeams(locals.db)]);
	return { agencies, teams, preset: { agencyCode: url.searchParams.get('agency') ?? '' } };
};

export const actions: Actions = {
	default: async ({ request, locals, url, getClientAddress }) => {
		const me = requireAdmin({ locals, url });
		const form = Object.fromEntries(await request.formData());
		const values = userFormValues(form);
		const checked = checkUser(form, true);
		if (!checked.ok) {
			// Name a taken username together with the other mistakes, not one round later.
			const errors = checked.errors;
			if (!errors.username && (await usernameTaken(locals.db, values.username.trim()))) errors.username = 'taken';
			return fail(400, { values, errors });
		}
		const refs = await checkUserRefs(locals.db, checked.value);
		if (!refs.ok) return fail(400, { values, errors: refs.errors });
		if (await usernameTaken(locals.db, refs.value.username)) return fail(400, { values, errors: { username: 'taken' as const } });
		try {
			const input = refs.value;
			await locals.db.transaction().execute(async (tx) => {
				const id = await createUser(tx, { ...input, password: input.password! });
				await writeAudit(tx, {
					actor: userActor(me),
					action: 'user.create',
					target: { kind: 'user', id, name: input.displayName },
					details: { username: input.username, isAdmin: input.isAdmin, clearedPersonalData: input.clearedPersonalData },
					ip: getClientAddress()
				});
			});
		} catch (err) {
			// Two administrators creating the same username at once: the unique index lets one win.
			if (isUniqueViolation(err)) return fail(400, { values, errors: { username: 'taken' as const } });
			throw err;
		}
		redirect(303, `/admin/users?created=${encodeURIComponent(refs.value.username)}`);
	}
};
