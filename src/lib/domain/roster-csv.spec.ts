import { describe, it, expect } from 'vitest';
import { formatCsv, parseCsv, readRosterCsv, rosterToCsv, ROSTER_COLUMNS, type RosterCsvContext } from './roster-csv.ts';
import type { Shift } from './roster.ts';

const TZ = 'Asia/Shanghai';
const HEADER = ROSTER_COLUMNS.join(',');

function context(over: Partial<RosterCsvContext> = {}): RosterCsvContext {
	let n = 0;
	return {
		timeZone: TZ,
		posts: new Set(['gate', 'east']),
		periods: new Set(['night']),
		users: new Map([['wang', { id: 'u-wang', name: '王建国' }]]),
		existing: [],
		newId: () => `new${++n}`,
		...over
	};
}

const file = (...rows: string[]) => '\uFEFF' + [HEADER, ...rows].join('\r\n') + '\r\n';

describe('CSV text', () => {
	it('reads quoted fields with commas, quotes and line breaks, and keeps each row\'s line number', () => {
		const parsed = parseCsv('a,b\r\n"x, y","say ""hi""\nthere"\r\nlast,row\r\n');
		expect('rows' in parsed && parsed.rows).toEqual([
			{ line: 1, fields: ['a', 'b'] },
			{ line: 2, fields: ['x, y', 'say "hi"\nthere'] },
			{ line: 4, fields: ['last', 'row'] }
		]);
	});

	it('reports a quote that is never closed with its row', () => {
		expect(parseCsv('a,b\n"open,x\n')).toEqual({ error: { row: 2, column: null, code: 'unclosedQuote', value: '' } });
	});

	it('writes a byte-order mark, CRLF, and quotes only what needs it; formulas are defused', () => {
		expect(formatCsv([['a', 'b,c', '=1+1', '-3']])).toBe('\uFEFFa,"b,c",\'=1+1,-3\r\n');
	});
});

