/**
 * Roll calls (查岗点名): the commander (every post) or a lead (their agency's posts) asks everyone on duty to answer
 * 在岗 with one tap. Who is asked is decided once, at the start, from the roster's own "on duty now"
 * (`onDutyNow`); a post has answered when one of its people has. The figures — answered within 2, 5 and 10
 * minutes, posts that never answered (未应答单位) — are defined here once for the roster, the wall and the record.
 */
import type { Principal } from './permissions.ts';
import type { EventStatus } from './roles.ts';
import type { Period, Post, Shift } from './roster.ts';
import { onDutyNow, type Span } from './roster-coverage.ts';

/** A roll call stays open this long unless started with another length (minutes). */
export const DEFAULT_ROLL_CALL_MINUTES = 10;
export const MIN_ROLL_CALL_MINUTES = 2;
export const MAX_ROLL_CALL_MINUTES = 60;
/** The answer-time bands the record counts. */
export const ANSWER_BANDS_MINUTES = [2, 5, 10] as const;

export interface RollCallTarget {
	userId: string;
	name: string;
	postId: string;
	postName: string;
	postAgency: string | null;
	/** When the person tapped 在岗 (their phone's moment, which may be earlier than its arrival). */
	answeredAt: string | null;
	receivedAt: string | null;
}

export interface RollCallView {
	id: string;
	eventId: string;
	/** An agency code, or '*' for every post. */
	scope: string;
	startedByName: string | null;
	startedAt: string;
	closesAt: string;
	targets: RollCallTarget[];
}

/** May this principal start a roll call over this scope? The commander any, a lead their own agency's posts. */
export function mayStartRollCall(p: Principal, scope: string, status: EventStatus): boolean {
	if (p.kind !== 'user' || !p.membership || status === 'closed') return false;
	const { role, agencyCode } = p.membership;
	return role === 'commander' || (role === 'lead' && scope === agencyCode);
}

/** Does this principal follow this roll call's answers (the starter's side)? Commander and reviewers all; a lead their agency's. */
export function followsRollCall(p: Principal, scope: string): boolean {
	if (p.kind === 'display') return true;
	const m = p.membership;
	if (!m) return false;
	return m.role === 'commander' || m.role === 'reviewer' || (m.role === 'lead' && (scope === m.agencyCode || scope === '*'));
}

/**
 * Who a roll call started now asks: each person with an account on a shift covering now, on a post in scope, who
 * has not checked out. A person on two posts is asked once per post.
 */
export function rollCallTargets(
	posts: Post[],
	shifts: Shift[],
	scope: string,
	opts: { periods: Period[]; event: Span; now: number; graceMinutes: number }
): Array<Omit<RollCallTarget, 'answeredAt' | 'receivedAt'>> {
	const inScope = posts.filter((p) => !p.archived && (scope === '*' || p.agency === scope));
	const out: Array<Omit<RollCallTarget, 'answeredAt' | 'receivedAt'>> = [];
	const seen = new Set<string>();
	for (const row of onDutyNow(inScope, shifts, opts)) {
		for (const d of row.people) {
			if (!d.person.userId || d.attendance.state === 'finished') continue;
			const key = `${d.person.userId}|${row.post.id}`;
			if (seen.has(key)) continue;
			seen.add(key);
			out.push({ userId: d.person.userId, name: d.person.name, postId: row.post.id, postName: row.post.name, postAgency: row.post.agency });
		}
	}
	return out;
}

export function isOpen(call: Pick<RollCallView, 'closesAt'>, at: number): boolean {
	return at < Date.parse(call.closesAt);
}

export interface PostAnswer {
	postId: string;
	postName: string;
	postAgency: string | null;
	/** Seconds from the start to the post's first answer; null while (or when) none came. */
	seconds: number | null;
	answered: string[];
	waiting: string[];
}

export interface RollCallFigures {
	posts: PostAnswer[];
	people: number;
	answeredPeople: number;
	answeredPosts: number;
	/** Posts answered within 2, 5 and 10 minutes of the start. */
	within: Record<(typeof ANSWER_BANDS_MINUTES)[number], number>;
	/** 未应答单位: posts none of whose people had answered by `at` (or by the close, if earlier). */
	unansweredPosts: PostAnswer[];
	medianSeconds: number | null;
}

/** The roll call's figures as of a moment: an answer counts from the moment it was tapped, if that was before `at`. */
export function rollCallFigures(call: Pick<RollCallView, 'startedAt' | 'closesAt' | 'targets'>, at: number): RollCallFigures {
	const start = Date.parse(call.startedAt);
	const until = Math.min(at, Date.parse(call.closesAt));
	const byPost = new Map<string, PostAnswer>();
	let answeredPeople = 0;
	for (const t of call.targets) {
		const row = byPost.get(t.postId) ?? { postId: t.postId, postName: t.postName, postAgency: t.postAgency, seconds: null, answered: [], waiting: [] };
		byPost.set(t.postId, row);
		const tapped = t.answeredAt ? Date.parse(t.answeredAt) : null;
		// An answer tapped before the close counts even if it reached the server later (offline); it shows once it arrived.
		if (tapped !== null && tapped <= until && (t.receivedAt === null || Date.parse(t.receivedAt) <= at)) {
			answeredPeople++;
			row.answered.push(t.name);
			const s = Math.max(0, Math.round((tapped - start) / 1000));
			row.seconds = row.seconds === null ? s : Math.min(row.seconds, s);
		} else row.waiting.push(t.name);
	}
	const posts = [...byPost.values()].sort((a, b) => Number(a.seconds !== null) - Number(b.seconds !== null) || a.postName.localeCompare(b.postName, 'zh-CN'));
	const answered = posts.filter((p) => p.seconds !== null);
	const times = answered.map((p) => p.seconds!).sort((a, b) => a - b);
	const within = Object.fromEntries(ANSWER_BANDS_MINUTES.map((b) => [b, answered.filter((p) => p.seconds! <= b * 60).length])) as RollCallFigures['within'];
	return {
		posts,
		people: call.targets.length,
		answeredPeople,
		answeredPosts: answered.length,
		within,
		unansweredPosts: posts.filter((p) => p.seconds === null),
		medianSeconds: times.length ? times[Math.floor((times.length - 1) / 2)] : null
	};
}
