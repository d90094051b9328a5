/**
 * Field reports (警情上报) and the files attached to reports, cards and dispute entries: the kinds, the limits, the
 * checks of a report as sent, who may see and triage what, and the figures taken from reports (time to triage).
 * Shared by the report form, the triage desk, the API, the wall and the after-action record.
 */
import type { Principal } from './permissions.ts';
import type { EventStatus } from './roles.ts';
import { COORD_LIMIT, type Point } from './geometry.ts';
import { isId } from './ids.ts';

/** 可疑物品, 走失人员, 人员密集, 打架纠纷, 医疗求助, 交通, 火情, 其他. */
export const REPORT_KINDS = ['suspiciousItem', 'lostPerson', 'crowding', 'fight', 'medical', 'traffic', 'fire', 'other'] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];

/** new: waits for the desk; card: a card was made of it; attached: joined to a card; duplicate; closed: no action. */
export const REPORT_STATES = ['new', 'card', 'attached', 'duplicate', 'closed'] as const;
export type ReportState = (typeof REPORT_STATES)[number];

/** Crowding levels 1–4 (一级 lightest to 四级 most severe), as the crowd-safety plans grade them. */
export const CROWD_LEVELS = [1, 2, 3, 4] as const;

export const MAX_REPORT_TEXT = 500;
export const MAX_REASON_TEXT = 300;
export const MAX_HEAD_COUNT = 1_000_000;
/** Photos one report may carry. */
export const MAX_PHOTOS_PER_REPORT = 6;
/** One file as uploaded: a phone's photo downscaled to 1600 px is far below; a camera's original may come through the API. */
export const MAX_FILE_BYTES = 10 * 1024 * 1024;
/** All files of one event together. */
export const MAX_EVENT_FILE_BYTES = 2 * 1024 * 1024 * 1024;
/** A photo's longest side after downscaling, on the phone and again on the server. */
export const PHOTO_SIDE = 1600;
/** A thumbnail's longest side. */
export const THUMB_SIDE = 320;
/** A resumable upload is sent in pieces of this size; the server takes pieces up to MAX_PART_BYTES. */
export const UPLOAD_PART_BYTES = 256 * 1024;
export const MAX_PART_BYTES = 1024 * 1024;
/** A report's tap time may be this far in the future (a phone's clock running fast) or this far back (offline). */
const CLOCK_SKEW_MS = 5 * 60_000;
const OLDEST_REPORT_MS = 7 * 24 * 3_600_000;

/** A report as sent by a phone or an integration, before it is stored. */
export interface ReportInput {
	id: string;
	kind: ReportKind;
	body: string;
	level: number | null;
	headCount: number | null;
	pin: Point | null;
	/** WGS-84, only when the reporter chose to attach their position. */
	position: { lng: number; lat: number } | null;
	reportedAt: Date;
}

/** What is wrong with a report as sent; the field it names is the one the form marks. */
export type ReportProblem = 'id' | 'kind' | 'body' | 'level' | 'headCount' | 'pin' | 'position' | 'reportedAt';

const num = (v: unknown): number | null => {
	if (typeof v === 'number') return Number.isFinite(v) ? v : NaN;
	if (typeof v === 'string' && v.trim() !== '') return /^-?\d+(\.\d+)?$/.test(v.trim()) ? Number(v) : NaN;
	return null;
};

/**
 * Checks a report as sent (JSON or form fields) and returns it typed, or the first problem. Level and head count
 * belong to crowding reports only; a pin is a point on the plan; a position is WGS-84.
 */
export function checkReportInput(raw: Record<string, unknown>, now: Date): { ok: true; input: ReportInput } | { ok: false; problem: ReportProblem } {
	if (!isId(raw.id)) return { ok: false, problem: 'id' };
	if (typeof raw.kind !== 'string' || !(REPORT_KINDS as readonly string[]).includes(raw.kind)) return { ok: false, problem: 'kind' };
	const kind = raw.kind as ReportKind;
	const body = typeof raw.body === 'string' ? raw.body.replace(/\u0000/g, '').trim() : raw.body == null ? '' : null;
	if (body === null || [...body].length > MAX_REPORT_TEXT || (!body && kind === 'other')) return { ok: false, problem: 'body' };
	const level = num(raw.level);
	if (Number.isNaN(level) || (level !== null && (kind !== 'crowding' || !(CROWD_LEVELS as readonly number[]).includes(level)))) {
		return { ok: false, problem: 'level' };
	}
	const headCount = num(raw.headCount);
	if (Number.isNaN(headCount) || (headCount !== null && (kind !== 'crowding' || !Number.isInteger(headCount) || headCount < 0 || headCount > MAX_HEAD_COUNT))) {
		return { ok: false, problem: 'headCount' };
	}
	const pin = pointOf(raw.pin);
	if (pin === undefined) return { ok: false, problem: 'pin' };
	const position = positionOf(raw.position);
	if (position === undefined) return { ok: false, problem: 'position' };
	let reportedAt = now;
	if (raw.reportedAt != null) {
		const t = typeof raw.reportedAt === 'string' && raw.reportedAt.length <= 40 ? new Date(raw.reportedAt) : null;
		if (!t || Number.isNaN(t.getTime()) || t.getTime() > now.getTime() + CLOCK_SKEW_MS || t.getTime() < now.getTime() - OLDEST_REPORT_MS) {
			return { ok: false, problem: 'reportedAt' };
		}
		// A phone's clock a little ahead never puts a report after its own arrival.
		reportedAt = t.getTime() > now.getTime() ? now : t;
	}
	return { ok: true, input: { id: raw.id, kind, body: body ?? '', level, headCount, pin, position, reportedAt } };
}

