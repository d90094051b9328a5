import { describe, expect, it } from 'vitest';
import {
	buildTemplate,
	checkTemplate,
	instantAfter,
	parseTemplateText,
	pickParts,
	retimeTemplate,
	wallMinutesBetween,
	type EventSetup
} from './event-template.ts';

const TZ = 'Asia/Shanghai';
const start = new Date('2026-02-12T10:00:00+08:00');
const end = new Date('2026-02-15T22:00:00+08:00');

function setup(): EventSetup {
	return {
		event: { name: '2026灯会', venue: '古城', startsAt: start, endsAt: end, timezone: TZ, checkinGraceMinutes: 15, locale: 'zh-CN' },
		members: [
			{ username: 'commander', role: 'commander', agencyCode: null },
			{ username: 'lead.station', role: 'lead', agencyCode: 'station' }
		],
		usernames: new Map([['u-wang', 'member.station']]),
		teamNames: new Map([['t1', '南门中队']]),
		posts: [
			{ id: 'p1', name: '南门', kind: 'post', agency: 'station', location: null, minStaff: 3, notes: null, archived: false, geo: [10, 20] },
			{ id: 'p-old', name: '旧岗', kind: 'post', agency: 'station', location: null, minStaff: 1, notes: null, archived: true, geo: null }
		],
		zones: [{ id: 'z1', name: '主灯区', kind: 'crowd', area: [0, 0, 10, 0, 10, 10], notes: null }],
		plan: { planId: 'abc', width: 100, height: 80, controls: null },
		periods: [{ id: 'day1', name: '白班', startsAt: '2026-02-12T10:00:00+08:00', endsAt: '2026-02-12T18:00:00+08:00' }],
		shifts: [
			{
				agency: 'station',
				postId: 'p1',
				periodId: 'day1',
				startsAt: '2026-02-12T10:00:00+08:00',
				endsAt: '2026-02-12T18:00:00+08:00',
				notes: '注意单向通行',
				people: [
					{ userId: 'u-wang', role: '队员' },
					{ userId: null, role: '辅警' }
				]
			},
			{ agency: 'station', postId: 'p1', periodId: null, startsAt: '2026-02-15T18:00:00+08:00', endsAt: '2026-02-16T02:00:00+08:00', notes: null, people: [] }
		],
		cards: [
			{
				agency: 'station',
				docAgency: 'station',
				title: '南门安检',
				notes: '带金属探测门',
				priority: 'urgent',
				teamId: 't1',
				location: '南门',
				dueAt: '2026-02-12T09:00:00+08:00',
				archived: false,
				checklist: [{ text: '安检门到位' }, { text: '' }]
			},
			{ agency: null, docAgency: 'cid', title: '旧卡', notes: '', priority: 'routine', teamId: null, location: null, dueAt: null, archived: true, checklist: [] }
		]
	};
}

