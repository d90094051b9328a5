/**
 * Offline basemaps (底图): PMTiles files of raster tiles placed in `<DATA_DIR>/basemaps/`, read with the `pmtiles`
 * library from the file itself (no tile server, nothing from the internet) and served tile by tile to members of an
 * event whose map uses one. Raster only (PNG, JPEG, WebP): the browser warps them under a georeferenced plan, and the
 * after-action figure draws the same tiles on the server; vector tiles would need styles, fonts and a renderer on
 * both sides. Also writes such files (the demo's basemap and the tests'), in the format's version 3 with one root
 * directory.
 */
import { open, readdir, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { BasemapInfo } from '../../src/lib/domain/venue-map.ts';
import { Compression, PMTiles, TileType, zxyToTileId, type Header, type RangeResponse, type Source } from 'pmtiles';

/** File names a basemap may have: plain names, so a name from a form can never leave the folder. */
export const BASEMAP_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const RASTER: Partial<Record<TileType, string>> = { [TileType.Png]: 'image/png', [TileType.Jpeg]: 'image/jpeg', [TileType.Webp]: 'image/webp' };
/** The deepest zoom served: about 15 cm a pixel, past any plan's detail. */
export const MAX_BASEMAP_ZOOM = 22;


/** What was wrong with a file in the folder, for the commander's list and the log. */
export interface BasemapProblem {
	name: string;
	problem: 'unreadable' | 'notRaster' | 'noBounds';
}

class FileSource implements Source {
	readonly #path: string;
	#handle: Promise<FileHandle> | null = null;
	constructor(path: string) {
		this.#path = path;
	}
	getKey(): string {
		return this.#path;
	}
	async getBytes(offset: number, length: number): Promise<RangeResponse> {
		this.#handle ??= open(this.#path, 'r');
		const handle = await this.#handle;
		const buffer = Buffer.alloc(length);
		const { bytesRead } = await handle.read(buffer, 0, length, offset);
		const data = new ArrayBuffer(bytesRead);
		new Uint8Array(data).set(buffer.subarray(0, bytesRead));
		return { data };
	}
	async close(): Promise<void> {
		const handle = this.#handle;
		this.#handle = null;
		await (await handle?.catch(() => null))?.close();
	}
}

interface Opened {
	file: PMTiles;
	source: FileSource;
	info: BasemapInfo;
}

/** The basemaps of one data folder; files are opened once and kept open. */
export class BasemapLibrary {
	readonly folder: string;
	readonly #open = new Map<string, Promise<Opened | BasemapProblem>>();

	constructor(dataDir: string) {
		this.folder = join(dataDir, 'basemaps');
	}

	/** Every usable basemap in the folder, and what is wrong with the others. */
	async list(): Promise<{ basemaps: BasemapInfo[]; problems: BasemapProblem[] }> {
		let names: string[] = [];
		try {
			names = (await readdir(this.folder)).filter((n) => n.endsWith('.pmtiles')).map((n) => n.slice(0, -'.pmtiles'.length));
		} catch {
			return { basemaps: [], problems: [] };
		}
		const basemaps: BasemapInfo[] = [];
		const problems: BasemapProblem[] = [];
		for (const name of names.filter((n) => BASEMAP_NAME.test(n)).sort()) {
			const opened = await this.#opened(name);
			if ('problem' in opened) problems.push(opened);
			else basemaps.push(opened.info);
		}
		return { basemaps, problems };
	}

	async info(name: string): Promise<BasemapInfo | null> {
		if (!BASEMAP_NAME.test(name)) return null;
		const opened = await this.#opened(name);
		return 'problem' in opened ? null : opened.info;
	}

	/** One tile's bytes and type, or null when the file has none there (or no such file). */
	async tile(name: string, z: number, x: number, y: number): Promise<{ bytes: Uint8Array; mime: string } | null> {
		if (!BASEMAP_NAME.test(name) || !validTile(z, x, y)) return null;
		const opened = await this.#opened(name);
		if ('problem' in opened || z < opened.info.minZoom || z > opened.info.maxZoom) return null;
		try {
			const found = await opened.file.getZxy(z, x, y);
			return found ? { bytes: new Uint8Array(found.data), mime: opened.info.mime } : null;
		} catch {
			return null;
		}
	}

	async close(): Promise<void> {
		const all = [...this.#open.values()];
		this.#open.clear();
		for (const o of await Promise.all(all)) if (!('problem' in o)) await o.source.close();
	}

	#opened(name: string): Promise<Opened | BasemapProblem> {
		let found = this.#open.get(name);
		if (!found) {
			found = openBasemap(name, join(this.folder, `${name}.pmtiles`));
			this.#open.set(name, found);
			// A file put right later (copied in while the server runs) is read again next time.
			void found.then((o) => {
				if ('problem' in o) setTimeout(() => this.#open.delete(name), 5_000).unref();
			});
		}
		return found;
	}
}

async function openBasemap(name: string, path: string): Promise<Opened | BasemapProblem> {
	const source = new FileSource(path);
	const file = new PMTiles(source);
	let header: Header;
	try {
		header = await file.getHeader();
	} catch {
		await source.close();
		return { name, problem: 'unreadable' };
	}
	const mime = RASTER[header.tileType];
	if (!mime) {
		await source.close();
		return { name, problem: 'notRaster' };
	}
	const bounds: [number, number, number, number] = [header.minLon, header.minLat, header.maxLon, header.maxLat];
	const sane =
		bounds.every(Number.isFinite) &&
		bounds[0] < bounds[2] &&
		bounds[1] < bounds[3] &&
		bounds[0] >= -180 &&
		bounds[2] <= 180 &&
		bounds[1] >= -85.06 &&
		bounds[3] <= 85.06 &&
		header.minZoom <= header.maxZoom &&
		header.maxZoom <= MAX_BASEMAP_ZOOM;
	if (!sane) {
		await source.close();
		return { name, problem: 'noBounds' };
	}
	return { file, source, info: { name, mime, minZoom: header.minZoom, maxZoom: header.maxZoom, bounds } };
}

export function validTile(z: number, x: number, y: number): boolean {
	return Number.isInteger(z) && Number.isInteger(x) && Number.isInteger(y) && z >= 0 && z <= MAX_BASEMAP_ZOOM && x >= 0 && y >= 0 && x < 2 ** z && y < 2 ** z;
}

// ——— Writing ———

export interface TileToWrite {
	z: number;
	x: number;
	y: number;
	bytes: Uint8Array;
}

/**
 * A PMTiles (version 3) file of raster tiles: a 127-byte header, one uncompressed root directory, empty metadata
 * and the tiles in tile-id order. Identical tiles (open water, empty ground) are stored once.
 */
export function writePmtiles(tiles: TileToWrite[], meta: { tileType: TileType.Png | TileType.Jpeg | TileType.Webp; bounds: [number, number, number, number] }): Uint8Array {
	if (tiles.length === 0) throw new Error('a basemap needs at least one tile');
	const sorted = tiles.map((t) => ({ ...t, id: zxyToTileId(t.z, t.x, t.y) })).sort((a, b) => a.id - b.id);
	const contents: Uint8Array[] = [];
	const offsets = new Map<string, { offset: number; length: number }>();
	let dataLength = 0;
	const entries: Array<{ id: number; offset: number; length: number; run: number }> = [];
	for (const t of sorted) {
		const key = Buffer.from(t.bytes).toString('base64');
		let at = offsets.get(key);
		if (!at) {
			at = { offset: dataLength, length: t.bytes.byteLength };
			offsets.set(key, at);
			contents.push(t.bytes);
			dataLength += t.bytes.byteLength;
		}
		const last = entries.at(-1);
		if (last && last.id + last.run === t.id && last.offset === at.offset) last.run++;
		else entries.push({ id: t.id, offset: at.offset, length: at.length, run: 1 });
	}
	const directory = encodeDirectory(entries);
	if (127 + directory.byteLength > 16_384) throw new Error('too many tiles for one root directory');
	const metadata = new TextEncoder().encode('{}');
	const header = Buffer.alloc(127);
	header.write('PMTiles', 0, 'ascii');
	header.writeUInt8(3, 7);
	const u64 = (at: number, value: number) => header.writeBigUInt64LE(BigInt(value), at);
	const rootOffset = 127;
	const metaOffset = rootOffset + directory.byteLength;
	const dataOffset = metaOffset + metadata.byteLength;
	u64(8, rootOffset);
	u64(16, directory.byteLength);
	u64(24, metaOffset);
	u64(32, metadata.byteLength);
	u64(40, dataOffset);
	u64(48, 0);
	u64(56, dataOffset);
	u64(64, dataLength);
	u64(72, sorted.length);
	u64(80, entries.length);
	u64(88, contents.length);
	header.writeUInt8(1, 96); // clustered: tiles in tile-id order
	header.writeUInt8(Compression.None, 97);
	header.writeUInt8(Compression.None, 98);
	header.writeUInt8(meta.tileType, 99);
	const zooms = sorted.map((t) => t.z);
	const minZoom = Math.min(...zooms);
	const maxZoom = Math.max(...zooms);
	header.writeUInt8(minZoom, 100);
	header.writeUInt8(maxZoom, 101);
	const e7 = (at: number, degrees: number) => header.writeInt32LE(Math.round(degrees * 1e7), at);
	const [w, s, e, n] = meta.bounds;
	e7(102, w);
	e7(106, s);
	e7(110, e);
	e7(114, n);
	header.writeUInt8(minZoom, 118);
	e7(119, (w + e) / 2);
	e7(123, (s + n) / 2);
	return new Uint8Array(Buffer.concat([header, directory, metadata, ...contents]));
}

function encodeDirectory(entries: Array<{ id: number; offset: number; length: number; run: number }>): Uint8Array {
	const out: number[] = [];
	const varint = (n: number) => {
		let v = n;
		while (v >= 0x80) {
			out.push((v % 0x80) | 0x80);
			v = Math.floor(v / 0x80);
		}
		out.push(v);
	};
	varint(entries.length);
	let lastId = 0;
	for (const e of entries) {
		varint(e.id - lastId);
		lastId = e.id;
	}
	for (const e of entries) varint(e.run);
	for (const e of entries) varint(e.length);
	entries.forEach((e, i) => {
		const previous = entries[i - 1];
		// 0 means "right after the previous tile's bytes"; otherwise the offset plus one.
		varint(previous && e.offset === previous.offset + previous.length ? 0 : e.offset + 1);
	});
	return new Uint8Array(out);
}
