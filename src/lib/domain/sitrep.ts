/**
 * Situation reports (警情通报, ICS 209): the figures of a report, taken from the board at one moment. Every number
 * comes from the functions that feed the board, the roster, the wall and the after-action record (figures.ts, the
 * record's cardFigures/shiftFigures/disputeFigures/instructionFigures, reportFigures), applied to the same inputs
 * the record is built from — so a report never disagrees with the screens at its moment. Pure: no I/O.
 */
import { cardFigures, disputeFigures, instructionFigures, shiftFigures, type RecordInputs } from './after-action.ts';
import { overdueCount, onDutyTotal, postStaffing, understaffedPosts } from './figures.ts';
import { reportFigures, type ReportFigures, type ReportTimes } from './field-reports.ts';
import { coversInstant } from './roster.ts';
import { maskIdNumber, maskName, maskPhone } from './masking.ts';
import type { Principal } from './permissions.ts';
import type { EventStatus } from './roles.ts';

export const SITREP_FORMAT = 'liandong.sitrep/1';

/** The sections as practice writes a 警情通报: 标题, 时段, 总体情况, 各单位情况, 重点警情, 存在问题, 下步工作. */
export const SITREP_SECTIONS = ['title', 'period', 'overview', 'agencies', 'incidents', 'problems', 'next'] as const;
export type SitrepSection = (typeof SITREP_SECTIONS)[number];
export type SitrepTexts = Record<SitrepSection, string>;

/** Longest text a section may hold (the title far less: it is also the instruction's first line). */
export const SECTION_MAX = 4000;
export const TITLE_MAX = 120;

/** Items a list in a report names before it says "and n more": a report is read in a minute. */
export const LIST_CAP = 8;

export interface SitrepPeriod {
	id: string;
	name: string;
	startsAt: string;
	endsAt: string;
}

/**
 * Does this principal read drafts? The commander only. A lead does not: a draft is not yet an order — a lead who
 * acted on its 下步工作 before it was issued would act on words the commander may still change — and every figure in
 * it is on the board, roster and wall for them already. Every member reads issued reports.
 */
export function readsSitrepDrafts(p: Principal): boolean {
	return p.kind === 'user' && p.membership?.role === 'commander';
}

/** May this principal draft, edit, issue and schedule reports? The commander, while the event is not closed. */
export function mayWriteSitreps(p: Principal, status: EventStatus): boolean {
	return readsSitrepDrafts(p) && status !== 'closed';
}

/** A dispute's party as the restricted document holds it: only to recognise it in free text and mask it there. */
export interface PartyForScrub {
	disputeId: string;
	name: string;
	phone: string;
	idNumber: string;
}

export interface SitrepInputs {
	/** The record's inputs as collected now (collectRecordInputs): documents, activity, instructions. */
	record: RecordInputs;
	/** The field reports' times (reportTimes). */
	reports: ReportTimes[];
	/** The parties of disputes, so that a summary that names one says it masked. */
	parties: PartyForScrub[];
	/** The operational period the report is for; null on demand. */
	period: SitrepPeriod | null;
	/** Where an on-demand report starts: the moment of the last issued report, else the event's start. */
	since: string;
}

type AgencyRow = { todo: number; doing: number; blocked: number; done: number; total: number; opened: number; closed: number; overdue: number; onDuty: number };

export interface SitrepCardItem {
	agency: string;
	title: string;
	status: string;
	dueAt: string | null;
}

export interface SitrepDisputeItem {
	agency: string;
	summary: string;
	risk: string;
	status: string;
	level: string;
}

