import { error } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { loadEventContext } from '$lib/server/event-context';
import { commandDocName } from '$lib/domain/documents';
import { readPeriods, readPosts } from '$lib/domain/roster';
import { periodsToCsv, postsToCsv } from '$lib/domain/setup-csv';
import { m } from '$lib/paraglide/messages';

/**
 * GET /events/<id>/roster/setup-export?table=posts|periods: the event's posts or operational periods as CSV, in
 * the format the roster's CSV page imports. Every member reads the command document, so every member may export.
 */
export const GET: RequestHandler = async ({ locals, params, url }) => {
	if (!locals.user) error(401, { message: m.error_sign_in_first() });
	const ctx = await loadEventContext(locals.db, params.id, locals.user);
	if (!ctx) error(404, { message: m.error_event_not_member() });
	const table = url.searchParams.get('table');
	if (table !== 'posts' && table !== 'periods') error(404, { message: m.error_not_found() });
	if (ctx.access.command === 'none') error(403, { message: m.error_roster_forbidden() });
	const doc = await locals.services.readDocument(commandDocName(ctx.event.id));
	const csv = table === 'posts' ? postsToCsv(readPosts(doc)) : periodsToCsv(readPeriods(doc), ctx.event.timezone);
	return new Response(csv, {
		headers: {
			'content-type': 'text/csv; charset=utf-8',
			'content-disposition': `attachment; filename="${table}-${ctx.event.id}.csv"`,
			'cache-control': 'no-store'
		}
	});
};
