import { error } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { loadEventContext } from '$lib/server/event-context';
import { mayReadAudit } from '$lib/domain/permissions';
import { listAudit } from '$lib/server/repositories/audit.repository';
import { auditRowsView, AUDIT_HOME_ZONE } from '$lib/server/audit-view';
import { m } from '$lib/paraglide/messages';

const PAGE_LINES = 300;

/** GET /events/<id>/audit: the event's part of the audit log, for its commander (and administrators). */
export const load: PageServerLoad = async ({ locals, params }) => {
	if (!locals.user) error(401, { message: m.error_sign_in_first() });
	const ctx = await loadEventContext(locals.db, params.id, locals.user);
	if (!ctx) error(404, { message: m.error_event_not_member() });
	if (!mayReadAudit(ctx.principal, 'event')) error(403, { message: m.audit_forbidden() });
	const rows = await listAudit(locals.db, { eventId: ctx.event.id, limit: PAGE_LINES });
	return { rows: auditRowsView(rows), homeZone: AUDIT_HOME_ZONE, limit: PAGE_LINES };
};
