/**
 * Issue 3, "kill -9 the server while 10 writers edit; restart it; every update that any client saw from the
 * server is in the reloaded documents, and clients converge" (durable before visible).
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.ts';
import { connectDoc, eventually, whenSynced, type LiveDoc } from '../helpers/live.ts';
import { connectRecording, containsUpdate, DEMO_EVENT, demoUserId, seededRandom, signInDemo, sleep, SYNC_MS, waitConverged } from '../helpers/hub.ts';
import { agencyDocName } from '../../src/lib/domain/documents.ts';
import { cardsOf } from '../../src/lib/domain/board.ts';
import { editCards } from '../helpers/chaos.ts';

const STATION = agencyDocName(DEMO_EVENT, 'station');
const TRAFFIC = agencyDocName(DEMO_EVENT, 'traffic');
/** Ten writers on two documents. */
const WRITERS: Array<{ username: string; doc: string; agency: string }> = [
	...['commander', 'lead.station', 'member.station', 'chen.lei', 'guo.jing', 'lead.station'].map((username) => ({ username, doc: STATION, agency: 'station' })),
	...['lead.traffic', 'member.traffic', 'wu.qiang', 'commander'].map((username) => ({ username, doc: TRAFFIC, agency: 'traffic' }))
];

describe('durability across a crash (kill -9)', () => {
	let server: TestServer;
	let cookies: Record<string, string>;
	const open: LiveDoc[] = [];

	beforeAll(async () => {
		server = await startServer({ demo: true });
		cookies = await signInDemo(server.url, [...new Set([...WRITERS.map((w) => w.username), 'reviewer'])]);
	});
	afterAll(async () => {
		// Disposed even if closing a client throws: no test server may outlive its file.
		try {
			for (const live of open) live.destroy();
		} finally {
			await server?.dispose();
		}
	});

	it('keeps every update any client received from the server when the server is killed mid-stream, and the writers converge after it restarts', { timeout: 180_000 }, async () => {
		const writers = WRITERS.map((w) => {
			const live = connectRecording(server.url, w.doc, cookies[w.username]);
			open.push(live);
			return { ...w, live, received: live.received };
		});
		await Promise.all(writers.map((w) => whenSynced(w.live, SYNC_MS)));

		let editing = true;
		const loops = writers.map(async (w, i) => {
			const rnd = seededRandom(4242 + i);
			for (let n = 0; editing; n++) {
				editCards(w.live.doc, rnd, `w${i}`, n, w.agency, demoUserId(w.username));
				await sleep(1 + rnd() * 4);
			}
		});
		// Let the stream run until everyone has received plenty from the others, then kill the server mid-stream.
		// The station's six writers each receive the other five's updates: 3,000 received means about 600 logged,
		// past the hub's snapshot interval (500), so the reload typically reads a snapshot and the log after it.
		const receivedOn = (doc: string) => writers.filter((w) => w.doc === doc).reduce((sum, w) => sum + w.received.length, 0);
		await eventually(() => writers.every((w) => w.received.length >= 20) && receivedOn(STATION) >= 3000, 90_000, 'the writers to exchange updates');
		const killed = server.stop('SIGKILL');
		editing = false;
		await killed;
		// No writer may reconnect before the reloaded documents are checked: what they hold is not what we test.
		for (const w of writers) w.live.provider.disconnect();
		await Promise.all(loops);
		const seen = writers.map((w) => ({ doc: w.doc, updates: [...w.received] }));
		expect(seen.filter((s) => s.doc === STATION).reduce((sum, s) => sum + s.updates.length, 0)).toBeGreaterThanOrEqual(3000);

		await server.restart();
		for (const name of [STATION, TRAFFIC]) {
			const fresh = connectDoc(server.url, name, { cookie: cookies.reviewer });
			open.push(fresh);
			await whenSynced(fresh, SYNC_MS);
			const missing = seen.filter((s) => s.doc === name).flatMap((s) => s.updates.filter((u) => !containsUpdate(fresh.doc, u)));
			expect(missing.length, `updates clients saw from the server but missing from ${name} after the restart`).toBe(0);
			// Not vacuous: the reloaded document holds the cards the writers made before the kill.
			expect([...cardsOf(fresh.doc).keys()].filter((id) => /^w\d+-/.test(id)).length).toBeGreaterThan(0);
		}

		for (const w of writers) w.live.provider.connect();
		for (const name of [STATION, TRAFFIC]) {
			const fresh = connectDoc(server.url, name, { cookie: cookies.reviewer });
			open.push(fresh);
			await whenSynced(fresh, SYNC_MS);
			const docs = [...writers.filter((w) => w.doc === name).map((w) => w.live.doc), fresh.doc];
			await waitConverged(docs, 30_000, `the writers of ${name} to converge after the restart`);
			expect(cardsOf(fresh.doc).toJSON()).toEqual(cardsOf(docs[0]).toJSON());
		}
		// Nothing a writer sent was refused; they only lost their connection.
		for (const w of writers) expect(w.live.closes.filter((c) => c.code >= 4400).map((c) => `${c.code} ${c.reason}`)).toEqual([]);
	});
});
