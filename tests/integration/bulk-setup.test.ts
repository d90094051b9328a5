/**
 * Issue 19, bulk setup: members in bulk on the administrator's event page and from the CLI; posts and operational
 * periods as CSV on the roster's CSV page; a roster file naming its posts. Each import is all rows or none.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'devalue';
import { postgresBaseUrl, runCli, startServer, type TestServer } from '../helpers/server.ts';
import { HttpClient } from '../helpers/http.ts';
import { signIn } from '../helpers/accounts.ts';
import { createEventAsAdmin, pageData } from '../helpers/admin-forms.ts';
import { DEMO_EVENT, DEMO_PASSWORD } from '../helpers/live.ts';
import { parseCsv } from '../../src/lib/domain/csv-format.ts';
import { ROSTER_COLUMNS } from '../../src/lib/domain/roster-csv.ts';
import type { MemberListError } from '../../src/lib/domain/member-list.ts';
import type { SetupCsvError } from '../../src/lib/domain/setup-csv.ts';

type Answer = { type: string; status?: number; data: Record<string, unknown> | null };

async function answerOf(res: Response): Promise<Answer> {
	expect(res.status).toBe(200);
	const body = (await res.json()) as { type: string; status?: number; data?: string };
	return { type: body.type, status: body.status, data: body.data ? (parse(body.data) as Record<string, unknown>) : null };
}

/** Posts a form as the page's enhanced form does: multipart when a file goes with it. */
async function post(client: HttpClient, path: string, fields: Record<string, string>, file?: { text: string; name: string }): Promise<Answer> {
	const body = new FormData();
	for (const [k, v] of Object.entries(fields)) body.set(k, v);
	if (file) body.set('file', new Blob([file.text], { type: 'text/csv' }), file.name);
	return answerOf(await client.request(path, { method: 'POST', body, headers: { 'x-sveltekit-action': 'true', accept: 'application/json' } }));
}

type Member = { username: string; role: string; agencyCode: string | null };

