import { describe, it, expect } from 'vitest';
import { formatShortTime, formatTime } from './i18n';
import { zoneOffsetMs } from './domain/validation';

describe('times in the event’s zone', () => {
	it('reads the zone’s wall clock, midnight as 00 and with seconds when asked', () => {
		expect(formatTime('2026-02-11T16:00:05Z', 'Asia/Shanghai')).toBe('2026-02-12 00:00');
		expect(formatTime('2026-02-11T16:00:05Z', 'Asia/Shanghai', true)).toBe('2026-02-12 00:00:05');
		expect(formatTime(Date.parse('2026-07-01T12:30:00Z'), 'Europe/Berlin')).toBe('2026-07-01 14:30');
		// The same zone asked for with and without seconds, in either order, each as asked.
		expect(formatTime('2026-02-12T10:00:00Z', 'Asia/Shanghai', true)).toBe('2026-02-12 18:00:00');
		expect(formatTime('2026-02-12T10:00:00Z', 'Asia/Shanghai')).toBe('2026-02-12 18:00');
	});

	it('drops the date of a moment that is today in the zone', () => {
		const now = Date.parse('2026-02-12T10:00:00Z');
		expect(formatShortTime('2026-02-12T11:15:00Z', 'Asia/Shanghai', now)).toBe('19:15');
		expect(formatShortTime('2026-02-12T17:15:00Z', 'Asia/Shanghai', now)).toBe('02-13 01:15');
	});

	it('knows the zone’s offset, summer time included', () => {
		expect(zoneOffsetMs(new Date('2026-02-12T10:00:00Z'), 'Asia/Shanghai')).toBe(8 * 3600_000);
		expect(zoneOffsetMs(new Date('2026-07-01T10:00:00Z'), 'Europe/Berlin')).toBe(2 * 3600_000);
		expect(zoneOffsetMs(new Date('2026-01-01T10:00:00Z'), 'Europe/Berlin')).toBe(3600_000);
	});
});
