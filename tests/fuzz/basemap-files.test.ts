/**
 * Seeded fuzzing of offline basemaps: PMTiles files in the data folder broken in the ways a copied or half-written
 * file is (cut short at any byte, bytes changed in the header or the directory, the tile type, zooms or bounds made
 * nonsense, random bytes), read by the server's basemap library and asked for tiles; and hostile tile addresses
 * sent to a running server. The library answers with a description, a named problem or no tile, never an error;
 * the server answers with a tile, nothing, or a refusal of the address (never a server error), and stays up.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type TestServer } from '../helpers/server.ts';
import { demoClient } from '../helpers/commands.ts';
import { DEMO_EVENT } from '../helpers/live.ts';
import { caseIndexes, caseRandom, fuzzConfig, hostileString, pickOf, type Rnd } from '../helpers/fuzz.ts';
import { BasemapLibrary } from '../../server/basemap/pmtiles.ts';
import { DEMO_BASEMAP_FILE } from '../../server/demo-basemap.ts';
import type { HttpClient } from '../helpers/http.ts';

const config = fuzzConfig();
const CASES = caseIndexes(config, 200);
const DEMO = new Uint8Array(readFileSync(DEMO_BASEMAP_FILE));

/** The demo basemap, broken one way. */
function broken(rnd: Rnd): Uint8Array {
	const file = DEMO.slice();
	switch (Math.floor(rnd() * 6)) {
		case 0:
			return file.slice(0, Math.floor(rnd() * 2_000)); // cut in the header or the directory
		case 1: {
			for (let i = 0; i < 1 + rnd() * 8; i++) file[Math.floor(rnd() * 127)] = Math.floor(rnd() * 256); // header bytes
			return file;
		}
		case 2: {
			const at = 127 + Math.floor(rnd() * 400); // the root directory
			for (let i = 0; i < 1 + rnd() * 16; i++) file[at + i] = Math.floor(rnd() * 256);
			return file;
		}
		case 3: {
			file[pickOf(rnd, [97, 98, 99, 100, 101])] = Math.floor(rnd() * 256); // compression, type or zooms
			return file;
		}
		case 4: {
			const view = new DataView(file.buffer);
			view.setInt32(pickOf(rnd, [102, 106, 110, 114]), Math.floor((rnd() - 0.5) * 2 ** 32), true); // bounds
			return file;
		}
		default:
			return Uint8Array.from({ length: Math.floor(rnd() * 4_000) }, () => Math.floor(rnd() * 256));
	}
}

describe('fuzzing offline basemap files', () => {
	let dir: string;

	beforeAll(() => {
		dir = mkdtempSync(join(tmpdir(), 'liandong-basemap-fuzz-'));
		mkdirSync(join(dir, 'basemaps'));
	});
	afterAll(() => rmSync(dir, { recursive: true, force: true }));

	it(`reads ${CASES.length} broken files without an error: a description, a named problem, or no tile`, { timeout: 300_000 }, async () => {
		const outcomes = new Map<string, number>();
		for (const index of CASES) {
			const rnd = caseRandom(config.seed, 'basemap-file', index);
			const name = `case-${index}`;
			writeFileSync(join(dir, 'basemaps', `${name}.pmtiles`), broken(rnd));
			const library = new BasemapLibrary(dir);
			try {
				const { basemaps, problems } = await library.list();
				const listed = [...basemaps.map(() => 'usable'), ...problems.map((p) => p.problem)];
				expect(listed, `case ${index}`).toHaveLength(1);
				for (let t = 0; t < 6; t++) {
					const z = Math.floor(rnd() * 20);
					const tile = await library.tile(name, z, Math.floor(rnd() * 2 ** z), Math.floor(rnd() * 2 ** z));
					if (tile) expect(tile.bytes).toBeInstanceOf(Uint8Array);
				}
				outcomes.set(listed[0], (outcomes.get(listed[0]) ?? 0) + 1);
			} finally {
				await library.close();
				rmSync(join(dir, 'basemaps', `${name}.pmtiles`));
			}
		}
		// The damage reached every kind of answer, so the check is not vacuous.
		expect(outcomes.get('unreadable') ?? 0).toBeGreaterThan(0);
		expect(outcomes.get('usable') ?? 0).toBeGreaterThan(0);
	});
});

/** A path segment for any string; a lone surrogate (which has no UTF-8) goes as its code unit. */
function escaped(text: string): string {
	try {
		return encodeURIComponent(text);
	} catch {
		return [...text].map((c) => `%${c.charCodeAt(0).toString(16)}`).join('');
	}
}

describe('fuzzing basemap tile addresses', () => {
	let server: TestServer;
	let commander: HttpClient;

	beforeAll(async () => {
		server = await startServer({ demo: true });
		commander = await demoClient(server.url, 'commander');
	});
	afterAll(async () => {
		await server?.dispose();
	});

	it('answers hostile tile addresses with a tile, nothing or a refusal, never a server error, and stays up', { timeout: 300_000 }, async () => {
		const statuses = new Map<number, number>();
		for (const index of CASES.slice(0, 100)) {
			const rnd = caseRandom(config.seed, 'basemap-address', index);
			const part = () =>
				pickOf(rnd, [
					String(Math.floor(rnd() * 70_000)),
					String(-Math.floor(rnd() * 10)),
					'1e3',
					'0x10',
					'NaN',
					'99999999999',
					'%2e%2e',
					escaped(hostileString(rnd, 'tile'))
				]);
			const res = await commander.request(`/events/${DEMO_EVENT}/map/basemap/${part()}/${part()}/${part()}`);
			await res.arrayBuffer();
			// A tile, nothing there, or a refusal of the address (not found, a redirect to the tidy address for an empty
			// segment, 431 for one too long for a request line): never a server error.
			expect(res.status === 200 || res.status === 204 || (res.status >= 300 && res.status < 500), `case ${index}: ${res.status}`).toBe(true);
			if (res.status === 200) expect(res.headers.get('content-type')).toBe('image/png');
			statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
		}
		expect(statuses.get(404) ?? 0).toBeGreaterThan(0);
		expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
	});
});
