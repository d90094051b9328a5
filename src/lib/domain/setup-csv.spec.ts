import { describe, it, expect } from 'vitest';
import { parseKindWord, periodsToCsv, postsToCsv, readPeriodsCsv, readPostsCsv, type PostsCsvContext } from './setup-csv.ts';
import { nameIndex, readRosterCsv, ROSTER_COLUMNS, type RosterCsvContext } from './roster-csv.ts';
import type { Period, Post } from './roster.ts';

const TZ = 'Asia/Shanghai';
const post = (id: string, name: string, over: Partial<Post> = {}): Post => ({ id, name, kind: 'post', agency: 'station', location: null, minStaff: 2, notes: null, archived: false, ...over });
const agencies = [
	{ code: 'station', nameZh: '派出所', nameEn: 'Police station' },
	{ code: 'traffic', nameZh: '交警', nameEn: 'Traffic police' }
];
const postsCtx = (posts: Post[] = [post('gate', '南门岗')]): PostsCsvContext => ({ posts, agencies });

describe('posts as CSV', () => {
	it('adds new names, updates an existing one and leaves an unchanged one, with kinds and agencies in words', () => {
		const text = '\uFEFF名称,类型,警种,最少人数,位置\r\n南门岗,固定岗,station,2,\r\n北广场卡点,卡点,交警,3,北广场入口\r\n东线巡逻,patrol,,1,"东湖, 沿湖步道"\r\n';
		const r = readPostsCsv(text, postsCtx());
		expect(r.ok).toBe(true);
		if (!r.ok) return;
		expect(r.drafts.map((d) => [d.row, d.id, d.change, d.fields])).toEqual([
			[2, 'gate', 'same', { name: '南门岗', kind: 'post', agency: 'station', minStaff: 2, location: null }],
			[3, null, 'add', { name: '北广场卡点', kind: 'checkpoint', agency: 'traffic', minStaff: 3, location: '北广场入口' }],
			[4, null, 'add', { name: '东线巡逻', kind: 'patrol', agency: null, minStaff: 1, location: '东湖, 沿湖步道' }]
		]);
		expect(r.counts).toEqual({ add: 2, change: 0, same: 1 });
	});

	it('names every bad row by row and column and returns no writes', () => {
		const text = ['name,kind,agency,min_staff,location', ',post,,1,', '甲,岗亭,,1,', '乙,post,fire,1,', '丙,post,,many,', '丙,post,,1,', `${'长'.repeat(81)},post,,1,`, '丁,post,,1'].join('\n');
		const r = readPostsCsv(text, postsCtx());
		expect(r.ok ? [] : r.errors.map((e) => [e.row, e.column, e.code])).toEqual([
			[2, 'name', 'required'],
			[3, 'kind', 'unknownKind'],
			[4, 'agency', 'unknownAgency'],
			[5, 'min_staff', 'badNumber'],
			[6, 'name', 'duplicate'],
			[7, 'name', 'tooLong'],
			[8, null, 'fieldCount']
		]);
	});

	it('refuses a name two posts in use share, but not one an archived post shares', () => {
		const twice = readPostsCsv('name,min_staff\n南门岗,3\n', postsCtx([post('a', '南门岗'), post('b', '南门岗')]));
		expect(twice.ok ? null : twice.errors).toEqual([{ row: 2, column: 'name', code: 'ambiguous', value: '南门岗' }]);
		const archived = readPostsCsv('name,min_staff\n南门岗,3\n', postsCtx([post('a', '南门岗'), post('b', '南门岗', { archived: true })]));
		expect(archived.ok && archived.drafts.map((d) => [d.id, d.change, d.fields])).toEqual([['a', 'change', { name: '南门岗', minStaff: 3 }]]);
	});

	it('refuses a header it does not know, a header alone and a file over the document\'s limit', () => {
		expect(readPostsCsv('name,colour\nx,red\n', postsCtx())).toMatchObject({ ok: false, errors: [{ row: 1, code: 'badHeader', value: 'colour' }] });
		expect(readPostsCsv('name,kind\n', postsCtx())).toMatchObject({ ok: false, errors: [{ code: 'empty' }] });
		const many = ['name', ...Array.from({ length: 2_001 }, (_, i) => `p${i}`)].join('\n');
		expect(readPostsCsv(many, postsCtx())).toMatchObject({ ok: false, errors: [{ code: 'tooMany', value: '2001' }] });
	});

	it('exports the posts in use in the format it imports, so a round trip changes nothing', () => {
		const posts = [post('a', '南门岗', { location: '=HYPERLINK("x")' }), post('b', '卡点一', { kind: 'checkpoint', agency: null, minStaff: 0 }), post('c', '旧岗', { archived: true })];
		const csv = postsToCsv(posts);
		expect(csv).toBe('\uFEFFname,kind,agency,min_staff,location\r\n南门岗,post,station,2,"\'=HYPERLINK(""x"")"\r\n卡点一,checkpoint,,0,\r\n');
		const again = readPostsCsv(csv, postsCtx(posts));
		expect(again.ok && again.counts).toEqual({ add: 0, change: 0, same: 2 });
	});

	it('knows the kinds by code and by their Chinese words', () => {
		expect(['固定岗', '卡点', '巡逻线', '流动岗', 'MOBILE', '哨所'].map(parseKindWord)).toEqual(['post', 'checkpoint', 'patrol', 'mobile', 'mobile', null]);
	});
});

