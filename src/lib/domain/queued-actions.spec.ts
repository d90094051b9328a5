import { describe, it, expect } from 'vitest';
import { arrivalDelayMinutes, arrivedLate, CLOCK_SKEW_MS, MAX_QUEUE_AGE_MS, queuedEnvelopeProblem, recordedTapTime } from './queued-actions.ts';

const NOW = Date.parse('2026-12-04T12:00:00Z');
const at = (ms: number) => new Date(ms).toISOString();

describe('queued actions', () => {
	it('takes an envelope with an id made on the phone and a recent tap', () => {
		expect(queuedEnvelopeProblem({ actionId: 'abcdefgh23', tappedAt: at(NOW - 60_000) }, NOW)).toBeNull();
	});

	it('names what is wrong with an envelope', () => {
		expect(queuedEnvelopeProblem(null, NOW)?.problem).toBe('badEnvelope');
		expect(queuedEnvelopeProblem({ actionId: 'short', tappedAt: at(NOW) }, NOW)?.problem).toBe('badEnvelope');
		expect(queuedEnvelopeProblem({ actionId: 'abcdefgh23', tappedAt: 'yesterday' }, NOW)?.problem).toBe('badEnvelope');
		expect(queuedEnvelopeProblem({ actionId: 'abcdefgh23', tappedAt: at(NOW + CLOCK_SKEW_MS + 1000) }, NOW)?.problem).toBe('tapInFuture');
		expect(queuedEnvelopeProblem({ actionId: 'abcdefgh23', tappedAt: at(NOW - MAX_QUEUE_AGE_MS - 1000) }, NOW)?.problem).toBe('tapTooOld');
	});

	it('never records a tap after the moment the server received it', () => {
		expect(recordedTapTime(at(NOW + 60_000), NOW)).toBe(NOW);
		expect(recordedTapTime(at(NOW - 60_000), NOW)).toBe(NOW - 60_000);
	});

	it('flags an arrival more than ten minutes after the tap, and only then', () => {
		expect(arrivedLate(at(NOW - 11 * 60_000), at(NOW))).toBe(true);
		expect(arrivedLate(at(NOW - 9 * 60_000), at(NOW))).toBe(false);
		expect(arrivedLate(at(NOW), null)).toBe(false);
		expect(arrivalDelayMinutes(at(NOW - 25 * 60_000 - 5_000), at(NOW))).toBe(25);
	});
});