export interface SitrepFigures {
	/** The moment the figures are taken at (figuresMoment): the report's "截至". */
	asOf: string;
	/** The span the report covers: the period's start (or `since`) to `asOf`. */
	from: string;
	period: SitrepPeriod | null;
	cards: ReturnType<typeof cardFigures> & {
		opened: number;
		closed: number;
		perAgency: Record<string, AgencyRow>;
		/** 特急 cards not done. */
		critical: { count: number; items: SitrepCardItem[] };
		overdueItems: SitrepCardItem[];
	};
	reports: { inSpan: ReportFigures; toDate: ReportFigures };
	posts: { onDuty: number; understaffed: number; rows: Array<{ name: string; agency: string | null; onDuty: number; counted: number; minStaff: number; short: boolean; required: boolean }> };
	/** Event to date (the record's figures) and over the shifts that overlap the span. */
	shifts: { toDate: ReturnType<typeof shiftFigures>; inSpan: ReturnType<typeof shiftFigures> };
	disputes: ReturnType<typeof disputeFigures> & { hot: { count: number; items: SitrepDisputeItem[] }; escalatedItems: SitrepDisputeItem[] };
	instructions: { toDate: ReturnType<typeof instructionFigures>; inSpan: ReturnType<typeof instructionFigures> };
	next: { period: SitrepPeriod | null; from: string; to: string; shortPosts: Array<{ name: string; agency: string | null; planned: number; minStaff: number }>; due: SitrepCardItem[] };
}

const HOUR = 3_600_000;
/** Without a next period, "next" looks this far ahead. */
const NEXT_WINDOW_MS = 12 * HOUR;
const HOT_RISKS = new Set(['high', 'critical']);

const inSpan = (iso: string | null, from: number, to: number) => {
	if (!iso) return false;
	const t = Date.parse(iso);
	return t >= from && t <= to;
};

/**
 * A dispute's summary with any party's name, phone or ID number that it holds replaced by the masked form: a report
 * goes to everyone in the event, and a summary typed in a hurry may name someone (张三明与李四…).
 */
export function scrubParties(text: string, parties: PartyForScrub[]): string {
	const swaps: Array<[string, string]> = [];
	for (const p of parties) {
		if (p.idNumber.trim().length >= 6) swaps.push([p.idNumber.trim(), maskIdNumber(p.idNumber)]);
		const digits = p.phone.replace(/\D/g, '');
		if (digits.length >= 7) {
			// As the party's record has it, and as bare digits (a summary may drop the spaces or dashes).
			swaps.push([p.phone.trim(), maskPhone(p.phone)]);
			if (digits !== p.phone.trim()) swaps.push([digits, maskPhone(p.phone)]);
		}
		// A one-character name would mask every such character in the text; it cannot be told from ordinary words.
		if ([...p.name.trim()].length >= 2) swaps.push([p.name.trim(), maskName(p.name)]);
	}
	// Longest first, so a name inside a longer one (张三 in 张三明) does not leave half of the longer one showing.
	swaps.sort((a, b) => b[0].length - a[0].length);
	let out = text;
	for (const [plain, masked] of swaps) out = out.split(plain).join(masked);
	return out;
}

/** The period a report is for, chosen by id; null when there is none by that id. */
export function periodById(periods: SitrepPeriod[], id: string | null): SitrepPeriod | null {
	return (id && periods.find((p) => p.id === id)) || null;
}

