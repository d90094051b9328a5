/**
 * After a restart the hub answers a client that holds nothing with the document as stored (its snapshot, and the log
 * after it merged), not with a new encoding of the whole document; a client that holds part of it gets the rest as
 * before. Either way the client is synced only once it holds everything, and nothing changed since the load is
 * missed: each stored edit joins what the next fresh client is sent. The hub answers with the stored bytes before it
 * has decoded the document at all.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as Y from 'yjs';
import { startServer, type TestServer } from '../helpers/server.ts';
import { connectDoc, eventually, whenSynced, type LiveDoc } from '../helpers/live.ts';
import * as decoding from 'lib0/decoding';
import { DEMO_EVENT, demoUserId, openRawSocket, signInDemo, sleep, SYNC_MS, syncMessage, waitConverged } from '../helpers/hub.ts';
import { agencyDocName } from '../../src/lib/domain/documents.ts';
import { addCard, cardsOf, updateCard } from '../../src/lib/domain/board.ts';

const STATION = agencyDocName(DEMO_EVENT, 'station');
/** Past the hub's snapshot interval (500 updates), so the reload reads a snapshot and a short log after it. */
const EDITS = 640;
const SYNC_STEP1 = 0;
const SYNC_STEP2 = 1;
/** Past the hub's delay before it decodes a document loaded from its stored bytes (0.5 s), with room to spare. */
const DECODED_BY_MS = 2_000;

