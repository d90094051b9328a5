import { describe, expect, it } from 'vitest';
import { nextYear } from './next-year.ts';

describe('next year', () => {
	it('moves the year in a name and the dates by one', () => {
		expect(nextYear.name('2026古城灯会开幕周安保')).toBe('2027古城灯会开幕周安保');
		expect(nextYear.name('马拉松')).toBe('马拉松');
		expect(nextYear.time('2026-02-12T18:00')).toBe('2027-02-12T18:00');
		expect(nextYear.time('2028-02-29T08:00')).toBe('2029-02-28T08:00');
	});
});
