import { describe, it, expect } from 'vitest';
import { activityLineWords, type Translate } from './activity-words.ts';

// A catalog stand-in that shows which message was chosen and with what.
const tr: Translate = (key, inputs) => (inputs ? `${key}(${Object.entries(inputs).map(([k, v]) => `${k}=${v}`).join(',')})` : key);
const time = (iso: string) => `T[${iso.slice(11, 16)}]`;
const row = (r: Partial<Parameters<typeof activityLineWords>[0]>) => ({ entityType: 'card', entityId: 'c1', action: 'changed', field: null, from: null, to: null, ...r });

describe('activityLineWords', () => {
	it('translates a card status change and names the card', () => {
		const line = activityLineWords(row({ field: 'status', from: 'todo', to: 'doing' }), tr, time, { names: (id) => ({ c1: '南门管控' })[id] });
		expect(line).toBe(
			'record_entity_named(entity=record_entity_card,title=南门管控) · activity_changed(field=card_field_status,from=card_status_todo,to=card_status_doing)'
		);
	});

	it('uses the dispute words for a dispute status', () => {
		expect(activityLineWords(row({ entityType: 'dispute', field: 'status', from: 'open', to: 'resolved' }), tr, time)).toContain('from=dispute_status_open,to=dispute_status_resolved');
	});

	it('says checklist ticks and check-ins in words rather than codes', () => {
		expect(activityLineWords(row({ action: 'checklistChecked', field: 'checklist', to: '灭火器到位' }), tr, time)).toBe(
			'record_entity_card · activity_checklist_checked(text=灭火器到位)'
		);
		expect(activityLineWords(row({ entityType: 'shift', action: 'checkedIn', field: 'checkins', to: '2026-11-24T18:02:00+08:00' }), tr, time)).toBe(
			'record_entity_shift · activity_checked_in T[18:02]'
		);
	});

	it('says who is on a shift after its people changed, instead of only that they did', () => {
		expect(activityLineWords(row({ entityType: 'shift', field: 'people', to: '王建国、赵亮' }), tr, time)).toBe(
			'record_entity_shift · activity_people_now(names=王建国、赵亮)'
		);
	});

	it('says a pin or a post’s place on the map in words, never its coordinates', () => {
		expect(activityLineWords(row({ field: 'pin', to: '[2580,900]' }), tr, time)).toBe('record_entity_card · activity_map_placed');
		expect(activityLineWords(row({ entityType: 'post', field: 'geo', from: '[1,2,3,4]', to: null }), tr, time)).toBe('record_entity_post · activity_map_removed');
	});

	it('names the post a new shift is on, and never the personal data behind a restricted row', () => {
		expect(activityLineWords(row({ entityType: 'shift', action: 'created', to: 'post-1' }), tr, time, { names: (id) => ({ 'post-1': '南门固定岗' })[id] })).toBe(
			'record_entity_shift · activity_created(what=南门固定岗)'
		);
		expect(activityLineWords(row({ entityType: 'parties', entityId: 'd1' }), tr, time)).toBe('record_entity_parties · record_activity_changed');
	});

	it('names the agencies of a hand-over, and only in agency fields', () => {
		const agency = (code: string) => ({ traffic: '交警', station: '派出所' })[code];
		expect(activityLineWords(row({ entityType: 'dispute', action: 'escalated', field: 'agency', from: 'traffic', to: 'station' }), tr, time, { agency })).toBe(
			'record_entity_dispute · record_activity_escalated(field=card_field_agency,from=交警,to=派出所)'
		);
		expect(activityLineWords(row({ field: 'location', from: 'station', to: 'traffic' }), tr, time, { agency })).toContain('from=station,to=traffic');
	});
});
