/**
 * The dispute register as CSV (the format itself is csv-format.ts): checking an import completely before anything
 * is written (all or nothing, every problem named by row and column), and the rows of an export, which carry
 * personal data only for the cleared.
 *
 * Column names and enumeration words come from the caller (the message catalog, in every language), so a file
 * exported in Chinese or English imports back either way, and codes (`high`, `neighbor`) are accepted too.
 */
import {
	DISPUTE_CATEGORIES,
	DISPUTE_LEVELS,
	DISPUTE_RISKS,
	DISPUTE_STATUSES,
	MEDIATION_KINDS,
	type DisputeCategory,
	type DisputeLevel,
	type DisputeRisk,
	type DisputeStatus,
	type MediationKind
} from './doc-schema.ts';
import type { NewDispute, Party } from './dispute-doc.ts';
import { checkParty, DISPUTE_LIMITS, type RegisterEntry } from './disputes.ts';
import { maskParties } from './masking.ts';
import { isId, newId } from './ids.ts';
import { parseTimeIn, toLocalInputValue, zoneOffsetMs } from './validation.ts';
import { isoWithOffset } from './board.ts';
import { unguardCell } from './csv-format.ts';

export const CSV_COLUMNS = [
	'id',
	'agency',
	'summary',
	'category',
	'risk',
	'status',
	'level',
	'mediation',
	'location',
	'screenedAt',
	'dueAt',
	'ownerTeam',
	'partiesMasked',
	'partyNames',
	'partyPhones',
	'partyIdNumbers',
	'partyAddresses',
	'progress'
] as const;
export type CsvColumn = (typeof CSV_COLUMNS)[number];

/** Columns that hold personal data: exported to the cleared only, imported from the cleared only. */
export const PERSONAL_COLUMNS: readonly CsvColumn[] = ['partyNames', 'partyPhones', 'partyIdNumbers', 'partyAddresses'];
const REQUIRED_COLUMNS: readonly CsvColumn[] = ['summary', 'category', 'risk'];

export type EnumField = 'category' | 'risk' | 'status' | 'level' | 'mediation';
const ENUMS: Record<EnumField, readonly string[]> = {
	category: DISPUTE_CATEGORIES,
	risk: DISPUTE_RISKS,
	status: DISPUTE_STATUSES,
	level: DISPUTE_LEVELS,
	mediation: MEDIATION_KINDS
};

/** The words of the format: per column and per code, every accepted form; the first is the one written. */
export interface CsvVocabulary {
	headers: Record<CsvColumn, string[]>;
	values: Record<EnumField, Record<string, string[]>>;
}

/** At most this many rows in one import: a register of one event, with room, and a bound on one transaction. */
export const IMPORT_MAX_ROWS = 2000;
/** What separates several parties in one cell. */
const LIST_SPLIT = /[;；\n]/;

// ---- import --------------------------------------------------------------------------------------------------

export type ImportErrorCode =
	| 'required'
	| 'tooLong'
	| 'invalidChoice'
	| 'invalidTime'
	| 'invalidFormat'
	| 'notFound'
	| 'taken'
	| 'forbidden'
	| 'notCleared'
	| 'partiesMismatch'
	| 'unknownColumn'
	| 'missingColumn'
	| 'duplicateColumn'
	| 'noRows'
	| 'tooManyRows';

export interface ImportError {
	/** The record's number counting the header as 1, as a spreadsheet numbers rows; 1 for problems of the header. */
	row: number;
	column: CsvColumn | null;
	code: ImportErrorCode;
	/** The offending cell or header, shortened. */
	value: string;
}

export interface ImportContext {
	vocabulary: CsvVocabulary;
	timezone: string;
	now: Date;
	importerId: string;
	/** Agencies whose register the importer may write; the first is used when a row names none. */
	writableAgencies: readonly string[];
	/** Every agency by code, with the names a file may use for it. */
	agencies: ReadonlyArray<{ code: string; names: string[] }>;
	teams: ReadonlyArray<{ id: string; name: string; agencyCode: string }>;
	/** Ids of disputes the event already has: a row with one of them is a second import of the same entry. */
	existingIds: ReadonlySet<string>;
	/** May the importer write parties' personal data (the restricted document)? */
	cleared: boolean;
}

export interface ImportEntry {
	id: string;
	agency: string;
	dispute: NewDispute;
	parties: Party[];
}

export type ImportResult = { ok: true; entries: ImportEntry[] } | { ok: false; errors: ImportError[] };

const norm = (s: string) => s.trim().toLowerCase().replace(/\s+/g, '');
const short = (s: string) => ([...s].length > 40 ? [...s].slice(0, 40).join('') + '…' : s);

function lookup<T extends string>(words: Record<string, string[]>, codes: readonly T[], value: string): T | null {
	const v = norm(value);
	for (const code of codes) {
		if (norm(code) === v || (words[code] ?? []).some((w) => norm(w) === v)) return code;
	}
	return null;
}

