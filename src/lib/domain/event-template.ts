/**
 * Event templates (模板): an event's setup as a named, versioned JSON document, to start the next event from —
 * members with their roles (by username), posts with their place on the plan, zones, the plan itself, operational
 * periods and shifts (as minutes from the event's start), standard cards reset to 待办 with their checklists
 * unticked, and the event's settings (check-in grace, the wall's language). A copy of an event is a template built
 * in memory and used at once.
 *
 * Never in a template: activity, check-ins, dispute entries and their parties, field reports, photos, display
 * tokens, comments, assignees or acknowledgements, and people on shifts who have no account (auxiliaries and
 * volunteers are written by name alone: personal data that belongs to the event it was written for).
 *
 * Times are offsets in minutes of the event zone's wall clock from the event's start ("day 2, 18:00" stays 18:00 in
 * the new event even across a daylight-saving change). When the new event is shorter, whatever starts at or after
 * its end is left out and whatever runs past its end is cut at the end; `retimeTemplate` says how many of each.
 */
import { CARD_PRIORITIES, POST_KINDS, type CardPriority } from './doc-schema.ts';
import { ZONE_KINDS, geometryProblem, type ZoneKind } from './geometry.ts';
import { EVENT_LOCALES, isValidTimezone, parseTimeIn, zoneOffsetMs } from './validation.ts';
import { EVENT_ROLES, type EventRole } from './roles.ts';
import type { Post } from './roster.ts';

/** The format of the JSON document; bump when its shape changes, and read the old one too. */
export const TEMPLATE_FORMAT = 1;
export const TEMPLATE_KIND = 'liandong.event-template';
/** A template file may be at most this big (the demo's is about 20 KB; 5,000 shifts with people about 1.5 MB). */
export const MAX_TEMPLATE_BYTES = 2_000_000;
/** Offsets reach a week before the start (a set-up day) and a year after it. */
const MIN_OFFSET = -7 * 24 * 60;
const MAX_OFFSET = 366 * 24 * 60;
const MINUTE = 60_000;

export const TEMPLATE_LIMITS = {
	name: 80,
	members: 2_000,
	posts: 2_000,
	zones: 500,
	periods: 200,
	shifts: 5_000,
	people: 200,
	cards: 2_000,
	checklist: 100
} as const;

/** What may come along into a new event; each part is a checkbox on the page and a flag on the CLI. */
export const TEMPLATE_PARTS = ['members', 'posts', 'map', 'periods', 'shifts', 'cards', 'settings'] as const;
export type TemplatePart = (typeof TEMPLATE_PARTS)[number];

export interface TemplateMember {
	username: string;
	role: EventRole;
	agency: string | null;
}
/** A post as the roster holds it, named by a key of the template's own instead of its id (archived posts stay behind). */
export interface TemplatePost extends Omit<Post, 'id' | 'archived'> {
	key: string;
	/** Place on the plan: a point or a patrol's line, flat `[x, y, …]`. */
	geo: number[] | null;
}
export interface TemplateZone {
	key: string;
	name: string;
	kind: ZoneKind;
	area: number[];
	notes: string | null;
}
export interface TemplatePlan {
	/** The plan image's content address; the image itself travels with a copy, not in a file. */
	planId: string;
	width: number;
	height: number;
	controls: number[] | null;
	/** The offline basemap under the plan, by its file name in the data folder (absent in older templates). */
	basemap?: string | null;
}
export interface TemplatePeriod {
	key: string;
	name: string;
	start: number;
	end: number;
}
export interface TemplateShift {
	agency: string;
	post: string;
	period: string | null;
	start: number;
	end: number;
	notes: string | null;
	/** People with an account, by username; the role is the shift's own word (队员, 带班). */
	people: Array<{ username: string; role: string | null }>;
}
export interface TemplateCard {
	agency: string;
	title: string;
	notes: string;
	priority: CardPriority;
	/** The team by its name (teams are the organisation's, their ids differ between installations). */
	team: string | null;
	location: string | null;
	due: number | null;
	checklist: string[];
}

