import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { apiContext } from '$lib/server/report-api';
import { listSitreps } from '$lib/server/repositories/sitrep.repository';

/**
 * GET /api/events/<id>/situation-reports: the event's issued situation reports, newest first — id, period, when and
 * by whom issued, and the SHA-256 of each report's canonical JSON — for members of the event (drafts never).
 */
export const GET: RequestHandler = async ({ locals, params }) => {
	const got = await apiContext(locals.db, locals.user, params.id);
	if (got instanceof Response) return got;
	const reports = await listSitreps(locals.db, params.id, { drafts: false });
	return json({
		situationReports: reports.map((r) => ({ id: r.id, title: r.title, period: r.periodName, issuedAt: r.issuedAt, issuedBy: r.issuedByName, sha256: r.sha256 }))
	});
};
