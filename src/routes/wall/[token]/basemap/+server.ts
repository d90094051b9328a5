import { error } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { loadWallContext } from '$lib/server/wall';
import { basemapInfoResponse } from '$lib/server/basemap-response';
import { m } from '$lib/paraglide/messages';

/** GET /wall/<token>/basemap: the event's offline basemap, for a wall display with a live link. */
export const GET: RequestHandler = async ({ locals, params }) => {
	const ctx = await loadWallContext(locals.db, params.token);
	if (!ctx) error(404, { message: m.error_display_link_unknown() });
	return basemapInfoResponse(locals.services, ctx.event.id);
};