export interface EventTemplate {
	kind: typeof TEMPLATE_KIND;
	format: number;
	name: string;
	/** The version it was saved as (a new save of a name is the next version); 0 when never saved. */
	version: number;
	/** The event it was taken from, by name, with its span: the reference the offsets count from. */
	source: { name: string; startsAt: string; endsAt: string; timezone: string };
	durationMinutes: number;
	settings: { venue: string; checkinGraceMinutes: number; locale: string };
	members: TemplateMember[];
	posts: TemplatePost[];
	zones: TemplateZone[];
	plan: TemplatePlan | null;
	periods: TemplatePeriod[];
	shifts: TemplateShift[];
	cards: TemplateCard[];
}

// ---------------------------------------------------------------------------------------------------------------
// Building a template from an event
// ---------------------------------------------------------------------------------------------------------------

/** An event's data as the server reads it out of its row, memberships and documents. */
export interface EventSetup {
	event: { name: string; venue: string; startsAt: Date; endsAt: Date; timezone: string; checkinGraceMinutes: number; locale: string };
	members: Array<{ username: string; role: EventRole; agencyCode: string | null }>;
	usernames: Map<string, string>;
	teamNames: Map<string, string>;
	posts: Array<{ id: string; name: string; kind: string; agency: string | null; location: string | null; minStaff: number; notes: string | null; archived: boolean; geo: number[] | null }>;
	zones: Array<{ id: string; name: string; kind: ZoneKind; area: number[]; notes: string | null }>;
	plan: TemplatePlan | null;
	periods: Array<{ id: string; name: string; startsAt: string; endsAt: string }>;
	shifts: Array<{ agency: string; postId: string; periodId: string | null; startsAt: string; endsAt: string; notes: string | null; people: Array<{ userId: string | null; role: string | null }> }>;
	cards: Array<{ agency: string | null; docAgency: string; title: string; notes: string; priority: CardPriority; teamId: string | null; location: string | null; dueAt: string | null; archived: boolean; checklist: Array<{ text: string }> }>;
}

/** Minutes of the zone's wall clock from `from` to `at`. */
export function wallMinutesBetween(from: Date, at: Date, timeZone: string): number {
	const wall = (d: Date) => d.getTime() + zoneOffsetMs(d, timeZone);
	return Math.round((wall(at) - wall(from)) / MINUTE);
}

/** The instant `minutes` of wall clock after `start` in `timeZone` (a wall time skipped by DST moves forward). */
export function instantAfter(start: Date, minutes: number, timeZone: string): Date {
	const wall = new Date(start.getTime() + zoneOffsetMs(start, timeZone) + minutes * MINUTE);
	return parseTimeIn(wall.toISOString().slice(0, 19), timeZone) ?? new Date(start.getTime() + minutes * MINUTE);
}

/** Builds a template from an event's setup; nothing personal or historical is taken (see the top of this file). */
export function buildTemplate(setup: EventSetup, name: string): EventTemplate {
	const { event } = setup;
	const tz = event.timezone;
	const offset = (iso: string | null): number | null => {
		if (!iso) return null;
		const at = Date.parse(iso);
		return Number.isFinite(at) ? wallMinutesBetween(event.startsAt, new Date(at), tz) : null;
	};
	const livePosts = setup.posts.filter((p) => !p.archived);
	const postKeys = new Set(livePosts.map((p) => p.id));
	const periodKeys = new Set(setup.periods.map((p) => p.id));
	return {
		kind: TEMPLATE_KIND,
		format: TEMPLATE_FORMAT,
		name,
		version: 0,
		source: { name: event.name, startsAt: event.startsAt.toISOString(), endsAt: event.endsAt.toISOString(), timezone: tz },
		durationMinutes: wallMinutesBetween(event.startsAt, event.endsAt, tz),
		settings: { venue: event.venue, checkinGraceMinutes: event.checkinGraceMinutes, locale: event.locale },
		members: setup.members.map((m) => ({ username: m.username, role: m.role, agency: m.agencyCode })),
		posts: livePosts.map((p) => ({ key: p.id, name: p.name, kind: p.kind, agency: p.agency, location: p.location, minStaff: p.minStaff, notes: p.notes, geo: p.geo })),
		zones: setup.zones.map((z) => ({ key: z.id, name: z.name, kind: z.kind, area: z.area, notes: z.notes })),
		plan: setup.plan,
		periods: setup.periods.flatMap((p) => {
			const start = offset(p.startsAt);
			const end = offset(p.endsAt);
			return start === null || end === null ? [] : [{ key: p.id, name: p.name, start, end }];
		}),
		shifts: setup.shifts.flatMap((s) => {
			const start = offset(s.startsAt);
			const end = offset(s.endsAt);
			if (start === null || end === null || !postKeys.has(s.postId)) return [];
			// People without an account are the event's own (a name typed by a lead): never carried.
			const people = s.people.flatMap((p) => {
				const username = p.userId ? setup.usernames.get(p.userId) : undefined;
				return username ? [{ username, role: p.role }] : [];
			});
			return [{ agency: s.agency, post: s.postId, period: s.periodId && periodKeys.has(s.periodId) ? s.periodId : null, start, end, notes: s.notes, people }];
		}),
		cards: setup.cards
			.filter((c) => !c.archived)
			.map((c) => ({
				agency: c.agency ?? c.docAgency,
				title: c.title,
				notes: c.notes,
				priority: c.priority,
				team: (c.teamId && setup.teamNames.get(c.teamId)) || null,
				location: c.location,
				due: offset(c.dueAt),
				checklist: c.checklist.map((i) => i.text).filter((t) => t.length > 0)
			}))
	};
}

