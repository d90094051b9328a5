/**
 * The record's map figure: the venue plan with zones, patrol routes, posts and pins as they stood, drawn on the
 * server with sharp (no browser). Posts and zones are numbered on the figure and named in a legend beside it in the
 * record's language, so the figure needs no font of its own. Returns a PNG, or null when the record has no map.
 * When an offline basemap stands in for the plan, the figure is drawn on its tiles instead.
 */
import sharp, { type OverlayOptions } from 'sharp';
import type { RecordMap } from '../../domain/after-action.ts';
import { ZONE_COLOURS } from '../../domain/venue-map.ts';
import type { AppServices } from '../services.ts';
import { applyAffine, planToMercator, type ControlPoint, type ZoneKind } from '../../domain/geometry.ts';
import { figureLegend } from './map-legend.ts';

/** The figure's width in pixels: sharp on an A4 page at 150 dpi. */
const FIGURE_WIDTH = 1600;

const esc = (n: number) => (Math.round(n * 10) / 10).toString();

function pairs(flat: number[], k: number): string {
	const out: string[] = [];
	for (let i = 0; i + 1 < flat.length; i += 2) out.push(`${esc(flat[i] * k)},${esc(flat[i + 1] * k)}`);
	return out.join(' ');
}

/**
 * `tracks` are the shared positions of people on duty, already on the plan: drawn only in exports for readers
 * cleared for personal data (the caller decides).
 */
export async function renderMapFigure(map: RecordMap, plan: Uint8Array, tracks: Array<Array<[number, number]>> = []): Promise<Uint8Array> {
	const k = FIGURE_WIDTH / map.width;
	const width = FIGURE_WIDTH;
	const height = Math.round(map.height * k);
	const r = Math.max(10, Math.round(width / 90));
	const label = (x: number, y: number, n: number, fill: string) =>
		`<circle cx="${esc(x)}" cy="${esc(y)}" r="${r}" fill="${fill}" stroke="#fff" stroke-width="3"/><text x="${esc(x)}" y="${esc(y + r * 0.38)}" font-family="sans-serif" font-size="${Math.round(r * 1.05)}" font-weight="700" text-anchor="middle" fill="#fff">${n}</text>`;
	const parts: string[] = [];
	const legend = figureLegend(map);
	map.zones.forEach((z, i) => {
		const colour = ZONE_COLOURS[z.kind as ZoneKind] ?? '#475569';
		parts.push(`<polygon points="${pairs(z.area, k)}" fill="${colour}" fill-opacity="0.22" stroke="${colour}" stroke-width="3"/>`);
		let cx = 0;
		let cy = 0;
		for (let j = 0; j < z.area.length; j += 2) {
			cx += z.area[j];
			cy += z.area[j + 1];
		}
		const n = z.area.length / 2;
		parts.push(label((cx / n) * k, (cy / n) * k, legend.zones[i].n, colour));
	});
	map.posts.forEach((p, i) => {
		if (p.geo.length > 2) parts.push(`<polyline points="${pairs(p.geo, k)}" fill="none" stroke="#0b1f44" stroke-width="5" stroke-dasharray="14 9"/>`);
		parts.push(label(p.geo[0] * k, p.geo[1] * k, legend.posts[i].n, '#0b1f44'));
	});
	for (const t of tracks) {
		if (t.length > 1) parts.push(`<polyline points="${pairs(t.flat(), k)}" fill="none" stroke="#1d4ed8" stroke-width="4" stroke-opacity="0.8"/>`);
	}
	for (const pin of map.pins) {
		parts.push(
			`<circle cx="${esc(pin.point[0] * k)}" cy="${esc(pin.point[1] * k)}" r="${Math.round(r * 0.55)}" fill="${pin.kind === 'dispute' ? '#7c2d12' : '#b91c1c'}" stroke="#fff" stroke-width="2"/>`
		);
	}
	const overlay = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${parts.join('')}</svg>`;
	const base = await sharp(plan).resize(width, height, { fit: 'fill' }).png().toBuffer();
	const out = await sharp(base)
		.composite([{ input: Buffer.from(overlay), top: 0, left: 0 }])
		.png({ compressionLevel: 9 })
		.toBuffer();
	return new Uint8Array(out);
}

/**
 * The picture under the figure when an offline basemap stands in for the plan: the basemap's tiles over the plan's
 * area, put together with sharp at the zoom that matches the figure, in the plan's own pixel size. Null when the
 * basemap file or its georeference is gone.
 */
export async function basemapPicture(
	basemaps: Pick<AppServices['basemaps'], 'info' | 'tile'>,
	map: { basemap?: string | null; width: number; height: number },
	controls: ControlPoint[]
): Promise<Uint8Array | null> {
	const info = map.basemap ? await basemaps.info(map.basemap) : null;
	const toMercator = planToMercator(controls);
	if (!info || !toMercator) return null;
	const corners = [
		[0, 0],
		[map.width, 0],
		[0, map.height],
		[map.width, map.height]
	].map((p) => applyAffine(toMercator, p as [number, number]));
	const [minX, maxX] = [Math.min(...corners.map((c) => c[0])), Math.max(...corners.map((c) => c[0]))];
	const [minY, maxY] = [Math.min(...corners.map((c) => c[1])), Math.max(...corners.map((c) => c[1]))];
	const z = Math.max(info.minZoom, Math.min(info.maxZoom, Math.round(Math.log2(FIGURE_WIDTH / (maxX - minX)))));
	const n = 2 ** z;
	const [tx0, tx1] = [Math.floor((minX * n) / 256), Math.floor((maxX * n) / 256)];
	const [ty0, ty1] = [Math.floor((minY * n) / 256), Math.floor((maxY * n) / 256)];
	const cols = tx1 - tx0 + 1;
	const rows = ty1 - ty0 + 1;
	if (cols * rows > 400) return null;
	const layers: OverlayOptions[] = [];
	for (let x = tx0; x <= tx1; x++) {
		for (let y = ty0; y <= ty1; y++) {
			const t = x >= 0 && y >= 0 && x < n && y < n ? await basemaps.tile(info.name, z, x, y) : null;
			if (t) layers.push({ input: Buffer.from(t.bytes), left: (x - tx0) * 256, top: (y - ty0) * 256 });
		}
	}
	const mosaic = await sharp({ create: { width: cols * 256, height: rows * 256, channels: 3, background: '#f4f1ea' } })
		.composite(layers)
		.png()
		.toBuffer();
	const left = Math.max(0, Math.round(minX * n - tx0 * 256));
	const top = Math.max(0, Math.round(minY * n - ty0 * 256));
	const width = Math.max(1, Math.min(cols * 256 - left, Math.round((maxX - minX) * n)));
	const height = Math.max(1, Math.min(rows * 256 - top, Math.round((maxY - minY) * n)));
	const out = await sharp(mosaic).extract({ left, top, width, height }).resize(map.width, map.height, { fit: 'fill' }).png().toBuffer();
	return new Uint8Array(out);
}