describe('event templates', () => {
	it('builds a template with offsets, usernames and nothing personal', () => {
		const t = buildTemplate(setup(), '灯会');
		expect(t.durationMinutes).toBe(3 * 24 * 60 + 12 * 60);
		expect(t.posts.map((p) => p.name)).toEqual(['南门']);
		expect(t.shifts[0]).toMatchObject({ start: 0, end: 480, period: 'day1', people: [{ username: 'member.station', role: '队员' }] });
		expect(JSON.stringify(t)).not.toContain('辅警');
		expect(t.cards).toEqual([
			{ agency: 'station', title: '南门安检', notes: '带金属探测门', priority: 'urgent', team: '南门中队', location: '南门', due: -60, checklist: ['安检门到位'] }
		]);
		expect(checkTemplate(JSON.parse(JSON.stringify(t)))).toMatchObject({ ok: true });
	});

	it('keeps the wall clock across a daylight-saving change', () => {
		const ny = 'America/New_York';
		const s = new Date('2026-03-07T12:00:00-05:00');
		expect(instantAfter(s, 24 * 60, ny).toISOString()).toBe('2026-03-08T16:00:00.000Z');
		expect(wallMinutesBetween(s, new Date('2026-03-08T16:00:00Z'), ny)).toBe(24 * 60);
	});

	it('re-times to new dates and drops or cuts what falls past a shorter end', () => {
		const t = buildTemplate(setup(), '灯会');
		const newStart = new Date('2027-02-01T10:00:00+08:00');
		const same = retimeTemplate(t, newStart, new Date('2027-02-04T22:00:00+08:00'), TZ);
		expect(same.shifts.map((s) => [s.startsAt.toISOString(), s.endsAt.toISOString()])).toEqual([
			['2027-02-01T02:00:00.000Z', '2027-02-01T10:00:00.000Z'],
			// It ran past the old end too (to 02:00): cut at the end, as it would be in the old event.
			['2027-02-04T10:00:00.000Z', '2027-02-04T14:00:00.000Z']
		]);
		expect(same.dropped).toEqual({ shifts: 0, periods: 0 });
		expect(same.clipped.shifts).toBe(1);
		// The last night's shift ran to 02:00 after the end; a two-day event leaves it out.
		const short = retimeTemplate(t, newStart, new Date('2027-02-02T22:00:00+08:00'), TZ);
		expect(short.shifts).toHaveLength(1);
		expect(short.dropped.shifts).toBe(1);
		// An event ending at 14:00 on the first day cuts the day shift at 14:00.
		const cut = retimeTemplate(t, newStart, new Date('2027-02-01T14:00:00+08:00'), TZ);
		expect(cut.shifts[0].endsAt.toISOString()).toBe('2027-02-01T06:00:00.000Z');
		expect(cut.clipped).toMatchObject({ shifts: 1, periods: 1 });
	});

	it('names a period by its new date when it was named by its old one', () => {
		const t = buildTemplate(setup(), '灯会');
		t.periods[0].name = '2月12日白班';
		const r = retimeTemplate(t, new Date('2027-02-01T10:00:00+08:00'), new Date('2027-02-04T22:00:00+08:00'), TZ);
		expect(r.periods[0].name).toBe('2月1日白班');
	});

	it('names every problem of an invalid template by its path', () => {
		const t = JSON.parse(JSON.stringify(buildTemplate(setup(), '灯会')));
		t.members[0].role = 'boss';
		t.shifts[0].post = 'nowhere';
		t.shifts[0].end = -10;
		t.cards[0].checklist = [42];
		t.zones[0].area = [0, 0, 1];
		t.posts.push({ ...t.posts[0] });
		const r = checkTemplate(t);
		expect(r.ok).toBe(false);
		if (r.ok) return;
		expect(r.errors).toEqual(
			expect.arrayContaining([
				{ path: 'members[0].role', problem: 'invalidChoice' },
				{ path: 'shifts[0].post', problem: 'unknownPost' },
				{ path: 'shifts[0].end', problem: 'endBeforeStart' },
				{ path: 'cards[0].checklist[0]', problem: 'wrongType' },
				{ path: 'zones[0].area', problem: 'badGeometry' },
				{ path: 'posts[1].key', problem: 'duplicate' }
			])
		);
	});

	it('refuses what is not a template, not JSON, too new or too large', () => {
		expect(parseTemplateText('{')).toEqual({ ok: false, errors: [{ path: '', problem: 'notJson' }] });
		expect(parseTemplateText('[]')).toMatchObject({ ok: false, errors: [{ problem: 'notTemplate' }] });
		expect(parseTemplateText('x'.repeat(2_000_001))).toMatchObject({ ok: false, errors: [{ problem: 'tooLarge' }] });
		expect(checkTemplate({ kind: 'liandong.event-template', format: 99 })).toMatchObject({ ok: false, errors: [{ problem: 'newerFormat' }] });
		expect(checkTemplate({ kind: 'liandong.event-template', format: 1, name: { __proto__: 1 } })).toMatchObject({ ok: false });
	});

	it('leaves out the parts not chosen, and shifts without posts', () => {
		const t = buildTemplate(setup(), '灯会');
		const picked = pickParts(t, new Set(['shifts', 'cards']));
		expect(picked.shifts).toEqual([]);
		expect(picked.members).toEqual([]);
		expect(picked.cards).toHaveLength(1);
	});
});
