import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { loadWallContext } from '$lib/server/wall';
import { listReports } from '$lib/server/repositories/field-report.repository';
import { listAttachments } from '$lib/server/repositories/attachment.repository';
import { onWallMap, type ReportPin } from '$lib/domain/field-reports';

/**
 * GET /wall/<token>/reports: what a wall shows of field reports — the pins and kinds of those waiting or just made
 * cards, how many wait, and the photos the commander put on the wall. Never a report's text, reporter or position.
 */
export const GET: RequestHandler = async ({ locals, params }) => {
	const ctx = await loadWallContext(locals.db, params.token);
	if (!ctx) return json({ error: 'unauthenticated', message: 'Unknown or revoked display link.' }, { status: 401 });
	const now = Date.now();
	const reports = await listReports(locals.db, ctx.event.id);
	const pins: ReportPin[] = reports.filter((r) => onWallMap(r, now)).map((r) => ({ id: r.id, kind: r.kind, state: r.state, point: r.pin!, level: r.level }));
	const photos = (await listAttachments(locals.db, ctx.event.id, { onWall: true }))
		.filter((f) => !f.people && f.mime.startsWith('image/'))
		.map((f) => f.id)
		.filter((id, i, all) => all.indexOf(id) === i)
		.slice(-4)
		.reverse();
	return json({ pins, waiting: reports.filter((r) => r.state === 'new').length, photos }, { headers: { 'cache-control': 'no-store' } });
};