// ---------------------------------------------------------------------------------------------------------------
// Validation: every problem named by its path
// ---------------------------------------------------------------------------------------------------------------

export const TEMPLATE_PROBLEMS = [
	'notJson',
	'tooLarge',
	'notTemplate',
	'newerFormat',
	'required',
	'wrongType',
	'tooLong',
	'tooMany',
	'invalidChoice',
	'outOfRange',
	'endBeforeStart',
	'unknownPost',
	'unknownPeriod',
	'duplicate',
	'badGeometry',
	'invalidTimezone'
] as const;
export type TemplateProblem = (typeof TEMPLATE_PROBLEMS)[number];

/** One problem: where (`shifts[3].post`) and what (a code the catalog words as `template_problem_<code>`). */
export interface TemplateError {
	path: string;
	problem: TemplateProblem;
}

export type TemplateCheck = { ok: true; template: EventTemplate } | { ok: false; errors: TemplateError[] };

/** At most this many problems are listed: a broken file of 5,000 rows is named by its first ones. */
const MAX_ERRORS = 100;
const USERNAME = /^[a-z0-9][a-z0-9._-]{0,39}$/;
const KEY = /^[A-Za-z0-9_-]{1,64}$/;
const AGENCY = /^[a-z][a-z0-9-]{0,23}$/;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/** `posts[0]` + `name` → `posts[0].name`; a root field is named alone. */
const at = (path: string, key: string) => (path ? `${path}.${key}` : key);

class Checker {
	errors: TemplateError[] = [];
	add(path: string, problem: TemplateProblem): void {
		if (this.errors.length < MAX_ERRORS) this.errors.push({ path, problem });
	}
	text(o: Obj, key: string, path: string, max: number, opts: { required?: boolean; pattern?: RegExp; oneOf?: readonly string[] } = {}): string | null {
		const v = o[key];
		if (v === undefined || v === null || v === '') {
			if (opts.required) this.add(at(path, key), 'required');
			return null;
		}
		if (typeof v !== 'string') return this.add(at(path, key), 'wrongType'), null;
		if ([...v].length > max) return this.add(at(path, key), 'tooLong'), null;
		if (v.includes('\u0000')) return this.add(at(path, key), 'invalidChoice'), null;
		if (opts.pattern && !opts.pattern.test(v)) return this.add(at(path, key), 'invalidChoice'), null;
		if (opts.oneOf && !opts.oneOf.includes(v)) return this.add(at(path, key), 'invalidChoice'), null;
		return v;
	}
	int(o: Obj, key: string, path: string, min: number, max: number, required = true): number | null {
		const v = o[key];
		if (v === undefined || v === null) {
			if (required) this.add(at(path, key), 'required');
			return null;
		}
		if (typeof v !== 'number' || !Number.isInteger(v)) return this.add(at(path, key), 'wrongType'), null;
		if (v < min || v > max) return this.add(at(path, key), 'outOfRange'), null;
		return v;
	}
	list(o: Obj, key: string, path: string, max: number): unknown[] {
		const v = o[key];
		if (v === undefined || v === null) return [];
		if (!Array.isArray(v)) return this.add(at(path, key), 'wrongType'), [];
		if (v.length > max) return this.add(at(path, key), 'tooMany'), [];
		return v;
	}
	geometry(o: Obj, key: string, path: string, shapes: Array<'point' | 'line' | 'polygon'>, required: boolean): number[] | null {
		const v = o[key];
		if (v === undefined || v === null) {
			if (required) this.add(at(path, key), 'required');
			return null;
		}
		if (!shapes.some((s) => geometryProblem(v, s) === null)) return this.add(at(path, key), 'badGeometry'), null;
		return v as number[];
	}
}

