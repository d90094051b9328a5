import { error, fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { checkEvent } from '$lib/domain/validation';
import { m } from '$lib/paraglide/messages';
import { getEvent, listEvents, updateEvent } from '$lib/server/repositories/event.repository';
import { formValues, requireAdmin } from '../../../admin.server';
import { EVENT_FIELDS, eventFormValues, previousChoices } from '../../event-form';

async function findEvent(db: App.Locals['db'], id: string) {
	const event = await getEvent(db, id);
	if (!event) error(404, { message: m.admin_event_not_found() });
	return event;
}

export const load: PageServerLoad = async ({ locals, url, params }) => {
	requireAdmin({ locals, url });
	const event = await findEvent(locals.db, params.id);
	return { event: { id: event.id, name: event.name, status: event.status }, values: eventFormValues(event), previous: previousChoices(await listEvents(locals.db), event.id) };
};

export const actions: Actions = {
	default: async ({ request, locals, url, params }) => {
		requireAdmin({ locals, url });
		const event = await findEvent(locals.db, params.id);
		const form = Object.fromEntries(await request.formData());
		const values = formValues(form, EVENT_FIELDS);
		// A closed event is the frozen record; nobody edits it.
		if (event.status === 'closed') return fail(409, { values, errors: {}, closed: true });
		const checked = checkEvent(form);
		if (!checked.ok) return fail(400, { values, errors: checked.errors, closed: false });
		const basedOn = checked.value.basedOn;
		// An event follows another one, never itself.
		if (basedOn && (basedOn === event.id || !(await getEvent(locals.db, basedOn)))) {
			return fail(400, { values, errors: { basedOn: 'invalidChoice' as const }, closed: false });
		}
		if (!(await updateEvent(locals.db, event.id, checked.value))) error(404, { message: m.admin_event_not_found() });
		await locals.services.eventChanged(event.id, locals.user?.id ?? null);
		redirect(303, `/admin/events/${event.id}?saved=1`);
	}
};
