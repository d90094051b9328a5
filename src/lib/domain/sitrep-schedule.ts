/**
 * When situation reports are due: daily times in the event's zone (e.g. 18:00) and, if chosen, the end of every
 * operational period. The server prepares each due report's draft a little before (SITREP_LEAD_MINUTES) and reminds
 * the commander; the sitrep page shows the next ones. Pure.
 */
import { parseTimeIn, toLocalInputValue } from './validation.ts';

export interface SitrepSchedule {
	/** Wall-clock times "HH:MM" in the event's zone, sorted. */
	times: string[];
	/** Also at the end of each operational period. */
	periodEnds: boolean;
}

export const EMPTY_SCHEDULE: SitrepSchedule = { times: [], periodEnds: false };
/** More reports a day than this is not a rhythm but a stream. */
export const MAX_DAILY_TIMES = 8;
/** How long before a due time the draft is prepared and the commander reminded. */
export const SITREP_LEAD_MINUTES = 20;

export interface DueSlot {
	/** UTC ISO time the report is due. */
	dueAt: string;
	kind: 'daily' | 'periodEnd';
	/** The period a period-end report is for; null for a daily time. */
	periodId: string | null;
}

const HHMM = /^([01]?\d|2[0-3])[:：]([0-5]\d)$/;

/** Reads a schedule as typed ("18:00, 06:00" and a checkbox): the times or what is wrong with them. */
export function checkSchedule(raw: { times: string; periodEnds: boolean }): { ok: true; schedule: SitrepSchedule } | { ok: false; problem: 'invalidFormat' | 'tooMany' } {
	const parts = raw.times
		.split(/[\s,，、;；]+/)
		.map((s) => s.trim())
		.filter(Boolean);
	const times = new Set<string>();
	for (const p of parts) {
		const m = HHMM.exec(p);
		if (!m) return { ok: false, problem: 'invalidFormat' };
		times.add(`${m[1].padStart(2, '0')}:${m[2]}`);
	}
	if (times.size > MAX_DAILY_TIMES) return { ok: false, problem: 'tooMany' };
	return { ok: true, schedule: { times: [...times].sort(), periodEnds: raw.periodEnds } };
}

/**
 * The due times of a schedule within [from, to] (ms), inside the event's span, oldest first. A daily time that falls
 * on a period's end is that period's report, once.
 */
export function dueSlots(
	schedule: SitrepSchedule,
	periods: Array<{ id: string; endsAt: string }>,
	event: { startsAt: string; endsAt: string; timezone: string },
	window: { from: number; to: number }
): DueSlot[] {
	const start = Math.max(window.from, Date.parse(event.startsAt));
	const end = Math.min(window.to, Date.parse(event.endsAt));
	if (!(end >= start)) return [];
	const slots = new Map<number, DueSlot>();
	if (schedule.periodEnds) {
		for (const p of periods) {
			const at = Date.parse(p.endsAt);
			if (at >= start && at <= end) slots.set(at, { dueAt: new Date(at).toISOString(), kind: 'periodEnd', periodId: p.id });
		}
	}
	if (schedule.times.length) {
		// Each local day the window touches, from the day before its start (a window may begin just before midnight).
		const firstDay = toLocalInputValue(new Date(start - 86_400_000), event.timezone).slice(0, 10);
		for (let d = 0; d < 400; d++) {
			const day = new Date(Date.parse(`${firstDay}T00:00:00Z`) + d * 86_400_000).toISOString().slice(0, 10);
			const midnight = parseTimeIn(`${day}T00:00`, event.timezone);
			if (!midnight || midnight.getTime() > end) break;
			for (const t of schedule.times) {
				const at = parseTimeIn(`${day}T${t}`, event.timezone)?.getTime();
				if (at !== undefined && at >= start && at <= end && !slots.has(at)) slots.set(at, { dueAt: new Date(at).toISOString(), kind: 'daily', periodId: null });
			}
		}
	}
	return [...slots.values()].sort((a, b) => a.dueAt.localeCompare(b.dueAt));
}
