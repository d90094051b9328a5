import { describe, it, expect } from 'vitest';
import { checkSections, issuedDocument, scrubParties, sitrepFigures, SITREP_SECTIONS, type SitrepTexts } from './sitrep.ts';
import type { RecordCard, RecordInputs } from './after-action.ts';
import { EMPTY_FINDINGS } from './findings.ts';

const card = (over: Partial<RecordCard>): RecordCard => ({
	id: 'c',
	agency: 'station',
	title: '任务',
	status: 'todo',
	priority: 'routine',
	teamId: null,
	assignees: [],
	createdAt: '2026-02-10T01:00:00.000Z',
	dueAt: null,
	doneAt: null,
	requestedBy: null,
	archived: false,
	...over
});

const inputs = (over: Partial<RecordInputs> = {}): RecordInputs => ({
	event: { id: 'e', name: '灯会', venue: '', startsAt: '2026-02-10T00:00:00.000Z', endsAt: '2026-02-11T00:00:00.000Z', timezone: 'Asia/Shanghai', closedAt: null, checkinGraceMinutes: 10 },
	agencies: [
		{ code: 'station', nameZh: '派出所', nameEn: 'Police station' },
		{ code: 'traffic', nameZh: '交警', nameEn: 'Traffic police' }
	],
	participants: [],
	cards: [],
	posts: [],
	periods: [{ id: 'day', name: '白班', startsAt: '2026-02-10T00:00:00.000Z', endsAt: '2026-02-10T12:00:00.000Z' }],
	shifts: [],
	disputes: [],
	instructions: [],
	activity: [],
	findings: EMPTY_FINDINGS,
	people: {},
	asOf: '2026-02-10T06:00:00.000Z',
	reports: [],
	attachments: [],
	status: 'draft',
	finalizedAt: null,
	finalizedBy: null,
	...over
});

describe('scrubParties', () => {
	it('masks a party’s name, phone and ID number wherever a summary holds them, the longer name first', () => {
		const parties = [
			{ disputeId: 'd', name: '张三明', phone: '13800000123', idNumber: '110101199001011234' },
			{ disputeId: 'd', name: '张三', phone: '', idNumber: '' }
		];
		const text = scrubParties('张三明（13800000123，110101199001011234）与张三因噪音争吵', parties);
		expect(text).toBe('张*明（138****0123，110****4）与张*因噪音争吵');
	});

	it('masks a phone written without the spaces the party’s record has', () => {
		expect(scrubParties('联系电话13800000123', [{ disputeId: 'd', name: '', phone: '138 0000 0123', idNumber: '' }])).toBe('联系电话138****0123');
	});

	it('leaves a one-character name alone: it cannot be told from the words around it', () => {
		expect(scrubParties('李家门口停车', [{ disputeId: 'd', name: '李', phone: '', idNumber: '' }])).toBe('李家门口停车');
	});
});

describe('sitrepFigures', () => {
	it('counts cards opened and closed within the span per agency, and overdue and critical ones as of the moment', () => {
		const f = sitrepFigures({
			record: inputs({
				cards: [
					card({ id: 'a', createdAt: '2026-02-10T02:00:00.000Z', status: 'done', doneAt: '2026-02-10T03:00:00.000Z' }),
					card({ id: 'b', createdAt: '2026-02-09T23:00:00.000Z', dueAt: '2026-02-10T05:00:00.000Z', priority: 'critical' }),
					card({ id: 'c', agency: 'traffic', createdAt: '2026-02-10T05:30:00.000Z', dueAt: '2026-02-10T07:00:00.000Z' }),
					card({ id: 'z', archived: true, createdAt: '2026-02-10T02:00:00.000Z' })
				]
			}),
			reports: [],
			parties: [],
			period: { id: 'day', name: '白班', startsAt: '2026-02-10T00:00:00.000Z', endsAt: '2026-02-10T12:00:00.000Z' },
			since: '2026-02-10T00:00:00.000Z'
		});
		expect(f.cards.perAgency.station).toMatchObject({ opened: 1, closed: 1, overdue: 1, total: 2 });
		expect(f.cards.perAgency.traffic).toMatchObject({ opened: 1, closed: 0, overdue: 0 });
		expect(f.cards.overdue).toBe(1);
		expect(f.cards.critical).toEqual({ count: 1, items: [{ agency: 'station', title: '任务', status: 'todo', dueAt: '2026-02-10T05:00:00.000Z' }] });
		// The next period is none: "next" looks twelve hours past the period's end.
		expect(f.next).toMatchObject({ period: null, from: '2026-02-10T12:00:00.000Z', to: '2026-02-11T00:00:00.000Z' });
	});
});

describe('checkSections', () => {
	const texts = Object.fromEntries(SITREP_SECTIONS.map((s) => [s, `${s}\r\n文字`])) as SitrepTexts;
	it('keeps the texts with one kind of line end', () => {
		const checked = checkSections(texts);
		expect(checked.ok && checked.texts.overview).toBe('overview\n文字');
	});
	it('names the section that is missing or too long', () => {
		expect(checkSections({ ...texts, title: ' ' })).toEqual({ ok: false, section: 'title', problem: 'required' });
		expect(checkSections({ ...texts, next: 'x'.repeat(4001) })).toEqual({ ok: false, section: 'next', problem: 'tooLong' });
	});
});

describe('issuedDocument', () => {
	it('keeps a section’s generated English for the ICS 209 rendering unless the commander edited it', () => {
		const zh = Object.fromEntries(SITREP_SECTIONS.map((s) => [s, `中文${s}`])) as SitrepTexts;
		const en = Object.fromEntries(SITREP_SECTIONS.map((s) => [s, `English ${s}`])) as SitrepTexts;
		const f = sitrepFigures({ record: inputs(), reports: [], parties: [], period: null, since: '2026-02-10T00:00:00.000Z' });
		const doc = issuedDocument(
			{ id: 'r', locale: 'zh-CN', dueAt: null, figures: f, generated: { 'zh-CN': zh, en } },
			{ id: 'e', name: '灯会', venue: '', timezone: 'Asia/Shanghai' },
			[],
			{ ...zh, problems: '指挥长改写的问题' },
			{ at: '2026-02-10T06:01:00.000Z', by: '王指挥' }
		);
		expect(doc.english.overview).toBe('English overview');
		expect(doc.english.problems).toBeNull();
		expect(doc.sections.problems).toBe('指挥长改写的问题');
	});
});