/** Reads a template file's text: JSON, then the shape. */
export function parseTemplateText(text: string): TemplateCheck {
	if (text.length > MAX_TEMPLATE_BYTES) return { ok: false, errors: [{ path: '', problem: 'tooLarge' }] };
	let value: unknown;
	try {
		value = JSON.parse(text.replace(/^\uFEFF/, ''));
	} catch {
		return { ok: false, errors: [{ path: '', problem: 'notJson' }] };
	}
	return checkTemplate(value);
}

/** Checks a template in full; every problem is named with its path. Nothing is used unless all is well. */
export function checkTemplate(value: unknown): TemplateCheck {
	const c = new Checker();
	if (!isObj(value) || value.kind !== TEMPLATE_KIND) return { ok: false, errors: [{ path: 'kind', problem: 'notTemplate' }] };
	if (typeof value.format !== 'number') return { ok: false, errors: [{ path: 'format', problem: 'required' }] };
	if (value.format > TEMPLATE_FORMAT || value.format < 1 || !Number.isInteger(value.format)) return { ok: false, errors: [{ path: 'format', problem: 'newerFormat' }] };
	const name = c.text(value, 'name', '', TEMPLATE_LIMITS.name, { required: true }) ?? '';
	const version = c.int(value, 'version', '', 0, 1_000_000, false) ?? 0;
	const durationMinutes = c.int(value, 'durationMinutes', '', 1, MAX_OFFSET) ?? 1;

	const sourceIn = isObj(value.source) ? value.source : (c.add('source', value.source === undefined ? 'required' : 'wrongType'), {});
	const source = {
		name: c.text(sourceIn, 'name', 'source', 80) ?? '',
		startsAt: c.text(sourceIn, 'startsAt', 'source', 40, { required: true }) ?? '',
		endsAt: c.text(sourceIn, 'endsAt', 'source', 40) ?? '',
		timezone: c.text(sourceIn, 'timezone', 'source', 64, { required: true }) ?? 'Asia/Shanghai'
	};
	if (source.startsAt && !Number.isFinite(Date.parse(source.startsAt))) c.add('source.startsAt', 'wrongType');
	if (source.timezone && !isValidTimezone(source.timezone)) c.add('source.timezone', 'invalidTimezone');

	const settingsIn = isObj(value.settings) ? value.settings : value.settings === undefined ? {} : (c.add('settings', 'wrongType'), {});
	const settings = {
		venue: c.text(settingsIn, 'venue', 'settings', 120) ?? '',
		checkinGraceMinutes: c.int(settingsIn, 'checkinGraceMinutes', 'settings', 0, 240, false) ?? 10,
		locale: c.text(settingsIn, 'locale', 'settings', 8, { oneOf: EVENT_LOCALES }) ?? 'zh-CN'
	};

	const members: TemplateMember[] = [];
	const seenUsers = new Set<string>();
	c.list(value, 'members', '', TEMPLATE_LIMITS.members).forEach((m, i) => {
		const p = `members[${i}]`;
		if (!isObj(m)) return c.add(p, 'wrongType');
		const username = c.text(m, 'username', p, 40, { required: true, pattern: USERNAME });
		const role = c.text(m, 'role', p, 16, { required: true, oneOf: EVENT_ROLES }) as EventRole | null;
		const agency = c.text(m, 'agency', p, 24, { pattern: AGENCY });
		if (username && seenUsers.has(username)) c.add(`${p}.username`, 'duplicate');
		if (username) seenUsers.add(username);
		if (username && role) members.push({ username, role, agency });
	});

	const posts: TemplatePost[] = [];
	const postKeys = new Set<string>();
	c.list(value, 'posts', '', TEMPLATE_LIMITS.posts).forEach((m, i) => {
		const p = `posts[${i}]`;
		if (!isObj(m)) return c.add(p, 'wrongType');
		const key = c.text(m, 'key', p, 64, { required: true, pattern: KEY });
		if (key && postKeys.has(key)) c.add(`${p}.key`, 'duplicate');
		const post = {
			key: key ?? '',
			name: c.text(m, 'name', p, 80, { required: true }) ?? '',
			kind: c.text(m, 'kind', p, 16, { required: true, oneOf: POST_KINDS }) ?? 'post',
			agency: c.text(m, 'agency', p, 24, { pattern: AGENCY }),
			location: c.text(m, 'location', p, 200),
			minStaff: c.int(m, 'minStaff', p, 0, 500, false) ?? 0,
			notes: c.text(m, 'notes', p, 2000),
			geo: c.geometry(m, 'geo', p, ['point', 'line'], false)
		};
		if (key) postKeys.add(key);
		posts.push(post);
	});

	const zones: TemplateZone[] = [];
	const zoneKeys = new Set<string>();
	c.list(value, 'zones', '', TEMPLATE_LIMITS.zones).forEach((m, i) => {
		const p = `zones[${i}]`;
		if (!isObj(m)) return c.add(p, 'wrongType');
		const key = c.text(m, 'key', p, 64, { required: true, pattern: KEY });
		if (key && zoneKeys.has(key)) c.add(`${p}.key`, 'duplicate');
		if (key) zoneKeys.add(key);
		zones.push({
			key: key ?? '',
			name: c.text(m, 'name', p, 80, { required: true }) ?? '',
			kind: (c.text(m, 'kind', p, 16, { required: true, oneOf: ZONE_KINDS }) ?? 'other') as ZoneKind,
			area: c.geometry(m, 'area', p, ['polygon'], true) ?? [],
			notes: c.text(m, 'notes', p, 500)
		});
	});

	let plan: TemplatePlan | null = null;
	if (value.plan !== undefined && value.plan !== null) {
		if (!isObj(value.plan)) c.add('plan', 'wrongType');
		else {
			const planId = c.text(value.plan, 'planId', 'plan', 64, { required: true, pattern: KEY });
			const width = c.int(value.plan, 'width', 'plan', 1, 20_000);
			const height = c.int(value.plan, 'height', 'plan', 1, 20_000);
			const controls = c.geometry(value.plan, 'controls', 'plan', ['line'], false);
			const basemap = c.text(value.plan, 'basemap', 'plan', 64, { pattern: /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/ });
			if (planId && width && height) plan = { planId, width, height, controls, ...(basemap ? { basemap } : {}) };
		}
	}

	const periods: TemplatePeriod[] = [];
	const periodKeys = new Set<string>();
	c.list(value, 'periods', '', TEMPLATE_LIMITS.periods).forEach((m, i) => {
		const p = `periods[${i}]`;
		if (!isObj(m)) return c.add(p, 'wrongType');
		const key = c.text(m, 'key', p, 64, { required: true, pattern: KEY });
		if (key && periodKeys.has(key)) c.add(`${p}.key`, 'duplicate');
		if (key) periodKeys.add(key);
		const start = c.int(m, 'start', p, MIN_OFFSET, MAX_OFFSET);
		const end = c.int(m, 'end', p, MIN_OFFSET, MAX_OFFSET);
		if (start !== null && end !== null && end <= start) c.add(`${p}.end`, 'endBeforeStart');
		periods.push({ key: key ?? '', name: c.text(m, 'name', p, 40, { required: true }) ?? '', start: start ?? 0, end: end ?? 0 });
	});

	const shifts: TemplateShift[] = [];
	c.list(value, 'shifts', '', TEMPLATE_LIMITS.shifts).forEach((m, i) => {
		const p = `shifts[${i}]`;
		if (!isObj(m)) return c.add(p, 'wrongType');
		const agency = c.text(m, 'agency', p, 24, { required: true, pattern: AGENCY }) ?? '';
		const post = c.text(m, 'post', p, 64, { required: true });
		if (post && !postKeys.has(post)) c.add(`${p}.post`, 'unknownPost');
		const period = c.text(m, 'period', p, 64);
		if (period && !periodKeys.has(period)) c.add(`${p}.period`, 'unknownPeriod');
		const start = c.int(m, 'start', p, MIN_OFFSET, MAX_OFFSET);
		const end = c.int(m, 'end', p, MIN_OFFSET, MAX_OFFSET);
		if (start !== null && end !== null && (end <= start || end - start > 24 * 60)) c.add(`${p}.end`, end <= start ? 'endBeforeStart' : 'outOfRange');
		const people: TemplateShift['people'] = [];
		c.list(m, 'people', p, TEMPLATE_LIMITS.people).forEach((x, j) => {
			const q = `${p}.people[${j}]`;
			if (!isObj(x)) return c.add(q, 'wrongType');
			const username = c.text(x, 'username', q, 40, { required: true, pattern: USERNAME });
			const role = c.text(x, 'role', q, 40);
			if (username) people.push({ username, role });
		});
		shifts.push({ agency, post: post ?? '', period: period ?? null, start: start ?? 0, end: end ?? 0, notes: c.text(m, 'notes', p, 2000), people });
	});

	const cards: TemplateCard[] = [];
	c.list(value, 'cards', '', TEMPLATE_LIMITS.cards).forEach((m, i) => {
		const p = `cards[${i}]`;
		if (!isObj(m)) return c.add(p, 'wrongType');
		const checklist: string[] = [];
		c.list(m, 'checklist', p, TEMPLATE_LIMITS.checklist).forEach((x, j) => {
			if (typeof x !== 'string') return c.add(`${p}.checklist[${j}]`, 'wrongType');
			if ([...x].length > 300) return c.add(`${p}.checklist[${j}]`, 'tooLong');
			if (x.trim()) checklist.push(x);
		});
		cards.push({
			agency: c.text(m, 'agency', p, 24, { required: true, pattern: AGENCY }) ?? '',
			title: c.text(m, 'title', p, 200, { required: true }) ?? '',
			notes: c.text(m, 'notes', p, 5000) ?? '',
			priority: (c.text(m, 'priority', p, 16, { oneOf: CARD_PRIORITIES }) ?? 'routine') as CardPriority,
			team: c.text(m, 'team', p, 80),
			location: c.text(m, 'location', p, 200),
			due: c.int(m, 'due', p, MIN_OFFSET, MAX_OFFSET, false),
			checklist
		});
	});

	if (c.errors.length) return { ok: false, errors: c.errors };
	return {
		ok: true,
		template: { kind: TEMPLATE_KIND, format: TEMPLATE_FORMAT, name, version, source, durationMinutes, settings, members, posts, zones, plan, periods, shifts, cards }
	};
}