/** A pin as `[x, y]`, `{x, y}` or `"x,y"`; null when absent, undefined when malformed. */
function pointOf(v: unknown): Point | null | undefined {
	if (v == null || v === '') return null;
	let xy: unknown[] | null = null;
	if (Array.isArray(v)) xy = v;
	else if (typeof v === 'string' && v.length <= 60) xy = v.split(',');
	else if (typeof v === 'object') xy = [(v as { x?: unknown }).x, (v as { y?: unknown }).y];
	if (!xy || xy.length !== 2) return undefined;
	const [x, y] = xy.map(num);
	if (x === null || y === null || !Number.isFinite(x) || !Number.isFinite(y) || Math.abs(x) > COORD_LIMIT || Math.abs(y) > COORD_LIMIT) return undefined;
	return [Math.round(x * 10) / 10, Math.round(y * 10) / 10];
}

function positionOf(v: unknown): { lng: number; lat: number } | null | undefined {
	if (v == null || v === '') return null;
	if (typeof v !== 'object' || Array.isArray(v)) return undefined;
	const lng = num((v as { lng?: unknown }).lng);
	const lat = num((v as { lat?: unknown }).lat);
	if (lng === null || lat === null || !Number.isFinite(lng) || !Number.isFinite(lat) || Math.abs(lng) > 180 || Math.abs(lat) > 90) return undefined;
	return { lng, lat };
}

const member = (p: Principal) => (p.kind === 'user' ? p.membership : null);

/** Any member who acts in the event (commander, lead, member) may report while it is not closed. */
export function mayReport(p: Principal, status: EventStatus): boolean {
	const m = member(p);
	return status !== 'closed' && !!m && (m.role === 'commander' || m.role === 'lead' || m.role === 'member');
}

/** The triage desk (接报台): the commander and every agency's lead, while the event is open. */
export function mayTriage(p: Principal, status: EventStatus): boolean {
	const m = member(p);
	return status !== 'closed' && !!m && (m.role === 'commander' || m.role === 'lead');
}

/**
 * Who reads a report: its reporter, the desk (commander and leads) and reviewers. Other members do not: a report
 * may name a lost child or describe a person, and it reaches the board as a card once triaged.
 */
export function mayReadReport(p: Principal, report: { reporterId: string | null }): boolean {
	const m = member(p);
	if (!m || p.kind !== 'user') return false;
	return m.role === 'commander' || m.role === 'lead' || m.role === 'reviewer' || (report.reporterId !== null && report.reporterId === p.userId);
}

/** Reads every report of the event (the desk and reviewers), rather than only the user's own. */
export function readsAllReports(p: Principal): boolean {
	const m = member(p);
	return !!m && (m.role === 'commander' || m.role === 'lead' || m.role === 'reviewer');
}

/** A stored file's attachment, as access is decided by it. */
export interface AttachmentLink {
	target: 'report' | 'card' | 'dispute';
	targetId: string;
	/** The agency whose document holds the card or dispute entry; the reporter's agency for a report. */
	agency: string | null;
	/** Shows people: personal data. */
	people: boolean;
	/** The commander chose to show it on the wall (never one that shows people). */
	onWall: boolean;
	/** For a report: who sent it. */
	reporterId?: string | null;
}

/**
 * May this principal see a file attached this way? A card's files follow the card (every member reads the
 * board); a dispute entry's follow the dispute's agency (its own people and the commander); a report's follow the
 * report. A file showing people is personal data: only for those cleared for it. A display sees only what the
 * commander put on the wall.
 */
export function mayViewAttachment(p: Principal, link: AttachmentLink): boolean {
	if (p.kind === 'display') return link.onWall && !link.people;
	const m = p.membership;
	if (!m) return false;
	if (link.people && !p.clearedPersonalData) return false;
	switch (link.target) {
		case 'report':
			return mayReadReport(p, { reporterId: link.reporterId ?? null });
		case 'card':
			return true;
		case 'dispute':
			// Reviewers read the record's disputes; their photos only when cleared, as with the parties.
			if (m.role === 'commander') return true;
			if (m.role === 'reviewer') return p.clearedPersonalData;
			return (m.role === 'lead' || m.role === 'member') && m.agencyCode === link.agency;
	}
}