/** A time in a cell: ISO with offset, or a wall time in the event's zone (2026-11-24 18:00, 2026/11/24 18:00). */
function readTime(value: string, timezone: string, dateOnlyAt: string): string | null {
	const m = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/.exec(value.trim());
	const wall = m
		? `${m[1]}-${m[2].padStart(2, '0')}-${m[3].padStart(2, '0')} ${m[4] ? `${m[4].padStart(2, '0')}:${m[5]}${m[6] ? ':' + m[6] : ''}` : dateOnlyAt}`
		: value.trim();
	const d = parseTimeIn(wall, timezone);
	return d ? isoWithOffset(d, Math.round(zoneOffsetMs(d, timezone) / 60_000)) : null;
}

function splitList(value: string): string[] {
	return value.trim() ? value.split(LIST_SPLIT).map((s) => s.trim()) : [];
}

/**
 * Checks a whole file and turns it into entries to write, or names every problem. Nothing is partly accepted:
 * one bad row fails the file, so the caller writes all entries in one transaction or none.
 */
export function planImport(records: string[][], ctx: ImportContext): ImportResult {
	const errors: ImportError[] = [];
	const fail = (row: number, column: CsvColumn | null, code: ImportErrorCode, value = '') => errors.push({ row, column, code, value: short(value) });
	if (!ctx.writableAgencies.length) return { ok: false, errors: [{ row: 1, column: 'agency', code: 'forbidden', value: '' }] };
	if (records.length < 2) return { ok: false, errors: [{ row: 1, column: null, code: 'noRows', value: '' }] };
	if (records.length - 1 > IMPORT_MAX_ROWS) return { ok: false, errors: [{ row: 1, column: null, code: 'tooManyRows', value: String(records.length - 1) }] };

	const index = new Map<CsvColumn, number>();
	records[0].forEach((header, i) => {
		if (!header.trim()) return;
		const key = CSV_COLUMNS.find((c) => c === header.trim() || ctx.vocabulary.headers[c].some((h) => norm(h) === norm(header)));
		if (!key) fail(1, null, 'unknownColumn', header);
		else if (index.has(key)) fail(1, key, 'duplicateColumn', header);
		else index.set(key, i);
	});
	for (const c of REQUIRED_COLUMNS) if (!index.has(c)) fail(1, c, 'missingColumn', ctx.vocabulary.headers[c][0]);
	if (errors.length) return { ok: false, errors };

	const entries: ImportEntry[] = [];
	const seen = new Set<string>();
	records.slice(1).forEach((record, i) => {
		const row = i + 2;
		const cell = (c: CsvColumn) => {
			const at = index.get(c);
			return at === undefined ? '' : unguardCell(record[at] ?? '').trim();
		};
		const before = errors.length;
		const choice = <T extends string>(c: EnumField, fallback: T | null): T | null => {
			const v = cell(c);
			if (!v) return fallback;
			const code = lookup(ctx.vocabulary.values[c], ENUMS[c] as readonly T[], v);
			if (!code) fail(row, c, 'invalidChoice', v);
			return code;
		};
		const text = (c: CsvColumn, max: number) => {
			const v = cell(c);
			if ([...v].length > max) fail(row, c, 'tooLong', v);
			return v;
		};

		const idCell = cell('id');
		if (idCell && !isId(idCell)) fail(row, 'id', 'invalidFormat', idCell);
		else if (idCell && (ctx.existingIds.has(idCell) || seen.has(idCell))) fail(row, 'id', 'taken', idCell);
		const id = idCell && isId(idCell) ? idCell : newId();
		seen.add(id);

		const agencyCell = cell('agency');
		let agency = ctx.writableAgencies[0];
		if (agencyCell) {
			const found = ctx.agencies.find((a) => norm(a.code) === norm(agencyCell) || a.names.some((n) => norm(n) === norm(agencyCell)));
			if (!found) fail(row, 'agency', 'notFound', agencyCell);
			else if (!ctx.writableAgencies.includes(found.code)) fail(row, 'agency', 'forbidden', agencyCell);
			else agency = found.code;
		}

		const summary = text('summary', DISPUTE_LIMITS.summary);
		if (!summary) fail(row, 'summary', 'required');
		if (!cell('category')) fail(row, 'category', 'required');
		if (!cell('risk')) fail(row, 'risk', 'required');
		const category = choice<DisputeCategory>('category', null);
		const risk = choice<DisputeRisk>('risk', null);
		const status = choice<DisputeStatus>('status', 'open');
		const level = choice<DisputeLevel>('level', 'community');
		const mediation = choice<MediationKind>('mediation', null);
		const location = text('location', DISPUTE_LIMITS.location);
		const progress = text('progress', DISPUTE_LIMITS.note);

		const time = (c: 'screenedAt' | 'dueAt', dateOnlyAt: string) => {
			const v = cell(c);
			if (!v) return null;
			const t = readTime(v, ctx.timezone, dateOnlyAt);
			if (!t) fail(row, c, 'invalidTime', v);
			return t;
		};
		const screenedAt = time('screenedAt', '00:00');
		const dueAt = time('dueAt', '23:59');

		const teamCell = cell('ownerTeam');
		let ownerTeamId: string | null = null;
		if (teamCell) {
			const team = ctx.teams.find((t) => t.agencyCode === agency && (t.id === teamCell || norm(t.name) === norm(teamCell)));
			if (!team) fail(row, 'ownerTeam', 'notFound', teamCell);
			else ownerTeamId = team.id;
		}

		const lists = {
			name: splitList(cell('partyNames')),
			phone: splitList(cell('partyPhones')),
			idNumber: splitList(cell('partyIdNumbers')),
			address: splitList(cell('partyAddresses'))
		};
		const parties: Party[] = [];
		const personal = PERSONAL_COLUMNS.find((c) => cell(c));
		if (personal && !ctx.cleared) fail(row, personal, 'notCleared');
		else if (personal) {
			const n = Math.max(lists.name.length, lists.phone.length, lists.idNumber.length, lists.address.length);
			if (lists.phone.length > lists.name.length || lists.idNumber.length > lists.name.length || lists.address.length > lists.name.length) {
				fail(row, 'partyNames', 'partiesMismatch', cell('partyNames'));
			}
			for (let k = 0; k < n; k++) {
				const p: Party = { name: lists.name[k] ?? '', phone: lists.phone[k] ?? '', idNumber: lists.idNumber[k] ?? '', address: lists.address[k] ?? '', note: '' };
				if (!Object.values(p).some(Boolean)) continue;
				const problems = checkParty(p);
				const column: Record<string, CsvColumn> = { name: 'partyNames', phone: 'partyPhones', idNumber: 'partyIdNumbers', address: 'partyAddresses' };
				for (const [field, code] of Object.entries(problems)) if (code) fail(row, column[field] ?? 'partyNames', code as ImportErrorCode, p[field as keyof Party]);
				parties.push(p);
			}
		}
		const masked = parties.length ? maskParties(parties) : text('partiesMasked', 200);

		if (errors.length > before || !category || !risk) return;
		const at = isoWithOffset(ctx.now, Math.round(zoneOffsetMs(ctx.now, ctx.timezone) / 60_000));
		entries.push({
			id,
			agency,
			dispute: {
				summary,
				category,
				risk,
				status: status ?? 'open',
				level: level ?? 'community',
				mediation,
				location: location || null,
				screenedAt,
				dueAt,
				ownerTeamId,
				partiesMasked: masked,
				progress: progress ? [{ at, by: ctx.importerId, text: progress }] : []
			},
			parties
		});
	});
	return errors.length ? { ok: false, errors } : { ok: true, entries };
}

