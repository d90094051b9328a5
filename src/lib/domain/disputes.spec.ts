import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { DISPUTE_STATUSES, type DisputeStatus } from './doc-schema.ts';
import { addDispute, disputesOf, readDispute, updateDispute } from './dispute-doc.ts';
import {
	compareDisputes,
	countBy,
	disputeWriteProblem,
	escalatedStatus,
	escalationProblem,
	filterFromParams,
	higherLevels,
	isDisputeOverdue,
	matchesFilter,
	mayChangeStatus,
	nextStatuses,
	ownerAfterEscalation,
	STATUS_TRANSITIONS,
	type RegisterEntry
} from './disputes.ts';

describe('the status transition table', () => {
	const allowed: Array<[DisputeStatus, DisputeStatus]> = [
		['open', 'mediating'],
		['open', 'resolved'],
		['mediating', 'resolved'],
		['mediating', 'open'],
		['resolved', 'mediating'],
		['reported', 'mediating'],
		['reported', 'resolved'],
		['transferred', 'mediating'],
		['transferred', 'resolved']
	];

	it('allows exactly the listed transitions and no others', () => {
		for (const from of DISPUTE_STATUSES) {
			for (const to of DISPUTE_STATUSES) {
				const expected = allowed.some(([f, t]) => f === from && t === to);
				expect(mayChangeStatus(from, to), `${from} → ${to}`).toBe(expected);
			}
		}
	});

	it('never lets a register set reported or transferred directly: only escalation does', () => {
		for (const from of DISPUTE_STATUSES) {
			expect(nextStatuses(from)).not.toContain('reported');
			expect(nextStatuses(from)).not.toContain('transferred');
		}
	});

	it('has no transition from a status to itself', () => {
		for (const from of DISPUTE_STATUSES) expect(STATUS_TRANSITIONS[from]).not.toContain(from);
	});

	it('reopens a settled dispute only into mediation', () => {
		expect(nextStatuses('resolved')).toEqual(['mediating']);
	});
});

describe('escalation', () => {
	it('reports up through community, street and district', () => {
		expect(higherLevels('community')).toEqual(['street', 'district']);
		expect(higherLevels('street')).toEqual(['district']);
		expect(higherLevels('district')).toEqual([]);
	});

	it('refuses to escalate a settled dispute', () => {
		expect(escalationProblem({ status: 'resolved', level: 'community' }, { fromAgency: 'patrol', toAgency: 'station', toLevel: null })).toBe('resolved');
	});

	it('refuses an escalation that changes nothing, stays in the agency, or does not go up', () => {
		const d = { status: 'open' as const, level: 'street' as const };
		expect(escalationProblem(d, { fromAgency: 'patrol', toAgency: null, toLevel: null })).toBe('nothing');
		expect(escalationProblem(d, { fromAgency: 'patrol', toAgency: 'patrol', toLevel: null })).toBe('sameAgency');
		expect(escalationProblem(d, { fromAgency: 'patrol', toAgency: null, toLevel: 'community' })).toBe('notHigher');
		expect(escalationProblem(d, { fromAgency: 'patrol', toAgency: null, toLevel: 'street' })).toBe('notHigher');
	});

	it('accepts a higher level, another agency, or both, from any unsettled status', () => {
		for (const status of ['open', 'mediating', 'reported', 'transferred'] as const) {
			expect(escalationProblem({ status, level: 'community' }, { fromAgency: 'patrol', toAgency: 'station', toLevel: 'street' })).toBeNull();
			expect(escalationProblem({ status, level: 'community' }, { fromAgency: 'patrol', toAgency: null, toLevel: 'district' })).toBeNull();
		}
	});

	it('leaves a dispute handed to another agency transferred, and one reported up reported', () => {
		expect(escalatedStatus({ toAgency: 'station' })).toBe('transferred');
		expect(escalatedStatus({ toAgency: null })).toBe('reported');
	});

	it('gives the owning unit’s squadron the dispute reported to the street, and its brigade at the district', () => {
		const teams = [
			{ id: 'b', level: 'brigade' as const, parentId: null },
			{ id: 's', level: 'squadron' as const, parentId: 'b' },
			{ id: 'u', level: 'unit' as const, parentId: 's' }
		];
		expect(ownerAfterEscalation(teams, 'u', 'street')).toBe('s');
		expect(ownerAfterEscalation(teams, 'u', 'district')).toBe('b');
		expect(ownerAfterEscalation(teams, 's', 'street')).toBe('s');
		expect(ownerAfterEscalation(teams, null, 'street')).toBeNull();
		expect(ownerAfterEscalation(teams, 'gone', 'street')).toBeNull();
	});
});

