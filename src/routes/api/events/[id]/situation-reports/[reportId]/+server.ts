import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { apiContext } from '$lib/server/report-api';
import { getSitrep } from '$lib/server/repositories/sitrep.repository';
import { m } from '$lib/paraglide/messages';

/**
 * GET /api/events/<id>/situation-reports/<reportId>: one issued report, its body exactly the canonical JSON the
 * hash covers (so `sha256sum` of the body equals the `x-sitrep-sha256` header and the listed hash), for members of
 * the event. A draft answers 404 like a report that does not exist.
 */
export const GET: RequestHandler = async ({ locals, params }) => {
	const got = await apiContext(locals.db, locals.user, params.id);
	if (got instanceof Response) return got;
	const row = await getSitrep(locals.db, params.id, params.reportId);
	if (!row || row.status !== 'issued' || !row.canonicalJson || !row.sha256) return json({ error: 'notFound', message: m.sitrep_error_not_found() }, { status: 404 });
	return new Response(row.canonicalJson, {
		headers: { 'content-type': 'application/json; charset=utf-8', 'x-sitrep-sha256': row.sha256, 'cache-control': 'private, no-store' }
	});
};
