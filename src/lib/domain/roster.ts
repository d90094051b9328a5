/**
 * Roster rules shared by the pages, the server, the wall and the after-action record: reading posts, periods
 * and shifts out of the documents, and the rules about people on shifts — who is on duty now, who is late, who
 * did not show, who left early, and who is planned on two overlapping shifts. Coverage against minimum staffing
 * is in roster-coverage.ts; writes are in roster-write.ts.
 *
 * Times are stored as ISO-8601 with the event zone's offset and compared as instants, so a shift that crosses
 * midnight (22:00 → 06:00 the next day) is one span like any other.
 */
import { arrivalDelayMinutes, arrivedLate } from './queued-actions.ts';
import * as Y from 'yjs';
import { isoWithOffset } from './board.ts';
import { zoneOffsetMs } from './validation.ts';

export interface Post {
	id: string;
	name: string;
	kind: string;
	agency: string | null;
	location: string | null;
	minStaff: number;
	notes: string | null;
	archived: boolean;
}

export interface Period {
	id: string;
	name: string;
	startsAt: string;
	endsAt: string;
}

export interface ShiftPerson {
	id: string;
	userId: string | null;
	name: string;
	role: string | null;
}

export interface CheckIn {
	inAt: string | null;
	outAt: string | null;
	recordedBy: string | null;
	/** When the server received a one-tap check-in or check-out (null for times a lead entered afterwards). */
	inReceivedAt?: string | null;
	outReceivedAt?: string | null;
}

export interface Shift {
	id: string;
	agency: string;
	postId: string;
	periodId: string | null;
	startsAt: string;
	endsAt: string;
	people: ShiftPerson[];
	checkins: Record<string, CheckIn>;
	notes: string | null;
}

/** A shift may last at most this long: a day, so a typo in a date cannot make a week-long shift. */
export const MAX_SHIFT_HOURS = 24;
const MINUTE = 60_000;

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

export function readPosts(doc: Y.Doc): Post[] {
	const out: Post[] = [];
	for (const [id, m] of doc.getMap('posts').entries()) {
		if (!(m instanceof Y.Map)) continue;
		out.push({
			id,
			name: str(m.get('name')) ?? '',
			kind: str(m.get('kind')) ?? 'post',
			agency: str(m.get('agency')),
			location: str(m.get('location')),
			minStaff: typeof m.get('minStaff') === 'number' ? (m.get('minStaff') as number) : 0,
			notes: str(m.get('notes')),
			archived: m.get('archived') === true
		});
	}
	return out.sort((a, b) => a.name.localeCompare(b.name, 'zh-CN'));
}

export function readPeriods(doc: Y.Doc): Period[] {
	const out: Period[] = [];
	for (const [id, m] of doc.getMap('periods').entries()) {
		if (!(m instanceof Y.Map)) continue;
		out.push({ id, name: str(m.get('name')) ?? '', startsAt: str(m.get('startsAt')) ?? '', endsAt: str(m.get('endsAt')) ?? '' });
	}
	return out.sort((a, b) => Date.parse(a.startsAt) - Date.parse(b.startsAt) || a.name.localeCompare(b.name, 'zh-CN'));
}

export function readShift(id: string, agency: string, m: Y.Map<unknown>): Shift {
	const people = m.get('people');
	const checkins = m.get('checkins');
	return {
		id,
		agency,
		postId: str(m.get('postId')) ?? '',
		periodId: str(m.get('periodId')),
		startsAt: str(m.get('startsAt')) ?? '',
		endsAt: str(m.get('endsAt')) ?? '',
		people:
			people instanceof Y.Array
				? people.toArray().flatMap((p) =>
						p instanceof Y.Map ? [{ id: str(p.get('id')) ?? '', userId: str(p.get('userId')), name: str(p.get('name')) ?? '', role: str(p.get('role')) }] : []
					)
				: [],
		checkins:
			checkins instanceof Y.Map
				? Object.fromEntries(
						[...checkins.entries()].flatMap(([pid, c]) =>
							c instanceof Y.Map
								? [
										[
											pid,
											{
												inAt: str(c.get('inAt')),
												outAt: str(c.get('outAt')),
												recordedBy: str(c.get('recordedBy')),
												// Only on one-tap checks the server stamped.
												...(c.has('inReceivedAt') ? { inReceivedAt: str(c.get('inReceivedAt')) } : {}),
												...(c.has('outReceivedAt') ? { outReceivedAt: str(c.get('outReceivedAt')) } : {})
											}
										]
									]
								: []
						)
					)
				: {},
		notes: str(m.get('notes'))
	};
}

export function readShifts(doc: Y.Doc, agency: string): Shift[] {
	const out: Shift[] = [];
	for (const [id, m] of doc.getMap('shifts').entries()) if (m instanceof Y.Map) out.push(readShift(id, agency, m));
	return out;
}

