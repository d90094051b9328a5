/**
 * The offline basemap under the plan, drawn as one picture: the basemap's Web Mercator tiles, warped into plan
 * coordinates by the plan's georeference, painted once into a canvas that covers the view and a margin around it.
 * Panning then moves one image, as it moves the plan; the picture is painted again only after the view stops
 * outside it or is zoomed in past its detail (docs/venue-map.md, "drawn as one picture").
 */
import type { ImageOverlay, ImageOverlayOptions, LatLngBoundsExpression, LayerGroup, Map as LeafletMap } from 'leaflet';
import { applyAffine, invertAffine, type Affine } from '$lib/domain/geometry';

/** A rectangle in plan pixels. */
export interface PlanRect {
	x0: number;
	y0: number;
	x1: number;
	y1: number;
}

export interface BasemapZooms {
	minZoom: number;
	maxZoom: number;
}

/** What one painting of the basemap covers, at what detail, from which tiles. */
export interface PicturePlan {
	rect: PlanRect;
	/** Canvas pixels per plan pixel. */
	scale: number;
	width: number;
	height: number;
	/** The basemap zoom its tiles come from. */
	zoom: number;
	tiles: Array<[number, number]>;
}

/** A picture's canvas holds at most this many pixels (64 MB of colour), whatever the screen. */
export const MAX_PICTURE_PIXELS = 16 * 1024 * 1024;
/** Nor is a side longer than this (browsers refuse larger canvases). */
export const MAX_PICTURE_SIDE = 8192;
/** Nor does one painting fetch more tiles than this; past it the basemap zoom steps down. */
export const MAX_PICTURE_TILES = 400;
/** Up to this size, a picture covers the whole pannable area rather than the view and its margin. */
const WHOLE_PICTURE_PIXELS = 4 * 1024 * 1024;
/** The margin around the view, as a share of the view's size on each side. */
const MARGIN = 0.25;

function intersect(a: PlanRect, b: PlanRect): PlanRect | null {
	const r = { x0: Math.max(a.x0, b.x0), y0: Math.max(a.y0, b.y0), x1: Math.min(a.x1, b.x1), y1: Math.min(a.y1, b.y1) };
	return r.x1 > r.x0 && r.y1 > r.y0 ? r : null;
}

/**
 * The picture to paint for a view: the view with a margin, within the limit (the map's pannable area), at the
 * screen's detail unless that would pass the size caps; its tiles at the basemap zoom nearest that detail. Null when
 * the view and the limit do not meet. The same view and limit always give the same picture, so a view that a
 * capped picture covers is not painted again and again.
 */
export function planPicture(view: PlanRect, limit: PlanRect, screenScale: number, zooms: BasemapZooms, toMercator: Affine): PicturePlan | null {
	const mx = (view.x1 - view.x0) * MARGIN;
	const my = (view.y1 - view.y0) * MARGIN;
	if (!intersect(view, limit) || !(screenScale > 0)) return null;
	// Seen whole (the wall's usual view), the whole pannable area is a small picture: painted once, it serves every
	// pan and every resize of the frame at that zoom.
	const wholePixels = (limit.x1 - limit.x0) * (limit.y1 - limit.y0) * screenScale ** 2;
	const rect = wholePixels <= WHOLE_PICTURE_PIXELS ? limit : intersect({ x0: view.x0 - mx, y0: view.y0 - my, x1: view.x1 + mx, y1: view.y1 + my }, limit);
	if (!rect) return null;
	const w = rect.x1 - rect.x0;
	const h = rect.y1 - rect.y0;
	const scale = Math.min(screenScale, Math.sqrt(MAX_PICTURE_PIXELS / (w * h)), MAX_PICTURE_SIDE / w, MAX_PICTURE_SIDE / h);
	const m = toMercator;
	// Mercator pixels (at zoom 0) per plan pixel: the basemap zoom whose pixels match the picture's.
	const perPlanPixel = Math.sqrt(Math.abs(m[0] * m[4] - m[1] * m[3]));
	if (!(perPlanPixel > 0)) return null;
	const corners = [
		[rect.x0, rect.y0],
		[rect.x1, rect.y0],
		[rect.x0, rect.y1],
		[rect.x1, rect.y1]
	].map(([x, y]) => applyAffine(m, [x, y]));
	let zoom = Math.max(zooms.minZoom, Math.min(zooms.maxZoom, Math.round(Math.log2(scale / perPlanPixel))));
	for (;;) {
		const n = 2 ** zoom;
		const range = (i: 0 | 1) => {
			const values = corners.map((c) => (c[i] * n) / 256);
			return [Math.max(0, Math.floor(Math.min(...values))), Math.min(n - 1, Math.floor(Math.max(...values)))] as const;
		};
		const [tx0, tx1] = range(0);
		const [ty0, ty1] = range(1);
		const count = Math.max(0, tx1 - tx0 + 1) * Math.max(0, ty1 - ty0 + 1);
		if (count > MAX_PICTURE_TILES && zoom > zooms.minZoom) {
			zoom--;
			continue;
		}
		const tiles: Array<[number, number]> = [];
		if (count <= MAX_PICTURE_TILES) for (let tx = tx0; tx <= tx1; tx++) for (let ty = ty0; ty <= ty1; ty++) tiles.push([tx, ty]);
		return { rect, scale, width: Math.max(1, Math.round(w * scale)), height: Math.max(1, Math.round(h * scale)), zoom, tiles };
	}
}

