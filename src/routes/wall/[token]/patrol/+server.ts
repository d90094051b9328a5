import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { loadWallContext } from '$lib/server/wall';
import { listScans, patrolRoutes } from '$lib/server/patrol';
import { readPosts } from '$lib/domain/roster';
import { commandDocName } from '$lib/domain/documents';

/** GET /wall/<token>/patrol: routes and scans for a wall (no names of who scanned). */
export const GET: RequestHandler = async ({ locals, params }) => {
	const ctx = await loadWallContext(locals.db, params.token);
	if (!ctx) return json({ error: 'unauthenticated', message: 'Unknown or revoked display link.' }, { status: 401 });
	const routes = await patrolRoutes(locals.db, readPosts(await locals.services.readDocument(commandDocName(ctx.event.id))), ctx.event.id);
	const scans = (await listScans(locals.db, ctx.event.id)).map((s) => ({ ...s, userId: null, userName: null }));
	return json({ routes, scans }, { headers: { 'cache-control': 'no-store' } });
};
