/**
 * The roster as CSV: one agency's shifts, one row per person on a shift (a shift without people is one row with
 * the person columns empty). The import checks every row before anything is written and reports every problem
 * with its row and column; the export writes the same format, so an exported file imports back unchanged and a
 * file in the canonical form (as the export writes it) exports back byte for byte.
 *
 * Canonical form: UTF-8 with a byte-order mark (so spreadsheet programs read the Chinese right), CRLF line
 * ends (RFC 4180), the header row below, times as `YYYY-MM-DD HH:mm` in the event's time zone, rows ordered by
 * shift start, post and shift id, with each shift's people in their order. The import also takes files without
 * the mark, with LF line ends, and an end time given as `HH:mm` alone (the same day, or the next day when it is
 * not after the start: 22:00 → 06:00 crosses midnight).
 */
import { MAX_SHIFT_HOURS, sortShifts, toZoneIso, type CheckIn, type Shift, type ShiftPerson } from './roster.ts';
import type { ShiftDraft } from './roster-write.ts';
import { guardCell, unguardCell } from './csv-format.ts';
import { parseTimeIn, toLocalInputValue } from './validation.ts';

export const ROSTER_COLUMNS = ['shift_id', 'post_id', 'period_id', 'starts_at', 'ends_at', 'notes', 'person_id', 'username', 'name', 'role'] as const;
export type RosterColumn = (typeof ROSTER_COLUMNS)[number];

/** More rows than this is not a roster of one agency for one event but a mistake. */
export const MAX_ROSTER_ROWS = 5_000;

const BOM = '\uFEFF';
const LIMITS = { id: 64, notes: 2000, name: 40, role: 40 } as const;
const ID_RE = /^[A-Za-z0-9_-]{1,64}$/;

export type CsvErrorCode =
	| 'empty'
	| 'badHeader'
	| 'unclosedQuote'
	| 'fieldCount'
	| 'required'
	| 'tooLong'
	| 'invalidId'
	| 'invalidTime'
	| 'endBeforeStart'
	| 'shiftTooLong'
	| 'unknownPost'
	| 'unknownPeriod'
	| 'ambiguousPost'
	| 'ambiguousPeriod'
	| 'unknownUser'
	| 'duplicatePerson'
	| 'shiftMismatch'
	| 'tooManyRows'
	| 'dropsCheckin';

/** One problem: the file's row number (the header is row 1) and column name; row null for the file as a whole. */
export interface CsvError {
	row: number | null;
	column: RosterColumn | null;
	code: CsvErrorCode;
	/** The offending value, or what it refers to. */
	value: string;
	/** The row this one contradicts (a shift described differently on two rows). */
	ref?: number;
}

// ---------------------------------------------------------------------------------------------------------------
// CSV text
// ---------------------------------------------------------------------------------------------------------------

/**
 * Splits CSV text into rows of fields (RFC 4180 quoting; CRLF or LF). Each row keeps its 1-based line number.
 * `sep` is the field separator: a comma for files, a tab for rows pasted from a spreadsheet.
 */
export function parseCsv(text: string, sep = ','): { rows: Array<{ line: number; fields: string[] }> } | { error: CsvError } {
	const src = text.startsWith(BOM) ? text.slice(1) : text;
	const rows: Array<{ line: number; fields: string[] }> = [];
	let fields: string[] = [];
	let field = '';
	let quoted = false;
	let line = 1;
	let rowLine = 1;
	let i = 0;
	const endRow = () => {
		fields.push(field);
		// A blank line (one empty field) is skipped, as spreadsheets leave them at the end.
		if (!(fields.length === 1 && fields[0] === '')) rows.push({ line: rowLine, fields });
		fields = [];
		field = '';
	};
	while (i < src.length) {
		const ch = src[i];
		if (quoted) {
			if (ch === '"') {
				if (src[i + 1] === '"') {
					field += '"';
					i += 2;
					continue;
				}
				quoted = false;
			} else {
				if (ch === '\n') line++;
				field += ch;
			}
			i++;
			continue;
		}
		if (ch === '"' && field === '') quoted = true;
		else if (ch === sep) {
			fields.push(field);
			field = '';
		} else if (ch === '\r' && src[i + 1] === '\n') {
			endRow();
			line++;
			rowLine = line;
			i += 2;
			continue;
		} else if (ch === '\n') {
			endRow();
			line++;
			rowLine = line;
		} else field += ch;
		i++;
	}
	if (quoted) return { error: { row: rowLine, column: null, code: 'unclosedQuote', value: '' } };
	if (field !== '' || fields.length) endRow();
	return { rows };
}

