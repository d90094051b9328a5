import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TileType } from 'pmtiles';
import { BasemapLibrary, validTile, writePmtiles } from './pmtiles.ts';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('PMTiles basemaps', () => {
	let dir: string;
	let library: BasemapLibrary;

	beforeAll(() => {
		dir = mkdtempSync(join(tmpdir(), 'liandong-basemap-'));
		mkdirSync(join(dir, 'basemaps'));
		// Three zooms; the same bytes twice (stored once), neighbours in a run.
		const tiles = [
			{ z: 0, x: 0, y: 0, bytes: bytes('world') },
			{ z: 1, x: 0, y: 0, bytes: bytes('sea') },
			{ z: 1, x: 0, y: 1, bytes: bytes('sea') },
			{ z: 1, x: 1, y: 1, bytes: bytes('land') },
			{ z: 12, x: 3370, y: 1650, bytes: bytes('venue') }
		];
		writeFileSync(join(dir, 'basemaps', 'sample.pmtiles'), writePmtiles(tiles, { tileType: TileType.Png, bounds: [108.9, 34.2, 109.0, 34.3] }));
		writeFileSync(join(dir, 'basemaps', 'empty.pmtiles'), new Uint8Array(0));
		writeFileSync(join(dir, 'basemaps', 'not a name!.pmtiles'), bytes('x'));
		library = new BasemapLibrary(dir);
	});
	afterAll(async () => {
		await library.close();
		rmSync(dir, { recursive: true, force: true });
	});

	it('writes a file the pmtiles library reads back tile for tile', async () => {
		const text = async (z: number, x: number, y: number) => {
			const t = await library.tile('sample', z, x, y);
			return t ? new TextDecoder().decode(t.bytes) : null;
		};
		expect(await text(0, 0, 0)).toBe('world');
		expect(await text(1, 0, 0)).toBe('sea');
		expect(await text(1, 0, 1)).toBe('sea');
		expect(await text(1, 1, 1)).toBe('land');
		expect(await text(1, 1, 0)).toBeNull();
		expect(await text(12, 3370, 1650)).toBe('venue');
		expect((await library.tile('sample', 0, 0, 0))?.mime).toBe('image/png');
	});

	it('describes the usable files and names the others; a name from outside never leaves the folder', async () => {
		const { basemaps, problems } = await library.list();
		expect(basemaps).toEqual([{ name: 'sample', mime: 'image/png', minZoom: 0, maxZoom: 12, bounds: [108.9, 34.2, 109, 34.3] }]);
		expect(problems).toEqual([{ name: 'empty', problem: 'unreadable' }]);
		expect(await library.info('../basemaps/sample')).toBeNull();
		expect(await library.tile('../sample', 0, 0, 0)).toBeNull();
	});

	it('takes only tile coordinates that exist', () => {
		expect(validTile(0, 0, 0)).toBe(true);
		expect(validTile(2, 3, 3)).toBe(true);
		expect(validTile(2, 4, 0)).toBe(false);
		expect(validTile(-1, 0, 0)).toBe(false);
		expect(validTile(1.5, 0, 0)).toBe(false);
		expect(validTile(23, 0, 0)).toBe(false);
	});

	it('refuses to write no tiles', () => {
		expect(() => writePmtiles([], { tileType: TileType.Png, bounds: [0, 0, 1, 1] })).toThrow(/at least one tile/);
	});
});
