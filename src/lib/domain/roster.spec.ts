import { describe, it, expect } from 'vitest';
import * as Y from 'yjs';
import {
	attendanceOf,
	canCheckIn,
	findOverlaps,
	onDutyByPost,
	readShifts,
	shiftSpan,
	shiftsOfUser,
	toZoneIso,
	type CheckIn,
	type Post,
	type Shift,
	type ShiftPerson
} from './roster.ts';
import { coverageGaps, countedSpans, onDutyNow, requiredSpans, staffingSegments } from './roster-coverage.ts';
import { addShift, recordCheck } from './roster-write.ts';

const TZ = 'Asia/Shanghai';
/** An instant from a Shanghai wall-clock time on 24 or 25 November 2026: `t('24 22:10')`. */
const t = (s: string) => Date.parse(`2026-11-${s.replace(' ', 'T')}:00+08:00`);
const iso = (s: string) => toZoneIso(t(s), TZ);
const GRACE = 10;

function person(id: string, userId: string | null = null, name = id): ShiftPerson {
	return { id, userId, name, role: null };
}

function shift(id: string, from: string, to: string, people: ShiftPerson[] = [], checkins: Record<string, Partial<CheckIn>> = {}, over: Partial<Shift> = {}): Shift {
	return {
		id,
		agency: 'station',
		postId: 'gate',
		periodId: null,
		startsAt: iso(from),
		endsAt: iso(to),
		people,
		checkins: Object.fromEntries(Object.entries(checkins).map(([k, c]) => [k, { inAt: null, outAt: null, recordedBy: null, ...c }])),
		notes: null,
		...over
	};
}

const post = (id: string, minStaff: number): Post => ({ id, name: id, kind: 'post', agency: 'station', location: null, minStaff, notes: null, archived: false });

describe('attendance: late, no-show, early leave', () => {
	// One shift 20:00 → 24:00 with a grace of 10 minutes.
	const cases: Array<{ title: string; now: string; check?: Partial<CheckIn>; state: string; late: boolean; noShow: boolean; early: boolean }> = [
		{ title: 'not started, not checked in', now: '24 19:30', state: 'upcoming', late: false, noShow: false, early: false },
		{ title: 'checked in early for the briefing', now: '24 19:55', check: { inAt: iso('24 19:50') }, state: 'onDuty', late: false, noShow: false, early: false },
		{ title: 'started, inside the grace, not yet in', now: '24 20:09', state: 'awaiting', late: false, noShow: false, early: false },
		{ title: 'exactly at the end of the grace is still inside it', now: '24 20:10', state: 'awaiting', late: false, noShow: false, early: false },
		{ title: 'grace over and no check-in: a no-show', now: '24 20:11', state: 'noShow', late: false, noShow: true, early: false },
		{ title: 'never came, shift over: still a no-show', now: '25 01:00', state: 'noShow', late: false, noShow: true, early: false },
		{ title: 'in at the last minute of the grace: on time', now: '24 21:00', check: { inAt: iso('24 20:10') }, state: 'onDuty', late: false, noShow: false, early: false },
		{ title: 'in after the grace: late (and no longer a no-show)', now: '24 21:00', check: { inAt: iso('24 20:25') }, state: 'onDuty', late: true, noShow: false, early: false },
		{ title: 'out well before the end: early leave', now: '24 23:00', check: { inAt: iso('24 20:00'), outAt: iso('24 22:30') }, state: 'finished', late: false, noShow: false, early: true },
		{ title: 'out inside the grace before the end: not early', now: '24 23:59', check: { inAt: iso('24 20:00'), outAt: iso('24 23:55') }, state: 'finished', late: false, noShow: false, early: false },
		{ title: 'in, never out, shift over: finished', now: '25 00:30', check: { inAt: iso('24 20:00') }, state: 'finished', late: false, noShow: false, early: false },
		{ title: 'late and left early at once', now: '24 23:00', check: { inAt: iso('24 21:00'), outAt: iso('24 22:00') }, state: 'finished', late: true, noShow: false, early: true }
	];
	for (const c of cases) {
		it(c.title, () => {
			const s = shift('s', '24 20:00', '25 00:00', [person('p')], c.check ? { p: c.check } : {});
			const a = attendanceOf(s, 'p', t(c.now), GRACE);
			expect({ state: a.state, late: a.late, noShow: a.noShow, early: a.earlyLeave }).toEqual({
				state: c.state,
				late: c.late,
				noShow: c.noShow,
				early: c.early
			});
		});
	}

	it('counts the minutes of a late check-in from the start', () => {
		const s = shift('s', '24 20:00', '25 00:00', [person('p')], { p: { inAt: iso('24 20:25') } });
		expect(attendanceOf(s, 'p', t('24 21:00'), GRACE).lateMinutes).toBe(25);
	});

	it('uses the grace the event sets: 0 makes a minute late count', () => {
		const s = shift('s', '24 20:00', '25 00:00', [person('p')], { p: { inAt: iso('24 20:01') } });
		expect(attendanceOf(s, 'p', t('24 21:00'), 0).late).toBe(true);
		expect(attendanceOf(s, 'p', t('24 21:00'), 5).late).toBe(false);
	});
});

