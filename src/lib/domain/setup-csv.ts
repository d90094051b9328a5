/**
 * An event's posts and operational periods as CSV, for setting up an event from a spreadsheet: the import checks
 * every row before anything is written and names every problem by row and column, as the roster's import does
 * (roster-csv.ts, whose CSV reading and time formats this shares); the export writes the same columns, so an
 * exported file imports back with nothing to change.
 *
 * Rows are matched to what the event has by name: a row whose name is an existing post (or period) updates it,
 * any other row adds one. Nothing is removed: shifts, the map and patrol checkpoints refer to posts by id, so a
 * post missing from a file is left as it is. A name two posts share is ambiguous and refused.
 *
 * Posts: `name, kind, agency, min_staff, location` — the kind as its code (post, checkpoint, patrol, mobile) or
 * its Chinese word, the agency as its code or name. Periods: `name, starts_at, ends_at` in the event's time zone
 * (`2026-02-12 08:00`; the end may be `20:00` alone, the next day when not after the start). The header row is
 * required, in English or Chinese, columns in any order; only the name is required among them, and a column left
 * out leaves that field of existing entries alone.
 */
import { POST_KINDS } from './doc-schema.ts';
import { formatCsv, formatCsvTime, parseCsv, readTime } from './roster-csv.ts';
import { toZoneIso, type Period, type Post } from './roster.ts';
import { unguardCell } from './csv-format.ts';
import { parseAgencyWord } from './member-list.ts';
import type { PeriodFields, PostFields } from './roster-write.ts';

export const POST_COLUMNS = ['name', 'kind', 'agency', 'min_staff', 'location'] as const;
export const PERIOD_COLUMNS = ['name', 'starts_at', 'ends_at'] as const;
export type PostColumn = (typeof POST_COLUMNS)[number];
export type PeriodColumn = (typeof PERIOD_COLUMNS)[number];
export type SetupColumn = PostColumn | PeriodColumn;

/** The command document holds at most this many (doc-schema.ts: `posts` 2,000, `periods` 200). */
export const MAX_POSTS = 2_000;
export const MAX_PERIODS = 200;
const LIMITS = { postName: 80, periodName: 40, location: 200, minStaff: 500 } as const;

export type SetupCsvErrorCode =
	| 'empty'
	| 'badHeader'
	| 'unclosedQuote'
	| 'fieldCount'
	| 'required'
	| 'tooLong'
	| 'unknownKind'
	| 'unknownAgency'
	| 'badNumber'
	| 'invalidTime'
	| 'endBeforeStart'
	| 'duplicate'
	| 'ambiguous'
	| 'tooMany';

/** One problem: the file's row (the header is row 1; null for the file as a whole), the column, the value. */
export interface SetupCsvError {
	row: number | null;
	column: SetupColumn | null;
	code: SetupCsvErrorCode;
	value: string;
	/** The earlier row a duplicate repeats. */
	ref?: number;
}

export type SetupChange = 'add' | 'change' | 'same';

/** A good row: the entity it updates (null: a new one), the fields to write, and what that does. */
export interface SetupDraft<F> {
	row: number;
	id: string | null;
	fields: F;
	change: SetupChange;
}

export type SetupCsvResult<F> = { ok: true; drafts: SetupDraft<F>[]; counts: Record<SetupChange, number> } | { ok: false; errors: SetupCsvError[] };

const HEADER_WORDS: Record<SetupColumn, readonly string[]> = {
	name: ['name', '名称', '岗位', '岗位名称', '时段', '时段名称'],
	kind: ['kind', 'type', '类型', '岗位类型'],
	agency: ['agency', '警种', '单位'],
	min_staff: ['minstaff', 'minimumstaff', '最少人数', '最低人数', '最低警力'],
	location: ['location', 'place', '位置', '地点'],
	starts_at: ['startsat', 'start', '开始', '开始时间'],
	ends_at: ['endsat', 'end', '结束', '结束时间']
};