// ---- export --------------------------------------------------------------------------------------------------

export interface ExportContext {
	vocabulary: CsvVocabulary;
	timezone: string;
	/** The exporter is cleared: the personal columns are written. Otherwise they are left out altogether. */
	cleared: boolean;
	parties: (disputeId: string) => Party[];
	agencyName: (code: string) => string;
	teamName: (id: string | null) => string;
}

/** The header and rows of an export. Uncleared exporters get the masked parties only. */
export function exportRows(entries: readonly RegisterEntry[], ctx: ExportContext): string[][] {
	const columns = CSV_COLUMNS.filter((c) => ctx.cleared || !PERSONAL_COLUMNS.includes(c));
	const word = (field: EnumField, code: string | null) => (code ? (ctx.vocabulary.values[field][code]?.[0] ?? code) : '');
	const time = (iso: string | null) => (iso ? toLocalInputValue(new Date(iso), ctx.timezone).replace('T', ' ') : '');
	const rows = entries.map((d) => {
		const parties = ctx.cleared ? ctx.parties(d.id) : [];
		const list = (key: keyof Party) => (parties.some((p) => p[key]) ? parties.map((p) => p[key]).join('；') : '');
		const values: Record<CsvColumn, string> = {
			id: d.id,
			agency: ctx.agencyName(d.agency),
			summary: d.summary,
			category: word('category', d.category),
			risk: word('risk', d.risk),
			status: word('status', d.status),
			level: word('level', d.level),
			mediation: word('mediation', d.mediation),
			location: d.location ?? '',
			screenedAt: time(d.screenedAt),
			dueAt: time(d.dueAt),
			ownerTeam: ctx.teamName(d.ownerTeamId),
			partiesMasked: d.partiesMasked,
			partyNames: list('name'),
			partyPhones: list('phone'),
			partyIdNumbers: list('idNumber'),
			partyAddresses: list('address'),
			progress: d.progress.map((n) => `${time(n.at)} ${n.text}`).join('\n')
		};
		return columns.map((c) => values[c]);
	});
	return [columns.map((c) => ctx.vocabulary.headers[c][0]), ...rows];
}
