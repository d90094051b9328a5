import { describe, it, expect } from 'vitest';
import { comparisonRows, incomparable, mayReadPreviousRecord } from './record-comparison.ts';
import type { AfterActionRecord } from './after-action.ts';

function figures(ack: [number | null, number | null], done: [number | null, number | null], noShows: number, uncovered: number): AfterActionRecord['figures'] {
	return {
		instructions: { secondsToAck: { median: ack[0], p90: ack[1] } },
		cards: { minutesToDone: { median: done[0], p90: done[1] } },
		shifts: { noShows, uncoveredPostHours: uncovered }
	} as unknown as AfterActionRecord['figures'];
}

describe('comparisonRows', () => {
	it('puts each record figure beside the previous record’s, in a fixed order', () => {
		expect(comparisonRows(figures([30, 95], [42, 120], 1, 0.5), figures([55, 200], [null, null], 3, 2))).toEqual([
			{ figure: 'ackMedian', current: 30, previous: 55 },
			{ figure: 'ackP90', current: 95, previous: 200 },
			{ figure: 'doneMedian', current: 42, previous: null },
			{ figure: 'doneP90', current: 120, previous: null },
			{ figure: 'noShows', current: 1, previous: 3 },
			{ figure: 'uncoveredPostHours', current: 0.5, previous: 2 }
		]);
	});
});

describe('incomparable', () => {
	it('compares real with real and drill with drill', () => {
		expect(incomparable({ drill: false }, { drill: false })).toBeNull();
		expect(incomparable({ drill: true }, { drill: true })).toBeNull();
	});
	it('keeps a drill out of a real event’s comparison, both ways', () => {
		expect(incomparable({ drill: true }, { drill: false })).toBe('drill');
		expect(incomparable({ drill: false }, { drill: true })).toBe('real');
	});
});

describe('mayReadPreviousRecord', () => {
	it('lets an administrator, the commander or a reviewer of the previous event read it, and nobody else', () => {
		expect(mayReadPreviousRecord({ isAdmin: true }, null)).toBe(true);
		expect(mayReadPreviousRecord({ isAdmin: false }, 'reviewer')).toBe(true);
		expect(mayReadPreviousRecord({ isAdmin: false }, 'commander')).toBe(true);
		expect(mayReadPreviousRecord({ isAdmin: false }, 'lead')).toBe(false);
		expect(mayReadPreviousRecord({ isAdmin: false }, null)).toBe(false);
	});
});
