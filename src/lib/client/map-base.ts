/**
 * What the map draws as its base, from the event's map settings: the plan image and the offline basemap under it,
 * each at the address the page may read them from (`/events/<id>/map` for members, `/wall/<token>` for a wall).
 */
import { planToMercator, type Affine } from '$lib/domain/geometry';
import type { MapBase } from '$lib/domain/venue-map';

export interface BaseLayer {
	/** The plan image, or null when a basemap stands in for it. */
	url: string | null;
	width: number;
	height: number;
	/** The basemap: where its description and tiles are, and how plan pixels map to its Web Mercator pixels. */
	basemap: { url: string; toMercator: Affine } | null;
}

export function baseLayer(base: MapBase | null | undefined, prefix: string): BaseLayer | null {
	if (!base) return null;
	const toMercator = base.basemap ? planToMercator(base.controls) : null;
	return {
		url: base.planId ? `${prefix}/plan/${base.planId}` : null,
		width: base.width,
		height: base.height,
		basemap: toMercator ? { url: `${prefix}/basemap`, toMercator } : null
	};
}