describe('shifts crossing midnight', () => {
	const night = shift('n', '24 22:00', '25 06:00', [person('a'), person('b')], { a: { inAt: iso('24 21:58') } });

	const cases: Array<{ at: string; covered: boolean }> = [
		{ at: '24 21:59', covered: false },
		{ at: '24 22:00', covered: true },
		{ at: '24 23:59', covered: true },
		{ at: '25 00:00', covered: true },
		{ at: '25 03:00', covered: true },
		{ at: '25 05:59', covered: true },
		{ at: '25 06:00', covered: false }
	];
	for (const c of cases) {
		it(`${c.covered ? 'counts' : 'does not count'} its person on duty at ${c.at}`, () => {
			expect(onDutyByPost([night], t(c.at)).get('gate') ?? 0).toBe(c.covered ? 1 : 0);
		});
	}

	it('is an eight-hour span, not a negative one', () => {
		const span = shiftSpan(night)!;
		expect((span.end - span.start) / 3_600_000).toBe(8);
	});

	it('makes a no-show after midnight-crossing grace the same as any other', () => {
		const late = shift('l', '24 23:55', '25 07:55', [person('p')]);
		expect(attendanceOf(late, 'p', t('25 00:04'), GRACE).state).toBe('awaiting');
		expect(attendanceOf(late, 'p', t('25 00:06'), GRACE).state).toBe('noShow');
	});

	it('stores times with the event zone offset, so the date of the end is the next day', () => {
		expect(night.startsAt).toBe('2026-11-24T22:00:00+08:00');
		expect(night.endsAt).toBe('2026-11-25T06:00:00+08:00');
	});

	it('writes and reads back through a Yjs document unchanged', () => {
		const doc = new Y.Doc();
		addShift(doc, { id: 'n', postId: 'gate', periodId: null, startsAt: night.startsAt, endsAt: night.endsAt, notes: null, people: night.people });
		expect(recordCheck(doc, 'n', 'a', 'in', iso('24 21:58'), 'u-lead')).toBe(true);
		const [read] = readShifts(doc, 'station');
		expect(read.startsAt).toBe(night.startsAt);
		expect(read.endsAt).toBe(night.endsAt);
		expect(read.checkins.a).toEqual({ inAt: iso('24 21:58'), outAt: null, recordedBy: 'u-lead' });
		expect(onDutyByPost([read], t('25 02:00')).get('gate')).toBe(1);
	});
});

describe('overlap: the same person on two shifts at once', () => {
	const cases: Array<{ title: string; shifts: Shift[]; pairs: string[] }> = [
		{
			title: 'back-to-back shifts do not overlap',
			shifts: [shift('a', '24 08:00', '24 16:00', [person('x', 'u1')]), shift('b', '24 16:00', '25 00:00', [person('y', 'u1')])],
			pairs: []
		},
		{
			title: 'one hour shared is an overlap',
			shifts: [shift('a', '24 08:00', '24 16:00', [person('x', 'u1')]), shift('b', '24 15:00', '24 23:00', [person('y', 'u1')])],
			pairs: ['a+b']
		},
		{
			title: 'a night shift overlaps the early shift of the next morning',
			shifts: [shift('n', '24 22:00', '25 06:00', [person('x', 'u1')]), shift('m', '25 05:00', '25 13:00', [person('y', 'u1')])],
			pairs: ['n+m']
		},
		{
			title: 'different people at the same time do not overlap',
			shifts: [shift('a', '24 08:00', '24 16:00', [person('x', 'u1')]), shift('b', '24 08:00', '24 16:00', [person('y', 'u2')])],
			pairs: []
		},
		{
			title: 'people without accounts are matched by name, ignoring case and spacing',
			shifts: [shift('a', '24 08:00', '24 16:00', [person('x', null, '张 伟')]), shift('b', '24 12:00', '24 20:00', [person('y', null, '张  伟 ')])],
			pairs: ['a+b']
		},
		{
			title: 'across agencies too',
			shifts: [shift('a', '24 08:00', '24 16:00', [person('x', 'u1')]), shift('b', '24 10:00', '24 11:00', [person('y', 'u1')], {}, { agency: 'patrol' })],
			pairs: ['a+b']
		},
		{
			title: 'listed twice in one shift',
			shifts: [shift('a', '24 08:00', '24 16:00', [person('x', 'u1'), person('y', 'u1')])],
			pairs: ['a+a']
		},
		{
			title: 'three overlapping shifts make three pairs',
			shifts: [
				shift('a', '24 08:00', '24 16:00', [person('x', 'u1')]),
				shift('b', '24 09:00', '24 12:00', [person('y', 'u1')]),
				shift('c', '24 10:00', '24 18:00', [person('z', 'u1')])
			],
			pairs: ['a+b', 'a+c', 'b+c']
		}
	];
	for (const c of cases) {
		it(c.title, () => {
			const pairs = findOverlaps(c.shifts).map((o) => `${o.a.shiftId}+${o.b.shiftId}`).sort();
			expect(pairs).toEqual(c.pairs);
		});
	}
});