/** Shifts in the order rosters list them: by start, then post, then id. */
export function sortShifts<T extends Pick<Shift, 'startsAt' | 'postId' | 'id'>>(shifts: T[]): T[] {
	return [...shifts].sort(
		(a, b) =>
			Date.parse(a.startsAt) - Date.parse(b.startsAt) || (a.postId < b.postId ? -1 : a.postId > b.postId ? 1 : 0) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
	);
}

/** The instants a shift covers, [start, end); null when its times are missing or out of order. */
export function shiftSpan(s: Pick<Shift, 'startsAt' | 'endsAt'>): { start: number; end: number } | null {
	const start = Date.parse(s.startsAt);
	const end = Date.parse(s.endsAt);
	if (Number.isNaN(start) || Number.isNaN(end) || end <= start) return null;
	return { start, end };
}

/** Does the shift cover the instant `at`? */
export function coversInstant(s: Pick<Shift, 'startsAt' | 'endsAt'>, at: number): boolean {
	const span = shiftSpan(s);
	return !!span && span.start <= at && at < span.end;
}

/** Half-open spans overlap when each starts before the other ends (back-to-back shifts do not). */
export function spansOverlap(a: { start: number; end: number }, b: { start: number; end: number }): boolean {
	return a.start < b.end && b.start < a.end;
}

/** The stored form of an instant in a time zone: `2026-11-24T22:00:00+08:00`. */
export function toZoneIso(at: Date | number, timeZone: string): string {
	const d = new Date(at);
	return isoWithOffset(d, Math.round(zoneOffsetMs(d, timeZone) / MINUTE));
}

// ---------------------------------------------------------------------------------------------------------------
// Attendance: late, no-show, early leave
// ---------------------------------------------------------------------------------------------------------------

/**
 * Where a person on a shift stands at `now`:
 * - `upcoming`: the shift has not started and they have not checked in;
 * - `awaiting`: it started, they have not checked in, and the grace has not run out;
 * - `noShow`: the grace ran out and they have not checked in;
 * - `onDuty`: checked in, not out, and the shift has not ended;
 * - `finished`: checked out, or the shift ended while they were checked in.
 */
export type AttendanceState = 'upcoming' | 'awaiting' | 'noShow' | 'onDuty' | 'finished';

export interface Attendance {
	state: AttendanceState;
	/** Checked in after start plus grace. */
	late: boolean;
	/** Minutes after the start they checked in (when late). */
	lateMinutes: number | null;
	/** Not checked in once start plus grace has passed. */
	noShow: boolean;
	/** Checked out more than the grace before the end. */
	earlyLeave: boolean;
	/**
	 * The check-in reached the server more than LATE_ARRIVAL_MS after its tap (it waited in an offline queue):
	 * minutes between tap and arrival, or null. Shown so that a supervisor can ask, not counted as lateness.
	 */
	arrivedAfterMinutes: number | null;
}

/**
 * The attendance of one person on one shift. Late: checked in after start + grace. No-show: not checked in by
 * start + grace (a no-show who checks in later becomes late). Early leave: checked out before end − grace; the
 * same grace on both ends, so a relief arriving a few minutes early is not flagged.
 */
export function attendanceOf(shift: Pick<Shift, 'startsAt' | 'endsAt' | 'checkins'>, personId: string, now: number, graceMinutes: number): Attendance {
	const span = shiftSpan(shift);
	const c = shift.checkins[personId];
	const inAt = c?.inAt ? Date.parse(c.inAt) : NaN;
	const outAt = c?.outAt ? Date.parse(c.outAt) : NaN;
	const grace = graceMinutes * MINUTE;
	const none: Attendance = { state: 'upcoming', late: false, lateMinutes: null, noShow: false, earlyLeave: false, arrivedAfterMinutes: null };
	if (!span) return none;
	const hasIn = !Number.isNaN(inAt);
	const hasOut = hasIn && !Number.isNaN(outAt);
	const late = hasIn && inAt > span.start + grace;
	const arrivedAfterMinutes = hasIn && arrivedLate(c!.inAt, c!.inReceivedAt) ? arrivalDelayMinutes(c!.inAt!, c!.inReceivedAt!) : null;
	const base = { ...none, late, lateMinutes: late ? Math.floor((inAt - span.start) / MINUTE) : null, arrivedAfterMinutes };
	if (!hasIn) {
		if (now < span.start) return base;
		if (now <= span.start + grace) return { ...base, state: 'awaiting' };
		return { ...base, state: 'noShow', noShow: true };
	}
	if (hasOut) return { ...base, state: 'finished', earlyLeave: outAt < span.end - grace };
	return { ...base, state: now < span.end ? 'onDuty' : 'finished' };
}

/** People checked in and not out, on shifts that cover `now`, counted per post. */
export function onDutyByPost(shifts: Shift[], now: number): Map<string, number> {
	const out = new Map<string, number>();
	for (const s of shifts) {
		if (!coversInstant(s, now)) continue;
		let n = 0;
		for (const p of s.people) {
			const c = s.checkins[p.id];
			if (c?.inAt && !c.outAt && Date.parse(c.inAt) <= now) n++;
		}
		out.set(s.postId, (out.get(s.postId) ?? 0) + n);
	}
	return out;
}

