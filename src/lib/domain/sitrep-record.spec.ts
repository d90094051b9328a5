import { describe, it, expect } from 'vitest';
import { mergeByTime, sitrepEntries } from './sitrep-record.ts';
import type { RecordActivity } from './after-action.ts';
import { activityLineWords } from './activity-words.ts';

const row = (at: string, entityId: string): RecordActivity => ({ at, agency: 'station', who: '李所长', entityType: 'card', entityId, action: 'created', field: null, from: null, to: null });
const REPORT = { id: 'r1', title: '灯会警情通报（白班）', period: '白班', issuedAt: '2026-02-10T10:00:00.000Z', issuedBy: '王指挥', sha256: 'a'.repeat(64) };

describe('situation reports in the record', () => {
	it('merges issued reports into the log by time, after the log’s rows of the same moment', () => {
		const log = [row('2026-02-10T09:00:00.000Z', 'c1'), row('2026-02-10T10:00:00.000Z', 'c2'), row('2026-02-10T11:00:00.000Z', 'c3')];
		const merged = mergeByTime(log, sitrepEntries([REPORT], null));
		expect(merged.map((r) => r.entityId)).toEqual(['c1', 'c2', 'r1', 'c3']);
		expect(merged[2]).toMatchObject({ entityType: 'sitrep', action: 'issued', who: '王指挥', to: REPORT.sha256 });
	});

	it('reads in words with its title and hash, never its id', () => {
		const [entry] = sitrepEntries([REPORT], 'station');
		const words: Record<string, string> = { sitrep_entity: '警情通报', sitrep_activity_issued: '已签发，SHA-256 {hash}', record_entity_named: '{entity}「{title}」' };
		const tr = (key: string, inputs: Record<string, unknown> = {}) => (words[key] ?? key).replace(/\{(\w+)\}/g, (_, k) => String(inputs[k]));
		const line = activityLineWords(entry, tr, (iso) => iso, { names: (id) => (id === 'r1' ? REPORT.title : undefined) });
		expect(line).toBe(`警情通报「灯会警情通报（白班）」 · 已签发，SHA-256 ${'a'.repeat(16)}…`);
		expect(line).not.toContain('r1');
	});
});