describe('roster import', () => {
	it('reads a shift crossing midnight with the end given as a time only', () => {
		const r = readRosterCsv(file('n1,gate,night,2026-11-24 22:00,06:00,,p1,wang,王建国,带班'), context());
		expect(r.ok && r.shifts[0]).toMatchObject({
			id: 'n1',
			startsAt: '2026-11-24T22:00:00+08:00',
			endsAt: '2026-11-25T06:00:00+08:00',
			people: [{ id: 'p1', userId: 'u-wang', name: '王建国', role: '带班' }]
		});
	});

	it('groups rows by shift id and makes ids for blank ones', () => {
		const r = readRosterCsv(
			file('s1,gate,,2026-11-24 08:00,2026-11-24 16:00,,,,张伟,辅警', 's1,gate,,2026-11-24 08:00,2026-11-24 16:00,,,wang,,', ',east,,2026-11-24 08:00,2026-11-24 16:00,,,,李四,'),
			context()
		);
		expect(r.ok).toBe(true);
		if (!r.ok) return;
		expect(r.shifts.map((s) => [s.id, s.people.map((p) => p.name)])).toEqual([
			['s1', ['张伟', '王建国']],
			['new3', ['李四']]
		]);
	});

	const bad: Array<{ title: string; row: string; column: string | null; code: string }> = [
		{ title: 'an unknown post', row: 's,nowhere,,2026-11-24 08:00,2026-11-24 16:00,,,,张伟,', column: 'post_id', code: 'unknownPost' },
		{ title: 'an unknown period', row: 's,gate,day9,2026-11-24 08:00,2026-11-24 16:00,,,,张伟,', column: 'period_id', code: 'unknownPeriod' },
		{ title: 'a time that is not one', row: 's,gate,,24/11/2026 8am,2026-11-24 16:00,,,,张伟,', column: 'starts_at', code: 'invalidTime' },
		{ title: 'an end before the start', row: 's,gate,,2026-11-24 16:00,2026-11-24 08:00,,,,张伟,', column: 'ends_at', code: 'endBeforeStart' },
		{ title: 'a shift longer than a day', row: 's,gate,,2026-11-24 08:00,2026-11-26 08:00,,,,张伟,', column: 'ends_at', code: 'shiftTooLong' },
		{ title: 'an unknown username', row: 's,gate,,2026-11-24 08:00,2026-11-24 16:00,,,nobody,,', column: 'username', code: 'unknownUser' },
		{ title: 'a person without a name', row: 's,gate,,2026-11-24 08:00,2026-11-24 16:00,,p9,,,辅警', column: 'name', code: 'required' },
		{ title: 'a missing post', row: 's,,,2026-11-24 08:00,2026-11-24 16:00,,,,张伟,', column: 'post_id', code: 'required' },
		{ title: 'a bad id', row: 's s,gate,,2026-11-24 08:00,2026-11-24 16:00,,,,张伟,', column: 'shift_id', code: 'invalidId' },
		{ title: 'a name too long', row: `s,gate,,2026-11-24 08:00,2026-11-24 16:00,,,,${'长'.repeat(41)},`, column: 'name', code: 'tooLong' },
		{ title: 'too few fields', row: 's,gate,,2026-11-24 08:00', column: null, code: 'fieldCount' }
	];
	for (const b of bad) {
		it(`refuses ${b.title}, naming row and column`, () => {
			const r = readRosterCsv(file('ok,gate,,2026-11-24 08:00,2026-11-24 16:00,,,,赵六,', b.row), context());
			expect(r.ok ? [] : r.errors.map((e) => [e.row, e.column, e.code])).toEqual([[3, b.column, b.code]]);
		});
	}

	it('refuses rows of one shift that disagree about the shift, pointing at the first row', () => {
		const r = readRosterCsv(file('s,gate,,2026-11-24 08:00,2026-11-24 16:00,,,,张伟,', 's,gate,,2026-11-24 08:00,2026-11-24 17:00,,,,李四,'), context());
		expect(r.ok ? null : r.errors).toEqual([{ row: 3, column: 'ends_at', code: 'shiftMismatch', value: '2026-11-24 17:00', ref: 2 }]);
	});

	it('refuses the same account twice on one shift', () => {
		const r = readRosterCsv(file('s,gate,,2026-11-24 08:00,2026-11-24 16:00,,,wang,,', 's,gate,,2026-11-24 08:00,2026-11-24 16:00,,,wang,,'), context());
		expect(r.ok ? null : r.errors.map((e) => [e.row, e.column, e.code])).toEqual([[3, 'username', 'duplicatePerson']]);
	});

	it('refuses a wrong header and an empty file', () => {
		expect(readRosterCsv('shift,post\r\n', context())).toMatchObject({ ok: false, errors: [{ row: 1, code: 'badHeader' }] });
		expect(readRosterCsv(file(), context())).toMatchObject({ ok: false, errors: [{ row: null, code: 'empty' }] });
	});

	it('refuses to drop a shift or a person who has checked in, and keeps check-ins of those who stay', () => {
		const existing: Shift[] = [
			{ id: 'kept', agency: 'station', postId: 'gate', periodId: null, startsAt: '2026-11-24T08:00:00+08:00', endsAt: '2026-11-24T16:00:00+08:00', notes: null, people: [{ id: 'a', userId: null, name: 'A', role: null }, { id: 'b', userId: null, name: 'B', role: null }], checkins: { a: { inAt: '2026-11-24T08:00:00+08:00', outAt: null, recordedBy: 'u' }, b: { inAt: '2026-11-24T08:01:00+08:00', outAt: null, recordedBy: 'u' } } },
			{ id: 'gone', agency: 'station', postId: 'gate', periodId: null, startsAt: '2026-11-24T08:00:00+08:00', endsAt: '2026-11-24T16:00:00+08:00', notes: null, people: [{ id: 'c', userId: null, name: 'C', role: null }], checkins: { c: { inAt: '2026-11-24T08:00:00+08:00', outAt: null, recordedBy: 'u' } } }
		];
		const dropping = readRosterCsv(file('kept,gate,,2026-11-24 08:00,2026-11-24 16:00,,a,,A,'), context({ existing }));
		expect(dropping.ok ? null : dropping.errors.map((e) => [e.row, e.column, e.code, e.value])).toEqual([
			[2, 'person_id', 'dropsCheckin', 'b'],
			[null, 'shift_id', 'dropsCheckin', 'gone']
		]);
		const keeping = readRosterCsv(
			file('kept,gate,,2026-11-24 08:00,2026-11-24 16:00,,a,,A,', 'kept,gate,,2026-11-24 08:00,2026-11-24 16:00,,b,,B,', 'gone,gate,,2026-11-24 08:00,2026-11-24 16:00,,c,,C,'),
			context({ existing })
		);
		expect(keeping.ok && keeping.shifts[0].checkins).toEqual(existing[0].checkins);
	});
});

describe('roster export', () => {
	it('exports a canonical file byte for byte as it was imported', () => {
		const text = file(
			'n1,gate,night,2026-11-24 22:00,2026-11-25 06:00,"夜间加强, 注意醉酒",p1,wang,王建国,带班',
			'n1,gate,night,2026-11-24 22:00,2026-11-25 06:00,"夜间加强, 注意醉酒",p2,,张伟,辅警',
			'x2,east,,2026-11-25 08:00,2026-11-25 16:00,,,,,'
		);
		const r = readRosterCsv(text, context());
		expect(r.ok).toBe(true);
		if (!r.ok) return;
		const shifts: Shift[] = r.shifts.map((d) => ({ ...d, agency: 'station', checkins: {} }));
		expect(rosterToCsv(shifts, { timeZone: TZ, usernames: new Map([['u-wang', 'wang']]) })).toBe(text);
	});
});
