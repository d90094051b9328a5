import { describe, it, expect } from 'vitest';
import { planToMercator, applyAffine, type Affine } from '$lib/domain/geometry';
import { MAX_PICTURE_PIXELS, MAX_PICTURE_SIDE, MAX_PICTURE_TILES, planPicture, pictureServes, type PlanRect } from './basemap-picture';

// The demo's plan: 3,200 × 2,000 pixels, a metre each, its top-left corner at 108.934° E, 34.252° N.
const toMercator = planToMercator([
	{ plan: [0, 0], lngLat: [108.934, 34.252] },
	{ plan: [3200, 0], lngLat: [108.9513887, 34.252] },
	{ plan: [0, 2000], lngLat: [108.934, 34.2429861] }
]) as Affine;
const zooms = { minZoom: 13, maxZoom: 17 };
const limit: PlanRect = { x0: -1600, y0: -1000, x1: 4800, y1: 3000 };

describe('the basemap picture', () => {
	it('covers the view and a margin, at the screen’s detail, from tiles around it', () => {
		const view = { x0: 1000, y0: 500, x1: 2000, y1: 1100 };
		const p = planPicture(view, limit, 1, zooms, toMercator)!;
		expect(p.rect.x0).toBeLessThan(view.x0);
		expect(p.rect.y1).toBeGreaterThan(view.y1);
		expect(p.scale).toBe(1);
		expect([p.width, p.height]).toEqual([Math.round(p.rect.x1 - p.rect.x0), Math.round(p.rect.y1 - p.rect.y0)]);
		expect(p.zoom).toBeGreaterThanOrEqual(zooms.minZoom);
		expect(p.zoom).toBeLessThanOrEqual(zooms.maxZoom);
		// Every corner of the picture lies on one of its tiles.
		const n = 2 ** p.zoom;
		for (const corner of [[p.rect.x0, p.rect.y0], [p.rect.x1, p.rect.y1]] as Array<[number, number]>) {
			const [mx, my] = applyAffine(toMercator, corner).map((v) => Math.floor((v * n) / 256));
			expect(p.tiles).toContainEqual([mx, my]);
		}
	});

	it('covers the whole pannable area when that is a small picture, as when the plan is seen whole', () => {
		const view = { x0: -200, y0: -300, x1: 3400, y1: 2300 };
		const p = planPicture(view, limit, 0.25, zooms, toMercator)!;
		expect(p.rect).toEqual(limit);
		expect(pictureServes(p, { x0: 1000, y0: 800, x1: 4600, y1: 3000 }, limit, planPicture({ x0: 1000, y0: 800, x1: 4600, y1: 3000 }, limit, 0.25, zooms, toMercator)!.scale)).toBe(true);
	});

	it('stays within the pannable area, and is none when the view is outside it', () => {
		const p = planPicture({ x0: 4000, y0: 2500, x1: 6000, y1: 4000 }, limit, 1, zooms, toMercator)!;
		expect(p.rect.x1).toBe(limit.x1);
		expect(p.rect.y1).toBe(limit.y1);
		expect(planPicture({ x0: 9000, y0: 9000, x1: 9500, y1: 9500 }, limit, 1, zooms, toMercator)).toBeNull();
	});

	it('keeps a 4K wall’s picture within the canvas caps, and asks no more than its tile cap', () => {
		const p = planPicture(limit, limit, 8, zooms, toMercator)!;
		expect(p.width * p.height).toBeLessThanOrEqual(MAX_PICTURE_PIXELS * 1.001);
		expect(Math.max(p.width, p.height)).toBeLessThanOrEqual(MAX_PICTURE_SIDE);
		expect(p.tiles.length).toBeLessThanOrEqual(MAX_PICTURE_TILES);
		expect(p.tiles.length).toBeGreaterThan(0);
	});

	it('is painted again only when the view leaves it or wants more detail: a capped picture is not repainted in a loop', () => {
		const view = { x0: 1000, y0: 500, x1: 2000, y1: 1100 };
		const painted = planPicture(view, limit, 1, zooms, toMercator)!;
		const nudged = { x0: 1050, y0: 520, x1: 2050, y1: 1120 };
		expect(pictureServes(painted, nudged, limit, planPicture(nudged, limit, 1, zooms, toMercator)!.scale)).toBe(true);
		const away = { x0: 2500, y0: 1500, x1: 3500, y1: 2100 };
		expect(pictureServes(painted, away, limit, planPicture(away, limit, 1, zooms, toMercator)!.scale)).toBe(false);
		const closer = { x0: 1250, y0: 650, x1: 1750, y1: 950 };
		expect(pictureServes(painted, closer, limit, planPicture(closer, limit, 2, zooms, toMercator)!.scale)).toBe(false);
		// A view whose picture is capped is served by that same picture, however often it is asked.
		const whole = planPicture(limit, limit, 8, zooms, toMercator)!;
		expect(pictureServes(whole, limit, limit, planPicture(limit, limit, 8, zooms, toMercator)!.scale)).toBe(true);
		// A view reaching past the pannable area is served by a picture of the part within it.
		const edge = { x0: 4000, y0: 2500, x1: 6000, y1: 4000 };
		const atEdge = planPicture(edge, limit, 1, zooms, toMercator)!;
		expect(pictureServes(atEdge, edge, limit, planPicture(edge, limit, 1, zooms, toMercator)!.scale)).toBe(true);
	});
});