/**
 * True when a picture already serves a view: it covers the view (as far as the pannable area goes) at no less than
 * three quarters of the detail wanted. Only the view counts, not the margin a new picture would get: a drag within
 * the margin paints nothing.
 */
export function pictureServes(current: PicturePlan, view: PlanRect, limit: PlanRect, wantedScale: number): boolean {
	const v = intersect(view, limit);
	if (!v) return true;
	const r = current.rect;
	const covers = r.x0 <= v.x0 + 1e-6 && r.y0 <= v.y0 + 1e-6 && r.x1 >= v.x1 - 1e-6 && r.y1 >= v.y1 - 1e-6;
	return covers && current.scale >= wantedScale * 0.75;
}

/**
 * Paints a picture: each tile drawn through the transform from its own pixels to the canvas's. Tiles that fail to
 * load leave their part empty; the plan and the features stay readable over it.
 */
export async function paintPicture(plan: PicturePlan, tileUrl: (z: number, x: number, y: number) => string, toMercator: Affine): Promise<HTMLCanvasElement | null> {
	const toPlan = invertAffine(toMercator);
	const canvas = document.createElement('canvas');
	canvas.width = plan.width;
	canvas.height = plan.height;
	const ctx = canvas.getContext('2d');
	if (!toPlan || !ctx) return null;
	const n = 2 ** plan.zoom;
	const s = plan.scale;
	const [p0, p1, p2, p3, p4, p5] = toPlan;
	const images = await Promise.all(
		plan.tiles.map(
			([tx, ty]) =>
				new Promise<HTMLImageElement | null>((resolve) => {
					const img = new Image();
					img.onload = () => resolve(img);
					img.onerror = () => resolve(null);
					img.src = tileUrl(plan.zoom, tx, ty);
				})
		)
	);
	plan.tiles.forEach(([tx, ty], i) => {
		const img = images[i];
		if (!img) return;
		// Tile pixel (u, v) is Mercator pixel ((tx·256 + u)/n, (ty·256 + v)/n) at zoom 0; then to plan, then canvas.
		const ox = (tx * 256) / n;
		const oy = (ty * 256) / n;
		ctx.setTransform((s * p0) / n, (s * p3) / n, (s * p1) / n, (s * p4) / n, s * (p0 * ox + p1 * oy + p2 - plan.rect.x0), s * (p3 * ox + p4 * oy + p5 - plan.rect.y0));
		// A hair larger than the tile, so no seam shows between neighbours.
		ctx.drawImage(img, -0.5, -0.5, 257, 257);
	});
	return canvas;
}

/** Where a map's basemap comes from and where its picture may go. */
export interface PictureSource {
	/** The pannable area, in plan pixels. */
	limit: PlanRect;
	zooms: BasemapZooms;
	toMercator: Affine;
	tileUrl: (z: number, x: number, y: number) => string;
	/** The Leaflet pane the picture lies in. */
	pane: string;
}

