import { fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { checkEvent } from '$lib/domain/validation';
import { createEvent, getEvent, listEvents } from '$lib/server/repositories/event.repository';
import { formValues, requireAdmin } from '../../admin.server';
import { EVENT_FIELDS, previousChoices } from '../event-form';

export const load: PageServerLoad = async ({ locals, url }) => {
	requireAdmin({ locals, url });
	return { previous: previousChoices(await listEvents(locals.db), null) };
};

export const actions: Actions = {
	default: async ({ request, locals, url }) => {
		const me = requireAdmin({ locals, url });
		const form = Object.fromEntries(await request.formData());
		const values = formValues(form, EVENT_FIELDS);
		const checked = checkEvent(form);
		if (!checked.ok) return fail(400, { values, errors: checked.errors });
		if (checked.value.basedOn && !(await getEvent(locals.db, checked.value.basedOn))) return fail(400, { values, errors: { basedOn: 'invalidChoice' as const } });
		const id = await createEvent(locals.db, checked.value, me.id);
		redirect(303, `/admin/events/${id}?created=1`);
	}
};
