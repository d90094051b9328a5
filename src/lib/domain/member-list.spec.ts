import { describe, it, expect } from 'vitest';
import { MAX_LISTED_ERRORS, MAX_MEMBER_ROWS, readMemberList, type MemberListContext } from './member-list.ts';

const ctx: MemberListContext = {
	users: [
		{ id: 'u-wang', username: 'wang.jg', displayName: '王建国', disabled: false },
		{ id: 'u-li', username: 'li.xm', displayName: '李晓梅', disabled: false },
		{ id: 'u-zhou', username: 'zhou.gd', displayName: '周国栋', disabled: false },
		{ id: 'u-old', username: 'old.hand', displayName: '老张', disabled: true },
		{ id: 'u-zheng', username: 'zheng.wj', displayName: '郑文静', disabled: false }
	],
	agencies: [
		{ code: 'station', nameZh: '派出所', nameEn: 'Police station' },
		{ code: 'traffic', nameZh: '交警', nameEn: 'Traffic police' }
	],
	members: [{ userId: 'u-li', role: 'member', agencyCode: 'station' }]
};

describe('reading a member list', () => {
	it('takes a list without a header in the order username, role, agency, with codes and words alike', () => {
		const r = readMemberList('wang.jg,member,station\nli.xm,带班领导,交警\nzhou.gd,指挥长,\n', ctx);
		expect(r.ok).toBe(true);
		if (!r.ok) return;
		expect(r.rows.map((x) => [x.line, x.userId, x.role, x.agencyCode, x.change])).toEqual([
			[1, 'u-wang', 'member', 'station', 'add'],
			[2, 'u-li', 'lead', 'traffic', 'change'],
			[3, 'u-zhou', 'commander', null, 'add']
		]);
		expect(r.rows[1].before).toEqual({ role: 'member', agencyCode: 'station' });
		expect(r.counts).toEqual({ add: 2, change: 1, same: 0 });
	});

	it('reads a Chinese header in any column order, a BOM, CRLF, and tabs pasted from a spreadsheet', () => {
		const r = readMemberList('\uFEFF单位\t用户名\t角色\r\nPolice Station\tWANG.JG\t队员\r\n派出所\tli.xm\tmember\r\n', ctx);
		expect(r.ok && r.rows.map((x) => [x.line, x.username, x.agencyCode, x.change])).toEqual([
			[2, 'wang.jg', 'station', 'add'],
			[3, 'li.xm', 'station', 'same']
		]);
	});

	it('reads an English header and full-width commas typed with a Chinese keyboard', () => {
		const r = readMemberList('Username，Role，Agency\nzheng.wj，复盘人员，派出所\n', ctx);
		// A reviewer acts for no agency; the membership keeps none, as the one-at-a-time form stores it.
		expect(r.ok && r.rows.map((x) => [x.username, x.role, x.agencyCode])).toEqual([['zheng.wj', 'reviewer', null]]);
	});

	it('names every bad row by its line, column and problem, and returns no rows', () => {
		const r = readMemberList(
			['username,role,agency', 'nobody,member,station', 'wang.jg,captain,station', 'li.xm,member,fire', 'zhou.gd,lead,', 'wang.jg,member,station', 'old.hand,member,station', ',member,station', 'zheng.wj,member,station,extra'].join('\n'),
			ctx
		);
		expect(r.ok).toBe(false);
		if (r.ok) return;
		expect(r.errors).toEqual([
			{ line: 2, column: 'username', code: 'unknownUser', value: 'nobody' },
			{ line: 3, column: 'role', code: 'unknownRole', value: 'captain' },
			{ line: 4, column: 'agency', code: 'unknownAgency', value: 'fire' },
			{ line: 5, column: 'agency', code: 'agencyRequired', value: 'lead' },
			{ line: 6, column: 'username', code: 'duplicate', value: 'wang.jg', ref: 3 },
			{ line: 7, column: 'username', code: 'disabledUser', value: 'old.hand' },
			{ line: 8, column: 'username', code: 'required', value: '' },
			{ line: 9, column: null, code: 'fieldCount', value: '4' }
		]);
	});

	it('refuses an empty list, a header alone, an unknown header word and an unclosed quote', () => {
		expect(readMemberList('  \n\n', ctx)).toEqual({ ok: false, errors: [{ line: null, column: null, code: 'empty', value: '' }] });
		expect(readMemberList('用户名,角色\n', ctx)).toEqual({ ok: false, errors: [{ line: null, column: null, code: 'empty', value: '' }] });
		expect(readMemberList('username,role,team\nwang.jg,member,x\n', ctx)).toEqual({ ok: false, errors: [{ line: 1, column: null, code: 'badHeader', value: 'team' }] });
		expect(readMemberList('username,role,role\nwang.jg,member,member\n', ctx)).toMatchObject({ ok: false, errors: [{ code: 'badHeader', value: 'role' }] });
		expect(readMemberList('wang.jg,member,station\n"li.xm,member\n', ctx)).toEqual({ ok: false, errors: [{ line: 2, column: null, code: 'unclosedQuote', value: '' }] });
	});

	it('refuses a list over the row limit and lists at most a page of problems', () => {
		const many = Array.from({ length: MAX_MEMBER_ROWS + 1 }, () => 'wang.jg,member,station').join('\n');
		expect(readMemberList(many, ctx)).toEqual({ ok: false, errors: [{ line: null, column: null, code: 'tooManyRows', value: String(MAX_MEMBER_ROWS + 1) }] });
		const bad = Array.from({ length: 300 }, (_, i) => `nobody${i},member,station`).join('\n');
		const r = readMemberList(bad, ctx);
		expect(!r.ok && r.errors.length).toBe(MAX_LISTED_ERRORS + 1);
		expect(!r.ok && r.errors.at(-1)).toEqual({ line: null, column: null, code: 'moreErrors', value: '100' });
	});

	it('takes a formula-guarded cell back as the text it guarded, and never echoes a huge cell whole', () => {
		const r = readMemberList(`'=evil,member,station\n${'x'.repeat(5000)},member,station\n`, ctx);
		expect(!r.ok && r.errors.map((e) => [e.code, e.value.length <= 81])).toEqual([
			['unknownUser', true],
			['unknownUser', true]
		]);
		expect(!r.ok && r.errors[0].value).toBe('=evil');
	});
});
