/**
 * The dispute register's rules, shared by the pages and the server: which status may follow which, how a
 * dispute is escalated (社区 → 街道 → 区, or to another agency), what is overdue, and how the list filters,
 * sorts and counts. "Small matters stay in the village, big ones in the town" (小事不出村、大事不出镇): a
 * dispute is settled at the lowest level that can, and reported up only through escalation, with a reason.
 */
import * as Y from 'yjs';
import {
	DISPUTE_CATEGORIES,
	DISPUTE_LEVELS,
	DISPUTE_RISKS,
	DISPUTE_STATUSES,
	type DisputeLevel,
	type DisputeRisk,
	type DisputeStatus
} from './doc-schema.ts';
import type { Dispute } from './dispute-doc.ts';
import type { TeamLevel } from './roles.ts';
import type { FieldErrors } from './validation.ts';

/**
 * The status changes a register may make directly. 已上报 (reported) and 已移交 (transferred) are reached only by
 * escalation, which goes through the server with a reason; from them the receiving side takes the dispute up
 * (调处中) or records it settled (已化解). A settled dispute that flares up again is mediated again.
 */
export const STATUS_TRANSITIONS: Readonly<Record<DisputeStatus, readonly DisputeStatus[]>> = {
	open: ['mediating', 'resolved'],
	mediating: ['resolved', 'open'],
	resolved: ['mediating'],
	reported: ['mediating', 'resolved'],
	transferred: ['mediating', 'resolved']
};

/** Statuses a new entry may start with: screened, already being mediated, or settled on the spot (当场化解). */
export const INITIAL_STATUSES: readonly DisputeStatus[] = ['open', 'mediating', 'resolved'];

/** Statuses only escalation sets. */
export const ESCALATION_STATUSES: readonly DisputeStatus[] = ['reported', 'transferred'];

/** The statuses a dispute in `from` may be moved to directly. */
export function nextStatuses(from: DisputeStatus): readonly DisputeStatus[] {
	return STATUS_TRANSITIONS[from] ?? [];
}

/** May a register move a dispute from one status to another directly? */
export function mayChangeStatus(from: DisputeStatus, to: DisputeStatus): boolean {
	return nextStatuses(from).includes(to);
}

/** Levels above `level`, nearest first. */
export function higherLevels(level: DisputeLevel): DisputeLevel[] {
	return DISPUTE_LEVELS.slice(DISPUTE_LEVELS.indexOf(level) + 1);
}

/** A settled dispute is not escalated; anything else may be, to a higher level or another agency. */
export function mayEscalate(d: Pick<Dispute, 'status'>): boolean {
	return d.status !== 'resolved';
}

export interface EscalationRequest {
	fromAgency: string;
	/** Another agency to hand the dispute to, or null to keep it. */
	toAgency: string | null;
	/** A higher level to report it to, or null to keep its level. */
	toLevel: DisputeLevel | null;
}

export type EscalationProblem = 'resolved' | 'nothing' | 'sameAgency' | 'notHigher';

/** Why an escalation cannot be made, or null when it can. */
export function escalationProblem(d: Pick<Dispute, 'status' | 'level'>, req: EscalationRequest): EscalationProblem | null {
	if (!mayEscalate(d)) return 'resolved';
	if (!req.toAgency && !req.toLevel) return 'nothing';
	if (req.toAgency && req.toAgency === req.fromAgency) return 'sameAgency';
	if (req.toLevel && !higherLevels(d.level).includes(req.toLevel)) return 'notHigher';
	return null;
}

/** The status escalation leaves: handed to another agency (已移交), or reported up within one (已上报). */
export function escalatedStatus(req: Pick<EscalationRequest, 'toAgency'>): DisputeStatus {
	return req.toAgency ? 'transferred' : 'reported';
}

/** The team level that owns disputes at each level: a unit (分队) the community's, a squadron the street's. */
export const TEAM_LEVEL_FOR: Readonly<Record<DisputeLevel, TeamLevel>> = {
	community: 'unit',
	street: 'squadron',
	district: 'brigade'
};

const TEAM_RANK: Record<TeamLevel, number> = { unit: 0, squadron: 1, brigade: 2 };

