import { error } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { loadEventContext } from '$lib/server/event-context';
import { basemapTileResponse } from '$lib/server/basemap-response';
import { m } from '$lib/paraglide/messages';

/** GET /events/<id>/map/basemap/<z>/<x>/<y>: one tile of the event's offline basemap, for its members. */
export const GET: RequestHandler = async ({ locals, params }) => {
	if (!locals.user) error(401, { message: m.error_sign_in_first() });
	const ctx = await loadEventContext(locals.db, params.id, locals.user);
	if (!ctx) error(404, { message: m.error_no_such_event() });
	return basemapTileResponse(locals.services, ctx.event.id, params);
};
