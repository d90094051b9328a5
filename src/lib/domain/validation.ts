/**
 * Input checks shared by the admin pages, the CLI and the API. Each returns either a clean value or a map of
 * field → error code; the UI turns codes into words through the message catalog, so the same check speaks
 * Chinese in the browser and English in the CLI.
 */
import { EVENT_ROLES, TEAM_LEVELS, type EventRole, type TeamLevel } from './roles.ts';

export type FieldErrorCode =
	| 'required'
	| 'tooLong'
	| 'tooShort'
	| 'invalidFormat'
	| 'invalidChoice'
	| 'invalidTime'
	| 'endBeforeStart'
	| 'invalidTimezone'
	| 'taken'
	| 'notFound'
	| 'wrongParent'
	| 'outOfRange';

export type FieldErrors = Partial<Record<string, FieldErrorCode>>;
export type Checked<T> = { ok: true; value: T } | { ok: false; errors: FieldErrors };

/** Limits, and the reason for each number: they bound what one row may hold. */
export const LIMITS = {
	name: 80,
	username: 40,
	displayName: 40,
	password: { min: 8, max: 200 },
	venue: 120,
	color: 7,
	agencyCode: 24
} as const;

type Input = Record<string, unknown>;

function text(input: Input, key: string): string {
	const v = input[key];
	return typeof v === 'string' ? v.trim() : '';
}

function requireText(input: Input, key: string, max: number, errors: FieldErrors): string {
	const v = text(input, key);
	if (!v) errors[key] = 'required';
	else if ([...v].length > max) errors[key] = 'tooLong';
	return v;
}

function checked<T>(errors: FieldErrors, value: T): Checked<T> {
	return Object.keys(errors).length ? { ok: false, errors } : { ok: true, value };
}

function flag(input: Input, key: string): boolean {
	const v = input[key];
	return v === true || v === 'on' || v === 'true' || v === '1';
}

export interface AgencyInput {
	code: string;
	nameZh: string;
	nameEn: string;
	color: string;
}

