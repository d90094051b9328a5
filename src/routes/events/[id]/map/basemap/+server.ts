import { error } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { loadEventContext } from '$lib/server/event-context';
import { basemapInfoResponse } from '$lib/server/basemap-response';
import { m } from '$lib/paraglide/messages';

/** GET /events/<id>/map/basemap: the event's offline basemap (zoom range, bounds), for its members. */
export const GET: RequestHandler = async ({ locals, params }) => {
	if (!locals.user) error(401, { message: m.error_sign_in_first() });
	const ctx = await loadEventContext(locals.db, params.id, locals.user);
	if (!ctx) error(404, { message: m.error_no_such_event() });
	return basemapInfoResponse(locals.services, ctx.event.id);
};