describe('a fresh client’s first sync after a restart', () => {
	let server: TestServer;
	let cookies: Record<string, string>;
	const open: LiveDoc[] = [];

	beforeAll(async () => {
		server = await startServer({ demo: true });
		cookies = await signInDemo(server.url, ['lead.station', 'reviewer']);
	});
	afterAll(async () => {
		try {
			for (const live of open) live.destroy();
		} finally {
			await server?.dispose();
		}
	});

	/** A raw socket as the reviewer that sends the state vector of `holds` and keeps every sync message it gets. */
	async function rawSync(holds: Y.Doc) {
		const raw = await openRawSocket(server.url, STATION, cookies['reviewer']);
		const syncs: Array<{ sub: number; payload: Uint8Array }> = [];
		raw.on('message', (data: Buffer) => {
			const d = decoding.createDecoder(new Uint8Array(data));
			if (decoding.readVarUint(d) !== 0) return;
			syncs.push({ sub: decoding.readVarUint(d), payload: decoding.readVarUint8Array(d).slice() });
		});
		raw.send(syncMessage(SYNC_STEP1, Y.encodeStateVector(holds)));
		await eventually(() => syncs.some((m) => m.sub === SYNC_STEP2), 15_000, 'the sync answer');
		return { syncs, get subs() { return syncs.map((m) => m.sub); }, close: () => raw.close() };
	}

	function connect(username: string, doc?: Y.Doc): LiveDoc {
		const live = connectDoc(server.url, STATION, { cookie: cookies[username], doc });
		open.push(live);
		return live;
	}

	it('holds every card the moment it is synced, and a client holding part of the document gets the rest', { timeout: 120_000 }, async () => {
		const writer = connect('lead.station');
		await whenSynced(writer, SYNC_MS);
		let partial: Uint8Array | null = null;
		for (let i = 0; i < EDITS; i++) {
			addCard(writer.doc, `fresh-${i}`, { title: `重启前任务 ${i}`, status: 'todo', priority: 'routine', agency: 'station', createdBy: demoUserId('lead.station'), createdAt: new Date().toISOString() });
			if (i === 300) partial = Y.encodeStateAsUpdate(writer.doc);
			if (i % 40 === 39) await new Promise((r) => setTimeout(r, 20));
		}
		const reviewer = connect('reviewer');
		await whenSynced(reviewer, SYNC_MS);
		await eventually(() => cardsOf(reviewer.doc).has(`fresh-${EDITS - 1}`), 30_000, 'the last card to be stored');
		const expected = cardsOf(writer.doc).toJSON();
		writer.destroy();
		reviewer.destroy();

		// Killed, not stopped: a stopped hub stores a snapshot of everything, and the log after it would be empty.
		await server.stop('SIGKILL');
		await server.restart();
		const fresh = connect('reviewer');
		await whenSynced(fresh, SYNC_MS);
		// Synced means holding everything: no card may arrive after.
		expect(cardsOf(fresh.doc).toJSON()).toEqual(expected);

		const doc = new Y.Doc();
		Y.applyUpdate(doc, partial!);
		expect(cardsOf(doc).size).toBeLessThan(Object.keys(expected).length);
		const returning = connect('reviewer', doc);
		await whenSynced(returning, SYNC_MS);
		expect(cardsOf(returning.doc).toJSON()).toEqual(expected);

		// An edit after the load: the stored bytes are no longer the document, and the next fresh client has it too.
		const again = connect('lead.station');
		await whenSynced(again, SYNC_MS);
		addCard(again.doc, 'fresh-after', { title: '重启后任务', status: 'todo', priority: 'routine', agency: 'station', createdBy: demoUserId('lead.station'), createdAt: new Date().toISOString() });
		await waitConverged([again.doc, fresh.doc], 30_000, 'the edit after the restart to arrive');
		const late = connect('reviewer');
		await whenSynced(late, SYNC_MS);
		expect(cardsOf(late.doc).has('fresh-after')).toBe(true);
		expect(cardsOf(late.doc).size).toBe(Object.keys(expected).length + 1);
		const withLast = late.doc;

		// The stored bytes go out before the hub decodes the document, and a client that said it holds nothing is not
		// asked for what it holds (sync step 1, sent once the hub has decoded the document): its answer would be the
		// whole document's deletions, for the hub to check. A client that holds something is asked, once decoded.
		// (Started without the demo's seeding, which reads every demo document as the server starts.)
		await server.stop('SIGKILL');
		await server.restart({ demo: false });
		const fresh2 = await rawSync(new Y.Doc());
		const returning2 = await rawSync(withLast);
		await sleep(DECODED_BY_MS);
		fresh2.close();
		returning2.close();
		expect(fresh2.subs.filter((s) => s === SYNC_STEP2)).toHaveLength(1);
		expect(fresh2.subs).not.toContain(SYNC_STEP1);
		const answered = new Y.Doc();
		for (const m of fresh2.syncs) Y.applyUpdate(answered, m.payload);
		expect(cardsOf(answered).toJSON()).toEqual(cardsOf(withLast).toJSON());
		const asked = returning2.syncs.find((m) => m.sub === SYNC_STEP1);
		expect(asked, 'the hub asks a client that holds something').toBeDefined();
		expect(Y.decodeStateVector(asked!.payload)).toEqual(Y.decodeStateVector(Y.encodeStateVector(withLast)));
	});

	it('holds, once synced, every change stored before it came while edits go on (new cards and changed ones)', { timeout: 120_000 }, async () => {
		const writer = connect('lead.station');
		const observer = connect('reviewer');
		await Promise.all([whenSynced(writer, SYNC_MS), whenSynced(observer, SYNC_MS)]);
		for (let i = 0; i < 12; i++) {
			addCard(writer.doc, `kept-${i}`, { title: `进行中任务 ${i}`, status: 'todo', priority: 'routine', agency: 'station', createdBy: demoUserId('lead.station'), createdAt: new Date().toISOString() });
			// A changed title deletes the one before it: the fresh client must not hold that one either.
			if (i > 0) updateCard(writer.doc, `kept-${i - 1}`, { title: `改过的任务 ${i - 1}` });
			await eventually(
				() => cardsOf(observer.doc).has(`kept-${i}`) && (i === 0 || cardsOf(observer.doc).get(`kept-${i - 1}`)?.get('title') === `改过的任务 ${i - 1}`),
				30_000,
				`edit ${i} to be stored and sent`
			);
			const fresh = connect('reviewer');
			await whenSynced(fresh, SYNC_MS);
			expect(cardsOf(fresh.doc).toJSON()).toEqual(cardsOf(observer.doc).toJSON());
			fresh.destroy();
		}
	});
});