function entry(over: Partial<RegisterEntry> & { id: string }): RegisterEntry {
	return {
		summary: '邻里噪音纠纷',
		category: 'neighbor',
		risk: 'low',
		status: 'open',
		level: 'community',
		mediation: null,
		location: null,
		screenedAt: null,
		dueAt: null,
		ownerTeamId: null,
		partiesMasked: '',
		progress: [],
		cardId: null,
		agency: 'patrol',
		...over
	};
}

describe('overdue, filters, sorting and counts', () => {
	const now = Date.parse('2026-11-24T12:00:00+08:00');

	it('flags an unsettled dispute past its due time, and never a settled one', () => {
		expect(isDisputeOverdue({ dueAt: '2026-11-24T11:00:00+08:00', status: 'open' }, now)).toBe(true);
		expect(isDisputeOverdue({ dueAt: '2026-11-24T11:00:00+08:00', status: 'reported' }, now)).toBe(true);
		expect(isDisputeOverdue({ dueAt: '2026-11-24T11:00:00+08:00', status: 'resolved' }, now)).toBe(false);
		expect(isDisputeOverdue({ dueAt: '2026-11-24T13:00:00+08:00', status: 'open' }, now)).toBe(false);
		expect(isDisputeOverdue({ dueAt: null, status: 'open' }, now)).toBe(false);
	});

	it('filters by every field and by words, and searches extra text only when given', () => {
		const d = entry({ id: 'a', risk: 'high', status: 'mediating', category: 'labor', level: 'street', ownerTeamId: 't1', location: '东街', partiesMasked: '张*明' });
		expect(matchesFilter(d, { risk: 'high', status: 'mediating', category: 'labor', level: 'street', agency: 'patrol', owner: 't1' }, now)).toBe(true);
		expect(matchesFilter(d, { risk: 'low' }, now)).toBe(false);
		expect(matchesFilter(d, { owner: 't2' }, now)).toBe(false);
		expect(matchesFilter(d, { agency: 'station' }, now)).toBe(false);
		expect(matchesFilter(d, { q: '东街 噪音' }, now)).toBe(true);
		expect(matchesFilter(d, { q: '张三明' }, now)).toBe(false);
		expect(matchesFilter(d, { q: '张三明' }, now, '张三明 13812345678')).toBe(true);
		expect(matchesFilter(d, { overdue: true }, now)).toBe(false);
	});

	it('reads a filter from the address and ignores unknown codes', () => {
		const f = filterFromParams(new URLSearchParams('risk=high&status=bogus&sort=due&overdue=1&q=%20东街%20'));
		expect(f).toMatchObject({ risk: 'high', status: undefined, sort: 'due', overdue: true, q: '东街' });
		expect(filterFromParams(new URLSearchParams('sort=nonsense')).sort).toBe('risk');
	});

	it('sorts by risk first by default, then by the soonest due time', () => {
		const list = [
			entry({ id: 'low', risk: 'low', dueAt: '2026-11-24T13:00:00+08:00' }),
			entry({ id: 'high-late', risk: 'high', dueAt: '2026-11-25T13:00:00+08:00' }),
			entry({ id: 'crit', risk: 'critical' }),
			entry({ id: 'high-soon', risk: 'high', dueAt: '2026-11-24T13:00:00+08:00' })
		];
		expect(list.sort(compareDisputes('risk', () => '')).map((d) => d.id)).toEqual(['crit', 'high-soon', 'high-late', 'low']);
	});

	it('sorts by due time with undated entries last, by status with escalated ones first, and by owner with the unowned last', () => {
		const list = [
			entry({ id: 'none', status: 'resolved' }),
			entry({ id: 'late', dueAt: '2026-11-25T10:00:00+08:00', status: 'transferred', ownerTeamId: 'b' }),
			entry({ id: 'soon', dueAt: '2026-11-24T10:00:00+08:00', status: 'mediating', ownerTeamId: 'a' })
		];
		expect([...list].sort(compareDisputes('due', () => '')).map((d) => d.id)).toEqual(['soon', 'late', 'none']);
		expect([...list].sort(compareDisputes('status', () => '')).map((d) => d.id)).toEqual(['late', 'soon', 'none']);
		const names: Record<string, string> = { a: '东片', b: '西片' };
		expect([...list].sort(compareDisputes('owner', (id) => (id ? names[id] : ''))).map((d) => d.id)).toEqual(['soon', 'late', 'none']);
	});

	it('counts every risk and status, with zeros for the absent ones', () => {
		const list = [entry({ id: 'a', risk: 'high' }), entry({ id: 'b', risk: 'high', status: 'resolved' }), entry({ id: 'c' })];
		expect(countBy(list, 'risk')).toEqual({ low: 1, medium: 0, high: 2, critical: 0 });
		expect(countBy(list, 'status')).toEqual({ open: 2, mediating: 0, resolved: 1, reported: 0, transferred: 0 });
	});
});

