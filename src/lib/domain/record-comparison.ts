/**
 * Compare with last time (与上次对比): an event made from a previous one shows its key figures beside that
 * event's. The figures are read from each event's own record (`buildRecord`'s figures), so a number here is the
 * number that event's record shows; nothing is computed twice. A drill is compared only with a drill, a real
 * event only with a real one.
 */
import type { AfterActionRecord } from './after-action.ts';
import type { EventRole } from './roles.ts';

/** The figures compared, in the order shown. */
export const COMPARED_FIGURES = ['ackMedian', 'ackP90', 'doneMedian', 'doneP90', 'noShows', 'uncoveredPostHours'] as const;
export type ComparedFigure = (typeof COMPARED_FIGURES)[number];

export interface ComparisonRow {
	figure: ComparedFigure;
	current: number | null;
	previous: number | null;
}

/** What a reader sees of the comparison: the rows, or why there are none. */
export type Comparison =
	| { state: 'shown'; previous: { id: string; name: string; startsAt: string; endsAt: string; timezone: string }; rows: ComparisonRow[] }
	| { state: 'hidden'; reason: 'access' | 'drill' | 'real' };

/** The compared figures of one record. */
export function comparedFigures(figures: AfterActionRecord['figures']): Record<ComparedFigure, number | null> {
	return {
		ackMedian: figures.instructions.secondsToAck.median,
		ackP90: figures.instructions.secondsToAck.p90,
		doneMedian: figures.cards.minutesToDone.median,
		doneP90: figures.cards.minutesToDone.p90,
		noShows: figures.shifts.noShows,
		uncoveredPostHours: figures.shifts.uncoveredPostHours
	};
}

/** This record's figures beside the previous one's. */
export function comparisonRows(current: AfterActionRecord['figures'], previous: AfterActionRecord['figures']): ComparisonRow[] {
	const a = comparedFigures(current);
	const b = comparedFigures(previous);
	return COMPARED_FIGURES.map((figure) => ({ figure, current: a[figure], previous: b[figure] }));
}

/**
 * Why two events may not be compared, or null when they may: a drill's figures stay out of comparisons with real
 * events, both ways. `'drill'` means this event is the drill, `'real'` that the other one is.
 */
export function incomparable(current: { drill: boolean }, previous: { drill: boolean }): 'drill' | 'real' | null {
	if (current.drill === previous.drill) return null;
	return current.drill ? 'drill' : 'real';
}

/**
 * May a reader see the previous event's figures? Only one who may read its record: an administrator, or its
 * commander or a reviewer of it (the rule of `record.review`, which every other member lacks).
 */
export function mayReadPreviousRecord(reader: { isAdmin: boolean }, roleInPrevious: EventRole | null): boolean {
	return reader.isAdmin || roleInPrevious === 'commander' || roleInPrevious === 'reviewer';
}
