import { fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { checkEvent, toLocalInputValue } from '$lib/domain/validation';
import { createEvent, getEvent, listEvents } from '$lib/server/repositories/event.repository';
import { listTemplates } from '$lib/server/repositories/template.repository';
import { copyEvent, createEventFromTemplate, loadTemplate, type CreatedFromTemplate } from '$lib/server/event-templates';
import { partsFrom, TEMPLATE_PARTS } from '$lib/domain/event-template';
import { formValues, requireAdmin } from '../../admin.server';
import { EVENT_FIELDS, previousChoices } from '../event-form';

export const load: PageServerLoad = async ({ locals, url }) => {
	requireAdmin({ locals, url });
	const [events, templates] = await Promise.all([listEvents(locals.db), listTemplates(locals.db)]);
	return {
		/** The events this one may follow ("last time", for the record's comparison). */
		previous: previousChoices(events, null),
		events: events.map((e) => ({
			id: e.id,
			name: e.name,
			venue: e.venue,
			timezone: e.timezone,
			startsAt: toLocalInputValue(e.startsAt, e.timezone),
			endsAt: toLocalInputValue(e.endsAt, e.timezone),
			checkinGraceMinutes: e.checkinGraceMinutes,
			locale: e.locale
		})),
		templates: templates.map((t) => ({ id: t.id, name: t.name, version: t.version })),
		/** A source chosen by a link (`?event=<id>` or `?template=<id>`), e.g. from the templates page. */
		preset: { event: url.searchParams.get('event'), template: url.searchParams.get('template') }
	};
};

/** What the event page says after a copy: the counts in its address, so a reload still shows them. */
function createdQuery(r: CreatedFromTemplate): string {
	const q = new URLSearchParams({
		created: '1',
		copied: [r.members, r.posts, r.shifts, r.cards, r.dropped.shifts, r.clipped.shifts, r.planMissing ? 1 : 0].join('.')
	});
	if (r.missingUsers.length) q.set('missing', r.missingUsers.slice(0, 20).join(','));
	return q.toString();
}

export const actions: Actions = {
	default: async ({ request, locals, url }) => {
		const me = requireAdmin({ locals, url });
		const data = await request.formData();
		const form = Object.fromEntries(data);
		const values = formValues(form, EVENT_FIELDS);
		const source = typeof form.source === 'string' ? form.source : 'blank';
		const sourceId = typeof form.sourceId === 'string' ? form.sourceId.slice(0, 64) : '';
		const parts = partsFrom(data.getAll('parts').filter((v): v is string => typeof v === 'string'));
		const kept = { values, source, sourceId, parts: [...parts] };
		const checked = checkEvent(form);
		if (source !== 'blank' && source !== 'event' && source !== 'template') return fail(400, { ...kept, source: 'blank', errors: {}, problem: 'tpl_source_required' as const });
		if (source !== 'blank' && !sourceId) return fail(400, { ...kept, errors: checked.ok ? {} : checked.errors, problem: 'tpl_source_required' as const });
		if (!checked.ok) return fail(400, { ...kept, errors: checked.errors, problem: null });
		if (checked.value.basedOn && !(await getEvent(locals.db, checked.value.basedOn))) return fail(400, { ...kept, errors: { basedOn: 'invalidChoice' as const }, problem: null });
		if (source === 'blank') {
			const id = await createEvent(locals.db, checked.value, me.id);
			redirect(303, `/admin/events/${id}?created=1`);
		}
		const deps = { db: locals.db, readDocument: locals.services.readDocument, writeDocuments: locals.services.writeDocuments };
		let result: CreatedFromTemplate | null = null;
		try {
			if (source === 'event') result = await copyEvent(deps, sourceId, checked.value, parts, me.id);
			else {
				const template = await loadTemplate(locals.db, sourceId);
				if (template)
					result = await createEventFromTemplate(deps, template, checked.value, parts, me.id, {
						basedOn: null,
						templateName: template.name,
						templateVersion: template.version
					});
			}
		} catch (err) {
			locals.log.error({ err }, '[templates] creating an event from a template failed');
			return fail(500, { ...kept, errors: {}, problem: 'tpl_write_failed' as const });
		}
		if (!result) return fail(404, { ...kept, errors: {}, problem: 'tpl_source_gone' as const });
		redirect(303, `/admin/events/${result.eventId}?${createdQuery(result)}`);
	}
};

export const _PARTS = TEMPLATE_PARTS;
