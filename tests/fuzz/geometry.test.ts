/**
 * Seeded fuzzing of venue-map geometry (issue: venue map): stock Yjs clients write zones, post places and pins with
 * hostile coordinates — huge lists, NaN and Infinity, values out of range, odd counts, strings, nested lists,
 * self-intersecting polygons — mixed with valid ones. The hub's verdict must be the domain's: what
 * `geometryProblem` accepts is stored and reaches others; anything else closes the writer (4422) and leaves
 * nothing behind. A member's pin is refused whatever its coordinates.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as Y from 'yjs';
import { startServer, type TestServer } from '../helpers/server.ts';
import { connectDoc, DEMO_EVENT, eventually, nextClose, sessionCookie, whenSynced } from '../helpers/live.ts';
import { caseIndexes, caseRandom, chance, fuzzConfig, hostileValue, pickOf, tagOf, type Rnd } from '../helpers/fuzz.ts';
import { agencyDocName, commandDocName } from '../../src/lib/domain/documents.ts';
import { COORD_LIMIT, geometryProblem, MAX_POINTS, type Shape } from '../../src/lib/domain/geometry.ts';
import { prepareRoots } from '../../src/lib/domain/doc-validate.ts';
import { validateWholeDoc } from '../helpers/fuzz-storage.ts';
import { CLOSE_CODES } from '../../src/lib/domain/wire.ts';

const config = fuzzConfig();
const CASES = caseIndexes(config, 120);

/** A coordinate list of `shape`, valid or broken in one of the ways a hostile client would. */
function coordinates(rnd: Rnd, shape: Shape, tag: string): unknown {
	const n = shape === 'point' ? 1 : shape === 'line' ? 2 + Math.floor(rnd() * 8) : 3 + Math.floor(rnd() * 8);
	const around = () => Math.round(rnd() * 3000 * 10) / 10;
	// A convex polygon (points on a circle, in order) is a valid zone.
	const convex = () => Array.from({ length: n }, (_, i) => [1500 + 500 * Math.cos((2 * Math.PI * i) / n), 1000 + 400 * Math.sin((2 * Math.PI * i) / n)]).flat();
	const valid = () => (shape === 'polygon' ? convex() : Array.from({ length: n * 2 }, around));
	switch (Math.floor(rnd() * 10)) {
		case 0:
		case 1:
		case 2:
			return valid();
		case 3:
			return [...valid(), around()]; // an odd count
		case 4: {
			const v = valid();
			v[Math.floor(rnd() * v.length)] = pickOf(rnd, [NaN, Infinity, -Infinity, COORD_LIMIT * 10, -1e300]);
			return v;
		}
		case 5:
			return Array.from({ length: (MAX_POINTS + 1 + Math.floor(rnd() * 20_000)) * 2 }, around); // a huge list
		case 6:
			// A bow tie: its edges cross.
			return shape === 'polygon' ? [0, 0, 100, 100, 100, 0, 0, 100] : [around(), `${tag}`];
		case 7:
			return [[around(), around()], [around(), around()]]; // nested lists
		case 8:
			return hostileValue(rnd, tag);
		default:
			return shape === 'point' ? [] : [around(), around()]; // too few points
	}
}

type Target = { doc: 'command' | 'station'; who: string; write: (d: Y.Doc, value: unknown, tag: string) => void; shape: Shape; key: (tag: string) => [string, string] };

const TARGETS: Record<string, Target> = {
	zone: {
		doc: 'command',
		who: 'commander',
		shape: 'polygon',
		key: (tag) => ['zones', tag],
		write: (d, value, tag) =>
			d.transact(() => {
				const m = new Y.Map<unknown>();
				d.getMap('zones').set(tag, m);
				m.set('name', tag);
				m.set('kind', 'crowd');
				m.set('area', value);
			})
	},
	postPlace: {
		doc: 'command',
		who: 'commander',
		shape: 'line',
		key: () => ['posts', 'demo-post-east-patrol'],
		write: (d, value) => (d.getMap('posts').get('demo-post-east-patrol') as Y.Map<unknown>).set('geo', value)
	},
	cardPin: {
		doc: 'station',
		who: 'lead.station',
		shape: 'point',
		key: () => ['cards', 'demo-card-s2'],
		write: (d, value) => (d.getMap('cards').get('demo-card-s2') as Y.Map<unknown>).set('pin', value)
	}
};