/** The figures of a report at the record inputs' moment (`record.asOf`). */
export function sitrepFigures(inp: SitrepInputs): SitrepFigures {
	const r = inp.record;
	const asOf = Date.parse(r.asOf);
	const startIso = inp.period?.startsAt ?? inp.since;
	const from = Math.min(Date.parse(startIso), asOf);
	const codes = r.agencies.map((a) => a.code);
	const event = { start: Date.parse(r.event.startsAt), end: Date.parse(r.event.endsAt) };
	const grace = r.event.checkinGraceMinutes;
	const cards = r.cards.filter((c) => !c.archived);

	const staffing = postStaffing(r.posts, r.shifts, { periods: r.periods, event, asOf, graceMinutes: grace });
	const perAgency: Record<string, AgencyRow> = {};
	const base = cardFigures(r.cards, codes, asOf);
	for (const code of new Set([...codes, ...Object.keys(base.byAgency)])) {
		const mine = cards.filter((c) => c.agency === code);
		const status = base.byAgency[code] ?? { todo: 0, doing: 0, blocked: 0, done: 0, total: 0 };
		perAgency[code] = {
			todo: status.todo ?? 0,
			doing: status.doing ?? 0,
			blocked: status.blocked ?? 0,
			done: status.done ?? 0,
			total: status.total ?? 0,
			opened: mine.filter((c) => inSpan(c.createdAt, from, asOf)).length,
			closed: mine.filter((c) => inSpan(c.doneAt, from, asOf)).length,
			overdue: overdueCount(mine, asOf),
			onDuty: onDutyTotal(staffing.filter((s) => s.post.agency === code))
		};
	}
	const item = (c: (typeof cards)[number]): SitrepCardItem => ({ agency: c.agency, title: c.title, status: c.status, dueAt: c.dueAt });
	const byDue = (a: SitrepCardItem, b: SitrepCardItem) => (a.dueAt ?? '9').localeCompare(b.dueAt ?? '9') || a.title.localeCompare(b.title, 'zh-CN');
	const critical = cards.filter((c) => c.priority === 'critical' && c.status !== 'done').map(item).sort(byDue);
	const overdueItems = cards.filter((c) => overdueCount([c], asOf) === 1).map(item).sort(byDue);

	const masked = (d: RecordInputs['disputes'][number]): SitrepDisputeItem => ({
		agency: d.agency,
		summary: scrubParties(d.summary, inp.parties.filter((p) => p.disputeId === d.id)),
		risk: d.risk,
		status: d.status,
		level: d.level
	});
	const settled = new Set(['resolved', 'transferred']);
	const hot = r.disputes.filter((d) => HOT_RISKS.has(d.risk) && !settled.has(d.status)).map(masked);
	const disputes = disputeFigures(r.disputes);

	const spanShifts = r.shifts.filter((s) => Date.parse(s.startsAt) <= asOf && Date.parse(s.endsAt) > from);
	const spanInstructions = r.instructions.filter((i) => inSpan(i.createdAt, from, asOf));

	// What comes next: the period after this one (or after now), else the next twelve hours.
	const after = inp.period ? Date.parse(inp.period.endsAt) : asOf;
	const nextPeriod = [...r.periods].sort((a, b) => a.startsAt.localeCompare(b.startsAt)).find((p) => Date.parse(p.startsAt) >= after && p.id !== inp.period?.id) ?? null;
	const nextFrom = nextPeriod ? Date.parse(nextPeriod.startsAt) : after;
	const nextTo = nextPeriod ? Date.parse(nextPeriod.endsAt) : after + NEXT_WINDOW_MS;
	const shortPosts = r.posts
		.filter((p) => !p.archived && p.minStaff > 0)
		.map((p) => ({
			name: p.name,
			agency: p.agency,
			minStaff: p.minStaff,
			planned: r.shifts.filter((s) => s.postId === p.id && coversInstant(s, nextFrom)).reduce((n, s) => n + s.people.length, 0)
		}))
		.filter((p) => p.planned < p.minStaff);
	const due = cards.filter((c) => c.status !== 'done' && c.dueAt && Date.parse(c.dueAt) >= nextFrom && Date.parse(c.dueAt) < nextTo).map(item).sort(byDue);

	return {
		asOf: r.asOf,
		from: new Date(from).toISOString(),
		period: inp.period,
		cards: {
			...base,
			opened: Object.values(perAgency).reduce((n, a) => n + a.opened, 0),
			closed: Object.values(perAgency).reduce((n, a) => n + a.closed, 0),
			perAgency,
			critical: { count: critical.length, items: critical.slice(0, LIST_CAP) },
			overdueItems: overdueItems.slice(0, LIST_CAP)
		},
		reports: {
			inSpan: reportFigures(inp.reports.filter((x) => x.receivedAt.getTime() >= from), new Date(asOf)),
			toDate: reportFigures(inp.reports, new Date(asOf))
		},
		posts: {
			onDuty: onDutyTotal(staffing),
			understaffed: understaffedPosts(staffing),
			rows: staffing.map((s) => ({ name: s.post.name, agency: s.post.agency, onDuty: s.onDuty, counted: s.counted, minStaff: s.post.minStaff, short: s.short, required: s.required }))
		},
		shifts: {
			toDate: shiftFigures(r.shifts, r.posts, r.periods, event, grace, asOf),
			inSpan: shiftFigures(spanShifts, r.posts, r.periods, event, grace, asOf)
		},
		disputes: {
			...disputes,
			hot: { count: hot.length, items: hot.slice(0, LIST_CAP) },
			escalatedItems: r.disputes
				.filter((d) => d.escalations > 0 || d.status === 'reported' || d.status === 'transferred')
				.map(masked)
				.slice(0, LIST_CAP)
		},
		instructions: { toDate: instructionFigures(r.instructions), inSpan: instructionFigures(spanInstructions) },
		next: {
			period: nextPeriod,
			from: new Date(nextFrom).toISOString(),
			to: new Date(nextTo).toISOString(),
			shortPosts,
			due: due.slice(0, LIST_CAP)
		}
	};
}

