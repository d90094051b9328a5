import { error, fail } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { loadEventContext, type EventContext } from '$lib/server/event-context';
import { deletePlaybook, insertPlaybook, listPlaybooks, updatePlaybook } from '$lib/server/repositories/playbook.repository';
import { checkPlaybook, PLAYBOOK_LIMITS, playbookAgencies } from '$lib/domain/playbooks';
import { mayManagePlaybooks, mayPerform } from '$lib/domain/permissions';
import { isId, newId } from '$lib/domain/ids';
import { m } from '$lib/paraglide/messages';

/**
 * 预案: the built-in playbooks and the event's own, each with its cards; who may run which (the commander any, a
 * lead those with a card for their agency) and whether this person may add, change or delete the event's own.
 */
export const load: PageServerLoad = async ({ locals, params }) => {
	if (!locals.user) error(401, { message: m.error_sign_in_first() });
	const ctx = await loadEventContext(locals.db, params.id, locals.user);
	if (!ctx) error(404, { message: m.error_event_not_member() });
	const playbooks = await listPlaybooks(locals.db, ctx.event.id, ctx.agencies.map((a) => a.code));
	return {
		playbooks: playbooks.map((p) => ({
			id: p.id,
			name: p.name,
			nameKey: p.nameKey ?? null,
			builtIn: p.builtIn,
			runnable: p.runnable,
			cards: p.cards,
			mayRun: p.runnable && mayRun(ctx, playbookAgencies(p))
		})),
		mayManage: mayManagePlaybooks(ctx.principal, ctx.event.status),
		limits: PLAYBOOK_LIMITS
	};
};

/** The commander runs any playbook; a lead one that has a card for their own agency (as the server decides). */
function mayRun(ctx: EventContext, agencies: string[]): boolean {
	const from = ctx.role === 'lead' ? (ctx.agencyCode ?? undefined) : undefined;
	if (from !== undefined && !agencies.includes(from)) return false;
	return mayPerform(ctx.principal, 'playbook.run', { status: ctx.event.status, fromAgency: from });
}

async function managing(locals: App.Locals, eventId: string): Promise<EventContext | ReturnType<typeof fail>> {
	if (!locals.user) error(401, { message: m.error_sign_in_first() });
	const ctx = await loadEventContext(locals.db, eventId, locals.user);
	if (!ctx) error(404, { message: m.error_event_not_member() });
	if (!mayManagePlaybooks(ctx.principal, ctx.event.status)) return fail(403, { problem: 'forbidden' as const });
	return ctx;
}

/** A form field's text, without NUL bytes (a form may carry anything). */
function field(form: FormData, key: string): string {
	const v = form.get(key);
	return typeof v === 'string' ? v.replace(/\u0000/g, '') : '';
}

/**
 * The playbook a form describes: `name`, and per card row `cards.<i>.agency|title|priority|dueMinutes|checklist`
 * (one checklist item a line). A row left empty (no agency, title or checklist) is a spare row and is skipped.
 */
function fromForm(form: FormData): { name: string; cards: Array<Record<string, string>>; values: Record<string, string> } {
	const values: Record<string, string> = { name: field(form, 'name') };
	const cards: Array<Record<string, string>> = [];
	const rows = new Set<number>();
	for (const key of form.keys()) {
		const match = /^cards\.(\d{1,2})\./.exec(key);
		if (match) rows.add(Number(match[1]));
	}
	for (const i of [...rows].sort((a, b) => a - b)) {
		const row = Object.fromEntries(['agency', 'title', 'priority', 'dueMinutes', 'checklist'].map((k) => [k, field(form, `cards.${i}.${k}`)]));
		if (!row.agency.trim() && !row.title.trim() && !row.checklist.trim()) continue;
		cards.push(row);
	}
	// Echoed back on an error with rows renumbered as checked, so each error sits beside its own field.
	cards.forEach((row, i) => {
		for (const [k, v] of Object.entries(row)) values[`cards.${i}.${k}`] = v;
	});
	return { name: values.name, cards, values };
}

async function save(locals: App.Locals, eventId: string, request: Request, mode: 'create' | 'update') {
	const got = await managing(locals, eventId);
	if (!('event' in got)) return got;
	const form = await request.formData().catch(() => null);
	if (!form) return fail(400, { problem: 'form' as const });
	const id = field(form, 'id');
	if (mode === 'update' && !isId(id)) return fail(404, { problem: 'notFound' as const });
	const input = fromForm(form);
	const checked = checkPlaybook(input, got.agencies.map((a) => a.code));
	if (!checked.ok) return fail(400, { problem: 'invalid' as const, errors: checked.errors, values: input.values, editing: mode === 'update' ? id : 'new' });
	let playbookId = id;
	if (mode === 'create') {
		playbookId = newId();
		await insertPlaybook(locals.db, { id: playbookId, eventId: got.event.id, name: checked.value.name, cards: checked.value.cards, createdBy: locals.user!.id });
	} else if (!(await updatePlaybook(locals.db, { id, eventId: got.event.id, ...checked.value }))) {
		return fail(404, { problem: 'notFound' as const });
	}
	return { done: mode, name: checked.value.name, id: playbookId };
}

export const actions: Actions = {
	/** Adds one of the event's own playbooks. */
	create: async ({ locals, params, request }) => save(locals, params.id, request, 'create'),
	/** Changes one of the event's own playbooks (built-in ones are not changed; copy one instead). */
	update: async ({ locals, params, request }) => save(locals, params.id, request, 'update'),
	/** Deletes one of the event's own playbooks; cards a run made stay on the board. */
	delete: async ({ locals, params, request }) => {
		const got = await managing(locals, params.id);
		if (!('event' in got)) return got;
		const form = await request.formData().catch(() => null);
		const id = form ? field(form, 'id') : '';
		if (!isId(id) || !(await deletePlaybook(locals.db, got.event.id, id))) return fail(404, { problem: 'notFound' as const });
		return { done: 'delete' as const, name: '', id };
	}
};