describe('fuzzing venue-map geometry', () => {
	let server: TestServer;
	const cookies = new Map<string, string>();

	beforeAll(async () => {
		server = await startServer({ demo: true });
		for (const u of ['commander', 'lead.station', 'member.station', 'reviewer']) cookies.set(u, await sessionCookie(server.url, u));
	});
	afterAll(async () => {
		await server?.dispose();
	});

	it(`stores a geometry exactly when the domain calls it valid (${CASES.length} cases, seed ${config.seed})`, async () => {
		let accepted = 0;
		let refused = 0;
		for (const index of CASES) {
			const rnd = caseRandom(config.seed, 'geometry', index);
			const kind = pickOf(rnd, Object.keys(TARGETS));
			const target = TARGETS[kind];
			const tag = tagOf('g', index);
			const shape: Shape = kind === 'postPlace' && chance(rnd, 0.5) ? 'point' : target.shape;
			const value = coordinates(rnd, shape, tag);
			// What the domain says: a post may be a point or a line; the rest one shape.
			const shapes: Shape[] = kind === 'postPlace' ? ['point', 'line'] : [target.shape];
			const valid = shapes.some((s) => geometryProblem(value, s) === null);
			const name = target.doc === 'command' ? commandDocName(DEMO_EVENT) : agencyDocName(DEMO_EVENT, 'station');
			const live = connectDoc(server.url, name, { cookie: cookies.get(target.who)! });
			const watcher = connectDoc(server.url, name, { cookie: cookies.get('reviewer')! });
			try {
				await Promise.all([whenSynced(live), whenSynced(watcher)]);
				const closing = nextClose(live, valid ? 2_000 : 5_000).catch(() => ({ code: 0, reason: 'not closed' }));
				target.write(live.doc, value, tag);
				const [root, key] = target.key(tag);
				const reached = () => {
					const m = watcher.doc.getMap(root).get(key);
					return m instanceof Y.Map && JSON.stringify(m.toJSON()).includes(JSON.stringify(value === undefined ? null : value).slice(0, 40));
				};
				if (valid) {
					await eventually(reached, 5_000, `case ${index} (FUZZ_ONLY=${index}): a valid ${kind} to reach another reader`);
					accepted++;
				} else {
					const closed = await closing;
					expect(closed.code, `case ${index} (FUZZ_ONLY=${index}): ${kind} ${JSON.stringify(value)?.slice(0, 120)} — ${closed.reason}`).toBe(CLOSE_CODES.refused);
					refused++;
				}
			} finally {
				live.destroy();
				watcher.destroy();
			}
		}
		expect(accepted).toBeGreaterThan(0);
		expect(refused).toBeGreaterThan(0);
		// What is stored, read by a fresh client, passes the schema; no refused case's zone is there.
		for (const [name, kind] of [[commandDocName(DEMO_EVENT), 'command'], [agencyDocName(DEMO_EVENT, 'station'), 'agency']] as const) {
			const doc = new Y.Doc();
			prepareRoots(doc, kind);
			const fresh = connectDoc(server.url, name, { cookie: cookies.get('commander')!, doc });
			try {
				await whenSynced(fresh);
				expect(validateWholeDoc(fresh.doc, kind)).toBeNull();
			} finally {
				fresh.destroy();
			}
		}
	});

	it('refuses a member’s pin, whatever its coordinates', async () => {
		const live = connectDoc(server.url, agencyDocName(DEMO_EVENT, 'station'), { cookie: cookies.get('member.station')! });
		try {
			await whenSynced(live);
			const closing = nextClose(live, 5_000);
			(live.doc.getMap('cards').get('demo-card-s3') as Y.Map<unknown>).set('pin', [100, 100]);
			expect((await closing).code).toBe(CLOSE_CODES.refused);
		} finally {
			live.destroy();
		}
	});
});
