import { error } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { loadEventContext } from '$lib/server/event-context';
import { listMembers } from '$lib/server/repositories/event.repository';
import { agencyDocName } from '$lib/domain/documents';
import { readShifts } from '$lib/domain/roster';
import { rosterToCsv } from '$lib/domain/roster-csv';
import { m } from '$lib/paraglide/messages';

/** GET /events/<id>/roster/export?agency=<code>: an agency's roster as CSV, in the format the import reads. */
export const GET: RequestHandler = async ({ locals, params, url }) => {
	if (!locals.user) error(401, { message: m.error_sign_in_first() });
	const ctx = await loadEventContext(locals.db, params.id, locals.user);
	if (!ctx) error(404, { message: m.error_event_not_member() });
	const agency = url.searchParams.get('agency') ?? '';
	// Own keys only: `constructor` or `__proto__` must not pass for an agency.
	const access = Object.hasOwn(ctx.access.agencies, agency) ? ctx.access.agencies[agency] : undefined;
	if (!access) error(404, { message: m.error_no_such_agency() });
	if (access === 'none') error(403, { message: m.error_roster_forbidden() });
	const doc = await locals.services.readDocument(agencyDocName(ctx.event.id, agency));
	const members = await listMembers(locals.db, ctx.event.id);
	const csv = rosterToCsv(readShifts(doc, agency), {
		timeZone: ctx.event.timezone,
		usernames: new Map(members.map((m) => [m.userId, m.username]))
	});
	return new Response(csv, {
		headers: {
			'content-type': 'text/csv; charset=utf-8',
			'content-disposition': `attachment; filename="roster-${ctx.event.id}-${agency}.csv"`,
			'cache-control': 'no-store'
		}
	});
};
