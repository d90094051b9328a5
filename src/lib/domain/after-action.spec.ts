import { describe, it, expect } from 'vitest';
import { canonicalJson, canonicalWalk, cardFigures, type RecordCard } from './after-action.ts';

const card = (over: Partial<RecordCard>): RecordCard => ({
	id: 'c',
	agency: 'station',
	title: 't',
	status: 'todo',
	priority: 'routine',
	teamId: null,
	assignees: [],
	createdAt: '2026-11-24T10:00:00Z',
	dueAt: null,
	doneAt: null,
	requestedBy: null,
	archived: false,
	...over
});
const END = Date.parse('2026-11-24T20:00:00Z');

describe('cardFigures', () => {
	it('counts open cards past due at the moment as overdue, and cards done after due as done late', () => {
		const f = cardFigures(
			[
				card({ id: 'a', status: 'done', dueAt: '2026-11-24T11:00:00Z', doneAt: '2026-11-24T12:00:00Z' }),
				card({ id: 'b', status: 'done', dueAt: '2026-11-24T13:00:00Z', doneAt: '2026-11-24T12:00:00Z' }),
				card({ id: 'c', status: 'doing', dueAt: '2026-11-24T13:00:00Z' }),
				card({ id: 'd', status: 'todo', dueAt: '2026-11-24T21:00:00Z' })
			],
			['station'],
			END
		);
		expect(f.overdue).toBe(1);
		expect(f.doneLate).toBe(1);
		expect(f.minutesToDone).toEqual({ median: 120, p90: 120, count: 2 });
	});

	it('counts an open card overdue only once its due time has passed at the moment the figures are taken', () => {
		const open = [card({ status: 'todo', dueAt: '2026-11-24T21:00:00Z' })];
		expect(cardFigures(open, ['station'], END).overdue).toBe(0);
		expect(cardFigures(open, ['station'], Date.parse('2026-11-24T21:30:00Z')).overdue).toBe(1);
	});

	it('does not count a done card late when the log does not say when it was done', () => {
		const f = cardFigures([card({ status: 'done', dueAt: '2026-11-24T11:00:00Z', doneAt: null })], ['station'], END);
		expect(f.overdue).toBe(0);
		expect(f.doneLate).toBe(0);
	});
});

describe('canonicalJson', () => {
	const samples: unknown[] = [
		null,
		'文',
		3.5,
		[1, undefined, 'x', NaN, { b: 1, a: [{ d: null, c: Infinity }] }],
		{ z: 1, a: { y: 'y', b: undefined, ä: 2, A: 3 }, list: [] },
		{ '2': 'two', '10': 'ten', a: 1 },
		{ when: new Date(0), f: () => 1 },
		JSON.parse('{"__proto__": {"x": 1}, "b": 2}')
	];

	it('sorts keys by code unit, drops undefined properties and writes no whitespace', () => {
		expect(canonicalJson({ z: 1, a: { y: 'y', b: undefined, ä: 2, A: 3 } })).toBe('{"a":{"A":3,"y":"y","ä":2},"z":1}');
		expect(canonicalJson({ '2': 'two', '10': 'ten' })).toBe('{"10":"ten","2":"two"}');
	});

	it('gives the same bytes as walking the value by hand, for every kind of value', () => {
		for (const v of samples) expect(canonicalJson(v)).toBe(canonicalWalk(v));
	});
});
