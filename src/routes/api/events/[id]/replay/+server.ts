import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { requireReviewer } from '$lib/server/after-action/access';
import { replayAt } from '$lib/server/after-action/replay';

/** GET /api/events/<id>/replay?at=<ISO time>: the board as it stood then, rebuilt from the update log. */
export const GET: RequestHandler = async ({ locals, params, url }) => {
	const ctx = await requireReviewer(locals, params.id);
	const at = new Date(url.searchParams.get('at') ?? '');
	// Years past 9999 are valid JavaScript dates that the database cannot read back (+275760-09-13...).
	const year = at.getUTCFullYear();
	if (Number.isNaN(at.getTime()) || year < 1970 || year > 9999) {
		return json({ error: 'invalid', message: 'at must be an ISO time between the years 1970 and 9999' }, { status: 400 });
	}
	const view = await replayAt(locals.db, params.id, ctx.agencies.map((a) => a.code), at);
	return json(view, { headers: { 'cache-control': 'no-store' } });
};
