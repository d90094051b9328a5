import type { PageServerLoad } from './$types';
import { listEvents } from '$lib/server/repositories/event.repository';
import { AUDIT_ACTIONS, listAudit, listAuditActors } from '$lib/server/repositories/audit.repository';
import { auditRowsView, AUDIT_HOME_ZONE } from '$lib/server/audit-view';
import { parseTimeIn } from '$lib/domain/validation';
import { isId } from '$lib/domain/ids';
import { requireAdmin } from '../admin.server';

/** How many lines one page shows; the CLI's `audit export` gives the whole log. */
const PAGE_LINES = 300;

/** A day (YYYY-MM-DD) as its first moment in the home zone, or undefined when not a day. */
function dayStart(value: string | null, plusDays = 0): Date | undefined {
	if (!value || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return undefined;
	const start = parseTimeIn(`${value}T00:00`, AUDIT_HOME_ZONE);
	return start ? new Date(start.getTime() + plusDays * 86_400_000) : undefined;
}

/** GET /admin/audit[?event&actor&action&since&until]: the whole audit log, newest first, for administrators. */
export const load: PageServerLoad = async ({ locals, url }) => {
	requireAdmin({ locals, url });
	const q = url.searchParams;
	const filter = {
		eventId: isId(q.get('event') ?? '') ? q.get('event')! : undefined,
		actorId: isId(q.get('actor') ?? '') ? q.get('actor')! : undefined,
		action: (AUDIT_ACTIONS as readonly string[]).includes(q.get('action') ?? '') ? q.get('action')! : undefined,
		since: dayStart(q.get('since')),
		until: dayStart(q.get('until'), 1)
	};
	const [rows, events, actors] = await Promise.all([
		listAudit(locals.db, { ...filter, limit: PAGE_LINES }),
		listEvents(locals.db),
		listAuditActors(locals.db)
	]);
	return {
		rows: auditRowsView(rows),
		events: events.map((e) => ({ id: e.id, name: e.name })),
		actors,
		actions: [...AUDIT_ACTIONS],
		homeZone: AUDIT_HOME_ZONE,
		limit: PAGE_LINES,
		filter: { event: filter.eventId ?? '', actor: filter.actorId ?? '', action: filter.action ?? '', since: filter.since ? q.get('since')! : '', until: filter.until ? q.get('until')! : '' },
		filtered: Object.values(filter).some((v) => v !== undefined)
	};
};