export function checkAgency(input: Input): Checked<AgencyInput> {
	const errors: FieldErrors = {};
	const code = requireText(input, 'code', LIMITS.agencyCode, errors).toLowerCase();
	if (code && !errors.code && !/^[a-z][a-z0-9-]*$/.test(code)) errors.code = 'invalidFormat';
	const nameZh = requireText(input, 'nameZh', LIMITS.name, errors);
	const nameEn = requireText(input, 'nameEn', LIMITS.name, errors);
	const color = requireText(input, 'color', LIMITS.color, errors).toLowerCase();
	if (color && !errors.color && !/^#[0-9a-f]{6}$/.test(color)) errors.color = 'invalidFormat';
	return checked(errors, { code, nameZh, nameEn, color });
}

export interface TeamInput {
	agencyCode: string;
	parentId: string | null;
	level: TeamLevel;
	name: string;
}

export function checkTeam(input: Input): Checked<TeamInput> {
	const errors: FieldErrors = {};
	const agencyCode = requireText(input, 'agencyCode', LIMITS.agencyCode, errors);
	const name = requireText(input, 'name', LIMITS.name, errors);
	const level = text(input, 'level') as TeamLevel;
	if (!TEAM_LEVELS.includes(level)) errors.level = level ? 'invalidChoice' : 'required';
	const parentId = text(input, 'parentId') || null;
	if (level === 'brigade' && parentId) errors.parentId = 'wrongParent';
	if ((level === 'squadron' || level === 'unit') && !parentId) errors.parentId = 'required';
	return checked(errors, { agencyCode, parentId, level, name });
}

export interface UserInput {
	username: string;
	displayName: string;
	password: string | null;
	agencyCode: string | null;
	teamId: string | null;
	isAdmin: boolean;
	clearedPersonalData: boolean;
	phone: string | null;
}

/** Checks a new or edited user; `requirePassword` is true when creating. */
export function checkUser(input: Input, requirePassword: boolean): Checked<UserInput> {
	const errors: FieldErrors = {};
	const username = requireText(input, 'username', LIMITS.username, errors).toLowerCase();
	if (username && !errors.username && !/^[a-z0-9][a-z0-9._-]*$/.test(username)) errors.username = 'invalidFormat';
	const displayName = requireText(input, 'displayName', LIMITS.displayName, errors);
	const rawPassword = typeof input.password === 'string' ? input.password : '';
	let password: string | null = null;
	if (rawPassword || requirePassword) {
		const pw = checkPassword(rawPassword);
		if (pw) errors.password = pw;
		else password = rawPassword;
	}
	const phone = text(input, 'phone') || null;
	if (phone && !/^[0-9+\- ]{3,20}$/.test(phone)) errors.phone = 'invalidFormat';
	return checked(errors, {
		username,
		displayName,
		password,
		agencyCode: text(input, 'agencyCode') || null,
		teamId: text(input, 'teamId') || null,
		isAdmin: flag(input, 'isAdmin'),
		clearedPersonalData: flag(input, 'clearedPersonalData'),
		phone
	});
}

export function checkPassword(password: string): FieldErrorCode | null {
	if (!password) return 'required';
	if (password.length < LIMITS.password.min) return 'tooShort';
	if (password.length > LIMITS.password.max) return 'tooLong';
	return null;
}

export function isValidTimezone(tz: string): boolean {
	try {
		new Intl.DateTimeFormat('en', { timeZone: tz });
		return true;
	} catch {
		return false;
	}
}

export interface EventInput {
	name: string;
	venue: string;
	startsAt: Date;
	endsAt: Date;
	timezone: string;
	checkinGraceMinutes: number;
	/** The language of the event's shared screens (its walls). */
	locale: EventLocale;
	/** An exercise (演练) rather than a real event; left unchanged when absent. */
	drill?: boolean;
	/** The event this one follows (its record is compared with that one's); null for none, unchanged when absent. */
	basedOn?: string | null;
}

export const EVENT_LOCALES = ['zh-CN', 'en'] as const;
export type EventLocale = (typeof EVENT_LOCALES)[number];

/**
 * Checks an event. Times come either as ISO strings with an offset, or as the `datetime-local` form value
 * (`2026-02-12T18:00`) that is read in the event's time zone.
 */
export function checkEvent(input: Input): Checked<EventInput> {
	const errors: FieldErrors = {};
	const name = requireText(input, 'name', LIMITS.name, errors);
	const venue = text(input, 'venue');
	if ([...venue].length > LIMITS.venue) errors.venue = 'tooLong';
	const timezone = text(input, 'timezone') || 'Asia/Shanghai';
	if (!isValidTimezone(timezone)) errors.timezone = 'invalidTimezone';
	const tz = errors.timezone ? 'Asia/Shanghai' : timezone;
	const startsAt = parseTimeIn(text(input, 'startsAt'), tz);
	const endsAt = parseTimeIn(text(input, 'endsAt'), tz);
	if (!text(input, 'startsAt')) errors.startsAt = 'required';
	else if (!startsAt) errors.startsAt = 'invalidTime';
	if (!text(input, 'endsAt')) errors.endsAt = 'required';
	else if (!endsAt) errors.endsAt = 'invalidTime';
	if (startsAt && endsAt && endsAt.getTime() <= startsAt.getTime()) errors.endsAt = 'endBeforeStart';
	const graceText = text(input, 'checkinGraceMinutes');
	const checkinGraceMinutes = graceText === '' ? 10 : Number(graceText);
	if (!Number.isInteger(checkinGraceMinutes) || checkinGraceMinutes < 0 || checkinGraceMinutes > 240) {
		errors.checkinGraceMinutes = 'outOfRange';
	}
	const locale = (text(input, 'locale') || 'zh-CN') as EventLocale;
	if (!EVENT_LOCALES.includes(locale)) errors.locale = 'invalidChoice';
	// A checkbox: sent as "on" when ticked, absent otherwise.
	const drillText = text(input, 'drill');
	if (drillText && !['on', 'true', '1', 'false', '0'].includes(drillText)) errors.drill = 'invalidChoice';
	// Whether the event exists is the caller's to check; here only its form.
	const basedOn = text(input, 'basedOn');
	if (basedOn && !/^[A-Za-z0-9_-]{1,64}$/.test(basedOn)) errors.basedOn = 'invalidChoice';
	return checked(errors, {
		name,
		venue,
		startsAt: startsAt ?? new Date(0),
		endsAt: endsAt ?? new Date(0),
		timezone,
		checkinGraceMinutes,
		locale,
		drill: flag(input, 'drill'),
		...('basedOn' in input ? { basedOn: basedOn || null } : {})
	});
}

export interface MemberInput {
	userId: string;
	role: EventRole;
	agencyCode: string | null;
}

export function checkMember(input: Input): Checked<MemberInput> {
	const errors: FieldErrors = {};
	const userId = text(input, 'userId');
	if (!userId) errors.userId = 'required';
	const role = text(input, 'role') as EventRole;
	if (!EVENT_ROLES.includes(role)) errors.role = role ? 'invalidChoice' : 'required';
	const agencyCode = text(input, 'agencyCode') || null;
	if ((role === 'lead' || role === 'member') && !agencyCode) errors.agencyCode = 'required';
	return checked(errors, { userId, role, agencyCode });
}

/**
 * Reads a time: an ISO string with an offset as it is, or a wall-clock `YYYY-MM-DDTHH:mm[:ss]` in `timeZone`.
 * Returns null for anything else.
 */
export function parseTimeIn(value: string, timeZone: string): Date | null {
	if (!value) return null;
	if (/[zZ]|[+-]\d\d:?\d\d$/.test(value)) {
		const d = new Date(value);
		return Number.isNaN(d.getTime()) ? null : d;
	}
	const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value);
	if (!m) return null;
	const [y, mo, d, h, mi, s] = m.slice(1).map((x) => Number(x ?? 0));
	const asUtc = Date.UTC(y, mo - 1, d, h, mi, s);
	const check = new Date(asUtc);
	if (check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d || h > 23 || mi > 59) return null;
	// The offset of the zone at that moment; twice, so a wall time next to a DST change lands right.
	let guess = asUtc - zoneOffsetMs(new Date(asUtc), timeZone);
	guess = asUtc - zoneOffsetMs(new Date(guess), timeZone);
	return new Date(guess);
}