// ---------------------------------------------------------------------------------------------------------------
// Re-timing: the template's offsets laid onto a new event's dates
// ---------------------------------------------------------------------------------------------------------------

export interface RetimedSpan {
	startsAt: Date;
	endsAt: Date;
}

export interface RetimedTemplate {
	periods: Array<TemplatePeriod & RetimedSpan>;
	shifts: Array<TemplateShift & RetimedSpan>;
	cards: Array<TemplateCard & { dueAt: Date | null }>;
	/** Shifts and periods left out because they start at or after the new end. */
	dropped: { shifts: number; periods: number };
	/** Shifts and periods cut at the new end because they ran past it; cards whose due time was moved to the end. */
	clipped: { shifts: number; periods: number; cards: number };
}

/**
 * Lays the template's times onto a new event starting at `startsAt` and ending at `endsAt` in `timeZone`: each
 * offset is kept as wall-clock minutes from the start. A longer event keeps the old plan and leaves the rest of its
 * time for the commander to fill; a shorter one leaves out what starts at or after its end and cuts at the end what
 * runs past it (a shift cut to nothing is left out), so nothing is planned outside the event.
 */
export function retimeTemplate(
	t: Pick<EventTemplate, 'periods' | 'shifts' | 'cards'> & { source?: EventTemplate['source'] },
	startsAt: Date,
	endsAt: Date,
	timeZone: string
): RetimedTemplate {
	const at = (minutes: number) => instantAfter(startsAt, minutes, timeZone);
	const end = endsAt.getTime();
	const out: RetimedTemplate = { periods: [], shifts: [], cards: [], dropped: { shifts: 0, periods: 0 }, clipped: { shifts: 0, periods: 0, cards: 0 } };
	const place = <T extends { start: number; end: number }>(x: T, kind: 'shifts' | 'periods'): (T & RetimedSpan) | null => {
		const s = at(x.start);
		let e = at(x.end);
		if (s.getTime() >= end) {
			out.dropped[kind]++;
			return null;
		}
		if (e.getTime() > end) {
			e = new Date(end);
			out.clipped[kind]++;
		}
		return { ...x, startsAt: s, endsAt: e };
	};
	const sourceStart = t.source ? new Date(t.source.startsAt) : null;
	for (const p of t.periods) {
		const placed = place(p, 'periods');
		if (!placed) continue;
		// A period named by its date (2月12日白班) is named by its new date.
		if (sourceStart && Number.isFinite(sourceStart.getTime())) {
			placed.name = renameDate(placed.name, instantAfter(sourceStart, p.start, t.source!.timezone), t.source!.timezone, placed.startsAt, timeZone);
		}
		out.periods.push(placed);
	}
	const kept = new Set(out.periods.map((p) => p.key));
	for (const s of t.shifts) {
		const placed = place(s, 'shifts');
		if (placed) out.shifts.push({ ...placed, period: placed.period && kept.has(placed.period) ? placed.period : null });
	}
	for (const c of t.cards) {
		let dueAt = c.due === null ? null : at(c.due);
		if (dueAt && dueAt.getTime() > end) {
			dueAt = new Date(end);
			out.clipped.cards++;
		}
		out.cards.push({ ...c, dueAt });
	}
	return out;
}