/**
 * May this principal attach files to a card or dispute entry of an agency? Whoever writes that agency's document:
 * its lead and members, and the commander, while the event is open.
 */
export function mayAttach(p: Principal, agency: string, status: EventStatus): boolean {
	const m = member(p);
	if (status === 'closed' || !m) return false;
	return m.role === 'commander' || ((m.role === 'lead' || m.role === 'member') && m.agencyCode === agency);
}

/** Marking a file as showing people, or for the wall, is the commander's. */
export function mayMarkAttachment(p: Principal, status: EventStatus): boolean {
	const m = member(p);
	return status !== 'closed' && m?.role === 'commander';
}

/** A report as the figures need it. */
export interface ReportTimes {
	kind: ReportKind;
	state: ReportState;
	reportedAt: Date;
	receivedAt: Date;
	triagedAt: Date | null;
}

/**
 * Time to triage: from the moment the report reached the desk to the moment it was triaged (a report that waited
 * offline on a phone could not be triaged before it arrived; that wait is `deliveryMs`). Null while untriaged.
 */
export function triageMs(r: Pick<ReportTimes, 'receivedAt' | 'triagedAt'>): number | null {
	return r.triagedAt ? Math.max(0, r.triagedAt.getTime() - r.receivedAt.getTime()) : null;
}

/** How long a report waited on the phone before it reached the server. */
export function deliveryMs(r: Pick<ReportTimes, 'reportedAt' | 'receivedAt'>): number {
	return Math.max(0, r.receivedAt.getTime() - r.reportedAt.getTime());
}

/** A report waiting for the desk longer than this is flagged on the desk and counted in the record. */
export const TRIAGE_DUE_MS = 5 * 60_000;

/** Is this report still untriaged past the due time, as of `at`? */
export function triageOverdue(r: Pick<ReportTimes, 'state' | 'receivedAt'>, at: Date): boolean {
	return r.state === 'new' && at.getTime() - r.receivedAt.getTime() > TRIAGE_DUE_MS;
}

export interface ReportFigures {
	total: number;
	byKind: Record<ReportKind, number>;
	byState: Record<ReportState, number>;
	/** Untriaged at the moment the figures are taken. */
	waiting: number;
	/** Untriaged past TRIAGE_DUE_MS at that moment. */
	waitingOverdue: number;
	medianTriageMinutes: number | null;
	p90TriageMinutes: number | null;
	slowestTriageMinutes: number | null;
}

/** The reports' figures as of a moment: only what had arrived by then, triage as it stood then. */
export function reportFigures(reports: ReportTimes[], at: Date): ReportFigures {
	const seen = reports.filter((r) => r.receivedAt.getTime() <= at.getTime());
	const byKind = Object.fromEntries(REPORT_KINDS.map((k) => [k, 0])) as Record<ReportKind, number>;
	const byState = Object.fromEntries(REPORT_STATES.map((k) => [k, 0])) as Record<ReportState, number>;
	const times: number[] = [];
	let waiting = 0;
	let waitingOverdue = 0;
	for (const r of seen) {
		byKind[r.kind]++;
		const triaged = r.triagedAt !== null && r.triagedAt.getTime() <= at.getTime();
		const state: ReportState = triaged ? r.state : 'new';
		byState[state]++;
		if (triaged) times.push(triageMs(r)!);
		else {
			waiting++;
			if (triageOverdue({ state: 'new', receivedAt: r.receivedAt }, at)) waitingOverdue++;
		}
	}
	times.sort((a, b) => a - b);
	const minutes = (ms: number | undefined) => (ms === undefined ? null : Math.round(ms / 6_000) / 10);
	return {
		total: seen.length,
		byKind,
		byState,
		waiting,
		waitingOverdue,
		medianTriageMinutes: times.length ? minutes(times[Math.floor((times.length - 1) / 2)]) : null,
		p90TriageMinutes: times.length ? minutes(times[Math.min(times.length - 1, Math.ceil(times.length * 0.9) - 1)]) : null,
		slowestTriageMinutes: times.length ? minutes(times[times.length - 1]) : null
	};
}

/** A triage decision as sent by the desk. */
export type TriageInput =
	| { action: 'card'; agency: string; title: string; priority: 'routine' | 'urgent' | 'critical' }
	| { action: 'attach'; agency: string; cardId: string }
	| { action: 'duplicate'; of: string }
	| { action: 'close'; reason: string }
	/** 按预案处置: run a playbook; the report joins the run's first card. */
	| { action: 'playbook'; playbookId: string };

