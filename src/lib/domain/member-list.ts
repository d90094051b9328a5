/**
 * Members in bulk: a list of people with their role and agency in the event, pasted from a spreadsheet or read
 * from a CSV file. The administrator's page and the CLI (`members import`) both call `readMemberList`, so a list
 * is refused or taken alike; nothing is saved unless every row is good.
 *
 * Format: one person a row, columns username, role, agency. A header row is optional; when present (in English
 * or Chinese: 用户名, 角色, 警种/单位) it may put the columns in any order. Without one the order is username, role,
 * agency. The role is its code or its Chinese word (指挥长, 带班领导, 队员, 复盘人员, 观察员); the agency is its code or
 * its name in either language. Fields are separated by commas, or by tabs when pasted from a spreadsheet, or by
 * full-width commas when typed with a Chinese input method.
 */
import { EVENT_ROLES, roleNeedsAgency, type EventRole } from './roles.ts';
import { parseCsv } from './roster-csv.ts';
import { unguardCell } from './csv-format.ts';
import { checkMember } from './validation.ts';

export const MEMBER_LIST_COLUMNS = ['username', 'role', 'agency'] as const;
export type MemberListColumn = (typeof MEMBER_LIST_COLUMNS)[number];

/** A list longer than this is not an event's staff but a mistake (the demo event has 16 members). */
export const MAX_MEMBER_ROWS = 2_000;
/** Past this many problems the rest are counted, not listed: a wrong file would otherwise fill the page. */
export const MAX_LISTED_ERRORS = 200;

export type MemberListErrorCode =
	| 'empty'
	| 'unclosedQuote'
	| 'badHeader'
	| 'fieldCount'
	| 'required'
	| 'unknownUser'
	| 'disabledUser'
	| 'unknownRole'
	| 'unknownAgency'
	| 'agencyRequired'
	| 'duplicate'
	| 'tooManyRows'
	| 'moreErrors';

/** One problem: its line in the text (null for the list as a whole), the column, and the value at fault. */
export interface MemberListError {
	line: number | null;
	column: MemberListColumn | null;
	code: MemberListErrorCode;
	value: string;
	/** The earlier line a duplicate repeats. */
	ref?: number;
}

export interface MemberListContext {
	users: ReadonlyArray<{ id: string; username: string; displayName: string; disabled: boolean }>;
	agencies: ReadonlyArray<{ code: string; nameZh: string; nameEn: string }>;
	/** The event's members now, to tell an addition from a change. */
	members: ReadonlyArray<{ userId: string; role: EventRole; agencyCode: string | null }>;
}

export type MemberChange = 'add' | 'change' | 'same';

/** A good row, as it will be saved, and what it does. */
export interface MemberListRow {
	line: number;
	userId: string;
	username: string;
	displayName: string;
	role: EventRole;
	agencyCode: string | null;
	change: MemberChange;
	before: { role: EventRole; agencyCode: string | null } | null;
}

export type MemberListResult =
	| { ok: true; rows: MemberListRow[]; counts: Record<MemberChange, number> }
	| { ok: false; errors: MemberListError[] };

/** Header words, lower-cased and without spaces or underscores. */
const HEADER_WORDS: Record<MemberListColumn, readonly string[]> = {
	username: ['username', 'user', 'login', 'account', '用户名', '账号', '帐号', '登录名'],
	role: ['role', 'eventrole', '角色', '活动角色'],
	agency: ['agency', 'agencycode', 'agencyname', '警种', '单位', '所属单位', '警种/单位', '单位代码']
};

/** Role words people type: the code, the English word, the Chinese term and its short forms. */
const ROLE_WORDS: Record<EventRole, readonly string[]> = {
	commander: ['commander', '指挥长', '指挥'],
	lead: ['lead', 'leader', '带班领导', '带班', '队长'],
	member: ['member', '队员'],
	reviewer: ['reviewer', '复盘人员', '复盘'],
	observer: ['observer', '观察员']
};

const headerKey = (s: string) => s.trim().toLowerCase().replace(/[\s_]/g, '');

function columnOfHeader(cell: string): MemberListColumn | null {
	const key = headerKey(cell);
	return MEMBER_LIST_COLUMNS.find((c) => HEADER_WORDS[c].includes(key)) ?? null;
}

/** The role a word names, or null. */
export function parseRoleWord(word: string): EventRole | null {
	const w = word.trim().toLowerCase();
	return EVENT_ROLES.find((r) => ROLE_WORDS[r].includes(w)) ?? null;
}

/** The agency code a word names (its code, Chinese or English name), or null. */
export function parseAgencyWord(word: string, agencies: MemberListContext['agencies']): string | null {
	const w = word.trim().toLowerCase();
	if (!w) return null;
	return (
		agencies.find((a) => a.code.toLowerCase() === w)?.code ??
		agencies.find((a) => a.nameZh.trim().toLowerCase() === w || a.nameEn.trim().toLowerCase() === w)?.code ??
		null
	);
}

/** Tabs when pasted from a spreadsheet, full-width commas from a Chinese keyboard, else commas. */
function separatorOf(text: string): string {
	const first = text.slice(0, text.search(/\r?\n|$/));
	const count = (ch: string) => first.split(ch).length - 1;
	if (count('\t') > count(',')) return '\t';
	if (count(',') === 0 && count('\uff0c') > 0) return '\uff0c';
	return ',';
}

