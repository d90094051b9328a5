import { describe, expect, it } from 'vitest';
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';
import { guardAwareness, type AwarenessIdentity } from './awareness-guard.ts';

const ME: AwarenessIdentity = { id: 'demo-user-reviewer', name: '郑文静', agency: null, kind: 'user' };

function message(entries: Array<[clientId: number, clock: number, state: unknown]>): Uint8Array {
	const e = encoding.createEncoder();
	encoding.writeVarUint(e, entries.length);
	for (const [id, clock, state] of entries) {
		encoding.writeVarUint(e, id);
		encoding.writeVarUint(e, clock);
		encoding.writeVarString(e, JSON.stringify(state));
	}
	return encoding.toUint8Array(e);
}

function read(update: Uint8Array): Array<[number, number, unknown]> {
	const d = decoding.createDecoder(update);
	const n = decoding.readVarUint(d);
	return Array.from({ length: n }, () => [decoding.readVarUint(d), decoding.readVarUint(d), JSON.parse(decoding.readVarString(d))]);
}

describe('guardAwareness', () => {
	it('claims a new client id and shows the user as the server knows them', () => {
		const owned = new Set<number>();
		const r = guardAwareness(message([[7, 1, { cursor: 3, user: { name: 'someone else' } }]]), owned, () => false, ME);
		expect(r.ok && read(r.update)).toEqual([[7, 1, { cursor: 3, user: ME }]]);
		expect([...owned]).toEqual([7]);
	});

	it('skips what a stock client forwards of other people: renewals and removals the document already holds', () => {
		const owned = new Set([7]);
		const held = new Map([
			[8, 4],
			[9, 2]
		]);
		const r = guardAwareness(
			message([
				[8, 4, { user: { name: 'other' } }],
				[9, 2, null],
				[7, 5, {}]
			]),
			owned,
			(id) => id === 8 || id === 9,
			ME,
			(id) => held.get(id)
		);
		expect(r.ok && r.clients).toEqual([7]);
		expect([...owned]).toEqual([7]);
	});

	it('refuses a newer state for a client id another connection owns', () => {
		const r = guardAwareness(message([[8, 5, {}]]), new Set(), (id) => id === 8, ME, () => 4);
		expect(r).toEqual({ ok: false, reason: 'awareness client 8 belongs to another connection' });
	});

	it('refuses a fifth client id on one connection', () => {
		const owned = new Set([1, 2, 3, 4]);
		expect(guardAwareness(message([[5, 1, {}]]), owned, () => false, ME)).toEqual({ ok: false, reason: 'too many awareness clients' });
	});

	it('accepts a forwarded list longer than the id limit when it claims nothing new', () => {
		const entries: Array<[number, number, unknown]> = Array.from({ length: 50 }, (_, i) => [100 + i, 1, {}]);
		const r = guardAwareness(message(entries), new Set(), () => true, ME, () => 1);
		expect(r.ok && r.clients).toEqual([]);
	});

	it('refuses states that are not objects, too large or undecodable', () => {
		expect(guardAwareness(message([[7, 1, [1]]]), new Set(), () => false, ME)).toEqual({ ok: false, reason: 'awareness state must be an object' });
		expect(guardAwareness(message([[7, 1, { x: 'a'.repeat(5000) }]]), new Set(), () => false, ME)).toMatchObject({ ok: false });
		expect(guardAwareness(new Uint8Array([5, 1]), new Set(), () => false, ME)).toEqual({ ok: false, reason: 'awareness update could not be decoded' });
	});
});
