/**
 * The demo's offline basemap (底图): the streets, the moat, the river and the parks around the lantern festival's
 * plan, drawn here as SVG and cut into raster tiles (zoom 13 to 17) in a PMTiles file. It is made by this module
 * (`node server/demo-basemap.ts`) and kept in the repository, so the demo copies a file instead of drawing tiles at
 * every start. It is a drawing in the spirit of the plan, not a survey: the demo's place names are invented.
 *
 * The demo plan is tied to it by four control points: the plan's corners, one plan pixel (at the SVG's size) a
 * metre, its top-left corner at 108.9340° E, 34.2520° N (WGS-84).
 */
import { copyFile, mkdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { TileType } from 'pmtiles';
import { mercatorOf } from '../src/lib/domain/geometry.ts';
import { writePmtiles, type TileToWrite } from './basemap/pmtiles.ts';

export const DEMO_BASEMAP = 'demo-lantern';
export const DEMO_BASEMAP_FILE = join(dirname(fileURLToPath(import.meta.url)), 'demo-assets', `${DEMO_BASEMAP}.pmtiles`);

/** Where the plan's top-left corner is, and how many degrees a metre is there. */
const ORIGIN: [number, number] = [108.934, 34.252];
const DEG_PER_M_LNG = 1 / (111_320 * Math.cos((ORIGIN[1] * Math.PI) / 180));
const DEG_PER_M_LAT = 1 / 110_940;

/** A point given in metres from the plan's top-left corner (x east, y south), in WGS-84. */
export function demoLngLat(x: number, y: number): [number, number] {
	return [ORIGIN[0] + x * DEG_PER_M_LNG, ORIGIN[1] - y * DEG_PER_M_LAT];
}

/** The area the basemap covers, in the same metres: the plan (1600 × 1000) and its surroundings. */
const AREA = { x0: -900, y0: -700, x1: 2500, y1: 1700 };

/** The surroundings; the plan's own streets continue into them, and nothing carries text. */
function surroundingsSvg(viewBox: string, width: number, height: number): string {
	const road = (d: string, w: number, casing = '#d6d0c4', fill = '#ffffff') =>
		`<path d="${d}" fill="none" stroke="${casing}" stroke-width="${w + 6}" stroke-linecap="round"/><path d="${d}" fill="none" stroke="${fill}" stroke-width="${w}" stroke-linecap="round"/>`;
	const blocks: string[] = [];
	// City blocks on a grid, skipping the walled old city, the parks and the water.
	for (let x = -860; x < 2460; x += 170) {
		for (let y = -660; y < 1660; y += 150) {
			const inOldCity = x > 120 && x < 1480 && y > 40 && y < 900;
			const inWater = y > 860 && y < 1130;
			const inPark = (x > 1500 && x < 2100 && y > -300 && y < 300) || (x > -700 && x < -200 && y > 1150);
			if (!inOldCity && !inWater && !inPark) blocks.push(`<rect x="${x + 14}" y="${y + 14}" width="142" height="122" rx="6"/>`);
		}
	}
	return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="${viewBox}" preserveAspectRatio="none">
<rect x="${AREA.x0 - 10_000}" y="${AREA.y0 - 10_000}" width="${AREA.x1 - AREA.x0 + 20_000}" height="${AREA.y1 - AREA.y0 + 20_000}" fill="#f2efe9"/>
<g fill="#e4ddd1">${blocks.join('')}</g>
<rect x="1500" y="-300" width="600" height="600" rx="40" fill="#cfe5c6"/>
<rect x="-700" y="1150" width="500" height="520" rx="40" fill="#cfe5c6"/>
<path d="M${AREA.x0 - 10_000} 960 C -300 900, 0 980, 400 950 C 700 930, 900 960, 1200 950 C 1600 935, 2000 900, ${AREA.x1 + 10_000} 960 L${AREA.x1 + 10_000} 1120 C 2000 1060, 1600 1090, 1200 1100 C 800 1110, 300 1130, ${AREA.x0 - 10_000} 1100 Z" fill="#a9cfe8"/>
<rect x="120" y="40" width="1360" height="860" fill="none" stroke="#a9cfe8" stroke-width="36"/>
<rect x="200" y="120" width="1200" height="700" fill="#ebe4d6" stroke="#a8927a" stroke-width="28"/>
${road(`M${AREA.x0 - 10_000} 760 L${AREA.x1 + 10_000} 760`, 46)}
${road(`M800 ${AREA.y0 - 10_000} L800 ${AREA.y1 + 10_000}`, 40)}
${road(`M1250 ${AREA.y0 - 10_000} L1250 820`, 30)}
${road('M200 300 L1400 300', 22)}
${road(`M${AREA.x0 - 10_000} -120 L${AREA.x1 + 10_000} -120`, 34, '#e0c48a', '#f7dca0')}
${road(`M-250 ${AREA.y0 - 10_000} L-250 ${AREA.y1 + 10_000}`, 34, '#e0c48a', '#f7dca0')}
${road(`M1850 ${AREA.y0 - 10_000} L1850 ${AREA.y1 + 10_000}`, 34, '#e0c48a', '#f7dca0')}
${road(`M${AREA.x0 - 10_000} 1400 L${AREA.x1 + 10_000} 1400`, 28)}
${road('M500 1130 L500 1400', 20)}
${road('M1100 1130 L1100 1400', 20)}
<rect x="640" y="1010" width="40" height="110" fill="#c9c1b2"/>
<rect x="1000" y="1010" width="40" height="110" fill="#c9c1b2"/>
</svg>`;
}

/** Renders the basemap's tiles, zoom 13 to 17, as palette PNGs. */
export async function demoBasemapTiles(): Promise<TileToWrite[]> {
	const tiles: TileToWrite[] = [];
	const [west, north] = demoLngLat(AREA.x0, AREA.y0);
	const [east, south] = demoLngLat(AREA.x1, AREA.y1);
	for (let z = 13; z <= 17; z++) {
		const n = 2 ** z;
		const [px0, py0] = mercatorOf([west, north]).map((v) => (v * n) as number);
		const [px1, py1] = mercatorOf([east, south]).map((v) => (v * n) as number);
		const [tx0, ty0, tx1, ty1] = [Math.floor(px0 / 256), Math.floor(py0 / 256), Math.floor(px1 / 256), Math.floor(py1 / 256)];
		// The drawing's metres at the tile-aligned region's edges (linear across a few kilometres).
		const mx = (px: number) => AREA.x0 + ((px - px0) / (px1 - px0)) * (AREA.x1 - AREA.x0);
		const my = (py: number) => AREA.y0 + ((py - py0) / (py1 - py0)) * (AREA.y1 - AREA.y0);
		const width = (tx1 - tx0 + 1) * 256;
		const height = (ty1 - ty0 + 1) * 256;
		const left = mx(tx0 * 256);
		const top = my(ty0 * 256);
		const viewBox = `${left} ${top} ${mx((tx1 + 1) * 256) - left} ${my((ty1 + 1) * 256) - top}`;
		const picture = await sharp(Buffer.from(surroundingsSvg(viewBox, width, height))).flatten({ background: '#f2efe9' }).png().toBuffer();
		for (let tx = tx0; tx <= tx1; tx++) {
			for (let ty = ty0; ty <= ty1; ty++) {
				const bytes = await sharp(picture)
					.extract({ left: (tx - tx0) * 256, top: (ty - ty0) * 256, width: 256, height: 256 })
					.png({ palette: true, colours: 48, compressionLevel: 9 })
					.toBuffer();
				tiles.push({ z, x: tx, y: ty, bytes: new Uint8Array(bytes) });
			}
		}
	}
	return tiles;
}

export async function demoBasemapFile(): Promise<Uint8Array> {
	const [west, north] = demoLngLat(AREA.x0, AREA.y0);
	const [east, south] = demoLngLat(AREA.x1, AREA.y1);
	return writePmtiles(await demoBasemapTiles(), { tileType: TileType.Png, bounds: [west, south, east, north] });
}

/** Puts the demo's basemap into the data folder's basemaps, unless a file of that name is there already. */
export async function installDemoBasemap(dataDir: string): Promise<void> {
	const target = join(dataDir, 'basemaps', `${DEMO_BASEMAP}.pmtiles`);
	if (await stat(target).catch(() => null)) return;
	await mkdir(dirname(target), { recursive: true });
	await copyFile(DEMO_BASEMAP_FILE, target);
}

if (import.meta.url === `file://${process.argv[1]}`) {
	await mkdir(dirname(DEMO_BASEMAP_FILE), { recursive: true });
	const bytes = await demoBasemapFile();
	await writeFile(DEMO_BASEMAP_FILE, bytes);
	console.log(`wrote ${DEMO_BASEMAP_FILE} (${bytes.byteLength} bytes)`);
}
