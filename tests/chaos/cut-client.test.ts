/**
 * Issue 9, chaos: a client cut off mid-edit — its connection dropped in the middle of a message, again and again,
 * while it and others go on editing. The half-sent message is never stored, the edits it makes offline arrive
 * when it is back, and everyone converges.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import * as encoding from 'lib0/encoding';
import { startServer, type TestServer } from '../helpers/server.ts';
import { connectRecording, DEMO_EVENT, demoUserId, MESSAGE_SYNC, signInDemo, sleep, SYNC_UPDATE, updateFrom } from '../helpers/hub.ts';
import { connectDoc, eventually, whenSynced, type LiveDoc } from '../helpers/live.ts';
import { EVERY_DOCUMENT, expectConverged, openWriters, releaseAll, startEditing, whenAllSynced, whenBusy, type Writer } from '../helpers/chaos.ts';
import { agencyDocName } from '../../src/lib/domain/documents.ts';
import { addCard, cardsOf, isoWithOffset } from '../../src/lib/domain/board.ts';
import * as Y from 'yjs';

const STATION = EVERY_DOCUMENT.find((d) => d.name === agencyDocName(DEMO_EVENT, 'station'))!;

/** A client-to-server WebSocket binary frame (masked, as every client frame must be). */
function clientFrame(payload: Uint8Array): Buffer {
	const mask = randomBytes(4);
	const header =
		payload.length < 126
			? Buffer.from([0x82, 0x80 | payload.length])
			: Buffer.from([0x82, 0x80 | 126, payload.length >> 8, payload.length & 0xff]);
	const body = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]));
	return Buffer.concat([header, mask, body]);
}

/** The TCP socket under a provider's WebSocket (the ws library keeps it as _socket). */
function tcpOf(w: Writer): Socket {
	const socket = (w.live.provider.ws as unknown as { _socket?: Socket } | null)?._socket;
	if (!socket) throw new Error(`${w.username} is not connected`);
	return socket;
}

describe('a client cut off mid-edit', () => {
	let server: TestServer;
	let cookies: Record<string, string>;
	let writers: Writer[] = [];
	const readers: LiveDoc[] = [];

	beforeAll(async () => {
		server = await startServer({ demo: true });
		cookies = await signInDemo(server.url, ['lead.station', 'member.station', 'chen.lei', 'reviewer']);
	});
	afterAll(() => releaseAll([...writers.map((w) => w.live), ...readers], server));

	it('never stores a half-sent message, and brings the cut writer and everyone else to one state', async () => {
		writers = openWriters(server.url, cookies, [STATION]);
		const watcher = connectRecording(server.url, STATION.name, cookies.reviewer);
		readers.push(watcher);
		await whenAllSynced(writers);
		await whenSynced(watcher);
		const editing = startEditing(writers, 777);
		await whenBusy(writers, 10, 200);

		const [cut] = writers;
		const halfSent: string[] = [];
		for (let round = 0; round < 6; round++) {
			await eventually(() => cut.live.provider.wsconnected && cut.live.provider.synced, 30_000, 'the cut writer to be back');
			await sleep(150 + round * 50);
			// A whole card in one update, of which the server gets only the first part before the line drops.
			const id = `half-sent-${round}`;
			halfSent.push(id);
			const update = updateFrom(Y.encodeStateAsUpdate(cut.live.doc), (doc) =>
				addCard(doc, id, {
					title: `只发出一半的卡片 ${round}`,
					status: 'todo',
					priority: 'routine',
					agency: 'station',
					createdBy: demoUserId(cut.username),
					createdAt: isoWithOffset(new Date(), 480)
				})
			);
			const message = encoding.createEncoder();
			encoding.writeVarUint(message, MESSAGE_SYNC);
			encoding.writeVarUint(message, SYNC_UPDATE);
			encoding.writeVarUint8Array(message, update);
			const frame = clientFrame(encoding.toUint8Array(message));
			const socket = tcpOf(cut);
			socket.write(frame.subarray(0, Math.max(8, Math.floor(frame.length / 2))));
			socket.destroy();
			await eventually(() => cut.live.closes.length === round + 1, 10_000, 'the cut writer to notice the cut');
			// The writer goes on editing while it is away (startEditing does), and reconnects on its own.
		}
		await eventually(() => cut.live.provider.wsconnected && cut.live.provider.synced, 30_000, 'the cut writer to be back');
		await sleep(500);
		await editing.stop();
		await whenAllSynced(writers);
		readers.push(...(await expectConverged(server.url, cookies, writers, [STATION])));
		await eventually(() => Y.equalSnapshots(Y.snapshot(watcher.doc), Y.snapshot(writers[1].live.doc)), 30_000, 'the watcher to converge');

		// The cut writer's edits all arrived, including the ones it made while cut off...
		const fresh = connectDoc(server.url, STATION.name, { cookie: cookies.reviewer });
		readers.push(fresh);
		await whenSynced(fresh);
		const cutCards = [...cardsOf(fresh.doc).keys()].filter((id) => id.startsWith(`${cut.tag}-`));
		expect(cutCards.length).toBeGreaterThan(0);
		expect(Y.equalSnapshots(Y.snapshot(fresh.doc), Y.snapshot(cut.live.doc))).toBe(true);
		// ...and no half-sent card exists anywhere.
		for (const doc of [fresh.doc, watcher.doc, ...writers.map((w) => w.live.doc)]) {
			expect([...cardsOf(doc).keys()].filter((id) => halfSent.includes(id))).toEqual([]);
		}
		// Six cuts, six reconnections, none of them refused.
		expect(cut.live.closes.length).toBeGreaterThanOrEqual(6);
		expect(cut.live.closes.filter((c) => c.code >= 4400)).toEqual([]);
	});
});
