import { error, fail } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { checkAgency } from '$lib/domain/validation';
import { listAgencies, updateAgency } from '$lib/server/repositories/agency.repository';
import { m } from '$lib/paraglide/messages';
import { formValues, requireAdmin } from '../../admin.server';

const FIELDS = ['nameZh', 'nameEn', 'color'] as const;

export const load: PageServerLoad = async ({ locals, url, params }) => {
	requireAdmin({ locals, url });
	const agency = (await listAgencies(locals.db)).find((a) => a.code === params.code);
	if (!agency) error(404, { message: m.admin_agency_not_found() });
	return { agency };
};

export const actions: Actions = {
	default: async ({ request, locals, url, params }) => {
		requireAdmin({ locals, url });
		const form = Object.fromEntries(await request.formData());
		const values = formValues(form, FIELDS);
		// The code names the agency in every document and membership, so it is taken from the address, not the form.
		const checked = checkAgency({ ...form, code: params.code });
		if (!checked.ok) return fail(400, { values, errors: checked.errors });
		if (!(await updateAgency(locals.db, checked.value))) error(404, { message: m.admin_agency_not_found() });
		return { saved: true };
	}
};
