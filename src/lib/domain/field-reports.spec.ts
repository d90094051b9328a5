import { describe, it, expect } from 'vitest';
import { checkReportInput, checkTriageInput, mayViewAttachment, reportFigures, triageOverdue, zoneOfPin } from './field-reports.ts';
import type { Principal } from './permissions.ts';

const now = new Date('2026-02-12T12:00:00Z');
const user = (role: string, agencyCode: string | null, cleared = false, userId = 'u1'): Principal => ({
	kind: 'user',
	userId,
	isAdmin: false,
	clearedPersonalData: cleared,
	membership: { role: role as 'member', agencyCode }
});

describe('checkReportInput', () => {
	it('takes a crowding report with a level, a head count and a pin given as text', () => {
		const r = checkReportInput({ id: 'r1', kind: 'crowding', body: ' 北广场 ', level: '3', headCount: 800, pin: '10.04,20' }, now);
		expect(r).toEqual({ ok: true, input: { id: 'r1', kind: 'crowding', body: '北广场', level: 3, headCount: 800, pin: [10, 20], position: null, reportedAt: now } });
	});
	it('refuses a level or head count on anything but crowding, and a level outside 1–4', () => {
		expect(checkReportInput({ id: 'r1', kind: 'fire', level: 2 }, now)).toEqual({ ok: false, problem: 'level' });
		expect(checkReportInput({ id: 'r1', kind: 'crowding', level: 5 }, now)).toEqual({ ok: false, problem: 'level' });
		expect(checkReportInput({ id: 'r1', kind: 'crowding', headCount: 1.5 }, now)).toEqual({ ok: false, problem: 'headCount' });
	});
	it('requires words for "other", and refuses text over 500 characters, bad pins, positions and times', () => {
		expect(checkReportInput({ id: 'r1', kind: 'other' }, now)).toEqual({ ok: false, problem: 'body' });
		expect(checkReportInput({ id: 'r1', kind: 'fire', body: '火'.repeat(501) }, now)).toEqual({ ok: false, problem: 'body' });
		expect(checkReportInput({ id: 'r1', kind: 'fire', pin: [1, Infinity] }, now)).toEqual({ ok: false, problem: 'pin' });
		expect(checkReportInput({ id: 'r1', kind: 'fire', position: { lng: 200, lat: 0 } }, now)).toEqual({ ok: false, problem: 'position' });
		expect(checkReportInput({ id: 'r1', kind: 'fire', reportedAt: '2026-02-12T13:00:00Z' }, now)).toEqual({ ok: false, problem: 'reportedAt' });
		expect(checkReportInput({ id: 'r 1', kind: 'fire' }, now)).toEqual({ ok: false, problem: 'id' });
	});
	it('keeps an offline tap time, and never one after the arrival', () => {
		const earlier = checkReportInput({ id: 'r1', kind: 'fire', reportedAt: '2026-02-12T11:30:00Z' }, now);
		expect(earlier.ok && earlier.input.reportedAt.toISOString()).toBe('2026-02-12T11:30:00.000Z');
		const ahead = checkReportInput({ id: 'r1', kind: 'fire', reportedAt: '2026-02-12T12:02:00Z' }, now);
		expect(ahead.ok && ahead.input.reportedAt).toEqual(now);
	});
});

describe('checkTriageInput', () => {
	it('names the missing part of each decision', () => {
		expect(checkTriageInput({ action: 'card', agency: 'station', title: '' })).toEqual({ ok: false, problem: 'title' });
		expect(checkTriageInput({ action: 'close', reason: ' ' })).toEqual({ ok: false, problem: 'reason' });
		expect(checkTriageInput({ action: 'burn' })).toEqual({ ok: false, problem: 'action' });
		expect(checkTriageInput({ action: 'card', agency: 'station', title: '背包' })).toEqual({ ok: true, input: { action: 'card', agency: 'station', title: '背包', priority: 'urgent' } });
	});
});

describe('mayViewAttachment', () => {
	const photo = { targetId: 'x', agency: 'station', people: false, onWall: false };
	it('follows a dispute’s agency, the commander and cleared reviewers', () => {
		const link = { ...photo, target: 'dispute' as const };
		expect(mayViewAttachment(user('lead', 'traffic'), link)).toBe(false);
		expect(mayViewAttachment(user('member', 'station'), link)).toBe(true);
		expect(mayViewAttachment(user('commander', null), link)).toBe(true);
		expect(mayViewAttachment(user('reviewer', null), link)).toBe(false);
		expect(mayViewAttachment(user('reviewer', null, true), link)).toBe(true);
	});
	it('keeps a photo of people from the uncleared and from walls, even when marked for the wall', () => {
		const link = { ...photo, target: 'card' as const, people: true, onWall: true };
		expect(mayViewAttachment(user('member', 'traffic'), link)).toBe(false);
		expect(mayViewAttachment(user('member', 'traffic', true), link)).toBe(true);
		expect(mayViewAttachment({ kind: 'display', eventId: 'e' }, link)).toBe(false);
		expect(mayViewAttachment({ kind: 'display', eventId: 'e' }, { ...link, people: false })).toBe(true);
	});
	it('shows a report’s photo to its reporter and the desk, not to another member', () => {
		const link = { ...photo, target: 'report' as const, reporterId: 'u1' };
		expect(mayViewAttachment(user('member', 'station', false, 'u1'), link)).toBe(true);
		expect(mayViewAttachment(user('member', 'station', false, 'u2'), link)).toBe(false);
		expect(mayViewAttachment(user('lead', 'traffic', false, 'u3'), link)).toBe(true);
	});
});

describe('reportFigures', () => {
	const at = (m: number) => new Date(now.getTime() + m * 60_000);
	const reports = [
		{ kind: 'fire' as const, state: 'card' as const, reportedAt: at(0), receivedAt: at(1), triagedAt: at(3) },
		{ kind: 'fire' as const, state: 'closed' as const, reportedAt: at(0), receivedAt: at(0), triagedAt: at(10) },
		{ kind: 'medical' as const, state: 'new' as const, reportedAt: at(2), receivedAt: at(2), triagedAt: null }
	];
	it('counts triage from arrival, and a report triaged after the moment as still waiting then', () => {
		const f = reportFigures(reports, at(8));
		expect(f).toMatchObject({ total: 3, waiting: 2, waitingOverdue: 2, medianTriageMinutes: 2, slowestTriageMinutes: 2 });
		expect(f.byState).toMatchObject({ new: 2, card: 1, closed: 0 });
		expect(reportFigures(reports, at(20))).toMatchObject({ waiting: 1, medianTriageMinutes: 2, p90TriageMinutes: 10 });
		expect(triageOverdue(reports[2], at(6))).toBe(false);
		expect(triageOverdue(reports[2], at(8))).toBe(true);
	});
	it('places a pin in the zone that contains it', () => {
		const zones = [{ id: 'a', points: [[0, 0], [10, 0], [10, 10], [0, 10]] as Array<[number, number]> }];
		expect(zoneOfPin([5, 5], zones)?.id).toBe('a');
		expect(zoneOfPin([15, 5], zones)).toBeNull();
	});
});
