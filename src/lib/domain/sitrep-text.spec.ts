import { describe, it, expect } from 'vitest';
import { sitrepTexts } from './sitrep-text.ts';
import { sitrepFigures } from './sitrep.ts';
import type { RecordInputs } from './after-action.ts';
import { EMPTY_FINDINGS } from './findings.ts';

const record: RecordInputs = {
	event: { id: 'e', name: 'Fair', venue: '', startsAt: '2026-02-10T00:00:00.000Z', endsAt: '2026-02-11T00:00:00.000Z', timezone: 'UTC', closedAt: null, checkinGraceMinutes: 10 },
	agencies: [{ code: 'station', nameZh: '派出所', nameEn: 'Police station' }],
	participants: [],
	cards: [
		{ id: 'card-1', agency: 'station', title: 'Gate control', status: 'doing', priority: 'critical', teamId: null, assignees: [], createdAt: '2026-02-10T01:00:00.000Z', dueAt: '2026-02-10T02:00:00.000Z', doneAt: null, requestedBy: null, archived: false }
	],
	posts: [],
	periods: [],
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
	finalizedBy: null
};

/** A catalog of a few English words; other keys answer as the key with its inputs, to see what went in. */
const WORDS: Record<string, string> = { card_status_doing: 'In progress', sitrep_text_card_item: '{title} ({agency}, {status}{due})', sitrep_text_due: ', due {time}', sitrep_text_critical: 'Critical tasks: {list}.', sitrep_text_list_sep: ', ' };
const tr = (key: string, inputs: Record<string, unknown> = {}) =>
	WORDS[key] ? WORDS[key].replace(/\{(\w+)\}/g, (_, k) => String(inputs[k])) : `${key}${Object.keys(inputs).length ? JSON.stringify(inputs) : ''}`;

describe('sitrepTexts', () => {
	const f = sitrepFigures({ record, reports: [], parties: [], period: null, since: record.event.startsAt });
	const texts = sitrepTexts(f, { event: { name: 'Fair' }, agencies: record.agencies, taking: ['station'], locale: 'en', dueAt: null, tr, time: (iso) => iso.slice(0, 16).replace('T', ' ') });

	it('names cards and agencies by name, a status in lower case inside an English sentence, never an id', () => {
		expect(texts.incidents.split('\n')[0]).toBe('Critical tasks: Gate control (Police station, in progress, due 2026-02-10 02:00).');
		expect(Object.values(texts).join('\n')).not.toContain('card-1');
	});

	it('titles a report on demand by its moment, and one the schedule prepared by its due time', () => {
		expect(texts.title).toBe('sitrep_text_title_moment{"event":"Fair","time":"2026-02-10 06:00"}');
		const due = sitrepTexts(f, { event: { name: 'Fair' }, agencies: record.agencies, taking: [], locale: 'en', dueAt: '2026-02-10T10:00:00.000Z', tr, time: (iso) => iso.slice(0, 16).replace('T', ' ') });
		expect(due.title).toBe('sitrep_text_title_due{"event":"Fair","time":"2026-02-10 10:00"}');
	});
});
