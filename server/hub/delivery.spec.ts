import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import * as decoding from 'lib0/decoding';
import { deliver, Outbox, type DeliveryPeer } from './delivery.ts';
import { frameForAll, MESSAGE_SYNC, SYNC_UPDATE, syncMessage } from './frames.ts';

/** A peer that keeps what it is written, one entry per write. */
class Received implements DeliveryPeer {
	readonly writes: Buffer[] = [];
	sendFramed(frame: Buffer): void {
		this.writes.push(frame);
	}
}

/** The updates inside unmasked binary frames written end to end, in order. */
function updatesIn(bytes: Buffer): Uint8Array[] {
	const out: Uint8Array[] = [];
	let at = 0;
	while (at < bytes.byteLength) {
		expect(bytes[at]).toBe(0x82);
		const len7 = bytes[at + 1] & 0x7f;
		const [header, length] = len7 === 126 ? [4, bytes.readUInt16BE(at + 2)] : len7 === 127 ? [10, Number(bytes.readBigUInt64BE(at + 2))] : [2, len7];
		const d = decoding.createDecoder(new Uint8Array(bytes.buffer, bytes.byteOffset + at + header, length));
		expect(decoding.readVarUint(d)).toBe(MESSAGE_SYNC);
		expect(decoding.readVarUint(d)).toBe(SYNC_UPDATE);
		out.push(decoding.readVarUint8Array(d));
		at += header + length;
	}
	return out;
}

/** Three writers' updates to one card map, each framed as the hub frames it. */
function threeUpdates(): { updates: Uint8Array[]; source: Y.Doc } {
	const source = new Y.Doc();
	const updates: Uint8Array[] = [];
	source.on('update', (u: Uint8Array) => updates.push(u));
	const cards = source.getMap<string>('cards');
	cards.set('a', '巡逻 东门');
	cards.set('b', 'x'.repeat(300)); // over 125 bytes: a frame with the longer header
	cards.delete('a');
	return { updates, source };
}

describe('delivering the updates one turn committed', () => {
	it('writes each peer once, writers included, with every update in order', () => {
		const { updates, source } = threeUpdates();
		const peers = [new Received(), new Received(), new Received()];
		const frames = updates.map((u) => frameForAll(syncMessage(SYNC_UPDATE, u)));
		deliver(peers, frames);
		for (const peer of peers) {
			expect(peer.writes).toHaveLength(1);
			expect(updatesIn(peer.writes[0])).toEqual(updates);
		}
		// The same bytes for everyone, joined once.
		expect(peers[1].writes[0]).toBe(peers[0].writes[0]);

		// What a peer was written makes the writers' document, deletion included.
		const doc = new Y.Doc();
		for (const u of updatesIn(peers[2].writes[0])) Y.applyUpdate(doc, u);
		expect(doc.getMap('cards').toJSON()).toEqual(source.getMap('cards').toJSON());
		expect(doc.getMap('cards').has('a')).toBe(false);
	});

	it('sends one update as its own frame, not a copy', () => {
		const { updates } = threeUpdates();
		const [writer, reader] = [new Received(), new Received()];
		const frame = frameForAll(syncMessage(SYNC_UPDATE, updates[0]));
		deliver([writer, reader], [frame]);
		expect(reader.writes[0]).toBe(frame);
		expect(writer.writes[0]).toBe(frame);
	});

	it('gathers what is added in one turn, microtasks included, and sends it once that turn is done', async () => {
		const sent: Buffer[][] = [];
		const outbox = new Outbox((frames) => sent.push(frames));
		const [a, b, c] = [Buffer.from([1]), Buffer.from([2]), Buffer.from([3])];
		// As in the hub, where updates are applied in promise continuations (the durable chain).
		await Promise.resolve();
		outbox.add(a);
		// A group commit's updates are applied through promise continuations of the same turn.
		await Promise.resolve().then(() => outbox.add(b));
		expect(sent).toEqual([]);
		await new Promise((r) => setImmediate(r));
		expect(sent).toEqual([[a, b]]);
		outbox.add(c);
		await new Promise((r) => setImmediate(r));
		expect(sent).toEqual([[a, b], [c]]);
	});
});