/** Kind words: the code and the Chinese terms of the glossary (固定岗、卡点、巡逻线、流动岗) with their short forms. */
const KIND_WORDS: Record<string, readonly string[]> = {
	post: ['post', 'fixed post', '固定岗', '岗位', '定岗'],
	checkpoint: ['checkpoint', '卡点', '治安卡点'],
	patrol: ['patrol', 'patrol route', '巡逻线', '巡逻'],
	mobile: ['mobile', 'mobile post', '流动岗', '流动警务岗亭']
};

export function parseKindWord(word: string): string | null {
	const w = word.trim().toLowerCase();
	return POST_KINDS.find((k) => KIND_WORDS[k]?.includes(w)) ?? null;
}

const headerKey = (s: string) => s.trim().toLowerCase().replace(/[\s_]/g, '');
const shown = (v: string) => ([...v].length > 80 ? `${[...v].slice(0, 80).join('')}…` : v);
const nameKey = (s: string) => s.trim().toLowerCase();

/** The rows that have the header's width, and a problem for each that has not. */
type Rows<C extends string> = { header: C[]; body: Array<{ line: number; cells: Partial<Record<C, string>> }>; errors: SetupCsvError[] };

/** The file's rows by column, after its header; or the one problem that stops reading it. */
function readRows<C extends SetupColumn>(text: string, columns: readonly C[], max: number): Rows<C> | { fatal: SetupCsvError[] } {
	const parsed = parseCsv(text);
	if ('error' in parsed) return { fatal: [{ row: parsed.error.row, column: null, code: 'unclosedQuote', value: '' }] };
	const rows = parsed.rows.filter((r) => r.fields.some((f) => f.trim() !== ''));
	const [head, ...body] = rows;
	if (!head) return { fatal: [{ row: null, column: null, code: 'empty', value: '' }] };
	const header = head.fields.map((f) => columns.find((c) => HEADER_WORDS[c].includes(headerKey(f))) ?? null);
	const unknown = head.fields.find((_f, i) => header[i] === null);
	const twice = header.find((c, i) => c !== null && header.indexOf(c) !== i);
	if (unknown !== undefined || twice || !header.includes('name' as C)) {
		return { fatal: [{ row: head.line, column: null, code: 'badHeader', value: shown(unknown ?? twice ?? head.fields.join(',')) }] };
	}
	if (body.length === 0) return { fatal: [{ row: null, column: null, code: 'empty', value: '' }] };
	if (body.length > max) return { fatal: [{ row: null, column: null, code: 'tooMany', value: String(body.length) }] };
	const cols = header as C[];
	const errors: SetupCsvError[] = [];
	const out: Rows<C>['body'] = [];
	for (const { line, fields } of body) {
		if (fields.length !== cols.length) {
			errors.push({ row: line, column: null, code: 'fieldCount', value: String(fields.length) });
			continue;
		}
		out.push({ line, cells: Object.fromEntries(cols.map((c, i) => [c, unguardCell(fields[i].trim())])) as Partial<Record<C, string>> });
	}
	return { header: cols, body: out, errors };
}

/**
 * The entity a name means: the only one with that name, preferring those in use over archived ones. `ambiguous`
 * when two share it; null when none has it.
 */
function byName<T extends { id: string; name: string; archived?: boolean }>(items: readonly T[], name: string): T | 'ambiguous' | null {
	const all = items.filter((i) => nameKey(i.name) === nameKey(name));
	const live = all.filter((i) => !i.archived);
	const pool = live.length ? live : all;
	return pool.length > 1 ? 'ambiguous' : (pool[0] ?? null);
}

export interface PostsCsvContext {
	posts: readonly Post[];
	agencies: ReadonlyArray<{ code: string; nameZh: string; nameEn: string }>;
}