describe('bulk setup over HTTP', () => {
	let server: TestServer;
	let admin: HttpClient;
	let commander: HttpClient;
	let eventId = '';

	const members = async () =>
		(await pageData<{ members: Member[] }>(admin, `/admin/events/${eventId}`)).members.map((m) => `${m.username} ${m.role} ${m.agencyCode ?? '-'}`).sort();
	const exportOf = async (client: HttpClient, table: string) => {
		const res = await client.request(`/events/${DEMO_EVENT}/roster/setup-export?table=${table}`);
		expect(res.status).toBe(200);
		expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
		return res.text();
	};

	beforeAll(async () => {
		server = await startServer({ demo: true });
		admin = await signIn(new HttpClient(server.url), 'admin', DEMO_PASSWORD);
		commander = await signIn(new HttpClient(server.url), 'commander', DEMO_PASSWORD);
		eventId = await createEventAsAdmin(admin, { name: '2027古城灯会安保', startsAt: '2027-02-20T08:00', endsAt: '2027-02-27T08:00' });
	});

	afterAll(async () => {
		await server?.dispose();
	});

	it('refuses a whole member list for one bad row, naming every bad row by line, and adds no one', async () => {
		const list = ['用户名,角色,警种', 'lead.station,带班领导,派出所', 'no.such.user,队员,派出所', 'member.traffic,captain,交警', 'lead.cid,lead,', 'lead.station,member,station'].join('\n');
		for (const action of ['bulkCheck', 'bulkAdd']) {
			const answer = await post(admin, `/admin/events/${eventId}?/${action}`, { text: list });
			expect(answer.type).toBe('failure');
			expect((answer.data!.errors as MemberListError[]).map((e) => [e.line, e.column, e.code])).toEqual([
				[3, 'username', 'unknownUser'],
				[4, 'role', 'unknownRole'],
				[5, 'agency', 'agencyRequired'],
				[6, 'username', 'duplicate']
			]);
		}
		expect(await members()).toEqual([]);
	});

	it('previews a good list from a CSV file without saving, then adds everyone with their roles in one go', async () => {
		const file = { name: 'members.csv', text: '\uFEFFusername,role,agency\r\ncommander,commander,\r\nlead.station,lead,派出所\r\nmember.traffic,队员,Traffic police\r\nreviewer,复盘人员,\r\n' };
		const preview = await post(admin, `/admin/events/${eventId}?/bulkCheck`, { text: '' }, file);
		expect(preview.type).toBe('success');
		expect(preview.data!.preview).toMatchObject({ counts: { add: 4, change: 0, same: 0 } });
		// The file's text (read past its byte-order mark) comes back for the confirmation; the check saves nothing.
		expect(preview.data!.text).toBe(file.text.slice(1));
		expect(await members()).toEqual([]);

		const saved = await post(admin, `/admin/events/${eventId}?/bulkAdd`, { text: preview.data!.text as string });
		expect(saved).toMatchObject({ type: 'success', data: { done: { add: 4, change: 0, same: 0 } } });
		expect(await members()).toEqual(['commander commander -', 'lead.station lead station', 'member.traffic member traffic', 'reviewer reviewer -']);
		// The people see the event with their role.
		const lead = await signIn(new HttpClient(server.url), 'lead.station', DEMO_PASSWORD);
		const events = ((await (await lead.request('/api/events')).json()) as { events: Array<{ id: string; role: string }> }).events;
		expect(events.find((e) => e.id === eventId)?.role).toBe('lead');

		// A second list changes a role and leaves the rest; the counts say so.
		const again = await post(admin, `/admin/events/${eventId}?/bulkAdd`, { text: 'member.traffic\tlead\ttraffic\nreviewer\treviewer\t' });
		expect(again).toMatchObject({ type: 'success', data: { done: { add: 0, change: 1, same: 1 } } });
		expect(await members()).toContain('member.traffic lead traffic');
	});

	it('refuses bulk member lists from anyone but the administrator', async () => {
		const res = await commander.request(`/admin/events/${eventId}?/bulkAdd`, {
			method: 'POST',
			body: new URLSearchParams({ text: 'lead.cid,lead,cid' }),
			headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-sveltekit-action': 'true', accept: 'application/json' }
		});
		const body = await res.text();
		expect(body).not.toContain('"success"');
		expect(await members()).not.toContain('lead.cid lead cid');
	});

	it('round-trips posts and periods: the export imports back unchanged, and an edited file adds and updates by name', async () => {
		const posts = await exportOf(commander, 'posts');
		const periods = await exportOf(commander, 'periods');
		expect(parseCsv(posts)[0]).toEqual(['name', 'kind', 'agency', 'min_staff', 'location']);
		expect(parseCsv(periods)[0]).toEqual(['name', 'starts_at', 'ends_at']);
		const postRows = parseCsv(posts).length - 1;
		const periodRows = parseCsv(periods).length - 1;
		expect(postRows).toBeGreaterThan(1);

		const samePosts = await post(commander, `/events/${DEMO_EVENT}/roster/csv?/importPosts`, {}, { name: 'posts.csv', text: posts });
		expect(samePosts).toMatchObject({ type: 'success', data: { setupImported: { table: 'posts', counts: { add: 0, change: 0, same: postRows } } } });
		const samePeriods = await post(commander, `/events/${DEMO_EVENT}/roster/csv?/importPeriods`, {}, { name: 'periods.csv', text: periods });
		expect(samePeriods).toMatchObject({ type: 'success', data: { setupImported: { counts: { add: 0, change: 0, same: periodRows } } } });
		expect(await exportOf(commander, 'posts')).toBe(posts);
		expect(await exportOf(commander, 'periods')).toBe(periods);

		// The first post gets a new minimum; a checkpoint and a period are added, in Chinese words.
		const rows = parseCsv(posts);
		rows[1][3] = String(Number(rows[1][3]) + 2);
		const edited = [...rows.map((r) => r.map((c) => (/[",]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',')), '北广场临时卡点,卡点,交警,3,北广场入口'].join('\r\n');
		const changed = await post(commander, `/events/${DEMO_EVENT}/roster/csv?/importPosts`, {}, { name: 'posts.csv', text: edited });
		expect(changed).toMatchObject({ type: 'success', data: { setupImported: { counts: { add: 1, change: 1, same: postRows - 1 } } } });
		const after = parseCsv(await exportOf(commander, 'posts'));
		expect(after).toContainEqual(['北广场临时卡点', 'checkpoint', 'traffic', '3', '北广场入口']);
		expect(after.find((r) => r[0] === rows[1][0])?.[3]).toBe(rows[1][3]);

		const night = await post(commander, `/events/${DEMO_EVENT}/roster/csv?/importPeriods`, {}, { name: 'periods.csv', text: '名称,开始时间,结束时间\n闭幕夜班,2026-02-20 20:00,08:00\n' });
		expect(night).toMatchObject({ type: 'success', data: { setupImported: { counts: { add: 1 } } } });
		expect(parseCsv(await exportOf(commander, 'periods'))).toContainEqual(['闭幕夜班', '2026-02-20 20:00', '2026-02-21 08:00']);
	});

	it('refuses a posts file with bad rows whole, naming each, and refuses a lead', async () => {
		const before = await exportOf(commander, 'posts');
		const bad = 'name,kind,agency,min_staff,location\n新岗一,固定岗,派出所,2,\n新岗二,岗亭,,1,\n新岗三,post,消防,1,\n新岗四,post,,-1,\n';
		const refused = await post(commander, `/events/${DEMO_EVENT}/roster/csv?/importPosts`, {}, { name: 'bad.csv', text: bad });
		expect(refused.type).toBe('failure');
		expect(refused.status).toBe(400);
		expect((refused.data!.errors as SetupCsvError[]).map((e) => [e.row, e.column, e.code])).toEqual([
			[3, 'kind', 'unknownKind'],
			[4, 'agency', 'unknownAgency'],
			[5, 'min_staff', 'badNumber']
		]);
		expect(await exportOf(commander, 'posts')).toBe(before);

		const lead = await signIn(new HttpClient(server.url), 'lead.station', DEMO_PASSWORD);
		const forbidden = await post(lead, `/events/${DEMO_EVENT}/roster/csv?/importPosts`, {}, { name: 'p.csv', text: 'name\n越权岗\n' });
		expect(forbidden).toMatchObject({ type: 'failure', status: 403 });
		expect(await exportOf(commander, 'posts')).toBe(before);
	});

	it('takes a roster file that names its posts, and names an unknown post name as the problem', async () => {
		const postName = parseCsv(await exportOf(commander, 'posts')).find((r) => r[2] === 'cid')?.[0] ?? parseCsv(await exportOf(commander, 'posts'))[1][0];
		const header = ROSTER_COLUMNS.join(',');
		const file = (row: string) => `\uFEFF${header}\r\n${row}\r\n`;
		const lead = await signIn(new HttpClient(server.url), 'lead.cid', DEMO_PASSWORD);
		const good = await post(lead, `/events/${DEMO_EVENT}/roster/csv?/import`, { agency: 'cid' }, { name: 'r.csv', text: file(`,${postName},,2026-02-14 08:00,16:00,,,,张伟,便衣`) });
		expect(good).toMatchObject({ type: 'success', data: { imported: { shifts: 1, people: 1 } } });
		const exported = parseCsv(await (await lead.request(`/events/${DEMO_EVENT}/roster/export?agency=cid`)).text());
		// Stored by id: the export gives the post's id, which the name stood for.
		expect(exported[1][1]).toMatch(/^[A-Za-z0-9_-]+$/);
		expect(exported[1][1]).not.toBe(postName);

		const unknown = await post(lead, `/events/${DEMO_EVENT}/roster/csv?/import`, { agency: 'cid' }, { name: 'r.csv', text: file(',不存在的岗位,,2026-02-14 08:00,16:00,,,,张伟,便衣') });
		expect(unknown.type).toBe('failure');
		expect(unknown.data!.errors).toEqual([{ row: 2, column: 'post_id', code: 'unknownPost', value: '不存在的岗位' }]);
	});
});

describe('members import on the command line', () => {
	let server: TestServer;
	const dir = mkdtempSync(join(tmpdir(), 'liandong-members-'));

	beforeAll(async () => {
		server = await startServer();
		// The CLI and the embedded database's server may not hold the data folder at once; PostgreSQL takes both.
		if (!postgresBaseUrl()) await server.stop();
	});

	afterAll(async () => {
		await server?.dispose();
	});

	const cli = (args: string[], stdin?: string) => runCli(server, args, stdin);

	// Each run of the CLI opens the database afresh (a few seconds on the embedded one), and this takes eleven.
	it('is listed by help, refuses a list with a bad line whole, and imports a good one from a file and from stdin', { timeout: 300_000 }, async () => {
		const help = await cli(['help']);
		expect(help.stdout).toContain('members import <event id> [<file>]');

		for (const [name, display] of [
			['wang.jg', '王建国'],
			['li.xm', '李晓梅'],
			['zhou.gd', '周国栋']
		]) {
			expect((await cli(['user', 'add', name, '--name', display, '--agency', 'station'], 'a-long-password\n')).code).toBe(0);
		}
		const made = await cli(['event', 'create', '--name', '马拉松安保', '--starts', '2027-03-01T05:00', '--ends', '2027-03-01T14:00']);
		const id = /Event id: (\S+)/.exec(made.stdout)![1];
		const list = async () => JSON.parse((await cli(['member', 'list', id, '--json'])).stdout) as Member[];

		const badFile = join(dir, 'bad.csv');
		writeFileSync(badFile, 'username,role,agency\nwang.jg,队员,派出所\nnobody,队员,派出所\nli.xm,lead,\n');
		const bad = await cli(['members', 'import', id, badFile]);
		expect(bad.code).toBe(2);
		expect(bad.stderr).toContain('Nothing was saved');
		expect(bad.stderr).toContain('line 3, username: no such username "nobody"');
		expect(bad.stderr).toContain('line 4, agency: leads and members need an agency');
		expect(await list()).toEqual([]);

		const goodFile = join(dir, 'good.csv');
		writeFileSync(goodFile, '用户名,角色,警种\nwang.jg,队员,派出所\nli.xm,带班领导,station\n');
		const dry = await cli(['members', 'import', id, goodFile, '--dry-run']);
		expect(dry.code).toBe(0);
		expect(dry.stdout).toContain('would add 2');
		expect(await list()).toEqual([]);

		const good = await cli(['members', 'import', id, goodFile]);
		expect(good.code).toBe(0);
		expect(good.stdout).toContain('Added 2, changed 0, left 0 unchanged');
		const piped = await cli(['members', 'import', id], 'zhou.gd,commander,\nli.xm,member,station\n');
		expect(piped.code).toBe(0);
		expect(piped.stdout).toContain('Added 1, changed 1, left 0 unchanged');
		expect((await list()).map((m) => `${m.username} ${m.role} ${m.agencyCode ?? '-'}`).sort()).toEqual(['li.xm member station', 'wang.jg member station', 'zhou.gd commander -']);

		const missing = await cli(['members', 'import', id, join(dir, 'absent.csv')]);
		expect(missing.code).toBe(2);
		expect(missing.stderr).toContain('no such file');
	});
});
