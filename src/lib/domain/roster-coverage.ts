/**
 * Coverage: how many people a post has over time against its minimum staffing, where it falls short (coverage
 * gaps, in post-hours under minimum), and who is on duty now. Pure functions over plain roster data.
 *
 * Who counts at an instant t:
 * - people checked in and not yet out, from their arrival (or the start) until they leave (or the end);
 * - people not checked in count while their shift has not started and through the grace after its start (they
 *   may be on their way); once the grace has run out they are a no-show and count no more, for the rest of the
 *   shift too, until they check in — so a missing check-in opens a gap at start + grace that lasts, in the
 *   forecast as well, until someone arrives; a late check-in closes it at the moment of arrival.
 */
import { attendanceOf, coversInstant, shiftSpan, type Attendance, type Period, type Post, type Shift, type ShiftPerson } from './roster.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export interface Span {
	start: number;
	end: number;
}

/** A stretch of time with a constant number of people on a post. */
export interface Segment extends Span {
	count: number;
}

/** A stretch where a post has fewer people than its minimum. */
export interface Gap extends Span {
	postId: string;
	have: number;
	need: number;
}

/** The spans during which one person on one shift counts for the post (see the rules at the top). */
export function countedSpans(shift: Pick<Shift, 'startsAt' | 'endsAt' | 'checkins'>, personId: string, now: number, graceMinutes: number): Span[] {
	const span = shiftSpan(shift);
	if (!span) return [];
	const { start, end } = span;
	const c = shift.checkins[personId];
	const inAt = c?.inAt ? Date.parse(c.inAt) : NaN;
	const outAt = c?.outAt ? Date.parse(c.outAt) : NaN;
	const tolerated = start + graceMinutes * MINUTE;
	const out: Span[] = [];
	const push = (a: number, b: number) => {
		const s = Math.max(a, start);
		const e = Math.min(b, end);
		if (e > s) out.push({ start: s, end: e });
	};
	if (Number.isNaN(inAt)) {
		// Not checked in: the plan while the grace lasts; after it, a no-show, absent until they check in.
		push(start, now < tolerated ? end : tolerated);
		return out;
	}
	const leftAt = Number.isNaN(outAt) ? Infinity : outAt;
	// The grace before a late arrival is tolerated; from arrival on, they are there until they leave.
	push(start, Math.min(inAt, tolerated, leftAt));
	push(inAt, leftAt);
	return merge(out);
}

function merge(spans: Span[]): Span[] {
	const sorted = [...spans].sort((a, b) => a.start - b.start);
	const out: Span[] = [];
	for (const s of sorted) {
		const last = out.at(-1);
		if (last && s.start <= last.end) last.end = Math.max(last.end, s.end);
		else out.push({ ...s });
	}
	return out;
}

/**
 * The staffing of one post over [from, to) as constant segments, from the shifts on that post. Segments with
 * nobody are included, so the result tiles the whole window.
 */
export function staffingSegments(shifts: Shift[], window: Span, now: number, graceMinutes: number): Segment[] {
	if (window.end <= window.start) return [];
	const deltas = new Map<number, number>();
	const bump = (at: number, d: number) => deltas.set(at, (deltas.get(at) ?? 0) + d);
	for (const s of shifts) {
		for (const p of s.people) {
			for (const span of countedSpans(s, p.id, now, graceMinutes)) {
				const a = Math.max(span.start, window.start);
				const b = Math.min(span.end, window.end);
				if (b <= a) continue;
				bump(a, 1);
				bump(b, -1);
			}
		}
	}
	const points = [...new Set([window.start, window.end, ...deltas.keys()])].sort((a, b) => a - b);
	const out: Segment[] = [];
	let count = 0;
	for (let i = 0; i < points.length - 1; i++) {
		count += deltas.get(points[i]) ?? 0;
		const seg = { start: points[i], end: points[i + 1], count };
		const last = out.at(-1);
		if (last && last.count === seg.count && last.end === seg.start) last.end = seg.end;
		else out.push(seg);
	}
	return out;
}

/**
 * When posts must be staffed: during the operational periods when the event has any (a night-time fair needs
 * its posts at night), otherwise across the whole event; always within the event.
 */
