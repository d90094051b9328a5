import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { loadWallContext } from '$lib/server/wall';
import { listActivity } from '$lib/server/repositories/doc-log.repository';

/** GET /wall/<token>/activity: the latest activity a wall may show (never the restricted document's). */
export const GET: RequestHandler = async ({ locals, params }) => {
	const ctx = await loadWallContext(locals.db, params.token);
	if (!ctx) return json({ error: 'unauthenticated', message: 'Unknown or revoked display link.' }, { status: 401 });
	const rows = await listActivity(locals.db, ctx.event.id, { docs: ctx.docs, limit: 30 });
	return json(
		{
			activity: rows.map((r) => ({
				id: r.id,
				at: r.at.toISOString(),
				userName: r.userName,
				entityType: r.entityType,
				entityId: r.entityId,
				action: r.action,
				field: r.field,
				subject: r.subject,
				from: r.from,
				to: r.to,
				doc: r.doc
			}))
		},
		{ headers: { 'cache-control': 'no-store' } }
	);
};
