import { describe, it, expect } from 'vitest';
import { demoSchedule } from '../src/lib/server/demo/demo-data.ts';
import { demoRosterDrafts } from './demo-roster.ts';

const HOUR = 3_600_000;

describe('the demo lives in the present', () => {
	// Just after midnight, mid-afternoon and late evening in Shanghai: the edges of the day's periods.
	for (const now of [Date.parse('2026-12-04T00:10:00+08:00'), Date.parse('2026-12-04T15:30:00+08:00'), Date.parse('2026-12-04T23:59:00+08:00')]) {
		const label = new Date(now).toISOString();
		it(`spans the moment it is seeded (${label}), with contiguous periods inside the event`, () => {
			const s = demoSchedule(now);
			expect(Date.parse(s.startsAt)).toBeLessThan(now);
			expect(Date.parse(s.endsAt)).toBeGreaterThan(now);
			for (let i = 1; i < s.periods.length; i++) expect(s.periods[i].startsAt).toBe(s.periods[i - 1].endsAt);
			expect(s.periods[0].startsAt).toBe(s.startsAt);
			expect(s.periods.at(-1)!.endsAt).toBe(s.endsAt);
			const today = s.periods.filter((p) => p.id === 'demo-period-day' || p.id === 'demo-period-night');
			expect(today).toHaveLength(2);
			expect(today.some((p) => Date.parse(p.startsAt) <= now + 8 * HOUR)).toBe(true);
		});

		it(`puts every seeded shift in a period, in the event's zone (${label})`, () => {
			const s = demoSchedule(now);
			const drafts = Object.values(demoRosterDrafts(Math.floor(now / HOUR) * HOUR, s.periods)).flat();
			expect(drafts.length).toBeGreaterThan(10);
			for (const shift of drafts) {
				expect(shift.periodId, shift.id).not.toBeNull();
				expect(shift.startsAt.endsWith('+08:00')).toBe(true);
			}
		});
	}
});
