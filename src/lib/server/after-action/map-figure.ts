/**
 * The record's map figure: the venue plan with zones, patrol routes, posts and pins as they stood, drawn on the
 * server with sharp (no browser). Posts and zones are numbered on the figure and named in a legend beside it in the
 * record's language, so the figure needs no font of its own. Returns a PNG, or null when the record has no map.
 */
import sharp from 'sharp';
import type { RecordMap } from '../../domain/after-action.ts';
import { ZONE_COLOURS } from '../../domain/venue-map.ts';
import type { ZoneKind } from '../../domain/geometry.ts';
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