/** Checks edited sections as posted: each a string within its limit, the title not empty. Returns the texts or the first bad section. */
export function checkSections(raw: Record<string, unknown>): { ok: true; texts: SitrepTexts } | { ok: false; section: SitrepSection; problem: 'required' | 'tooLong' } {
	const texts = {} as SitrepTexts;
	for (const s of SITREP_SECTIONS) {
		// Stored in text columns and hashed as JSON: NUL is dropped, line ends are made one kind.
		let v = typeof raw[s] === 'string' ? (raw[s] as string).replace(/\u0000/g, '').replace(/\r\n?/g, '\n').trim() : '';
		// A title is one line: it is also the instruction's first line and the list's entry.
		if (s === 'title') v = v.replace(/\s*\n\s*/g, ' ');
		if (s === 'title' && !v) return { ok: false, section: s, problem: 'required' };
		if ([...v].length > (s === 'title' ? TITLE_MAX : SECTION_MAX)) return { ok: false, section: s, problem: 'tooLong' };
		texts[s] = v;
	}
	return { ok: true, texts };
}

export type SitrepLocale = 'zh-CN' | 'en';

/**
 * An issued report as it is frozen: what the commander issued (the sections as edited, in the event's language),
 * the English ICS 209 rendering's texts (a section left as generated keeps its generated English; an edited one is
 * null and is shown as written), the figures, and who issued it when. Its canonical JSON is what the SHA-256 covers.
 */
export function issuedDocument(
	draft: { id: string; locale: SitrepLocale; dueAt: string | null; figures: SitrepFigures; generated: Record<SitrepLocale, SitrepTexts> },
	event: { id: string; name: string; venue: string; timezone: string },
	agencies: Array<{ code: string; nameZh: string; nameEn: string }>,
	texts: SitrepTexts,
	issued: { at: string; by: string }
) {
	const own = draft.generated[draft.locale];
	const english = Object.fromEntries(
		SITREP_SECTIONS.map((s) => [s, draft.locale === 'en' ? texts[s] : texts[s] === own[s] ? draft.generated.en[s] : null])
	) as Record<SitrepSection, string | null>;
	return {
		format: SITREP_FORMAT,
		id: draft.id,
		event,
		/** The agencies by name as they were at issue, so the frozen report names them without looking anything up. */
		agencies,
		title: texts.title,
		period: draft.figures.period,
		from: draft.figures.from,
		asOf: draft.figures.asOf,
		dueAt: draft.dueAt,
		issuedAt: issued.at,
		issuedBy: issued.by,
		locale: draft.locale,
		sections: texts,
		english,
		figures: draft.figures
	};
}

export type IssuedSitrep = ReturnType<typeof issuedDocument>;
