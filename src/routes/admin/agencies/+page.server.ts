import { fail } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { checkAgency } from '$lib/domain/validation';
import { agencyExists, createAgency, listAgencies } from '$lib/server/repositories/agency.repository';
import { formValues, isUniqueViolation, requireAdmin } from '../admin.server';

const FIELDS = ['code', 'nameZh', 'nameEn', 'color'] as const;

export const load: PageServerLoad = async ({ locals, url }) => {
	requireAdmin({ locals, url });
	return { agencies: await listAgencies(locals.db) };
};

export const actions: Actions = {
	create: async ({ request, locals, url }) => {
		requireAdmin({ locals, url });
		const form = Object.fromEntries(await request.formData());
		const values = formValues(form, FIELDS);
		const checked = checkAgency(form);
		if (!checked.ok) return fail(400, { values, errors: checked.errors });
		if (await agencyExists(locals.db, checked.value.code)) {
			return fail(400, { values, errors: { code: 'taken' as const } });
		}
		try {
			await createAgency(locals.db, checked.value);
		} catch (err) {
			// Another administrator added the same code between our check and the insert.
			if (isUniqueViolation(err)) return fail(400, { values, errors: { code: 'taken' as const } });
			throw err;
		}
		return { created: checked.value.code };
	}
};