export function requiredSpans(periods: Period[], event: Span): Span[] {
	const spans = periods
		.map((p) => ({ start: Math.max(Date.parse(p.startsAt), event.start), end: Math.min(Date.parse(p.endsAt), event.end) }))
		.filter((s) => !Number.isNaN(s.start) && !Number.isNaN(s.end) && s.end > s.start);
	return periods.length ? merge(spans) : event.end > event.start ? [{ ...event }] : [];
}

/** Coverage gaps of one post within the required spans and the window: stretches under its minimum. */
export function postGaps(post: Pick<Post, 'id' | 'minStaff'>, shifts: Shift[], required: Span[], window: Span, now: number, graceMinutes: number): Gap[] {
	if (post.minStaff <= 0) return [];
	const gaps: Gap[] = [];
	for (const req of required) {
		const w = { start: Math.max(req.start, window.start), end: Math.min(req.end, window.end) };
		for (const seg of staffingSegments(shifts, w, now, graceMinutes)) {
			if (seg.count >= post.minStaff) continue;
			const last = gaps.at(-1);
			// Adjacent shortfalls of different depth are one gap; `have` keeps the lowest staffing in it.
			if (last && last.end === seg.start) {
				last.end = seg.end;
				last.have = Math.min(last.have, seg.count);
			} else gaps.push({ postId: post.id, start: seg.start, end: seg.end, have: seg.count, need: post.minStaff });
		}
	}
	return gaps;
}

export interface CoverageReport {
	gaps: Gap[];
	/** Hours during which posts were (or are planned to be) under their minimum, summed over posts. */
	postHoursShort: number;
	byPost: Map<string, Gap[]>;
}

/** Coverage gaps of every active post over a window. */
export function coverageGaps(
	posts: Post[],
	shifts: Shift[],
	opts: { periods: Period[]; event: Span; window?: Span; now: number; graceMinutes: number }
): CoverageReport {
	const required = requiredSpans(opts.periods, opts.event);
	const window = opts.window ?? opts.event;
	const byPost = new Map<string, Gap[]>();
	const all: Gap[] = [];
	for (const post of posts) {
		if (post.archived) continue;
		const gaps = postGaps(post, shifts.filter((s) => s.postId === post.id), required, window, opts.now, opts.graceMinutes);
		byPost.set(post.id, gaps);
		all.push(...gaps);
	}
	const ms = all.reduce((n, g) => n + (g.end - g.start), 0);
	return { gaps: all.sort((a, b) => a.start - b.start), postHoursShort: Math.round((ms / HOUR) * 10) / 10, byPost };
}

export interface DutyPerson {
	shift: Shift;
	person: ShiftPerson;
	attendance: Attendance;
}

export interface PostNow {
	post: Post;
	/** Checked in and not out, on shifts covering now. */
	onDuty: number;
	/** Planned on shifts covering now. */
	planned: number;
	/** Counted now by the coverage rules (on duty, plus anyone still inside their grace). */
	counted: number;
	short: boolean;
	/** Must the post be staffed now (inside the required spans)? */
	required: boolean;
	people: DutyPerson[];
}

/** "On duty now" per active post, against its minimum staffing; posts short of people first. */
export function onDutyNow(
	posts: Post[],
	shifts: Shift[],
	opts: { periods: Period[]; event: Span; now: number; graceMinutes: number }
): PostNow[] {
	const required = requiredSpans(opts.periods, opts.event).some((s) => s.start <= opts.now && opts.now < s.end);
	const rows: PostNow[] = [];
	for (const post of posts) {
		if (post.archived) continue;
		const people: DutyPerson[] = [];
		for (const shift of shifts) {
			if (shift.postId !== post.id || !coversInstant(shift, opts.now)) continue;
			for (const person of shift.people) people.push({ shift, person, attendance: attendanceOf(shift, person.id, opts.now, opts.graceMinutes) });
		}
		const onDuty = people.filter((p) => p.attendance.state === 'onDuty').length;
		const counted = onDuty + people.filter((p) => p.attendance.state === 'awaiting').length;
		rows.push({ post, onDuty, planned: people.length, counted, short: required && counted < post.minStaff, required, people });
	}
	return rows.sort((a, b) => Number(b.short) - Number(a.short) || a.onDuty - a.post.minStaff - (b.onDuty - b.post.minStaff) || a.post.name.localeCompare(b.post.name, 'zh-CN'));
}