/**
 * The team that owns a dispute after it is reported up to `level`: the owner itself when it is already that
 * high, else the nearest ancestor that is. Null when there is no owner or no such ancestor.
 */
export function ownerAfterEscalation(
	teams: ReadonlyArray<{ id: string; level: TeamLevel; parentId: string | null }>,
	ownerTeamId: string | null,
	level: DisputeLevel
): string | null {
	const byId = new Map(teams.map((t) => [t.id, t]));
	let team = ownerTeamId ? byId.get(ownerTeamId) : undefined;
	const want = TEAM_RANK[TEAM_LEVEL_FOR[level]];
	while (team && TEAM_RANK[team.level] < want) team = team.parentId ? byId.get(team.parentId) : undefined;
	return team?.id ?? null;
}

/** Is a dispute past its due time and not settled? */
export function isDisputeOverdue(d: Pick<Dispute, 'dueAt' | 'status'>, now: number): boolean {
	return d.status !== 'resolved' && !!d.dueAt && Date.parse(d.dueAt) < now;
}

export const RISK_RANK: Readonly<Record<DisputeRisk, number>> = { critical: 0, high: 1, medium: 2, low: 3 };
const STATUS_RANK: Record<DisputeStatus, number> = { transferred: 0, reported: 1, open: 2, mediating: 3, resolved: 4 };

export const SORT_KEYS = ['risk', 'due', 'status', 'category', 'owner'] as const;
export type DisputeSort = (typeof SORT_KEYS)[number];

/** A dispute with where it lives, as lists show it. */
export interface RegisterEntry extends Dispute {
	/** The agency whose document holds it. */
	agency: string;
}

export interface DisputeFilter {
	risk?: string;
	status?: string;
	category?: string;
	level?: string;
	agency?: string;
	/** An owning team's id. */
	owner?: string;
	overdue?: boolean;
	/** Words to find in the summary, location, masked parties (and, for the cleared, the parties themselves). */
	q?: string;
}

/** Reads a filter from URL search parameters, ignoring values that are not codes. */
export function filterFromParams(params: URLSearchParams): DisputeFilter & { sort: DisputeSort } {
	const pick = (key: string, allowed: readonly string[]) => {
		const v = params.get(key);
		return v && allowed.includes(v) ? v : undefined;
	};
	const sort = params.get('sort');
	return {
		risk: pick('risk', DISPUTE_RISKS),
		status: pick('status', DISPUTE_STATUSES),
		category: pick('category', DISPUTE_CATEGORIES),
		level: pick('level', DISPUTE_LEVELS),
		agency: params.get('agency') || undefined,
		owner: params.get('owner') || undefined,
		overdue: params.get('overdue') === '1',
		q: params.get('q')?.trim() || undefined,
		sort: sort && (SORT_KEYS as readonly string[]).includes(sort) ? (sort as DisputeSort) : 'risk'
	};
}

/** Does an entry pass a filter? `extraText` adds searchable text (the parties, for cleared readers). */
export function matchesFilter(d: RegisterEntry, f: DisputeFilter, now: number, extraText = ''): boolean {
	if (f.risk && d.risk !== f.risk) return false;
	if (f.status && d.status !== f.status) return false;
	if (f.category && d.category !== f.category) return false;
	if (f.level && d.level !== f.level) return false;
	if (f.agency && d.agency !== f.agency) return false;
	if (f.owner && d.ownerTeamId !== f.owner) return false;
	if (f.overdue && !isDisputeOverdue(d, now)) return false;
	if (f.q) {
		const hay = `${d.summary} ${d.location ?? ''} ${d.partiesMasked} ${extraText}`.toLowerCase();
		if (!f.q.toLowerCase().split(/\s+/).every((w) => hay.includes(w))) return false;
	}
	return true;
}

/**
 * Orders entries by a sort key; ties fall back to risk, then due time (soonest first, none last), then when
 * screened. `ownerName` gives the owning team's name for sorting by owner.
 */
