import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { apiContext } from '$lib/server/report-api';
import { listScans, patrolRoutes } from '$lib/server/patrol';
import { commandDocName } from '$lib/domain/documents';
import { readPosts } from '$lib/domain/roster';

/**
 * GET /api/events/<id>/patrol: the event's patrol routes with their checkpoints and every scan (who scanned is shown
 * to the commander, leads and reviewers; others see only their own names).
 */
export const GET: RequestHandler = async ({ locals, params }) => {
	const got = await apiContext(locals.db, locals.user, params.id);
	if (got instanceof Response) return got;
	const { ctx, user } = got;
	const routes = await patrolRoutes(locals.db, readPosts(await locals.services.readDocument(commandDocName(ctx.event.id))), ctx.event.id);
	const seesNames = ctx.role === 'commander' || ctx.role === 'lead' || ctx.role === 'reviewer';
	const scans = (await listScans(locals.db, ctx.event.id)).map((s) => (seesNames || s.userId === user.id ? s : { ...s, userId: null, userName: null }));
	return json({ routes, scans });
};
