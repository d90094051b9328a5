import { describe, it, expect } from 'vitest';
import { checkSchedule, dueSlots } from './sitrep-schedule.ts';

const EVENT = { startsAt: '2026-02-10T08:00:00+08:00', endsAt: '2026-02-12T20:00:00+08:00', timezone: 'Asia/Shanghai' };
const PERIODS = [
	{ id: 'day1', endsAt: '2026-02-10T20:00:00+08:00' },
	{ id: 'night1', endsAt: '2026-02-11T08:00:00+08:00' }
];
const at = (iso: string) => Date.parse(iso);

describe('checkSchedule', () => {
	it('reads times typed with commas, Chinese punctuation or spaces, pads the hour and drops repeats', () => {
		expect(checkSchedule({ times: '18:00，6:30、 18:00 ; 21：15', periodEnds: true })).toEqual({
			ok: true,
			schedule: { times: ['06:30', '18:00', '21:15'], periodEnds: true }
		});
	});

	it('refuses what is not a time of day, and more than eight times a day', () => {
		expect(checkSchedule({ times: '24:00', periodEnds: false })).toEqual({ ok: false, problem: 'invalidFormat' });
		expect(checkSchedule({ times: '18', periodEnds: false })).toEqual({ ok: false, problem: 'invalidFormat' });
		const nine = Array.from({ length: 9 }, (_, i) => `${10 + i}:00`).join(',');
		expect(checkSchedule({ times: nine, periodEnds: false })).toEqual({ ok: false, problem: 'tooMany' });
	});

	it('takes an empty schedule as no times', () => {
		expect(checkSchedule({ times: '  ', periodEnds: false })).toEqual({ ok: true, schedule: { times: [], periodEnds: false } });
	});
});

describe('dueSlots', () => {
	it('puts a daily time in the event’s zone on each day of the event, inside the window', () => {
		const slots = dueSlots({ times: ['18:00'], periodEnds: false }, PERIODS, EVENT, { from: at('2026-02-10T00:00:00Z'), to: at('2026-02-13T00:00:00Z') });
		expect(slots.map((s) => s.dueAt)).toEqual(['2026-02-10T10:00:00.000Z', '2026-02-11T10:00:00.000Z', '2026-02-12T10:00:00.000Z']);
		expect(slots.every((s) => s.kind === 'daily' && s.periodId === null)).toBe(true);
	});

	it('adds each period’s end, and a daily time on a period’s end is that period’s report, once', () => {
		const slots = dueSlots({ times: ['20:00'], periodEnds: true }, PERIODS, EVENT, { from: at('2026-02-10T08:00:00+08:00'), to: at('2026-02-11T09:00:00+08:00') });
		expect(slots).toEqual([
			{ dueAt: '2026-02-10T12:00:00.000Z', kind: 'periodEnd', periodId: 'day1' },
			{ dueAt: '2026-02-11T00:00:00.000Z', kind: 'periodEnd', periodId: 'night1' }
		]);
	});

	it('gives nothing outside the event, even for a window that covers days before and after it', () => {
		const slots = dueSlots({ times: ['07:00'], periodEnds: false }, [], EVENT, { from: at('2026-02-01T00:00:00Z'), to: at('2026-03-01T00:00:00Z') });
		// 07:00 on the 10th is before the start at 08:00; the 11th and 12th are inside.
		expect(slots.map((s) => s.dueAt)).toEqual(['2026-02-10T23:00:00.000Z', '2026-02-11T23:00:00.000Z']);
	});
});