describe('the hub’s check of client writes to disputes', () => {
	/** Applies `change` to a copy of `base` and returns what disputeWriteProblem says about it. */
	function problemOf(base: Y.Doc, change: (doc: Y.Doc) => void): string | null {
		const doc = new Y.Doc();
		Y.applyUpdate(doc, Y.encodeStateAsUpdate(base));
		let problem: string | null = null;
		disputesOf(doc).observeDeep((events) => (problem ??= disputeWriteProblem(events)));
		change(doc);
		return problem;
	}

	const base = new Y.Doc();
	addDispute(base, 'd1', { summary: '工资拖欠', category: 'labor', risk: 'high', status: 'open', level: 'community' });

	it('lets a client create a dispute that starts open, mediating or resolved, and change its status', () => {
		expect(problemOf(base, (d) => addDispute(d, 'd2', { summary: 'x', category: 'other', risk: 'low', status: 'resolved' }))).toBeNull();
		expect(problemOf(base, (d) => updateDispute(d, 'd1', { status: 'mediating', risk: 'critical' }))).toBeNull();
	});

	it('refuses a client setting reported or transferred, or creating a dispute already escalated', () => {
		expect(problemOf(base, (d) => updateDispute(d, 'd1', { status: 'reported' }))).toMatch(/escalation/);
		expect(problemOf(base, (d) => updateDispute(d, 'd1', { status: 'transferred' }))).toMatch(/escalation/);
		expect(problemOf(base, (d) => addDispute(d, 'd3', { summary: 'x', category: 'other', risk: 'low', status: 'reported' }))).toMatch(/starts as/);
	});

	it('refuses a client changing a dispute’s level', () => {
		expect(problemOf(base, (d) => disputesOf(d).get('d1')!.set('level', 'district'))).toMatch(/level/);
	});

	it('reads back what it wrote', () => {
		expect(readDispute('d1', disputesOf(base).get('d1')!)).toMatchObject({ summary: '工资拖欠', risk: 'high', status: 'open', level: 'community', progress: [] });
	});
});
