import { error } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { loadWallContext } from '$lib/server/wall';
import { basemapTileResponse } from '$lib/server/basemap-response';
import { m } from '$lib/paraglide/messages';

/** GET /wall/<token>/basemap/<z>/<x>/<y>: one tile of the event's offline basemap, for a wall display. */
export const GET: RequestHandler = async ({ locals, params }) => {
	const ctx = await loadWallContext(locals.db, params.token);
	if (!ctx) error(404, { message: m.error_display_link_unknown() });
	return basemapTileResponse(locals.services, ctx.event.id, params);
};