/** Written through the one formula guard of every CSV (csv-format); the import takes the `'` off again. */
function cell(value: string): string {
	const v = guardCell(value);
	return /[",\r\n]|^\s|\s$/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** The inverse of the formula guard on import. */
function uncell(value: string): string {
	return unguardCell(value);
}

export function formatCsv(rows: string[][]): string {
	return BOM + rows.map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}

// ---------------------------------------------------------------------------------------------------------------
// Export
// ---------------------------------------------------------------------------------------------------------------

/** `2026-11-24 22:00` in the zone. */
export function formatCsvTime(iso: string, timeZone: string): string {
	const d = new Date(iso);
	return Number.isNaN(d.getTime()) ? '' : toLocalInputValue(d, timeZone).replace('T', ' ');
}

/** An agency's shifts as canonical CSV. `usernames` maps user ids to usernames (people with accounts). */
export function rosterToCsv(shifts: Shift[], opts: { timeZone: string; usernames: Map<string, string> }): string {
	const rows: string[][] = [[...ROSTER_COLUMNS]];
	for (const s of sortShifts(shifts)) {
		const head = [s.id, s.postId, s.periodId ?? '', formatCsvTime(s.startsAt, opts.timeZone), formatCsvTime(s.endsAt, opts.timeZone), s.notes ?? ''];
		if (s.people.length === 0) rows.push([...head, '', '', '', '']);
		for (const p of s.people) {
			rows.push([...head, p.id, p.userId ? (opts.usernames.get(p.userId) ?? '') : '', p.name, p.role ?? '']);
		}
	}
	return formatCsv(rows);
}

// ---------------------------------------------------------------------------------------------------------------
// Import
// ---------------------------------------------------------------------------------------------------------------

export interface RosterCsvContext {
	timeZone: string;
	posts: Set<string>;
	periods: Set<string>;
	/** Posts and periods by name (`nameIndex`), so a file may name them instead of giving their ids. */
	postNames?: ReadonlyMap<string, readonly string[]>;
	periodNames?: ReadonlyMap<string, readonly string[]>;
	/** Event members by username: their user id and display name. */
	users: Map<string, { id: string; name: string }>;
	/** The agency's shifts now, to keep their check-ins and to refuse dropping any. */
	existing: Shift[];
	/** Makes ids for shifts and people the file leaves blank. */
	newId(): string;
}

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * Ids by name (trimmed, letter case ignored) for a file that names posts or periods: those in use before archived
 * ones, so an archived post of the same name does not make a name ambiguous.
 */
export function nameIndex(items: ReadonlyArray<{ id: string; name: string; archived?: boolean }>): Map<string, string[]> {
	const index = new Map<string, Array<{ id: string; archived: boolean }>>();
	for (const i of items) {
		const key = i.name.trim().toLowerCase();
		if (!key) continue;
		index.set(key, [...(index.get(key) ?? []), { id: i.id, archived: !!i.archived }]);
	}
	return new Map(
		[...index].map(([key, list]) => {
			const live = list.filter((x) => !x.archived);
			return [key, (live.length ? live : list).map((x) => x.id)];
		})
	);
}

/** Reads `YYYY-MM-DD HH:mm` (or with `T`) in the zone; the end may be `HH:mm` alone, relative to the start. */
export function readTime(value: string, timeZone: string, after?: Date): Date | null {
	const t = value.trim();
	const clock = /^(\d{1,2}):(\d{2})$/.exec(t);
	if (after && clock) {
		const hhmm = `${pad(Number(clock[1]))}:${clock[2]}`;
		const [y, mo, d] = toLocalInputValue(after, timeZone).slice(0, 10).split('-').map(Number);
		const same = parseTimeIn(`${y}-${pad(mo)}-${pad(d)}T${hhmm}`, timeZone);
		if (!same) return null;
		if (same.getTime() > after.getTime()) return same;
		// Not after the start: the shift crosses midnight and ends on the next day.
		const next = new Date(Date.UTC(y, mo - 1, d + 1)).toISOString().slice(0, 10);
		return parseTimeIn(`${next}T${hhmm}`, timeZone);
	}
	const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{1,2}):(\d{2})$/.exec(t);
	return m ? parseTimeIn(`${m[1]}T${pad(Number(m[2]))}:${m[3]}`, timeZone) : null;
}

type Row = Record<RosterColumn, string>;

/**
 * Validates a roster file and, when every row is good, returns the agency's shifts as they should be. Otherwise
 * returns every problem found, each with its row and column; nothing is to be written then.
 */
export function readRosterCsv(text: string, ctx: RosterCsvContext): { ok: true; shifts: ShiftDraft[] } | { ok: false; errors: CsvError[] } {
	const parsed = parseCsv(text);
	if ('error' in parsed) return { ok: false, errors: [parsed.error] };
	const [header, ...body] = parsed.rows;
	if (!header) return { ok: false, errors: [{ row: null, column: null, code: 'empty', value: '' }] };
	const names = header.fields.map((h) => h.trim().toLowerCase());
	if (names.length !== ROSTER_COLUMNS.length || names.some((h, i) => h !== ROSTER_COLUMNS[i])) {
		return { ok: false, errors: [{ row: header.line, column: null, code: 'badHeader', value: header.fields.join(',') }] };
	}
	if (body.length === 0) return { ok: false, errors: [{ row: null, column: null, code: 'empty', value: '' }] };
	if (body.length > MAX_ROSTER_ROWS) return { ok: false, errors: [{ row: null, column: null, code: 'tooManyRows', value: String(body.length) }] };

	const errors: CsvError[] = [];
	const drafts = new Map<string, ShiftDraft & { line: number }>();
	/** Blank shift ids: rows with the same post and times make one new shift. */
	const blankShiftIds = new Map<string, string>();
	const existing = new Map(ctx.existing.map((s) => [s.id, s]));

	for (const { line, fields } of body) {
		if (fields.length !== ROSTER_COLUMNS.length) {
			errors.push({ row: line, column: null, code: 'fieldCount', value: String(fields.length) });
			continue;
		}
		const row = Object.fromEntries(ROSTER_COLUMNS.map((c, i) => [c, uncell(fields[i].trim())])) as Row;
		const bad = (column: RosterColumn, code: CsvErrorCode, value = row[column]) => errors.push({ row: line, column, code, value });
		const before = errors.length;
		const id = (column: 'shift_id' | 'post_id' | 'period_id' | 'person_id', required: boolean) => {
			const v = row[column];
			if (!v) {
				if (required) bad(column, 'required');
			} else if (!ID_RE.test(v)) bad(column, 'invalidId');
			return v;
		};
		const text = (column: 'notes' | 'name' | 'role', max: number) => {
			if ([...row[column]].length > max) bad(column, 'tooLong');
			return row[column];
		};
		/** A post or period by its id, or by its name when no id is that value. */
		const ref = (column: 'post_id' | 'period_id', ids: Set<string>, names: ReadonlyMap<string, readonly string[]> | undefined, required: boolean) => {
			const v = row[column];
			if (!v) {
				if (required) bad(column, 'required');
				return '';
			}
			if (ids.has(v)) return v;
			const byName = names?.get(v.toLowerCase()) ?? [];
			if (byName.length === 1) return byName[0];
			if (byName.length > 1) bad(column, column === 'post_id' ? 'ambiguousPost' : 'ambiguousPeriod');
			else if ([...v].length > 80) bad(column, 'tooLong');
			else bad(column, column === 'post_id' ? 'unknownPost' : 'unknownPeriod');
			return v;
		};
		id('shift_id', false);
		const postId = ref('post_id', ctx.posts, ctx.postNames, true);
		const periodId = ref('period_id', ctx.periods, ctx.periodNames, false);
		const start = row.starts_at ? readTime(row.starts_at, ctx.timeZone) : null;
		if (!row.starts_at) bad('starts_at', 'required');
		else if (!start) bad('starts_at', 'invalidTime');
		const end = row.ends_at ? readTime(row.ends_at, ctx.timeZone, start ?? undefined) : null;
		if (!row.ends_at) bad('ends_at', 'required');
		else if (!end) bad('ends_at', 'invalidTime');
		else if (start && end.getTime() <= start.getTime()) bad('ends_at', 'endBeforeStart');
		else if (start && end.getTime() - start.getTime() > MAX_SHIFT_HOURS * 3_600_000) bad('ends_at', 'shiftTooLong');
		const notes = text('notes', LIMITS.notes);
		id('person_id', false);
		const username = row.username.toLowerCase();
		const user = username ? ctx.users.get(username) : undefined;
		if (username && !user) bad('username', 'unknownUser');
		let name = text('name', LIMITS.name);
		const role = text('role', LIMITS.role);
		const hasPerson = !!(row.person_id || username || name || role);
		if (hasPerson && !name) {
			if (user) name = user.name;
			else if (!username) bad('name', 'required');
		}
		if (errors.length > before || !start || !end) continue;

		const startsAt = toZoneIso(start, ctx.timeZone);
		const endsAt = toZoneIso(end, ctx.timeZone);
		const shiftId = row.shift_id || (blankShiftIds.get(`${postId}|${startsAt}|${endsAt}`) ?? ctx.newId());
		if (!row.shift_id) blankShiftIds.set(`${postId}|${startsAt}|${endsAt}`, shiftId);
		let draft = drafts.get(shiftId);
		if (!draft) {
			draft = { id: shiftId, postId, periodId: periodId || null, startsAt, endsAt, notes: notes || null, people: [], line };
			drafts.set(shiftId, draft);
		} else {
			// Every row of a shift must say the same about the shift; name the first column that differs.
			const differs: Array<[RosterColumn, boolean]> = [
				['post_id', draft.postId !== postId],
				['period_id', draft.periodId !== (periodId || null)],
				['starts_at', draft.startsAt !== startsAt],
				['ends_at', draft.endsAt !== endsAt],
				['notes', draft.notes !== (notes || null)]
			];
			const first = differs.find(([, d]) => d);
			if (first) {
				errors.push({ row: line, column: first[0], code: 'shiftMismatch', value: row[first[0]], ref: draft.line });
				continue;
			}
		}
		if (!hasPerson) continue;
		const person: ShiftPerson = { id: row.person_id || ctx.newId(), userId: user?.id ?? null, name, role: role || null };
		const dup = draft.people.find((p) => p.id === person.id || (p.userId !== null && p.userId === person.userId));
		if (dup) {
			bad(dup.id === person.id ? 'person_id' : 'username', 'duplicatePerson');
			continue;
		}
		draft.people.push(person);
	}

	// Check-ins are what happened; a roster file must not erase them. (Only once the rows are good: a shift
	// whose rows were refused would look dropped.)
	for (const s of errors.length ? [] : ctx.existing) {
		const checked = Object.entries(s.checkins).filter(([, c]) => !!c.inAt).map(([pid]) => pid);
		if (!checked.length) continue;
		const draft = drafts.get(s.id);
		if (!draft) {
			errors.push({ row: null, column: 'shift_id', code: 'dropsCheckin', value: s.id });
			continue;
		}
		for (const pid of checked) {
			if (!draft.people.some((p) => p.id === pid)) errors.push({ row: draft.line, column: 'person_id', code: 'dropsCheckin', value: pid });
		}
	}
	if (errors.length) return { ok: false, errors };
	const shifts = [...drafts.values()].map(({ line: _line, ...d }): ShiftDraft => {
		const checkins: Record<string, CheckIn> = {};
		const old = existing.get(d.id);
		for (const p of d.people) if (old?.checkins[p.id]) checkins[p.id] = old.checkins[p.id];
		return { ...d, checkins };
	});
	return { ok: true, shifts };
}