export function compareDisputes(sort: DisputeSort, ownerName: (teamId: string | null) => string) {
	const due = (d: RegisterEntry) => (d.dueAt ? Date.parse(d.dueAt) : Number.POSITIVE_INFINITY);
	const base = (a: RegisterEntry, b: RegisterEntry) =>
		RISK_RANK[a.risk] - RISK_RANK[b.risk] || due(a) - due(b) || (a.screenedAt ?? '').localeCompare(b.screenedAt ?? '') || a.id.localeCompare(b.id);
	return (a: RegisterEntry, b: RegisterEntry): number => {
		switch (sort) {
			case 'due':
				return due(a) - due(b) || base(a, b);
			case 'status':
				return STATUS_RANK[a.status] - STATUS_RANK[b.status] || base(a, b);
			case 'category':
				return DISPUTE_CATEGORIES.indexOf(a.category) - DISPUTE_CATEGORIES.indexOf(b.category) || base(a, b);
			case 'owner': {
				// Entries without an owner come last: they are the ones to assign.
				const an = ownerName(a.ownerTeamId);
				const bn = ownerName(b.ownerTeamId);
				return (an ? 0 : 1) - (bn ? 0 : 1) || an.localeCompare(bn, 'zh-CN') || base(a, b);
			}
			default:
				return base(a, b);
		}
	};
}

/** How many entries have each value of a field (every value present, zero when none). */
export function countBy<K extends 'risk' | 'status'>(entries: readonly Dispute[], key: K): Record<Dispute[K], number> {
	const values: readonly string[] = key === 'risk' ? DISPUTE_RISKS : DISPUTE_STATUSES;
	const out = Object.fromEntries(values.map((v) => [v, 0])) as Record<string, number>;
	for (const e of entries) out[e[key]]++;
	return out as Record<Dispute[K], number>;
}

/**
 * The hub's check of a client's write to an agency document's disputes (server writes skip it): the statuses
 * and level that only escalation sets are refused, so escalation always goes through the server with a reason.
 * Ordinary status changes are not refused here even when the table above would not offer them: a phone that
 * was offline can merge an edit made against an older status, and refusing it would throw its work away.
 * Call from the observer of the `disputes` root, while the events can still tell their changes.
 */
export function disputeWriteProblem(events: ReadonlyArray<Y.YEvent<any>>): string | null {
	for (const e of events) {
		const target = e.target as Y.Map<unknown>;
		if (e.path.length === 0) {
			for (const [id, change] of e.changes.keys) {
				if (change.action === 'delete') continue;
				const entry = target.get(id);
				const status = entry instanceof Y.Map ? entry.get('status') : null;
				if (typeof status === 'string' && !INITIAL_STATUSES.includes(status as DisputeStatus)) {
					return `disputes.${id}.status: a new dispute starts as ${INITIAL_STATUSES.join('|')}`;
				}
			}
		} else if (e.path.length === 1) {
			const id = String(e.path[0]);
			for (const [key, change] of e.changes.keys) {
				if (key === 'level') return `disputes.${id}.level: changes only by escalation`;
				if (key === 'status' && change.action !== 'delete' && ESCALATION_STATUSES.includes(target.get('status') as DisputeStatus)) {
					return `disputes.${id}.status: reported and transferred are set only by escalation`;
				}
			}
		}
	}
	return null;
}

/** Limits of a party's fields (PARTY_SPEC) and of a dispute's text fields (DISPUTE_SPEC). */
export const PARTY_LIMITS = { name: 40, phone: 30, idNumber: 30, address: 200, note: 500 } as const;
export const DISPUTE_LIMITS = { summary: 500, location: 200, note: 2000 } as const;

const PHONE_RE = /^[0-9+\-\s()]*$/;
const ID_NUMBER_RE = /^[0-9A-Za-z]*$/;

/** What is wrong with a party's fields, by field; empty when nothing is. */
export function checkParty(p: { name: string; phone: string; idNumber: string; address: string; note: string }): FieldErrors {
	const errors: FieldErrors = {};
	for (const key of Object.keys(PARTY_LIMITS) as Array<keyof typeof PARTY_LIMITS>) {
		if ([...p[key].trim()].length > PARTY_LIMITS[key]) errors[key] = 'tooLong';
	}
	if (!p.name.trim()) errors.name = 'required';
	if (!errors.phone && !PHONE_RE.test(p.phone.trim())) errors.phone = 'invalidFormat';
	if (!errors.idNumber && !ID_NUMBER_RE.test(p.idNumber.trim())) errors.idNumber = 'invalidFormat';
	return errors;
}