// ---------------------------------------------------------------------------------------------------------------
// The same person on two overlapping shifts
// ---------------------------------------------------------------------------------------------------------------

/**
 * Who a person is across shifts: their account when they have one, otherwise their name (people without
 * accounts have nothing else; two volunteers with one name are flagged, and the lead can tell them apart).
 */
export function personKey(p: Pick<ShiftPerson, 'userId' | 'name'>): string {
	return p.userId ? `u:${p.userId}` : `n:${p.name.trim().replace(/\s+/g, ' ').toLowerCase()}`;
}

export interface OverlapConflict {
	key: string;
	name: string;
	/** Two shifts (agency and id) whose spans overlap; the same shift twice when a person is listed twice in it. */
	a: { agency: string; shiftId: string; personId: string };
	b: { agency: string; shiftId: string; personId: string };
}

/** Every pair of overlapping assignments of one person, across all the shifts given (all agencies). */
export function findOverlaps(shifts: Shift[]): OverlapConflict[] {
	type Slot = { agency: string; shiftId: string; personId: string; name: string; start: number; end: number };
	const byPerson = new Map<string, Slot[]>();
	for (const s of shifts) {
		const span = shiftSpan(s);
		if (!span) continue;
		for (const p of s.people) {
			const key = personKey(p);
			const list = byPerson.get(key) ?? [];
			list.push({ agency: s.agency, shiftId: s.id, personId: p.id, name: p.name, ...span });
			byPerson.set(key, list);
		}
	}
	const out: OverlapConflict[] = [];
	for (const [key, slots] of byPerson) {
		if (slots.length < 2) continue;
		slots.sort((x, y) => x.start - y.start);
		// A sweep: each slot is compared with the later-starting slots until one starts after it ends.
		for (let i = 0; i < slots.length; i++) {
			for (let j = i + 1; j < slots.length && slots[j].start < slots[i].end; j++) {
				const a = slots[i];
				const b = slots[j];
				out.push({
					key,
					name: a.name,
					a: { agency: a.agency, shiftId: a.shiftId, personId: a.personId },
					b: { agency: b.agency, shiftId: b.shiftId, personId: b.personId }
				});
			}
		}
	}
	return out;
}

/** The overlaps as a lookup: `agency/shiftId/personId` → the other shifts that person is on at the same time. */
export function overlapIndex(conflicts: OverlapConflict[]): Map<string, Array<{ agency: string; shiftId: string }>> {
	const index = new Map<string, Array<{ agency: string; shiftId: string }>>();
	const add = (from: OverlapConflict['a'], to: OverlapConflict['b']) => {
		const k = `${from.agency}/${from.shiftId}/${from.personId}`;
		const list = index.get(k) ?? [];
		list.push({ agency: to.agency, shiftId: to.shiftId });
		index.set(k, list);
	};
	for (const c of conflicts) {
		add(c.a, c.b);
		add(c.b, c.a);
	}
	return index;
}

// ---------------------------------------------------------------------------------------------------------------
// A person's own shifts
// ---------------------------------------------------------------------------------------------------------------

export interface MyShift {
	shift: Shift;
	person: ShiftPerson;
	attendance: Attendance;
}

/**
 * The shifts of one user, soonest first, with where they stand. Ended shifts come last, newest first, so a
 * phone shows the current and next shift at the top.
 */
export function shiftsOfUser(shifts: Shift[], userId: string, now: number, graceMinutes: number): MyShift[] {
	const mine: MyShift[] = [];
	for (const shift of shifts) {
		for (const person of shift.people) {
			if (person.userId === userId) mine.push({ shift, person, attendance: attendanceOf(shift, person.id, now, graceMinutes) });
		}
	}
	const ended = (x: MyShift) => Date.parse(x.shift.endsAt) <= now || x.attendance.state === 'finished';
	return mine.sort((x, y) => {
		const ex = ended(x);
		const ey = ended(y);
		if (ex !== ey) return ex ? 1 : -1;
		const d = Date.parse(x.shift.startsAt) - Date.parse(y.shift.startsAt);
		return ex ? -d : d;
	});
}

/**
 * May this person check in now? From an hour before the start (people arrive early for the briefing) until
 * the end of the shift, and only once.
 */
export const EARLY_CHECKIN_MINUTES = 60;
export function canCheckIn(shift: Pick<Shift, 'startsAt' | 'endsAt' | 'checkins'>, personId: string, now: number): boolean {
	const span = shiftSpan(shift);
	if (!span || shift.checkins[personId]?.inAt) return false;
	return now >= span.start - EARLY_CHECKIN_MINUTES * MINUTE && now < span.end;
}

/** May this person check out now? Once checked in and not yet out. */
export function canCheckOut(shift: Pick<Shift, 'checkins'>, personId: string): boolean {
	const c = shift.checkins[personId];
	return !!c?.inAt && !c.outAt;
}