/** A value as shown in a message: never a whole huge cell. */
const shown = (v: string) => ([...v].length > 80 ? `${[...v].slice(0, 80).join('')}…` : v);

/**
 * Checks a member list against the users, agencies and members there are. Every row is checked; the answer is
 * either every row as it will be saved, with what it changes, or every problem with its line and column.
 */
export function readMemberList(text: string, ctx: MemberListContext): MemberListResult {
	const parsed = parseCsv(text, separatorOf(text.startsWith('\uFEFF') ? text.slice(1) : text));
	if ('error' in parsed) return { ok: false, errors: [{ line: parsed.error.row, column: null, code: 'unclosedQuote', value: '' }] };
	let rows = parsed.rows.filter((r) => r.fields.some((f) => f.trim() !== ''));
	if (rows.length === 0) return { ok: false, errors: [{ line: null, column: null, code: 'empty', value: '' }] };

	// A first row with any header word is a header; then every cell of it must be one, each once.
	let order: Array<MemberListColumn | null> = [...MEMBER_LIST_COLUMNS];
	const head = rows[0];
	if (head.fields.some((f) => columnOfHeader(f) !== null)) {
		order = head.fields.map(columnOfHeader);
		const bad = head.fields.find((f, i) => order[i] === null && f.trim() !== '');
		const twice = order.find((c, i) => c !== null && order.indexOf(c) !== i);
		if (bad !== undefined || twice || !order.includes('username') || !order.includes('role')) {
			return { ok: false, errors: [{ line: head.line, column: null, code: 'badHeader', value: shown(bad ?? twice ?? head.fields.join(',')) }] };
		}
		rows = rows.slice(1);
		if (rows.length === 0) return { ok: false, errors: [{ line: null, column: null, code: 'empty', value: '' }] };
	}
	if (rows.length > MAX_MEMBER_ROWS) return { ok: false, errors: [{ line: null, column: null, code: 'tooManyRows', value: String(rows.length) }] };

	const users = new Map(ctx.users.map((u) => [u.username.toLowerCase(), u]));
	const current = new Map(ctx.members.map((m) => [m.userId, m]));
	const errors: MemberListError[] = [];
	const good: MemberListRow[] = [];
	const seen = new Map<string, number>();

	for (const { line, fields } of rows) {
		// Trailing empty cells are what spreadsheets leave; more cells with something in them are a wrong row.
		const width = fields.length - [...fields].reverse().findIndex((f) => f.trim() !== '');
		if (width > order.length) {
			errors.push({ line, column: null, code: 'fieldCount', value: String(width) });
			continue;
		}
		const cell = (c: MemberListColumn) => {
			const i = order.indexOf(c);
			return i >= 0 && i < fields.length ? unguardCell(fields[i].trim()) : '';
		};
		const before = errors.length;
		const bad = (column: MemberListColumn, code: MemberListErrorCode, value = cell(column), ref?: number) =>
			errors.push({ line, column, code, value: shown(value), ...(ref ? { ref } : {}) });

		const username = cell('username');
		const user = users.get(username.toLowerCase());
		if (!username) bad('username', 'required');
		else if (!user) bad('username', 'unknownUser');
		else if (user.disabled) bad('username', 'disabledUser');
		else if (seen.has(user.id)) bad('username', 'duplicate', username, seen.get(user.id));
		if (user && !seen.has(user.id)) seen.set(user.id, line);

		const roleWord = cell('role');
		const role = parseRoleWord(roleWord);
		if (!roleWord) bad('role', 'required');
		else if (!role) bad('role', 'unknownRole');

		const agencyWord = cell('agency');
		const agencyCode = parseAgencyWord(agencyWord, ctx.agencies);
		if (agencyWord && !agencyCode) bad('agency', 'unknownAgency');
		else if (role && roleNeedsAgency(role) && !agencyCode) bad('agency', 'agencyRequired', roleWord);

		if (errors.length > before || !user || !role) continue;
		// The same rule as the one-at-a-time form; a list cannot pass what the form refuses.
		const checked = checkMember({ userId: user.id, role, agencyCode: agencyCode ?? '' });
		if (!checked.ok) {
			bad('agency', 'agencyRequired', roleWord);
			continue;
		}
		// Reviewers and observers act for no agency; the membership keeps none (as setMember stores it).
		const saved = role === 'reviewer' || role === 'observer' ? null : checked.value.agencyCode;
		const was = current.get(user.id);
		const change: MemberChange = !was ? 'add' : was.role === role && was.agencyCode === saved ? 'same' : 'change';
		good.push({
			line,
			userId: user.id,
			username: user.username,
			displayName: user.displayName,
			role,
			agencyCode: saved,
			change,
			before: was ? { role: was.role, agencyCode: was.agencyCode } : null
		});
	}

	if (errors.length) {
		const listed = errors.slice(0, MAX_LISTED_ERRORS);
		if (errors.length > listed.length) listed.push({ line: null, column: null, code: 'moreErrors', value: String(errors.length - listed.length) });
		return { ok: false, errors: listed };
	}
	const counts = { add: 0, change: 0, same: 0 };
	for (const r of good) counts[r.change]++;
	return { ok: true, rows: good, counts };
}
