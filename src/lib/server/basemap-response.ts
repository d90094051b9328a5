/**
 * The offline basemap an event's map uses, for the map page and the wall: its description (zoom range, bounds) and
 * its tiles, read from the data folder by the server. Only for someone who may see the event's map; the file is
 * always the one the event's map names, never one a request names.
 */
import { error, json } from '@sveltejs/kit';
import { commandDocName } from '$lib/domain/documents';
import { readMapBase } from '$lib/domain/venue-map';
import type { AppServices } from './services';
import { m } from '$lib/paraglide/messages';

async function basemapOf(services: AppServices, eventId: string) {
	const name = readMapBase(await services.readDocument(commandDocName(eventId)))?.basemap;
	const info = name ? await services.basemaps.info(name) : null;
	if (!info) error(404, { message: m.error_not_found() });
	return info;
}

export async function basemapInfoResponse(services: AppServices, eventId: string): Promise<Response> {
	const info = await basemapOf(services, eventId);
	return json({ minZoom: info.minZoom, maxZoom: info.maxZoom, bounds: info.bounds }, { headers: { 'cache-control': 'private, no-cache' } });
}

export async function basemapTileResponse(services: AppServices, eventId: string, params: { z: string; x: string; y: string }): Promise<Response> {
	if (![params.z, params.x, params.y].every((v) => /^\d{1,8}$/.test(v))) error(404, { message: m.error_not_found() });
	const [z, x, y] = [params.z, params.x, params.y].map(Number);
	const info = await basemapOf(services, eventId);
	const tile = await services.basemaps.tile(info.name, z, x, y);
	// No tile there (beyond the file's area or zooms) is normal at a map's edge: an empty answer, not an error page.
	if (!tile) return new Response(null, { status: 204, headers: { 'cache-control': 'private, max-age=300' } });
	return new Response(tile.bytes as unknown as BodyInit, {
		headers: { 'content-type': tile.mime, 'cache-control': 'private, max-age=3600', 'x-content-type-options': 'nosniff' }
	});
}