/** One formatter per zone: building an Intl formatter costs far more than using one (a wall formats thousands). */
const zoneFormats = new Map<string, Intl.DateTimeFormat>();

/** The wall clock of `timeZone` at `at`, as two-digit strings (a four-digit year), hours 00–23. */
export function zonedClock(at: Date, timeZone: string): Record<'year' | 'month' | 'day' | 'hour' | 'minute' | 'second', string> {
	let format = zoneFormats.get(timeZone);
	if (!format) {
		format = new Intl.DateTimeFormat('en-US', {
			timeZone,
			hourCycle: 'h23',
			year: 'numeric',
			month: '2-digit',
			day: '2-digit',
			hour: '2-digit',
			minute: '2-digit',
			second: '2-digit'
		});
		zoneFormats.set(timeZone, format);
	}
	const parts = format.formatToParts(at);
	const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
	return { year: get('year'), month: get('month'), day: get('day'), hour: get('hour'), minute: get('minute'), second: get('second') };
}

/** The offset of `timeZone` from UTC at `at`, in milliseconds (Asia/Shanghai: +8 h). */
export function zoneOffsetMs(at: Date, timeZone: string): number {
	const c = zonedClock(at, timeZone);
	const wall = Date.UTC(Number(c.year), Number(c.month) - 1, Number(c.day), Number(c.hour), Number(c.minute), Number(c.second));
	return wall - Math.floor(at.getTime() / 1000) * 1000;
}

/** Formats `at` as the wall-clock `YYYY-MM-DDTHH:mm` of `timeZone`, the value a datetime-local input takes. */
export function toLocalInputValue(at: Date, timeZone: string): string {
	const shifted = new Date(at.getTime() + zoneOffsetMs(at, timeZone));
	return shifted.toISOString().slice(0, 16);
}

/**
 * An ISO time from a query or a body, or null: unparseable, or outside the years 1970–9999 (later years are valid
 * JavaScript dates, written +275760-…, that the database cannot read).
 */
export function parseInstant(raw: string | null | undefined): Date | null {
	if (!raw) return null;
	const at = new Date(raw);
	const year = at.getUTCFullYear();
	return Number.isNaN(at.getTime()) || year < 1970 || year > 9999 ? null : at;
}