describe('operational periods as CSV', () => {
	const periods: Period[] = [{ id: 'day', name: '白班', startsAt: '2026-02-12T08:00:00+08:00', endsAt: '2026-02-12T20:00:00+08:00' }];

	it('reads times in the event zone, an end crossing midnight given as a clock time, and matches names', () => {
		const r = readPeriodsCsv('name,starts_at,ends_at\n白班,2026-02-12 08:00,2026-02-12 20:00\n夜班,2026-02-12 20:00,08:00\n', { timeZone: TZ, periods });
		expect(r.ok && r.drafts.map((d) => [d.id, d.change, d.fields])).toEqual([
			['day', 'same', { name: '白班', startsAt: '2026-02-12T08:00:00+08:00', endsAt: '2026-02-12T20:00:00+08:00' }],
			[null, 'add', { name: '夜班', startsAt: '2026-02-12T20:00:00+08:00', endsAt: '2026-02-13T08:00:00+08:00' }]
		]);
	});

	it('names bad times and a missing time column', () => {
		const r = readPeriodsCsv('名称,开始时间,结束时间\n早班,明天,2026-02-12 08:00\n晚班,2026-02-12 20:00,2026-02-12 19:00\n', { timeZone: TZ, periods });
		expect(r.ok ? [] : r.errors.map((e) => [e.row, e.column, e.code])).toEqual([
			[2, 'starts_at', 'invalidTime'],
			[3, 'ends_at', 'endBeforeStart']
		]);
		expect(readPeriodsCsv('name,starts_at\nx,2026-02-12 08:00\n', { timeZone: TZ, periods })).toMatchObject({ ok: false, errors: [{ code: 'badHeader', column: 'ends_at' }] });
	});

	it('exports in the format it imports', () => {
		const csv = periodsToCsv(periods, TZ);
		expect(csv).toBe('\uFEFFname,starts_at,ends_at\r\n白班,2026-02-12 08:00,2026-02-12 20:00\r\n');
		expect(readPeriodsCsv(csv, { timeZone: TZ, periods })).toMatchObject({ ok: true, counts: { add: 0, change: 0, same: 1 } });
	});
});

describe('a roster file naming posts and periods', () => {
	const posts = [post('gate', '南门岗'), post('cp1', '卡点一'), post('cp2', '卡点一'), post('old', '旧岗', { archived: true })];
	const ctx = (): RosterCsvContext => {
		let n = 0;
		return {
			timeZone: TZ,
			posts: new Set(posts.map((p) => p.id)),
			periods: new Set(['night']),
			postNames: nameIndex(posts),
			periodNames: nameIndex([{ id: 'night', name: '夜班' }]),
			users: new Map(),
			existing: [],
			newId: () => `n${++n}`
		};
	};
	const file = (...rows: string[]) => [ROSTER_COLUMNS.join(','), ...rows].join('\n');

	it('takes a post and a period by name as well as by id', () => {
		const r = readRosterCsv(file(',南门岗,夜班,2026-02-12 20:00,08:00,,,,张伟,辅警', ',gate,,2026-02-13 08:00,16:00,,,,李强,辅警'), ctx());
		expect(r.ok && r.shifts.map((s) => [s.postId, s.periodId])).toEqual([
			['gate', 'night'],
			['gate', null]
		]);
	});

	it('names an unknown post name and one two posts share', () => {
		const r = readRosterCsv(file(',北门岗,,2026-02-12 20:00,08:00,,,,张伟,', ',卡点一,,2026-02-12 20:00,08:00,,,,李强,'), ctx());
		expect(r.ok ? [] : r.errors.map((e) => [e.row, e.column, e.code, e.value])).toEqual([
			[2, 'post_id', 'unknownPost', '北门岗'],
			[3, 'post_id', 'ambiguousPost', '卡点一']
		]);
	});
});