export type TriageProblem = 'action' | 'agency' | 'title' | 'priority' | 'cardId' | 'of' | 'reason' | 'playbook';

/** Checks a triage decision as sent; the target's existence is the server's to check. */
export function checkTriageInput(raw: Record<string, unknown>): { ok: true; input: TriageInput } | { ok: false; problem: TriageProblem } {
	const text = (v: unknown, max: number) => (typeof v === 'string' && v.trim() && [...v.trim()].length <= max && !v.includes('\u0000') ? v.trim() : null);
	switch (raw.action) {
		case 'card': {
			if (!isId(raw.agency)) return { ok: false, problem: 'agency' };
			const title = text(raw.title, 200);
			if (!title) return { ok: false, problem: 'title' };
			const priority = raw.priority ?? 'urgent';
			if (priority !== 'routine' && priority !== 'urgent' && priority !== 'critical') return { ok: false, problem: 'priority' };
			return { ok: true, input: { action: 'card', agency: raw.agency, title, priority } };
		}
		case 'attach':
			if (!isId(raw.agency)) return { ok: false, problem: 'agency' };
			if (!isId(raw.cardId)) return { ok: false, problem: 'cardId' };
			return { ok: true, input: { action: 'attach', agency: raw.agency, cardId: raw.cardId } };
		case 'duplicate':
			if (!isId(raw.of)) return { ok: false, problem: 'of' };
			return { ok: true, input: { action: 'duplicate', of: raw.of } };
		case 'close': {
			const reason = text(raw.reason, MAX_REASON_TEXT);
			if (!reason) return { ok: false, problem: 'reason' };
			return { ok: true, input: { action: 'close', reason } };
		}
		case 'playbook':
			if (!isId(raw.playbookId)) return { ok: false, problem: 'playbook' };
			return { ok: true, input: { action: 'playbook', playbookId: raw.playbookId } };
		default:
			return { ok: false, problem: 'action' };
	}
}

/** Which agencies' cards a triager may create or attach to: the commander any, a lead their own. */
export function mayRouteTo(p: Principal, agency: string): boolean {
	const m = member(p);
	return !!m && (m.role === 'commander' || (m.role === 'lead' && m.agencyCode === agency));
}

/** A report as pages, the API and the record see it. Names, never ids, for anything a person reads. */
export interface ReportView {
	id: string;
	kind: ReportKind;
	body: string;
	level: number | null;
	headCount: number | null;
	pin: Point | null;
	position: { lng: number; lat: number } | null;
	reporterId: string | null;
	reporterName: string | null;
	reporterAgency: string | null;
	reportedAt: string;
	receivedAt: string;
	state: ReportState;
	triagedAt: string | null;
	triagedByName: string | null;
	cardAgency: string | null;
	cardId: string | null;
	duplicateOf: string | null;
	reason: string | null;
	/** Photos this viewer may see (ids are SHA-256 of the stored bytes). */
	photos: Array<{ id: string; people: boolean; onWall: boolean; width: number | null; height: number | null }>;
}

/** The report's pin on the plan as the wall and the map draw it: kind and place only, no text, no people. */
export interface ReportPin {
	id: string;
	kind: ReportKind;
	state: ReportState;
	point: Point;
	level: number | null;
}

/** Does a point lie inside a polygon (even–odd rule)? */
export function insidePolygon([x, y]: Point, polygon: Point[]): boolean {
	let inside = false;
	for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
		const [xi, yi] = polygon[i];
		const [xj, yj] = polygon[j];
		if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
	}
	return inside;
}

/** The first zone a pin lies in, for the desk's zone filter. */
export function zoneOfPin<Z extends { id: string; points: Point[] }>(pin: Point | null, zones: Z[]): Z | null {
	if (!pin) return null;
	return zones.find((z) => insidePolygon(pin, z.points)) ?? null;
}

/** Report pins by kind on the map and the wall (each against white at 3:1 or more, as a map symbol needs). */
export const REPORT_COLOURS: Record<ReportKind, string> = {
	suspiciousItem: '#b91c1c',
	lostPerson: '#7c3aed',
	crowding: '#c2410c',
	fight: '#9d174d',
	medical: '#047857',
	traffic: '#b45309',
	fire: '#dc2626',
	other: '#475569'
};

/** How long a report made into a card stays on the wall's map after its triage. */
export const WALL_REPORT_MS = 60 * 60_000;

/** Which reports a wall shows as pins at a moment: those waiting for the desk, and those made cards within the hour. */
export function onWallMap(r: { state: ReportState; pin: Point | null; triagedAt: string | null }, at: number): boolean {
	if (!r.pin) return false;
	if (r.state === 'new') return true;
	return (r.state === 'card' || r.state === 'attached') && r.triagedAt !== null && at - Date.parse(r.triagedAt) < WALL_REPORT_MS;
}