/** Checks a posts file against the event's posts; every row good gives the writes to make, else every problem. */
export function readPostsCsv(text: string, ctx: PostsCsvContext): SetupCsvResult<Partial<PostFields>> {
	const read = readRows(text, POST_COLUMNS, MAX_POSTS);
	if ('fatal' in read) return { ok: false, errors: read.fatal };
	const has = (c: PostColumn) => read.header.includes(c);
	const errors: SetupCsvError[] = [...read.errors];
	const drafts: SetupDraft<Partial<PostFields>>[] = [];
	const seen = new Map<string, number>();
	for (const { line, cells } of read.body) {
		const before = errors.length;
		const bad = (column: PostColumn, code: SetupCsvErrorCode, extra: Partial<SetupCsvError> = {}) =>
			errors.push({ row: line, column, code, value: shown(cells[column] ?? ''), ...extra });
		const name = cells.name ?? '';
		if (!name) bad('name', 'required');
		else if ([...name].length > LIMITS.postName) bad('name', 'tooLong');
		else if (seen.has(nameKey(name))) bad('name', 'duplicate', { ref: seen.get(nameKey(name)) });
		if (name && !seen.has(nameKey(name))) seen.set(nameKey(name), line);
		const existing = name ? byName(ctx.posts, name) : null;
		if (existing === 'ambiguous') bad('name', 'ambiguous');

		const fields: Partial<PostFields> = { name };
		if (has('kind')) {
			const kind = cells.kind ? parseKindWord(cells.kind) : 'post';
			if (!kind) bad('kind', 'unknownKind');
			else fields.kind = kind;
		}
		if (has('agency')) {
			const agency = cells.agency ? parseAgencyWord(cells.agency, ctx.agencies) : null;
			if (cells.agency && !agency) bad('agency', 'unknownAgency');
			else fields.agency = agency;
		}
		if (has('min_staff') && cells.min_staff) {
			const n = /^\d{1,3}$/.test(cells.min_staff) ? Number(cells.min_staff) : NaN;
			if (!(n >= 0 && n <= LIMITS.minStaff)) bad('min_staff', 'badNumber');
			else fields.minStaff = n;
		}
		if (has('location')) {
			if ([...(cells.location ?? '')].length > LIMITS.location) bad('location', 'tooLong');
			else fields.location = cells.location || null;
		}
		if (errors.length > before || existing === 'ambiguous') continue;
		if (!existing) {
			drafts.push({ row: line, id: null, fields: { kind: 'post', minStaff: 1, ...fields }, change: 'add' });
			continue;
		}
		// Written under the post's own name as the event has it, so a difference in letter case changes nothing.
		fields.name = existing.name;
		const same =
			(fields.kind === undefined || fields.kind === existing.kind) &&
			(fields.agency === undefined || fields.agency === existing.agency) &&
			(fields.minStaff === undefined || fields.minStaff === existing.minStaff) &&
			(fields.location === undefined || fields.location === existing.location);
		drafts.push({ row: line, id: existing.id, fields, change: same ? 'same' : 'change' });
	}
	const added = drafts.filter((d) => d.change === 'add').length;
	if (!errors.length && ctx.posts.length + added > MAX_POSTS) errors.push({ row: null, column: null, code: 'tooMany', value: String(ctx.posts.length + added) });
	return errors.length ? { ok: false, errors: byRow(errors) } : { ok: true, drafts, counts: countChanges(drafts) };
}

export interface PeriodsCsvContext {
	timeZone: string;
	periods: readonly Period[];
}