describe('coverage against minimum staffing', () => {
	const event = { start: t('24 08:00'), end: t('25 08:00') };
	const window = { start: t('24 20:00'), end: t('25 04:00') };

	const cases: Array<{ title: string; min: number; now: string; shifts: Shift[]; gaps: string[] }> = [
		{
			title: 'fully planned in the future: no gap',
			min: 2,
			now: '24 12:00',
			shifts: [shift('n', '24 20:00', '25 04:00', [person('a'), person('b')])],
			gaps: []
		},
		{
			title: 'one person short for the whole window',
			min: 2,
			now: '24 12:00',
			shifts: [shift('n', '24 20:00', '25 04:00', [person('a')])],
			gaps: ['24 20:00-25 04:00 1/2']
		},
		{
			title: 'a hole between two shifts across midnight',
			min: 1,
			now: '24 12:00',
			shifts: [shift('e', '24 20:00', '24 23:00', [person('a')]), shift('l', '25 01:00', '25 04:00', [person('b')])],
			gaps: ['24 23:00-25 01:00 0/1']
		},
		{
			title: 'a check-in missing past the grace opens a gap from start + grace to the end of the shift',
			min: 2,
			now: '24 20:40',
			shifts: [shift('n', '24 20:00', '25 04:00', [person('a'), person('b')], { a: { inAt: iso('24 19:55') } })],
			gaps: ['24 20:10-25 04:00 1/2']
		},
		{
			title: 'inside the grace, a missing check-in is no gap yet',
			min: 2,
			now: '24 20:05',
			shifts: [shift('n', '24 20:00', '25 04:00', [person('a'), person('b')], { a: { inAt: iso('24 19:55') } })],
			gaps: []
		},
		{
			title: 'a late check-in closes the gap at the moment of arrival',
			min: 2,
			now: '24 22:00',
			shifts: [shift('n', '24 20:00', '25 04:00', [person('a'), person('b')], { a: { inAt: iso('24 19:55') }, b: { inAt: iso('24 20:30') } })],
			gaps: ['24 20:10-24 20:30 1/2']
		},
		{
			title: 'an early leave opens a gap for the rest of the shift',
			min: 2,
			now: '24 23:00',
			shifts: [shift('n', '24 20:00', '25 04:00', [person('a'), person('b')], { a: { inAt: iso('24 20:00') }, b: { inAt: iso('24 20:00'), outAt: iso('24 22:00') } })],
			gaps: ['24 22:00-25 04:00 1/2']
		},
		{
			title: 'a minimum of zero never has a gap',
			min: 0,
			now: '24 12:00',
			shifts: [],
			gaps: []
		}
	];
	const fmt = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().slice(8, 16).replace('T', ' ');
	for (const c of cases) {
		it(c.title, () => {
			const report = coverageGaps([post('gate', c.min)], c.shifts, { periods: [], event, window, now: t(c.now), graceMinutes: GRACE });
			expect(report.gaps.map((g) => `${fmt(g.start)}-${fmt(g.end)} ${g.have}/${g.need}`)).toEqual(c.gaps);
		});
	}

	it('sums post-hours under minimum over posts', () => {
		const report = coverageGaps([post('gate', 1), post('east', 1)], [shift('n', '24 20:00', '25 02:00', [person('a')])], {
			periods: [],
			event,
			window,
			now: t('24 12:00'),
			graceMinutes: GRACE
		});
		// gate: 02:00-04:00 uncovered (2 h); east: nobody at all over the 8-hour window.
		expect(report.postHoursShort).toBe(10);
	});

	it('asks for staffing only inside the operational periods when the event has any', () => {
		const periods = [{ id: 'night', name: '夜班', startsAt: iso('24 22:00'), endsAt: iso('25 02:00') }];
		expect(requiredSpans(periods, event)).toEqual([{ start: t('24 22:00'), end: t('25 02:00') }]);
		const report = coverageGaps([post('gate', 1)], [], { periods, event, window, now: t('24 12:00'), graceMinutes: GRACE });
		expect(report.postHoursShort).toBe(4);
	});

	it('tiles the window with staffing segments, nobody included', () => {
		const segs = staffingSegments([shift('n', '24 22:00', '25 02:00', [person('a'), person('b')])], window, t('24 12:00'), GRACE);
		expect(segs.map((s) => s.count)).toEqual([0, 2, 0]);
		expect(segs[0].start).toBe(window.start);
		expect(segs.at(-1)!.end).toBe(window.end);
	});

	const spanCases: Array<{ title: string; now: string; check?: Partial<CheckIn>; spans: Array<[string, string]> }> = [
		{ title: 'the whole shift while nobody is late yet', now: '24 19:00', spans: [['24 20:00', '25 04:00']] },
		{ title: 'a no-show only through the grace, not for the rest of the shift', now: '24 21:00', spans: [['24 20:00', '24 20:10']] },
		{ title: 'a late arrival from arrival on, with the grace before it', now: '24 21:00', check: { inAt: iso('24 20:30') }, spans: [['24 20:00', '24 20:10'], ['24 20:30', '25 04:00']] },
		{ title: 'an early arrival from the start', now: '24 21:00', check: { inAt: iso('24 19:40') }, spans: [['24 20:00', '25 04:00']] },
		{ title: 'an early leave until leaving', now: '24 23:00', check: { inAt: iso('24 20:00'), outAt: iso('24 22:00') }, spans: [['24 20:00', '24 22:00']] }
	];
	for (const c of spanCases) {
		it(`counts a person: ${c.title}`, () => {
			const s = shift('n', '24 20:00', '25 04:00', [person('a')], c.check ? { a: c.check } : {});
			expect(countedSpans(s, 'a', t(c.now), GRACE)).toEqual(c.spans.map(([a, b]) => ({ start: t(a), end: t(b) })));
		});
	}
});

