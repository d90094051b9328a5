import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { requireReviewer } from '$lib/server/after-action/access';
import { replayAt } from '$lib/server/after-action/replay';

/** GET /api/events/<id>/replay?at=<ISO time>: the board as it stood then, rebuilt from the update log. */
export const GET: RequestHandler = async ({ locals, params, url }) => {
	const ctx = await requireReviewer(locals, params.id);
	const at = new Date(url.searchParams.get('at') ?? '');
	if (Number.isNaN(at.getTime())) return json({ error: 'invalid', message: 'at must be an ISO time' }, { status: 400 });
	const view = await replayAt(locals.db, params.id, ctx.agencies.map((a) => a.code), at);
	return json(view, { headers: { 'cache-control': 'no-store' } });
};
