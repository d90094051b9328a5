/**
 * Issue 9, point 4: SQL injection attempts at every input — sign-in, admin forms, API query parameters and ids,
 * the dispute search, CSV imports, socket.io ids and document names — are kept as text or refused, change nothing
 * else and leak nothing (state compared before and after). Sign-in is tried on a server behind a (simulated) TLS
 * proxy, where each attempt can come from an address of its own and no attempt is throttled by another's.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { parse } from 'devalue';
import { startServer, type TestServer } from '../helpers/server.ts';
import { HttpClient } from '../helpers/http.ts';
import { postPlainForm, setupAdmin, signIn } from '../helpers/accounts.ts';
import { pageData } from '../helpers/admin-forms.ts';
import { command } from '../helpers/commands.ts';
import { connectCommands, connectDoc, DEMO_EVENT, DEMO_PASSWORD, eventually, whenSynced, type CommandSocketClient } from '../helpers/live.ts';
import { SYNC_MS } from '../helpers/hub.ts';
import { addressBook, demoState as demoStateOf, firstClose, PROXY_ADMIN, PROXY_ENV, sessionSetCookie, SQL } from '../helpers/web-security.ts';
import { agencyDocName } from '../../src/lib/domain/documents.ts';
import { disputesOf } from '../../src/lib/domain/dispute-doc.ts';
import { CSV_COLUMNS } from '../../src/lib/domain/dispute-csv.ts';
import { readShifts } from '../../src/lib/domain/roster.ts';
import { CLOSE_CODES } from '../../src/lib/domain/wire.ts';
import { DEMO_USERS } from '../../src/lib/server/demo/demo-data.ts';

describe('SQL in every input', () => {
	let demo: TestServer;
	let proxied: TestServer;
	const demoClients = new Map<string, HttpClient>();
	const as = (username: string) => demoClients.get(username)!;
	const proxiedClient = addressBook(() => proxied.url);
	const demoState = () => demoStateOf(as('admin'), as('commander'));

	beforeAll(async () => {
		[demo, proxied] = await Promise.all([startServer({ demo: true }), startServer({ env: PROXY_ENV })]);
		await setupAdmin(proxiedClient(), PROXY_ADMIN);
		for (const u of ['admin', 'commander', 'reviewer', 'lead.station', 'lead.traffic', 'lead.cid']) {
			demoClients.set(u, await signIn(new HttpClient(demo.url), u, DEMO_PASSWORD));
		}
	}, 180_000);
	afterAll(async () => {
		await Promise.all([demo?.dispose(), proxied?.dispose()]);
	});

	it('signs nobody in with SQL for a username or password, and sets no cookie', async () => {
		for (const text of SQL) {
			for (const [username, password] of [[text, text], [PROXY_ADMIN.username, text], [text, PROXY_ADMIN.password]]) {
				const c = proxiedClient();
				const res = await postPlainForm(c, '/login', { username, password });
				expect(`${username} / ${password}: ${res.status}`).toBe(`${username} / ${password}: 400`);
				expect(sessionSetCookie(res)).toBeNull();
			}
		}
		expect((await postPlainForm(proxiedClient(), '/login', { username: PROXY_ADMIN.username, password: PROXY_ADMIN.password })).status).toBe(303);
	});

	it('keeps SQL typed into admin forms as text (or refuses it by the field’s rules), changing nothing else', async () => {
		const admin = as('admin');
		type Row = Record<string, unknown> & { id?: string; code?: string };
		const lists = async () => {
			const [users, agencies, teams, events] = await Promise.all([
				pageData<{ users: Row[] }>(admin, '/admin/users'),
				pageData<{ agencies: Row[] }>(admin, '/admin/agencies'),
				pageData<{ teams: Row[] }>(admin, '/admin/teams'),
				pageData<{ events: Row[] }>(admin, '/admin/events')
			]);
			return { users: users.users, agencies: agencies.agencies, teams: teams.teams, events: events.events };
		};
		const before = await lists();
		const act = async (path: string, fields: Record<string, string>) => {
			const res = await admin.postForm(path, fields);
			return ((await res.json()) as { type: string }).type;
		};
		const made: Record<string, string[]> = { users: [], agencies: [], teams: [], events: [] };
		for (const [i, text] of SQL.entries()) {
			// A username must be letters, digits and . _ -: SQL is refused there.
			expect(await act('/admin/users/new', { username: text, displayName: 'x', password: 'sql-password-1', agencyCode: '' })).toBe('failure');
			expect(await act('/admin/users/new', { username: `sql-${i}`, displayName: text.slice(0, 40), password: 'sql-password-1', agencyCode: text })).toBe('failure');
			expect(await act('/admin/users/new', { username: `sql-${i}`, displayName: text.slice(0, 40), password: 'sql-password-1', agencyCode: '' })).toBe('redirect');
			made.users.push(text.slice(0, 40));
			expect(await act('/admin/agencies?/create', { code: text, nameZh: text, nameEn: text, color: '#123456' })).toBe('failure');
			expect(await act('/admin/agencies?/create', { code: `sql${i}`, nameZh: text, nameEn: text, color: '#123456' })).toBe('success');
			made.agencies.push(text);
			expect(await act('/admin/teams?/create', { agencyCode: 'station', level: 'brigade', name: text, parentId: '' })).toBe('success');
			made.teams.push(text);
			expect(await act('/admin/teams?/rename', { teamId: text, name: 'x' })).toBe('failure');
			expect(await act('/admin/events/new', { name: text, venue: text, startsAt: '2027-01-01T08:00', endsAt: '2027-01-02T08:00', timezone: 'Asia/Shanghai', checkinGraceMinutes: '10' })).toBe('redirect');
			made.events.push(text);
			expect(await act(`/admin/events/${DEMO_EVENT}?/addMember`, { userId: text, role: 'member', agencyCode: 'station' })).toBe('failure');
			expect(await act(`/admin/events/${DEMO_EVENT}?/removeMember`, { userId: text })).toBe('failure');
		}
		const after = await lists();
		for (const key of ['users', 'agencies', 'teams', 'events'] as const) {
			// Every row there before is there unchanged, and each new row holds the text exactly as typed.
			for (const row of before[key]) expect(after[key]).toContainEqual(row);
			const added = after[key].filter((r) => !before[key].some((b) => JSON.stringify(b) === JSON.stringify(r)));
			const names = added.map((r) => (key === 'users' ? r.displayName : key === 'agencies' ? r.nameZh : r.name));
			expect(names.sort()).toEqual([...made[key]].sort());
		}
		// The demo's members are all still there (removing a member named by SQL removed nobody).
		const members = await pageData<{ members: Array<{ userId: string }> }>(admin, `/admin/events/${DEMO_EVENT}`);
		for (const u of DEMO_USERS.filter((x) => x.role)) expect(members.members.map((m) => m.userId)).toContain(u.id);
	});

	it('matches nothing and leaks nothing with SQL in API query parameters and ids', async () => {
		const traffic = as('lead.traffic');
		const all = async (c: HttpClient, query = '') => {
			const res = await c.request(`/api/events/${DEMO_EVENT}/activity?limit=1000${query}`);
			return { status: res.status, rows: res.status === 200 ? ((await res.json()) as { activity: Array<{ id: string; doc: string }> }).activity : [] };
		};
		const baseline = await all(traffic);
		expect(baseline.rows.length).toBeGreaterThan(0);
		for (const text of SQL) {
			const q = encodeURIComponent(text);
			for (const param of ['kind', 'entity', 'agency']) {
				const r = await all(traffic, `&${param}=${q}`);
				expect(`${param}=${text}: ${r.status} ${r.rows.length}`).toBe(`${param}=${text}: 200 0`);
			}
			// Refused as no time or id, or (JavaScript reads "' OR '1'='1" as 2001-01-01) nothing the lead could not read anyway.
			for (const param of ['before', 'beforeId']) {
				const r = await all(traffic, `&${param}=${q}`);
				const outside = r.rows.filter((row) => !baseline.rows.some((b) => b.id === row.id));
				expect(`${param}=${text}: ${r.status === 400 || r.status === 200} ${outside.length}`).toBe(`${param}=${text}: true 0`);
			}
			// A limit that is no number is the default limit: the same rows as asked without it, never more.
			const limit = await traffic.request(`/api/events/${DEMO_EVENT}/activity?limit=${q}`);
			expect(limit.status).toBe(200);
			expect(((await limit.json()) as { activity: unknown[] }).activity.length).toBeLessThanOrEqual(baseline.rows.length);
			// An event id made of SQL is no event.
			expect((await traffic.request(`/api/events/${q}/activity`)).status).toBe(404);
			// A replay time made of SQL is no time (or, where JavaScript reads it as one, just that time).
			const replay = await as('reviewer').request(`/api/events/${DEMO_EVENT}/replay?at=${q}`);
			const asTime = new Date(text);
			if (Number.isNaN(asTime.getTime())) expect(replay.status).toBe(400);
			else expect(await replay.text()).toBe(await (await as('reviewer').request(`/api/events/${DEMO_EVENT}/replay?at=${asTime.toISOString()}`)).text());
			expect((await traffic.request(`/events/${DEMO_EVENT}/roster/export?agency=${q}`)).status).toBe(404);
		}
		// Nor does a name every object has (a lookup by key must not find the object's own properties).
		for (const key of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
			expect(`${key}: ${(await traffic.request(`/events/${DEMO_EVENT}/roster/export?agency=${key}`)).status}`).toBe(`${key}: 404`);
			expect(`${key}: ${(await all(traffic, `&agency=${key}`)).rows.length}`).toBe(`${key}: 0`);
		}
		// The uncleared lead never received the restricted document's activity, whatever was asked.
		expect(baseline.rows.some((r) => r.doc.endsWith('/restricted'))).toBe(false);
	});

	it('finds nothing with SQL as a dispute search, and a party’s full phone number finds its dispute only for the cleared', async () => {
		const rows = async (c: HttpClient, query: string) => {
			const res = await c.request(`/events/${DEMO_EVENT}/disputes/export?${query}`);
			expect(res.status).toBe(200);
			return (await res.text()).replace(/^\ufeff/, '').trim().split('\r\n').slice(1);
		};
		const everything = await rows(as('lead.traffic'), '');
		expect(everything.length).toBeGreaterThan(3);
		for (const text of SQL) {
			expect(`${text}: ${(await rows(as('lead.traffic'), `q=${encodeURIComponent(text)}`)).length}`).toBe(`${text}: 0`);
			for (const key of ['risk', 'status', 'category', 'level', 'sort']) {
				// An unknown filter value filters nothing away and adds nothing.
				expect((await rows(as('lead.traffic'), `${key}=${encodeURIComponent(text)}`)).sort()).toEqual([...everything].sort());
			}
			expect(await rows(as('lead.traffic'), `agency=${encodeURIComponent(text)}`)).toEqual([]);
		}
		// Search reaches the parties' personal data only for readers cleared for it: no existence oracle.
		expect((await rows(as('commander'), 'q=13800000103')).map((r) => r.split(',')[0])).toEqual(['demo-dispute-p2']);
		expect(await rows(as('lead.traffic'), 'q=13800000103')).toEqual([]);
	});

	it('stores SQL in CSV imports as text, and refuses an agency named by SQL without writing anywhere', async () => {
		const station = as('lead.station');
		// The register's own template (the cleared lead's: with the parties' columns), filled in column by column.
		const template = (await (await station.request(`/events/${DEMO_EVENT}/disputes/export?template=1`)).text()).trim();
		expect(template.split(',').length).toBe(CSV_COLUMNS.length);
		const cell = (v: string) => `"${v.replace(/"/g, '""')}"`;
		const row = (i: number, t: string) =>
			CSV_COLUMNS.map((c) => ({ summary: t, category: 'other', risk: 'low', location: t, partyNames: t.slice(0, 40), partyPhones: `1380000${String(i).padStart(4, '0')}` })[c as string] ?? '')
				.map(cell)
				.join(',');
		const csv = [template, ...SQL.map((t, i) => row(i, t))].join('\r\n');
		const form = new FormData();
		form.set('file', new File([csv], 'sql.csv', { type: 'text/csv' }));
		const res = await station.request(`/events/${DEMO_EVENT}/disputes/import`, { method: 'POST', body: form, headers: { 'x-sveltekit-action': 'true', accept: 'application/json' } });
		const register = (await res.json()) as { type: string; data?: string };
		expect(register.type, register.data ? JSON.stringify(parse(register.data)) : '').toBe('success');
		const reader = connectDoc(demo.url, agencyDocName(DEMO_EVENT, 'station'), { cookie: station.cookieHeader() });
		await whenSynced(reader, SYNC_MS);
		const summaries = () => [...disputesOf(reader.doc).values()].map((d) => d.get('summary'));
		await eventually(() => SQL.every((t) => summaries().includes(t)), 15_000, 'the imported disputes');
		for (const t of SQL) expect([...disputesOf(reader.doc).values()].find((d) => d.get('summary') === t)?.get('location')).toBe(t);
		reader.destroy();

		// The roster import: SQL in notes and names is text; an agency named by SQL (even for the commander,
		// who may write every agency) is refused and writes no document at all.
		const commander = as('commander');
		const before = await demoState();
		for (const text of SQL) {
			const body = new FormData();
			body.set('agency', text);
			body.set('file', new Blob(['shift_id,post_id,period_id,starts_at,ends_at,notes,person_id,username,name,role\r\n'], { type: 'text/csv' }), 'r.csv');
			const answer = await commander.request(`/events/${DEMO_EVENT}/roster/csv?/import`, { method: 'POST', body, headers: { 'x-sveltekit-action': 'true', accept: 'application/json' } });
			const json = (await answer.json()) as { type: string; status?: number };
			expect(`${text}: ${answer.status} ${json.type} ${json.status}`).toMatch(/: 200 failure 40[034]$/);
		}
		expect(await demoState()).toBe(before);
		const rosterCsv = [
			'shift_id,post_id,period_id,starts_at,ends_at,notes,person_id,username,name,role',
			...SQL.map((t, i) => `,demo-post-south-gate,,2027-02-0${1 + (i % 9)} 08:00,2027-02-0${1 + (i % 9)} 12:00,"${t.replace(/"/g, '""')}",,,"${t.replace(/"/g, '""').slice(0, 40)}",`)
		].join('\r\n');
		const body = new FormData();
		body.set('agency', 'cid');
		body.set('file', new Blob([rosterCsv], { type: 'text/csv' }), 'r.csv');
		const imported = await as('lead.cid').request(`/events/${DEMO_EVENT}/roster/csv?/import`, { method: 'POST', body, headers: { 'x-sveltekit-action': 'true', accept: 'application/json' } });
		const answer = (await imported.json()) as { type: string; data?: string };
		expect(answer.type, answer.data ? JSON.stringify(parse(answer.data)) : '').toBe('success');
		const cid = connectDoc(demo.url, agencyDocName(DEMO_EVENT, 'cid'), { cookie: as('lead.cid').cookieHeader() });
		await whenSynced(cid, SYNC_MS);
		await eventually(() => SQL.every((t) => readShifts(cid.doc, 'cid').some((s) => s.notes === t)), 15_000, 'the imported shifts');
		for (const t of SQL) expect(readShifts(cid.doc, 'cid').find((s) => s.notes === t)?.people.map((p) => p.name)).toEqual([t.slice(0, 40)]);
		cid.destroy();
	});

	it('refuses SQL in socket.io ids as malformed and in document names as unknown, and nothing changes', async () => {
		const before = await demoState();
		for (const text of SQL) {
			// A socket per text: six commands each stay within the rate limit. Not an id, so never looked up at all.
			const socket: CommandSocketClient = await connectCommands(demo.url, { cookie: as('commander').cookieHeader() });
			try {
				expect(await command(socket, 'event:join', text)).toMatchObject({ ok: false, error: 'invalid' });
				expect(await command(socket, 'instruction:list', text)).toMatchObject({ ok: false, error: 'invalid' });
				expect(await command(socket, 'card:requestHelp', { eventId: DEMO_EVENT, fromAgency: text, toAgency: 'station', title: 'x' })).toMatchObject({ ok: false, error: 'invalid' });
				expect(await command(socket, 'dispute:escalate', { eventId: DEMO_EVENT, disputeId: text, fromAgency: 'station', toLevel: 'street', reason: 'x' })).toMatchObject({ ok: false, error: 'invalid' });
				expect(await command(socket, 'roster:swapAct', { swapId: text, action: 'approve' })).toMatchObject({ ok: false, error: 'invalid' });
				expect(await command(socket, 'instruction:ack', { instructionId: text })).toMatchObject({ ok: false, error: 'invalid' });
			} finally {
				socket.disconnect();
			}
		}
		for (const text of SQL) {
			const live = connectDoc(demo.url, `event/${text}/command`, { cookie: as('commander').cookieHeader() });
			expect(await firstClose(live)).toEqual({ code: CLOSE_CODES.unknownDocument, reason: 'unknown document' });
			live.destroy();
		}
		expect(await demoState()).toBe(before);
	});
});
