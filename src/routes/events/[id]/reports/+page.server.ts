import { error } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { loadEventContext } from '$lib/server/event-context';
import { reportViews } from '$lib/server/field-reports';
import { mayReport, mayTriage, readsAllReports } from '$lib/domain/field-reports';
import { m } from '$lib/paraglide/messages';

/** The reports page: the report form for whoever may report, the desk for the commander and leads. */
export const load: PageServerLoad = async ({ locals, params }) => {
	if (!locals.user) error(401, { message: m.error_sign_in_first() });
	const ctx = await loadEventContext(locals.db, params.id, locals.user);
	if (!ctx) error(404, { message: m.error_event_not_member() });
	return {
		reports: await reportViews(locals.db, ctx),
		mayReport: mayReport(ctx.principal, ctx.event.status),
		desk: mayTriage(ctx.principal, ctx.event.status),
		readsAll: readsAllReports(ctx.principal),
		commander: ctx.role === 'commander'
	};
};