describe('on duty now', () => {
	const event = { start: t('24 08:00'), end: t('25 08:00') };
	const shifts = [
		shift('g', '24 20:00', '25 04:00', [person('a'), person('b'), person('c')], { a: { inAt: iso('24 19:58') }, b: { inAt: iso('24 20:02') } }),
		shift('e', '24 20:00', '25 04:00', [person('d')], { d: { inAt: iso('24 20:00') } }, { postId: 'east' })
	];
	const cases: Array<{ now: string; gate: { onDuty: number; counted: number; short: boolean } }> = [
		{ now: '24 20:05', gate: { onDuty: 2, counted: 3, short: false } },
		{ now: '24 20:30', gate: { onDuty: 2, counted: 2, short: true } }
	];
	for (const c of cases) {
		it(`at ${c.now} the gate has ${c.gate.onDuty} on duty and is ${c.gate.short ? 'short' : 'staffed'}`, () => {
			const rows = onDutyNow([post('gate', 3), post('east', 1)], shifts, { periods: [], event, now: t(c.now), graceMinutes: GRACE });
			const gate = rows.find((r) => r.post.id === 'gate')!;
			expect({ onDuty: gate.onDuty, counted: gate.counted, short: gate.short }).toEqual(c.gate);
			expect(rows.find((r) => r.post.id === 'east')!.short).toBe(false);
		});
	}

	it('lists short posts first', () => {
		const rows = onDutyNow([post('east', 1), post('gate', 3)], shifts, { periods: [], event, now: t('24 20:30'), graceMinutes: GRACE });
		expect(rows.map((r) => r.post.id)).toEqual(['gate', 'east']);
	});
});

describe("a member's own shifts", () => {
	const shifts = [
		shift('past', '24 08:00', '24 16:00', [person('x', 'me')], { x: { inAt: iso('24 08:00'), outAt: iso('24 16:00') } }),
		shift('next', '25 08:00', '25 16:00', [person('y', 'me')]),
		shift('now', '24 20:00', '25 04:00', [person('z', 'me')]),
		shift('other', '24 20:00', '25 04:00', [person('w', 'someone')])
	];

	it('puts the current shift first, then upcoming ones, then the ended ones', () => {
		expect(shiftsOfUser(shifts, 'me', t('24 20:05'), GRACE).map((m) => m.shift.id)).toEqual(['now', 'next', 'past']);
	});

	const checkCases: Array<{ now: string; open: boolean }> = [
		{ now: '24 18:59', open: false },
		{ now: '24 19:00', open: true },
		{ now: '25 03:59', open: true },
		{ now: '25 04:00', open: false }
	];
	for (const c of checkCases) {
		it(`${c.open ? 'offers' : 'does not offer'} check-in at ${c.now}`, () => {
			expect(canCheckIn(shifts[2], 'z', t(c.now))).toBe(c.open);
		});
	}
});
