import { error } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { loadEventContext } from '$lib/server/event-context';
import { reportViews } from '$lib/server/field-reports';
import { mayReport, mayTriage, readsAllReports } from '$lib/domain/field-reports';
import { m } from '$lib/paraglide/messages';
import { listPlaybooks } from '$lib/server/repositories/playbook.repository';
import { playbookRunRefusal } from '$lib/server/playbook-run';

/** The reports page: the report form for whoever may report, the desk for the commander and leads. */
export const load: PageServerLoad = async ({ locals, params }) => {
	if (!locals.user) error(401, { message: m.error_sign_in_first() });
	const ctx = await loadEventContext(locals.db, params.id, locals.user);
	if (!ctx) error(404, { message: m.error_event_not_member() });
	const desk = mayTriage(ctx.principal, ctx.event.status);
	// 按预案处置 offers the playbooks this triager may run (the commander any, a lead those with a card of theirs).
	const playbooks = desk
		? (await listPlaybooks(locals.db, ctx.event.id, ctx.agencies.map((a) => a.code)))
				.filter((p) => !playbookRunRefusal(ctx.principal, p, ctx.event.status))
				.map((p) => ({ id: p.id, name: p.name, cards: p.cards.length }))
		: [];
	return {
		reports: await reportViews(locals.db, ctx),
		playbooks,
		mayReport: mayReport(ctx.principal, ctx.event.status),
		desk,
		readsAll: readsAllReports(ctx.principal),
		commander: ctx.role === 'commander'
	};
};