/** Checks a periods file against the event's periods; every row good gives the writes to make, else every problem. */
export function readPeriodsCsv(text: string, ctx: PeriodsCsvContext): SetupCsvResult<PeriodFields> {
	const read = readRows(text, PERIOD_COLUMNS, MAX_PERIODS);
	if ('fatal' in read) return { ok: false, errors: read.fatal };
	for (const c of ['starts_at', 'ends_at'] as const) {
		if (!read.header.includes(c)) return { ok: false, errors: [{ row: 1, column: c, code: 'badHeader', value: c }] };
	}
	const errors: SetupCsvError[] = [...read.errors];
	const drafts: SetupDraft<PeriodFields>[] = [];
	const seen = new Map<string, number>();
	for (const { line, cells } of read.body) {
		const before = errors.length;
		const bad = (column: PeriodColumn, code: SetupCsvErrorCode, extra: Partial<SetupCsvError> = {}) =>
			errors.push({ row: line, column, code, value: shown(cells[column] ?? ''), ...extra });
		const name = cells.name ?? '';
		if (!name) bad('name', 'required');
		else if ([...name].length > LIMITS.periodName) bad('name', 'tooLong');
		else if (seen.has(nameKey(name))) bad('name', 'duplicate', { ref: seen.get(nameKey(name)) });
		if (name && !seen.has(nameKey(name))) seen.set(nameKey(name), line);
		const existing = name ? byName(ctx.periods, name) : null;
		if (existing === 'ambiguous') bad('name', 'ambiguous');
		const startText = cells.starts_at ?? '';
		const endText = cells.ends_at ?? '';
		const start = startText ? readTime(startText, ctx.timeZone) : null;
		if (!startText) bad('starts_at', 'required');
		else if (!start) bad('starts_at', 'invalidTime');
		const end = endText ? readTime(endText, ctx.timeZone, start ?? undefined) : null;
		if (!endText) bad('ends_at', 'required');
		else if (!end) bad('ends_at', 'invalidTime');
		else if (start && end.getTime() <= start.getTime()) bad('ends_at', 'endBeforeStart');
		if (errors.length > before || !start || !end || existing === 'ambiguous') continue;
		const fields: PeriodFields = { name: existing?.name ?? name, startsAt: toZoneIso(start, ctx.timeZone), endsAt: toZoneIso(end, ctx.timeZone) };
		const same = !!existing && Date.parse(existing.startsAt) === start.getTime() && Date.parse(existing.endsAt) === end.getTime();
		drafts.push({ row: line, id: existing?.id ?? null, fields, change: !existing ? 'add' : same ? 'same' : 'change' });
	}
	const added = drafts.filter((d) => d.change === 'add').length;
	if (!errors.length && ctx.periods.length + added > MAX_PERIODS) errors.push({ row: null, column: null, code: 'tooMany', value: String(ctx.periods.length + added) });
	return errors.length ? { ok: false, errors: byRow(errors) } : { ok: true, drafts, counts: countChanges(drafts) };
}

/** Problems in the file's order (a row of the wrong width was named before the others were read). */
function byRow(errors: SetupCsvError[]): SetupCsvError[] {
	return errors.map((e, i) => ({ e, i })).sort((a, b) => (a.e.row ?? Infinity) - (b.e.row ?? Infinity) || a.i - b.i).map(({ e }) => e);
}

function countChanges(drafts: ReadonlyArray<{ change: SetupChange }>): Record<SetupChange, number> {
	const counts = { add: 0, change: 0, same: 0 };
	for (const d of drafts) counts[d.change]++;
	return counts;
}

/** The event's posts in use (archived ones are left out) as canonical CSV, the format the import reads. */
export function postsToCsv(posts: readonly Post[]): string {
	const rows = posts.filter((p) => !p.archived).map((p) => [p.name, p.kind, p.agency ?? '', String(p.minStaff), p.location ?? '']);
	return formatCsv([[...POST_COLUMNS], ...rows]);
}

/** The event's operational periods as canonical CSV, times in the event's zone. */
export function periodsToCsv(periods: readonly Period[], timeZone: string): string {
	const rows = periods.map((p) => [p.name, formatCsvTime(p.startsAt, timeZone), formatCsvTime(p.endsAt, timeZone)]);
	return formatCsv([[...PERIOD_COLUMNS], ...rows]);
}
