import { describe, it, expect } from 'vitest';
import * as Y from 'yjs';
import { collectTouched, validateTouched, type Touched } from './doc-validate.ts';

/** Runs `fn` in one transaction of `doc` and returns what it touched. */
function touch(doc: Y.Doc, fn: () => void): Touched {
	let touched: Touched | null = null;
	const seen = (tr: Y.Transaction) => (touched = collectTouched(tr));
	doc.on('afterTransaction', seen);
	doc.transact(fn);
	doc.off('afterTransaction', seen);
	return touched!;
}

function addPeriod(periods: Y.Map<unknown>, id: string): void {
	const period = new Y.Map<unknown>();
	periods.set(id, period);
	period.set('name', id);
	period.set('startsAt', '2026-12-05T08:00:00Z');
	period.set('endsAt', '2026-12-05T10:00:00Z');
}

describe('the entries limit of a root', () => {
	// The command document holds at most 200 periods.
	it('holds at the limit and refuses one past it', () => {
		const doc = new Y.Doc();
		const periods = doc.getMap('periods');
		const upTo = touch(doc, () => {
			for (let i = 0; i < 200; i++) addPeriod(periods, `p${i}`);
		});
		expect(validateTouched(doc, 'command', upTo, false)).toBeNull();
		const past = touch(doc, () => addPeriod(periods, 'p200'));
		expect(validateTouched(doc, 'command', past, false)).toEqual({ path: 'periods', problem: 'more than 200 entries' });
	});

	it('counts live entries only: keys deleted earlier do not count against it', () => {
		const doc = new Y.Doc();
		const periods = doc.getMap('periods');
		touch(doc, () => {
			for (let i = 0; i < 150; i++) addPeriod(periods, `old${i}`);
		});
		touch(doc, () => {
			for (let i = 0; i < 150; i++) periods.delete(`old${i}`);
		});
		const fresh = touch(doc, () => {
			for (let i = 0; i < 200; i++) addPeriod(periods, `p${i}`);
		});
		expect(validateTouched(doc, 'command', fresh, false)).toBeNull();
		const past = touch(doc, () => addPeriod(periods, 'one-more'));
		expect(validateTouched(doc, 'command', past, false)).toEqual({ path: 'periods', problem: 'more than 200 entries' });
	});
});