/**
 * The painted canvas itself as a map layer, placed and zoomed as Leaflet places an image overlay. An image made from
 * it (a PNG) cost an encoding on the page's thread, and the compositor decoded it again at its drawn scale before
 * showing it: one frame of a drag held for a quarter of a second when the picture arrived (bench, wall map phase).
 * Leaflet's image overlay takes only an address or an image; this one takes the canvas, and nothing else differs.
 */
function canvasOverlay(leaflet: typeof import('leaflet'), canvas: HTMLCanvasElement, bounds: LatLngBoundsExpression, options: ImageOverlayOptions): ImageOverlay {
	CanvasOverlay ??= (leaflet.ImageOverlay as unknown as Extendable).extend({
		// Leaflet keeps what it was given as `_url`: here, the canvas.
		_initImage(this: { _url: HTMLCanvasElement; _image: HTMLCanvasElement; _zoomAnimated: boolean; options: ImageOverlayOptions }) {
			const picture = (this._image = this._url);
			picture.classList.add('leaflet-image-layer');
			if (this._zoomAnimated) picture.classList.add('leaflet-zoom-animated');
			if (this.options.className) picture.classList.add(...this.options.className.split(' ').filter(Boolean));
		}
	});
	return new CanvasOverlay(canvas, bounds, options);
}

type Extendable = { extend(props: object): new (canvas: HTMLCanvasElement, bounds: LatLngBoundsExpression, options: ImageOverlayOptions) => ImageOverlay };
/** Made once, on the first picture (Leaflet is loaded only by a page with a map). */
let CanvasOverlay: ReturnType<Extendable['extend']> | null = null;

/**
 * Keeps the basemap picture of one map current: painted for the view now, painted again after a move that leaves
 * the picture behind. A newer painting replaces an older one once it is painted, so the ground never blinks; one
 * that finishes after the layer was removed is thrown away.
 */
export class BasemapPicture {
	#current: { plan: PicturePlan; layer: ImageOverlay; canvas: HTMLCanvasElement } | null = null;
	#painting = 0;
	#removed = false;
	readonly #onMove = () => void this.#refresh();
	readonly #leaflet: typeof import('leaflet');
	readonly #map: LeafletMap;
	readonly #group: LayerGroup;
	readonly #where: PictureSource;

	constructor(leaflet: typeof import('leaflet'), map: LeafletMap, group: LayerGroup, where: PictureSource) {
		this.#leaflet = leaflet;
		this.#map = map;
		this.#group = group;
		this.#where = where;
		map.on('moveend', this.#onMove);
		void this.#refresh();
	}

	async #refresh(): Promise<void> {
		if (this.#removed) return;
		const { limit, zooms, toMercator, tileUrl, pane } = this.#where;
		const b = this.#map.getBounds();
		const view = { x0: b.getWest(), x1: b.getEast(), y0: -b.getNorth(), y1: -b.getSouth() };
		const dpr = Math.min(2, globalThis.devicePixelRatio || 1);
		const wanted = planPicture(view, limit, 2 ** this.#map.getZoom() * dpr, zooms, toMercator);
		if (!wanted || (this.#current && pictureServes(this.#current.plan, view, limit, wanted.scale))) return;
		const painting = ++this.#painting;
		const canvas = await paintPicture(wanted, tileUrl, toMercator);
		if (!canvas || this.#removed || painting !== this.#painting) return;
		const { rect } = wanted;
		// Which painting this is, for a test to tell a new picture from the one before.
		canvas.dataset.painting = String(painting);
		canvas.setAttribute('aria-hidden', 'true');
		const layer = canvasOverlay(this.#leaflet, canvas, [[-rect.y1, rect.x0], [-rect.y0, rect.x1]], { pane, className: 'basemap' });
		const previous = this.#current;
		this.#current = { plan: wanted, layer, canvas };
		layer.addTo(this.#group);
		if (previous) this.#discard(previous);
	}

	/** Takes a picture off the map and gives its pixels back at once (up to 64 MB), not when it is collected. */
	#discard(picture: { layer: ImageOverlay; canvas: HTMLCanvasElement }): void {
		this.#group.removeLayer(picture.layer);
		picture.canvas.width = 0;
	}

	remove(): void {
		this.#removed = true;
		this.#map.off('moveend', this.#onMove);
		if (this.#current) {
			this.#discard(this.#current);
			this.#current = null;
		}
	}
}
