import { describe, it, expect } from 'vitest';
import { BUILTIN_PLAYBOOKS, buildRunDrafts, checkPlaybook, parsePlaybookBody, playbookAgencies, playbookBody, PLAYBOOK_LIMITS } from './playbooks.ts';
import { CARD_SPEC } from './doc-schema.ts';
import { SEED_AGENCIES } from './roles.ts';

const AGENCIES = SEED_AGENCIES.map((a) => a.code);
const NAMES: Record<string, string> = { station: '派出所', cid: '刑侦', traffic: '交警', patrol: '社区巡防' };

describe('built-in playbooks', () => {
	it('cover the five incident kinds, each across at least three agencies, inside the card schema', () => {
		expect(BUILTIN_PLAYBOOKS.map((p) => p.name)).toEqual(['走失儿童', '可疑物品', '踩踏预警', '火情', '医疗']);
		for (const p of BUILTIN_PLAYBOOKS) {
			expect(playbookAgencies(p).length).toBeGreaterThanOrEqual(3);
			expect(checkPlaybook({ name: p.name, cards: p.cards }, AGENCIES)).toMatchObject({ ok: true });
			expect(p.nameKey).toMatch(/^playbook_builtin_/);
		}
	});

	it('give neighborhood patrol cards no enforcement words', () => {
		const patrol = BUILTIN_PLAYBOOKS.flatMap((p) => p.cards.filter((c) => c.agency === 'patrol'));
		for (const c of patrol) expect(`${c.title}${c.checklist.join('')}`).not.toMatch(/拘|扣押|盘查|搜查|抓捕/);
	});
});

describe('checkPlaybook', () => {
	const good = { name: '大风', cards: [{ agency: 'traffic', title: '封闭高架', priority: 'urgent', dueMinutes: '15', checklist: '设置路障\n\n发布绕行提示' }] };

	it('accepts a form-shaped playbook and cleans it', () => {
		const r = checkPlaybook(good, AGENCIES);
		expect(r).toEqual({ ok: true, value: { name: '大风', cards: [{ agency: 'traffic', title: '封闭高架', priority: 'urgent', dueMinutes: 15, checklist: ['设置路障', '发布绕行提示'] }] } });
	});

	it('names every error by its field', () => {
		const r = checkPlaybook(
			{
				name: '',
				cards: [
					{ agency: 'fire', title: '', priority: 'soon', dueMinutes: -1, checklist: ['x'.repeat(PLAYBOOK_LIMITS.checklistItem + 1)] },
					{ agency: 'station', title: '好', priority: 'routine', dueMinutes: 1.5, checklist: Array.from({ length: 21 }, (_, i) => `项${i}`) }
				]
			},
			AGENCIES
		);
		expect(r).toEqual({
			ok: false,
			errors: {
				name: 'required',
				'cards.0.agency': 'unknownAgency',
				'cards.0.title': 'required',
				'cards.0.priority': 'invalidChoice',
				'cards.0.dueMinutes': 'outOfRange',
				'cards.0.checklist.0': 'tooLong',
				'cards.1.dueMinutes': 'outOfRange',
				'cards.1.checklist': 'tooMany'
			}
		});
	});

	it('refuses a playbook without cards or with too many', () => {
		expect(checkPlaybook({ name: 'x', cards: [] }, AGENCIES)).toEqual({ ok: false, errors: { cards: 'noCards' } });
		const many = Array.from({ length: PLAYBOOK_LIMITS.cards + 1 }, () => good.cards[0]);
		expect(checkPlaybook({ name: 'x', cards: many }, AGENCIES)).toEqual({ ok: false, errors: { cards: 'tooMany' } });
		expect(checkPlaybook(null, AGENCIES)).toMatchObject({ ok: false, errors: { name: 'required', cards: 'noCards' } });
	});

	it('round-trips through the stored body, and reads a body whose agency is gone as unrunnable', () => {
		const r = checkPlaybook(good, AGENCIES);
		if (!r.ok) throw new Error('expected ok');
		const body = playbookBody(r.value.cards);
		expect(parsePlaybookBody('大风', body, AGENCIES)).toEqual(r.value.cards);
		expect(parsePlaybookBody('大风', body, ['station'])).toBeNull();
		expect(parsePlaybookBody('大风', '{not json', AGENCIES)).toBeNull();
	});
});

describe('buildRunDrafts', () => {
	const lostChild = BUILTIN_PLAYBOOKS[0];
	let n = 0;
	const now = new Date('2026-02-12T11:00:00Z');
	const drafts = buildRunDrafts(lostChild.cards, {
		name: lostChild.name,
		runBy: 'u-commander',
		runByName: '张指挥',
		now,
		agencyName: (c) => NAMES[c] ?? c,
		newId: () => `id${++n}`,
		clock: () => '19:00'
	});

	it('makes one card per playbook card, in its agency, due from now, with fresh ids', () => {
		expect(drafts.map((d) => d.agency)).toEqual(['station', 'cid', 'traffic', 'patrol']);
		expect(new Set(drafts.map((d) => d.cardId)).size).toBe(4);
		expect(drafts[0].card).toMatchObject({ title: lostChild.cards[0].title, status: 'todo', priority: 'critical', agency: 'station', createdBy: 'u-commander' });
		expect(Date.parse(drafts[0].card.dueAt!) - now.getTime()).toBe(10 * 60_000);
		expect(drafts[0].card.checklist!.map((c) => c.text)).toEqual(lostChild.cards[0].checklist);
		const ids = drafts.flatMap((d) => [d.cardId, ...d.card.checklist!.map((c) => c.id)]);
		expect(new Set(ids).size).toBe(ids.length);
	});

	it('links each card to the others by agency and title in its notes, never by id', () => {
		const notes = drafts[1].card.notes!;
		expect(notes).toContain('【预案】走失儿童（张指挥 19:00 启动）');
		expect(notes).toContain(`派出所「${lostChild.cards[0].title}」`);
		expect(notes).toContain(`社区巡防「${lostChild.cards[3].title}」`);
		expect(notes).not.toContain(lostChild.cards[1].title);
		expect(notes).not.toMatch(/id\d/);
	});

	it('keeps the longest allowed playbook inside the card schema', () => {
		const card = { agency: 'station', title: '题'.repeat(PLAYBOOK_LIMITS.title), priority: 'urgent' as const, dueMinutes: PLAYBOOK_LIMITS.dueMinutes, checklist: Array.from({ length: PLAYBOOK_LIMITS.checklist }, () => '项'.repeat(PLAYBOOK_LIMITS.checklistItem)) };
		const big = buildRunDrafts(Array.from({ length: PLAYBOOK_LIMITS.cards }, () => card), {
			name: '长'.repeat(PLAYBOOK_LIMITS.name),
			runBy: 'u',
			runByName: '名'.repeat(40),
			now,
			agencyName: () => '名'.repeat(24),
			newId: () => 'x',
			clock: () => '19:00'
		});
		const notesMax = (CARD_SPEC.fields.notes as { max: number }).max;
		for (const d of big) expect(d.card.notes!.length).toBeLessThanOrEqual(notesMax);
	});
});
