import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import * as decoding from 'lib0/decoding';
import { FreshAnswer, FRESH_TAIL_MAX } from './fresh-answer.ts';
import { MESSAGE_SYNC, SYNC_STEP2, SYNC_UPDATE } from './frames.ts';

/** The sync message inside an unmasked binary frame of ws: its kind and its update. */
function unframe(frame: Buffer): { sub: number; update: Uint8Array } {
	expect(frame[0]).toBe(0x82);
	const len7 = frame[1] & 0x7f;
	const start = len7 === 126 ? 4 : len7 === 127 ? 10 : 2;
	const d = decoding.createDecoder(new Uint8Array(frame.buffer, frame.byteOffset + start, frame.byteLength - start));
	expect(decoding.readVarUint(d)).toBe(MESSAGE_SYNC);
	return { sub: decoding.readVarUint(d), update: decoding.readVarUint8Array(d) };
}

/** What a client holds after the frames, in the order sent: the tail first, then the answer. */
function received(answer: FreshAnswer): Y.Doc {
	const doc = new Y.Doc();
	const tail = answer.tailFrame();
	if (tail) {
		const { sub, update } = unframe(tail);
		expect(sub).toBe(SYNC_UPDATE);
		Y.applyUpdate(doc, update);
	}
	const { sub, update } = unframe(answer.stateFrame);
	expect(sub).toBe(SYNC_STEP2);
	Y.applyUpdate(doc, update);
	return doc;
}

/** A document and the updates it makes, one per change. */
function source() {
	const doc = new Y.Doc();
	const updates: Uint8Array[] = [];
	doc.on('update', (u: Uint8Array) => updates.push(u));
	return { doc, updates, cards: doc.getMap<string>('cards') };
}

describe("the answer to a client that holds nothing", () => {
	it('is the document at its sequence plus every update after it, deletions included, merged once per change', () => {
		const { doc, updates, cards } = source();
		for (let i = 0; i < 20; i++) cards.set(`c${i}`, `任务 ${i}`);
		const answer = new FreshAnswer(Y.encodeStateAsUpdate(doc), []);
		expect(answer.tailFrame()).toBeNull();
		expect(received(answer).getMap('cards').toJSON()).toEqual(cards.toJSON());
		// Framed once, the same frame for every client.
		expect(answer.stateFrame).toBe(answer.stateFrame);

		const from = updates.length;
		cards.set('c20', '新任务');
		cards.delete('c3');
		for (const u of updates.slice(from)) expect(answer.add(u)).toBe(true);
		const tail = answer.tailFrame();
		// Asked again with nothing new, the same frame: merged and framed once.
		expect(answer.tailFrame()).toBe(tail);
		const got = received(answer);
		expect(got.getMap('cards').toJSON()).toEqual(cards.toJSON());
		expect(got.getMap('cards').has('c3')).toBe(false);

		cards.set('c21', '再一个');
		expect(answer.add(updates.at(-1)!)).toBe(true);
		expect(answer.tailFrame()).not.toBe(tail);
		expect(received(answer).getMap('cards').toJSON()).toEqual(cards.toJSON());
	});

	it('starts from stored bytes and the log after them, as loaded', () => {
		const { doc, updates, cards } = source();
		cards.set('a', '一');
		const stored = Y.encodeStateAsUpdate(doc);
		const from = updates.length;
		cards.set('b', '二');
		cards.set('c', '三');
		const answer = new FreshAnswer(stored, [Y.mergeUpdates(updates.slice(from))]);
		expect(received(answer).getMap('cards').toJSON()).toEqual({ a: '一', b: '二', c: '三' });
	});

	it('refuses to grow its tail past the document’s own size or past FRESH_TAIL_MAX updates', () => {
		const { doc, updates, cards } = source();
		cards.set('a', 'x'.repeat(100));
		const state = Y.encodeStateAsUpdate(doc);
		const answer = new FreshAnswer(state, []);
		const from = updates.length;
		cards.set('b', 'y'.repeat(state.byteLength));
		expect(answer.add(updates[from])).toBe(false);

		const small = new FreshAnswer(new Uint8Array(1_000_000), []);
		const tiny = Y.encodeStateAsUpdate(new Y.Doc());
		for (let i = 0; i < FRESH_TAIL_MAX; i++) expect(small.add(tiny)).toBe(true);
		expect(small.add(tiny)).toBe(false);
	});
});
