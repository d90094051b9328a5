import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import * as decoding from 'lib0/decoding';
import { deliver, Outbox, type DeliveryPeer, type Outgoing } from './delivery.ts';
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
	it('writes each peer once, with every update it lacks, in order', () => {
		const { updates, source } = threeUpdates();
		const [w1, w2, reader] = [new Received(), new Received(), new Received()];
		const batch: Outgoing[] = [
			{ frame: frameForAll(syncMessage(SYNC_UPDATE, updates[0])), skip: w1 },
			{ frame: frameForAll(syncMessage(SYNC_UPDATE, updates[1])), skip: w2 },
			{ frame: frameForAll(syncMessage(SYNC_UPDATE, updates[2])), skip: w1 }
		];
		deliver([w1, w2, reader], batch);
		expect(reader.writes).toHaveLength(1);
		expect(updatesIn(reader.writes[0])).toEqual(updates);
		expect(w1.writes).toHaveLength(1);
		expect(updatesIn(w1.writes[0])).toEqual([updates[1]]);
		expect(w2.writes).toHaveLength(1);
		expect(updatesIn(w2.writes[0])).toEqual([updates[0], updates[2]]);

		// What the reader was written makes the writers' document, deletion included.
		const doc = new Y.Doc();
		for (const u of updatesIn(reader.writes[0])) Y.applyUpdate(doc, u);
		expect(doc.getMap('cards').toJSON()).toEqual(source.getMap('cards').toJSON());
		expect(doc.getMap('cards').has('a')).toBe(false);
	});

	it('writes nothing to a writer whose updates are the whole batch', () => {
		const { updates } = threeUpdates();
		const [writer, reader] = [new Received(), new Received()];
		const batch = updates.slice(0, 2).map((u) => ({ frame: frameForAll(syncMessage(SYNC_UPDATE, u)), skip: writer }));
		deliver([writer, reader], batch);
		expect(writer.writes).toEqual([]);
		expect(reader.writes).toHaveLength(1);
		expect(updatesIn(reader.writes[0])).toEqual(updates.slice(0, 2));
	});

	it('sends one update as its own frame, skipping its writer', () => {
		const { updates } = threeUpdates();
		const [writer, reader] = [new Received(), new Received()];
		const frame = frameForAll(syncMessage(SYNC_UPDATE, updates[0]));
		deliver([writer, reader], [{ frame, skip: writer }]);
		expect(reader.writes).toEqual([frame]);
		expect(reader.writes[0]).toBe(frame);
		expect(writer.writes).toEqual([]);

		// Another instance's update has no writer here: everyone gets it.
		const remote = frameForAll(syncMessage(SYNC_UPDATE, updates[1]));
		deliver([writer, reader], [{ frame: remote, skip: null }]);
		expect(writer.writes).toEqual([remote]);
		expect(reader.writes).toEqual([frame, remote]);
	});

	it('gathers what is added in one turn, microtasks included, and sends it once that turn is done', async () => {
		const sent: Buffer[][] = [];
		const outbox = new Outbox((batch) => sent.push(batch.map((o) => o.frame)));
		const [a, b, c] = [Buffer.from([1]), Buffer.from([2]), Buffer.from([3])];
		// As in the hub, where updates are applied in promise continuations (the durable chain).
		await Promise.resolve();
		outbox.add(a, null);
		// A group commit's updates are applied through promise continuations of the same turn.
		await Promise.resolve().then(() => outbox.add(b, null));
		expect(sent).toEqual([]);
		await new Promise((r) => setImmediate(r));
		expect(sent).toEqual([[a, b]]);
		outbox.add(c, null);
		await new Promise((r) => setImmediate(r));
		expect(sent).toEqual([[a, b], [c]]);
	});
});
