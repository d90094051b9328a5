import { describe, it, expect } from 'vitest';
import { buildRecord, type RecordActivity, type RecordInputs } from './after-action.ts';
import { reportFigures } from './field-reports.ts';
import { recordListsAttachment, type RecordReport } from './record-reports.ts';

const report = (over: Partial<RecordReport>): RecordReport => ({
	id: 'r',
	kind: 'fight',
	state: 'new',
	text: '',
	level: null,
	headCount: null,
	reporterName: '王建国',
	reporterAgency: 'station',
	reportedAt: '2026-11-24T10:00:00.000Z',
	receivedAt: '2026-11-24T10:00:00.000Z',
	triagedAt: null,
	triagedBy: null,
	cardTitle: null,
	cardAgency: null,
	cardId: null,
	duplicateOf: null,
	reason: null,
	pin: null,
	photos: [],
	...over
});

const row = (at: string, entityId: string): RecordActivity => ({ at, agency: 'station', who: '刘卫东', entityType: 'card', entityId, action: 'changed', field: 'status', from: 'todo', to: 'doing' });

function inputs(over: Partial<RecordInputs>): RecordInputs {
	return {
		event: { id: 'e', name: '庙会', venue: '', startsAt: '2026-11-24T08:00:00.000Z', endsAt: '2026-11-24T20:00:00.000Z', timezone: 'Asia/Shanghai', closedAt: null, checkinGraceMinutes: 10 },
		agencies: [{ code: 'station', nameZh: '派出所', nameEn: 'Police station' }],
		participants: [],
		cards: [],
		posts: [],
		periods: [],
		shifts: [],
		disputes: [],
		instructions: [],
		activity: [],
		findings: { strengths: [], improvements: [], plan: [] },
		people: {},
		asOf: '2026-11-24T12:00:00.000Z',
		reports: [],
		attachments: [],
		status: 'draft',
		finalizedAt: null,
		finalizedBy: null,
		...over
	};
}

const reports = [
	report({ id: 'a', kind: 'fight', state: 'card', receivedAt: '2026-11-24T10:00:00.000Z', triagedAt: '2026-11-24T10:04:00.000Z', triagedBy: '周国栋', cardAgency: 'station', cardTitle: '南门打架处置' }),
	report({ id: 'b', kind: 'medical', state: 'closed', receivedAt: '2026-11-24T10:30:00.000Z', triagedAt: '2026-11-24T10:31:30.000Z', triagedBy: '周国栋', reason: '医疗组已到场' }),
	report({ id: 'c', kind: 'fight', state: 'new', receivedAt: '2026-11-24T11:40:00.000Z' }),
	// Arrived after the record's moment: not in its figures.
	report({ id: 'd', kind: 'fire', state: 'new', receivedAt: '2026-11-24T12:30:00.000Z' })
];

describe('the reports in the record', () => {
	it('takes its report figures from reportFigures as of the record’s moment', () => {
		const record = buildRecord(inputs({ reports }));
		const asOf = new Date('2026-11-24T12:00:00.000Z');
		const expected = reportFigures(
			reports.map((r) => ({ kind: r.kind, state: r.state, reportedAt: new Date(r.reportedAt), receivedAt: new Date(r.receivedAt), triagedAt: r.triagedAt ? new Date(r.triagedAt) : null })),
			asOf
		);
		expect(record.figures.reports).toEqual(expected);
		expect(record.figures.reports).toMatchObject({ total: 3, waiting: 1, waitingOverdue: 1, medianTriageMinutes: 1.5, slowestTriageMinutes: 4 });
		expect(record.figures.reports.byKind).toMatchObject({ fight: 2, medical: 1, fire: 0 });
	});

	it('puts each report’s arrival and triage into the timeline among the log’s rows, by time', () => {
		const activity = [row('2026-11-24T10:02:00.000Z', 'x'), row('2026-11-24T10:30:00.000Z', 'y'), row('2026-11-24T11:00:00.000Z', 'z')];
		const timeline = buildRecord(inputs({ reports: reports.slice(0, 2), activity })).timeline;
		expect(timeline.map((a) => `${a.entityId}:${a.action}`)).toEqual(['a:received', 'x:changed', 'a:triaged', 'y:changed', 'b:received', 'b:triaged', 'z:changed']);
		expect(timeline.find((a) => a.entityId === 'a' && a.action === 'triaged')).toMatchObject({ who: '周国栋', agency: 'station', from: 'new', to: 'card' });
		expect(timeline.find((a) => a.entityId === 'b' && a.action === 'received')).toMatchObject({ who: '王建国', to: 'medical' });
	});

	it('leaves the timeline the log itself when there are no reports', () => {
		const activity = [row('2026-11-24T10:02:00.000Z', 'x')];
		expect(buildRecord(inputs({ activity })).timeline).toBe(activity);
	});
});

describe('the files the record lists', () => {
	const link = { targetId: 't', agency: 'station', onWall: false, reporterId: 'u1' };

	it('lists a report’s and a card’s photos, which every reader of the record may see', () => {
		expect(recordListsAttachment({ ...link, target: 'report', people: false })).toBe(true);
		expect(recordListsAttachment({ ...link, target: 'card', people: false })).toBe(true);
	});

	it('leaves out a photo showing people and a dispute entry’s file, which an uncleared reviewer may not see', () => {
		expect(recordListsAttachment({ ...link, target: 'report', people: true })).toBe(false);
		expect(recordListsAttachment({ ...link, target: 'card', people: true })).toBe(false);
		expect(recordListsAttachment({ ...link, target: 'dispute', people: false })).toBe(false);
	});
});
