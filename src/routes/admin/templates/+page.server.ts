import { fail } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { listEvents } from '$lib/server/repositories/event.repository';
import { getTemplateRow, listTemplates } from '$lib/server/repositories/template.repository';
import { importTemplate, saveEventAsTemplate } from '$lib/server/event-templates';
import { MAX_TEMPLATE_BYTES, TEMPLATE_LIMITS, parseTemplateText } from '$lib/domain/event-template';
import { requireAdmin } from '../admin.server';

export const load: PageServerLoad = async ({ locals, url }) => {
	requireAdmin({ locals, url });
	const [templates, events] = await Promise.all([listTemplates(locals.db), listEvents(locals.db)]);
	// The contents of each, for the list; a stored body that no longer reads shows no counts.
	const withCounts = await Promise.all(
		templates.map(async (t) => {
			const row = await getTemplateRow(locals.db, t.id);
			const parsed = row ? parseTemplateText(row.body) : null;
			const c = parsed?.ok ? parsed.template : null;
			return { ...t, counts: c ? { members: c.members.length, posts: c.posts.length, shifts: c.shifts.length, cards: c.cards.length } : null };
		})
	);
	// Arriving from an event's page ("save as template") chooses that event.
	const chosen = url.searchParams.get('event');
	return { templates: withCounts, events: events.map((e) => ({ id: e.id, name: e.name })), chosen: events.some((e) => e.id === chosen) ? chosen : null };
};

export const actions: Actions = {
	save: async ({ request, locals, url }) => {
		const me = requireAdmin({ locals, url });
		const form = await request.formData();
		const eventId = String(form.get('eventId') ?? '').slice(0, 64);
		const name = String(form.get('name') ?? '').trim();
		const values = { eventId, name: name.slice(0, TEMPLATE_LIMITS.name) };
		if (!name) return fail(400, { action: 'save' as const, values, errors: { name: 'required' as const } });
		if ([...name].length > TEMPLATE_LIMITS.name || name.includes('\u0000')) return fail(400, { action: 'save' as const, values, errors: { name: 'tooLong' as const } });
		const saved = await saveEventAsTemplate({ db: locals.db, readDocument: locals.services.readDocument }, eventId, name, me.id);
		if (!saved) return fail(400, { action: 'save' as const, values, errors: { eventId: 'notFound' as const } });
		return { action: 'save' as const, saved: { name, version: saved.version } };
	},
	import: async ({ request, locals, url }) => {
		const me = requireAdmin({ locals, url });
		const form = await request.formData();
		const file = form.get('file');
		if (!(file instanceof File) || file.size === 0) return fail(400, { action: 'import' as const, noFile: true, problems: [] });
		if (file.size > MAX_TEMPLATE_BYTES) return fail(400, { action: 'import' as const, problems: [{ path: '', problem: 'tooLarge' as const }] });
		const result = await importTemplate(locals.db, await file.text(), me.id);
		if (!result.ok) return fail(400, { action: 'import' as const, problems: result.errors });
		return { action: 'import' as const, imported: { name: result.name, version: result.version } };
	}
};
