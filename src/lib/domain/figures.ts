/**
 * The figures people compare across screens, each defined once and taken "as of" a moment: the board, the roster,
 * the wall, the after-action record and its exports all call these, so the same moment gives the same numbers
 * everywhere. A running event's figures are as of now; a closed event's as of its close — never as of a planned
 * end that has already passed (an event left running past its planned end is still running).
 */
import { isOverdue, type Card } from './board.ts';
import { attendanceOf, type Period, type Post, type Shift } from './roster.ts';
import { coverageGaps, onDutyNow, type PostNow, type Span } from './roster-coverage.ts';

const HOUR = 3_600_000;

/** The moment an event's figures are taken at: its close once closed, otherwise `now`. */
export function figuresMoment(event: { status: string; closedAt: string | null }, now: number): number {
	if (event.status === 'closed' && event.closedAt) {
		const closed = Date.parse(event.closedAt);
		if (!Number.isNaN(closed)) return closed;
	}
	return now;
}

/** Overdue (超时): cards not done whose due time has passed at `asOf`. The board's filter and badge, the wall and the record. */
export function overdueCount(cards: Array<{ dueAt: string | null; status: string; archived?: boolean }>, asOf: number): number {
	return cards.filter((c) => !c.archived && isOverdue(c as Pick<Card, 'dueAt' | 'status'>, asOf)).length;
}

/**
 * Done late (超时完成): cards done after their due time. Only cards whose move to done is known count: a card made
 * as done, or moved in from another agency's document, has no finishing time to compare.
 */
export function doneLateCount(cards: Array<{ status: string; dueAt: string | null; doneAt: string | null; archived?: boolean }>): number {
	return cards.filter((c) => !c.archived && c.status === 'done' && c.dueAt && c.doneAt && Date.parse(c.doneAt) > Date.parse(c.dueAt)).length;
}

/**
 * No-shows (缺勤人次): people on shifts who had not checked in when the grace after their shift's start ran out, as of
 * `asOf`. Someone who checks in later is late, not a no-show. The roster's flags use the same attendance rule.
 */
export function noShowCount(shifts: Shift[], asOf: number, graceMinutes: number): number {
	let n = 0;
	for (const s of shifts) for (const p of s.people) if (attendanceOf(s, p.id, asOf, graceMinutes).noShow) n++;
	return n;
}

/** Staffing per post at `asOf` (on duty, counted against the minimum, short or not): the roster's 值守 and the wall. */
export function postStaffing(posts: Post[], shifts: Shift[], opts: { periods: Period[]; event: Span; asOf: number; graceMinutes: number }): PostNow[] {
	return onDutyNow(posts, shifts, { periods: opts.periods, event: opts.event, now: opts.asOf, graceMinutes: opts.graceMinutes });
}

/** On duty (在岗): people checked in and not out on shifts covering the moment, summed over the posts. */
export function onDutyTotal(rows: PostNow[]): number {
	return rows.reduce((n, r) => n + r.onDuty, 0);
}

/** Understaffed posts (缺员岗位): posts that must be staffed now and count fewer people than their minimum. */
export function understaffedPosts(rows: PostNow[]): number {
	return rows.filter((r) => r.short).length;
}

/**
 * Uncovered post-hours (未达最低在岗的岗位小时): from the event's start up to `asOf`, the hours inside the required
 * spans (operational periods, within the event) during which a post counted fewer people than its minimum, by the
 * coverage rules (people inside their grace count; a no-show does not until they arrive). Rounded to a tenth.
 */
export function uncoveredPostHours(posts: Post[], shifts: Shift[], opts: { periods: Period[]; event: Span; asOf: number; graceMinutes: number }): number {
	const window = { start: opts.event.start, end: Math.min(opts.asOf, opts.event.end) };
	if (!(window.end > window.start)) return 0;
	const report = coverageGaps(posts, shifts, { periods: opts.periods, event: opts.event, window, now: opts.asOf, graceMinutes: opts.graceMinutes });
	return Math.round((report.gaps.reduce((ms, g) => ms + (g.end - g.start), 0) / HOUR) * 10) / 10;
}

/** Seconds from an instruction's sending to each acknowledgement (确认用时), in the order given. */
export function ackSeconds(instructions: Array<{ createdAt: string; recipients: Array<{ ackedAt: string | null }> }>): number[] {
	const out: number[] = [];
	for (const i of instructions) for (const r of i.recipients) if (r.ackedAt) out.push((Date.parse(r.ackedAt) - Date.parse(i.createdAt)) / 1000);
	return out;
}