/** Replaces the local date of `from` in a name (`2月12日`, `2026-02-12`) with that of `to`. */
export function renameDate(name: string, from: Date, fromZone: string, to: Date, toZone: string): string {
	const parts = (at: Date, zone: string) => {
		const d = new Date(at.getTime() + zoneOffsetMs(at, zone));
		return { y: d.getUTCFullYear(), m: d.getUTCMonth() + 1, d: d.getUTCDate() };
	};
	const a = parts(from, fromZone);
	const b = parts(to, toZone);
	const pad = (n: number) => String(n).padStart(2, '0');
	return name
		.replace(`${a.y}-${pad(a.m)}-${pad(a.d)}`, `${b.y}-${pad(b.m)}-${pad(b.d)}`)
		.replace(new RegExp(`(^|[^0-9])${a.m}月${a.d}日`), `$1${b.m}月${b.d}日`)
		.slice(0, 40);
}

/** The template with only the chosen parts (shifts need posts: without posts there are no shifts). */
export function pickParts(t: EventTemplate, parts: ReadonlySet<TemplatePart>): EventTemplate {
	const posts = parts.has('posts');
	return {
		...t,
		members: parts.has('members') ? t.members : [],
		posts: posts ? t.posts : [],
		zones: parts.has('map') ? t.zones : [],
		plan: parts.has('map') ? t.plan : null,
		periods: parts.has('periods') ? t.periods : [],
		shifts: parts.has('shifts') && posts ? t.shifts.map((s) => (parts.has('periods') ? s : { ...s, period: null })) : [],
		cards: parts.has('cards') ? t.cards : [],
		settings: parts.has('settings') ? t.settings : { venue: t.settings.venue, checkinGraceMinutes: 10, locale: 'zh-CN' }
	};
}

/** Reads the chosen parts from form or CLI values; none given means all. */
export function partsFrom(values: Iterable<string>): Set<TemplatePart> {
	const chosen = new Set<TemplatePart>();
	for (const v of values) if ((TEMPLATE_PARTS as readonly string[]).includes(v)) chosen.add(v as TemplatePart);
	return chosen;
}

/** How much a template holds, for lists and the page's checkboxes. */
export function templateCounts(t: EventTemplate): Record<TemplatePart, number> {
	return {
		members: t.members.length,
		posts: t.posts.length,
		map: t.zones.length + (t.plan ? 1 : 0),
		periods: t.periods.length,
		shifts: t.shifts.length,
		cards: t.cards.length,
		settings: 1
	};
}
