import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { requireReviewer } from '$lib/server/after-action/access';
import { replayAt } from '$lib/server/after-action/replay';
import { parseInstant } from '$lib/domain/validation';

/** GET /api/events/<id>/replay?at=<ISO time>: the board as it stood then, rebuilt from the update log. */
export const GET: RequestHandler = async ({ locals, params, url }) => {
	const ctx = await requireReviewer(locals, params.id);
	const at = parseInstant(url.searchParams.get('at'));
	if (!at) return json({ error: 'invalid', message: 'at must be an ISO time between the years 1970 and 9999' }, { status: 400 });
	const view = await replayAt(locals.db, params.id, ctx.agencies.map((a) => a.code), at);
	return json(view, { headers: { 'cache-control': 'no-store' } });
};
