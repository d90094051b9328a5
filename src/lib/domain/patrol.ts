/**
 * Patrol-point checks (巡更). A patrol route is a post of the roster with named checkpoints and a round interval;
 * a patrol member scans each checkpoint's QR label. Rounds are the route's intervals, counted from the event's
 * start: a round is complete when every checkpoint was scanned inside it, partial when some were, missed when none;
 * a route is overdue when its last finished round was not complete. Defined once here for the patrol page, the
 * roster, the wall and the record.
 */
import type { Principal } from './permissions.ts';
import type { EventStatus } from './roles.ts';

export const MIN_ROUND_MINUTES = 10;
export const MAX_ROUND_MINUTES = 24 * 60;
export const MAX_CHECKPOINTS = 50;
export const MAX_CHECKPOINT_NAME = 60;

/** A label's text: `LD1-<checkpoint id>-<signature>`, inside a URL of this site (`/scan/<code>`) so a phone's own camera opens it too. */
export const CODE_PREFIX = 'LD1';

export interface Checkpoint {
	id: string;
	postId: string;
	name: string;
	seq: number;
	point: [number, number] | null;
}

export interface PatrolScan {
	checkpointId: string;
	userId: string | null;
	userName: string | null;
	scannedAt: string;
	receivedAt: string;
}

export interface PatrolRoute {
	postId: string;
	postName: string;
	agency: string | null;
	intervalMinutes: number;
	checkpoints: Checkpoint[];
	/** When the route got its first checkpoint: rounds are counted from then (or the event's start, if later). */
	since: string | null;
}

export type RoundState = 'complete' | 'partial' | 'missed' | 'inProgress';

export interface Round {
	start: number;
	end: number;
	state: RoundState;
	scanned: number;
	of: number;
}

export interface RouteStatus {
	postId: string;
	rounds: Round[];
	/** Rounds whose time has passed (planned so far) and how many of them were complete. */
	planned: number;
	completed: number;
	/** The last finished round was not complete. */
	overdue: boolean;
	current: Round | null;
	lastScanAt: string | null;
}

/** The code printed on a checkpoint's label, from the checkpoint id and its signature (the server signs). */
export function labelCode(checkpointId: string, signature: string): string {
	return `${CODE_PREFIX}-${checkpointId}-${signature}`;
}

/** The checkpoint id and signature of a scanned text (a bare code, or a URL ending in one); null when it is none. */
export function parseLabel(text: unknown): { checkpointId: string; signature: string } | null {
	if (typeof text !== 'string' || text.length > 300) return null;
	const code = text.trim().split(/[/?#]/).filter(Boolean).find((part) => part.startsWith(`${CODE_PREFIX}-`)) ?? text.trim();
	const m = /^LD1-([a-z0-9]{8,32})-([a-f0-9]{24})$/.exec(code);
	return m ? { checkpointId: m[1], signature: m[2] } : null;
}

/** Who sets routes up and prints labels: the commander, or the lead of the route's agency. */
export function mayManagePatrol(p: Principal, agency: string | null, status: EventStatus): boolean {
	if (p.kind !== 'user' || !p.membership || status === 'closed') return false;
	const { role, agencyCode } = p.membership;
	return role === 'commander' || (role === 'lead' && agency !== null && agency === agencyCode);
}

/** Who may scan: anyone who acts in the event (a patrol member, their lead, the commander). */
export function mayScan(p: Principal, status: EventStatus): boolean {
	if (p.kind !== 'user' || !p.membership || status === 'closed') return false;
	return ['commander', 'lead', 'member'].includes(p.membership.role);
}

/**
 * The route's rounds from the event's start (or the route's first checkpoint, if later) up to `at` (or the event's end, whichever is first), each with the
 * checkpoints scanned inside it. A scan counts at the moment it was made, not when it arrived.
 */
export function routeStatus(
	route: Pick<PatrolRoute, 'postId' | 'intervalMinutes' | 'checkpoints' | 'since'>,
	scans: PatrolScan[],
	event: { start: number; end: number },
	at: number
): RouteStatus {
	const step = route.intervalMinutes * 60_000;
	const ids = new Set(route.checkpoints.map((c) => c.id));
	const mine = scans.filter((s) => ids.has(s.checkpointId)).map((s) => ({ id: s.checkpointId, t: Date.parse(s.scannedAt) }));
	const until = Math.min(at, event.end);
	const rounds: Round[] = [];
	const from = Math.max(event.start, route.since ? Date.parse(route.since) : event.start);
	for (let start = from; start < until && ids.size > 0; start += step) {
		const end = Math.min(start + step, event.end);
		const seen = new Set(mine.filter((s) => s.t >= start && s.t < end).map((s) => s.id));
		const finished = end <= at;
		const state: RoundState = seen.size === ids.size ? 'complete' : !finished ? 'inProgress' : seen.size > 0 ? 'partial' : 'missed';
		rounds.push({ start, end, state, scanned: seen.size, of: ids.size });
	}
	const finished = rounds.filter((r) => r.end <= at);
	const last = finished[finished.length - 1];
	const lastScan = mine.reduce<number | null>((m, s) => (m === null || s.t > m ? s.t : m), null);
	return {
		postId: route.postId,
		rounds,
		planned: finished.length,
		completed: finished.filter((r) => r.state === 'complete').length,
		overdue: !!last && last.state !== 'complete',
		current: rounds.find((r) => r.end > at) ?? null,
		lastScanAt: lastScan === null ? null : new Date(lastScan).toISOString()
	};
}
