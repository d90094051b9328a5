/**
 * Templates and copies (issue: plans, templates and drills, point 1): the demo copied to next year's dates with a
 * shorter span (Asia/Shanghai, no daylight saving) through the admin page's form, its shifts re-timed and those past
 * the new end left out or cut, members and roles as they were, nothing personal or historical carried; a template
 * saved, listed by the API (administrators only), exported, imported as the next version and used; an invalid file
 * refused with every problem named and nothing saved; and a document write that fails leaving nothing of the new
 * event behind (checked on the database itself with the server stopped).
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as Y from 'yjs';
import { runCli, startServer, type TestServer } from '../helpers/server.ts';
import { connectDoc, DEMO_EVENT, whenSynced, type LiveDoc } from '../helpers/live.ts';
import { demoClient } from '../helpers/commands.ts';
import { pageData } from '../helpers/admin-forms.ts';
import { HttpClient } from '../helpers/http.ts';
import { agencyDocName, commandDocName, restrictedDocName } from '../../src/lib/domain/documents.ts';
import { readPeriods, readPosts, readShifts, type Shift } from '../../src/lib/domain/roster.ts';
import { cardsOf, readCard } from '../../src/lib/domain/board.ts';
import { readZones, readMapBase } from '../../src/lib/domain/venue-map.ts';
import { toLocalInputValue } from '../../src/lib/domain/validation.ts';
import { openDatabase } from '../../src/lib/server/db/database.ts';
import { SyncHub } from '../../server/hub/hub.ts';
import { GroupCommitter } from '../../server/hub/group-commit.ts';
import { createEventFromTemplate, loadTemplate } from '../../src/lib/server/event-templates.ts';

const TZ = 'Asia/Shanghai';
const AGENCIES = ['station', 'cid', 'traffic', 'patrol'];
const DAY = 24 * 3_600_000;

type Answer = { type: string; status?: number; location?: string; data?: string };

async function act(client: HttpClient, path: string, fields: Record<string, string | string[]>): Promise<Answer> {
	const body = new URLSearchParams();
	for (const [k, v] of Object.entries(fields)) for (const one of Array.isArray(v) ? v : [v]) body.append(k, one);
	const res = await client.request(path, {
		method: 'POST',
		body,
		headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-sveltekit-action': 'true', accept: 'application/json' }
	});
	expect(res.status).toBe(200);
	return (await res.json()) as Answer;
}

async function importFile(client: HttpClient, text: string): Promise<Answer> {
	const body = new FormData();
	body.set('file', new Blob([text], { type: 'application/json' }), 'template.json');
	const res = await client.request('/admin/templates?/import', { method: 'POST', body, headers: { 'x-sveltekit-action': 'true', accept: 'application/json' } });
	expect(res.status).toBe(200);
	return (await res.json()) as Answer;
}

/** Every document of an event, read by a member of it. */
async function readEvent(base: string, cookie: string, eventId: string) {
	const live: LiveDoc[] = [];
	const open = async (name: string) => {
		const d = connectDoc(base, name, { cookie });
		live.push(d);
		await whenSynced(d);
		return d.doc;
	};
	const command = await open(commandDocName(eventId));
	const agencies: Record<string, Y.Doc> = {};
	for (const a of AGENCIES) agencies[a] = await open(agencyDocName(eventId, a));
	const restricted = await open(restrictedDocName(eventId));
	return { command, agencies, restricted, close: () => live.forEach((d) => d.destroy()) };
}

describe('templates and copies', () => {
	let server: TestServer;
	let admin: HttpClient;
	let commander: HttpClient;
	let copyId = '';
	let templateId = '';
	let sourceStart = 0;
	const newStart = '2027-02-01T10:00';
	let newStartMs = 0;
	let newEndMs = 0;

	beforeAll(async () => {
		server = await startServer({ demo: true });
		admin = await demoClient(server.url, 'admin');
		commander = await demoClient(server.url, 'commander');
	});
	afterAll(async () => {
		await server?.dispose();
	});

	it('copies the demo to next year with a shorter span: shifts re-timed, those past the end left out or cut, members and roles the same, nothing personal carried', async () => {
		const page = await pageData<{ events: Array<{ id: string; startsAt: string; endsAt: string }> }>(admin, '/admin/events/new');
		const demo = page.events.find((e) => e.id === DEMO_EVENT)!;
		// The demo spans three days from yesterday 08:00 with its shifts around now; the copy starts at 10:00 and
		// ends an hour after its last shift would start, so that shift is cut and any later are left out.
		sourceStart = Date.parse(`${demo.startsAt}:00+08:00`);
		newStartMs = Date.parse(`${newStart}:00+08:00`);
		const peek = await readEvent(server.url, commander.cookieHeader(), DEMO_EVENT);
		const starts = AGENCIES.flatMap((a) => readShifts(peek.agencies[a], a).map((s) => Date.parse(s.startsAt) - sourceStart)).sort((a, b) => a - b);
		peek.close();
		newEndMs = newStartMs + starts.at(-1)! - 3_600_000;
		const answer = await act(admin, '/admin/events/new', {
			source: 'event',
			sourceId: DEMO_EVENT,
			parts: ['members', 'posts', 'map', 'periods', 'shifts', 'cards', 'settings'],
			name: '2027古城灯会开幕周安保',
			venue: '古城墙灯会核心区',
			startsAt: newStart,
			endsAt: toLocalInputValue(new Date(newEndMs), TZ),
			timezone: TZ,
			checkinGraceMinutes: '10'
		});
		expect(answer.type).toBe('redirect');
		copyId = /^\/admin\/events\/([^/?]+)/.exec(answer.location!)![1];
		const copied = new URLSearchParams(answer.location!.split('?')[1]).get('copied')!.split('.').map(Number);

		const before = await readEvent(server.url, commander.cookieHeader(), DEMO_EVENT);
		const after = await readEvent(server.url, commander.cookieHeader(), copyId);
		try {
			// Posts by name, with their places on the plan; the plan and its zones.
			expect(readPosts(after.command).map((p) => [p.name, p.kind, p.agency, p.minStaff])).toEqual(
				readPosts(before.command).filter((p) => !p.archived).map((p) => [p.name, p.kind, p.agency, p.minStaff])
			);
			expect(readMapBase(after.command)?.planId).toBe(readMapBase(before.command)?.planId);
			// The georeference and the offline basemap under the plan come along.
			expect(readMapBase(after.command)?.controls).toEqual(readMapBase(before.command)?.controls);
			expect(readMapBase(after.command)?.basemap).toBe('demo-lantern');
			expect(readZones(after.command).map((z) => z.name).sort()).toEqual(readZones(before.command).map((z) => z.name).sort());
			expect(after.command.getMap('meta').get('name')).toBe('2027古城灯会开幕周安保');

			// Shifts: the same wall-clock distance from the start; past the new end left out, across it cut.
			const postName = (doc: Y.Doc) => new Map(readPosts(doc).map((p) => [p.id, p.name]));
			const oldPosts = postName(before.command);
			const newPosts = postName(after.command);
			const expected: string[] = [];
			let dropped = 0;
			let clipped = 0;
			for (const a of AGENCIES) {
				for (const s of readShifts(before.agencies[a], a)) {
					const start = newStartMs + (Date.parse(s.startsAt) - sourceStart);
					let end = newStartMs + (Date.parse(s.endsAt) - sourceStart);
					if (start >= newEndMs) {
						dropped++;
						continue;
					}
					if (end > newEndMs) {
						end = newEndMs;
						clipped++;
					}
					expected.push(`${a} ${oldPosts.get(s.postId)} ${new Date(start).toISOString()} ${new Date(end).toISOString()}`);
				}
			}
			const got: string[] = [];
			const shifts: Shift[] = [];
			for (const a of AGENCIES) {
				for (const s of readShifts(after.agencies[a], a)) {
					shifts.push(s);
					got.push(`${a} ${newPosts.get(s.postId)} ${new Date(s.startsAt).toISOString()} ${new Date(s.endsAt).toISOString()}`);
					expect(s.startsAt).toMatch(/\+08:00$/);
				}
			}
			expect(got.sort()).toEqual(expected.sort());
			expect(expected.length).toBeGreaterThan(0);
			expect(dropped).toBeGreaterThan(0);
			expect(clipped).toBeGreaterThan(0);
			expect(copied.slice(2)).toEqual([expected.length, copied[3], dropped, clipped, 0]);
			// Periods too, renamed to their new dates (the demo names them 12月3日白班 and so on).
			const periods = readPeriods(after.command);
			expect(periods.length).toBeGreaterThan(0);
			for (const p of periods) {
				expect(Date.parse(p.startsAt)).toBeGreaterThanOrEqual(newStartMs);
				expect(Date.parse(p.endsAt)).toBeLessThanOrEqual(newEndMs);
			}
			expect(periods[0].name).toMatch(/^2月1日/);

			// Nothing personal or historical: no one without an account, no check-ins, no disputes, no parties.
			for (const s of shifts) {
				expect(s.people.every((p) => p.userId)).toBe(true);
				expect(s.checkins).toEqual({});
			}
			const oldNamesWithoutAccount = AGENCIES.flatMap((a) => readShifts(before.agencies[a], a).flatMap((s) => s.people.filter((p) => !p.userId).map((p) => p.name)));
			expect(oldNamesWithoutAccount.length).toBeGreaterThan(0);
			const everything = JSON.stringify([after.command.toJSON(), ...AGENCIES.map((a) => after.agencies[a].toJSON()), after.restricted.toJSON()]);
			for (const name of oldNamesWithoutAccount) expect(everything).not.toContain(name);
			expect(everything).not.toMatch(/1[3-9]\d{9}|1[3-9]\d\*{4}\d{4}/);
			for (const a of AGENCIES) {
				expect(after.agencies[a].getMap('disputes').size).toBe(0);
				for (const [id, m] of cardsOf(after.agencies[a]).entries()) {
					const c = readCard(id, m);
					expect(c.status).toBe('todo');
					expect(c.comments).toEqual([]);
					expect(c.assignees).toEqual([]);
					expect(c.ackedAt).toBeNull();
					expect(c.checklist.every((i) => !i.done)).toBe(true);
				}
			}
			expect(after.restricted.getMap('parties').size).toBe(0);
			const oldCards = AGENCIES.reduce((n, a) => n + [...cardsOf(before.agencies[a]).values()].filter((m) => m.get('archived') !== true).length, 0);
			expect(AGENCIES.reduce((n, a) => n + cardsOf(after.agencies[a]).size, 0)).toBe(oldCards);
		} finally {
			before.close();
			after.close();
		}

		// Members and roles, as the event page lists them.
		type Members = { members: Array<{ username: string; role: string; agencyCode: string | null }> };
		const oldMembers = (await pageData<Members>(admin, `/admin/events/${DEMO_EVENT}`)).members.map((m) => `${m.username} ${m.role} ${m.agencyCode}`);
		const newMembers = (await pageData<Members & { source: { name: string } }>(admin, `/admin/events/${copyId}`));
		expect(newMembers.members.map((m) => `${m.username} ${m.role} ${m.agencyCode}`).sort()).toEqual(oldMembers.sort());
		expect(newMembers.source.name).toBe('2026古城灯会开幕周安保');
		// No activity carried: the new event's log is empty.
		const activity = await commander.request(`/api/events/${copyId}/activity`);
		expect(activity.status).toBe(200);
		const items = (await activity.json()) as Record<string, unknown>;
		expect(Object.values(items).find(Array.isArray)).toEqual([]);
	});

	it('saves the demo as a template, lists it for administrators only, exports it, imports it as the next version and makes an event from it', async () => {
		const saved = await act(admin, '/admin/templates?/save', { eventId: DEMO_EVENT, name: '古城灯会安保' });
		expect(saved.type).toBe('success');
		const anonymous = await new HttpClient(server.url).request('/api/templates');
		expect(anonymous.status).toBe(401);
		expect((await commander.request('/api/templates')).status).toBe(403);
		const list = (await (await admin.request('/api/templates')).json()) as { templates: Array<{ id: string; name: string; version: number; createdBy: string | null }> };
		expect(list.templates).toEqual([expect.objectContaining({ name: '古城灯会安保', version: 1, createdBy: '系统管理员' })]);
		templateId = list.templates[0].id;

		const exported = await admin.request(`/admin/templates/${templateId}/export`);
		expect(exported.status).toBe(200);
		expect(exported.headers.get('content-disposition')).toContain('attachment');
		const text = await exported.text();
		const body = JSON.parse(text);
		expect(body).toMatchObject({ kind: 'liandong.event-template', format: 1, name: '古城灯会安保', version: 1 });
		// Personal and historical data is not in the file.
		expect(text).not.toMatch(/checkins|comments|partiesMasked|inAt|"phone"/);
		expect((await commander.request(`/admin/templates/${templateId}/export`)).status).toBe(403);

		const imported = await importFile(admin, text);
		expect(imported.type).toBe('success');
		const again = (await (await admin.request('/api/templates')).json()) as { templates: Array<{ id: string; version: number }> };
		expect(again.templates.map((t) => t.version)).toEqual([2, 1]);
		const v2 = again.templates.find((t) => t.version === 2)!.id;
		const v2Body = await (await admin.request(`/admin/templates/${v2}/export`)).text();
		expect({ ...JSON.parse(v2Body), version: 1 }).toEqual(body);

		const made = await act(admin, '/admin/events/new', {
			source: 'template',
			sourceId: v2,
			parts: ['members', 'posts', 'periods', 'shifts'],
			name: '2028古城灯会开幕周安保',
			startsAt: '2028-02-20T08:00',
			endsAt: '2028-02-23T08:00',
			timezone: TZ
		});
		expect(made.type).toBe('redirect');
		const id = /^\/admin\/events\/([^/?]+)/.exec(made.location!)![1];
		const docs = await readEvent(server.url, commander.cookieHeader(), id);
		try {
			expect(readPosts(docs.command).length).toBe(body.posts.length);
			// Cards and the plan were not chosen.
			expect(AGENCIES.every((a) => cardsOf(docs.agencies[a]).size === 0)).toBe(true);
			expect(readMapBase(docs.command)).toBeNull();
			const shifts = AGENCIES.flatMap((a) => readShifts(docs.agencies[a], a));
			expect(shifts.length).toBe(body.shifts.filter((s: { start: number }) => s.start < 3 * 24 * 60).length);
		} finally {
			docs.close();
		}
		const source = await pageData<{ source: { kind: string; name: string; version: number } }>(admin, `/admin/events/${id}`);
		expect(source.source).toEqual({ kind: 'template', name: '古城灯会安保', version: 2 });
	});

	it('refuses an invalid template file with every problem named, and saves nothing', async () => {
		const good = JSON.parse(await (await admin.request(`/admin/templates/${templateId}/export`)).text());
		good.shifts[0].post = 'no-such-post';
		good.members[0].role = 'boss';
		good.cards[0].priority = 42;
		const answer = await importFile(admin, JSON.stringify(good));
		expect(answer.type).toBe('failure');
		expect(answer.data).toContain('shifts[0].post');
		expect(answer.data).toContain('unknownPost');
		expect(answer.data).toContain('members[0].role');
		expect(answer.data).toContain('cards[0].priority');
		for (const bad of ['{"kind":', '[]', JSON.stringify({ kind: 'liandong.event-template', format: 1 })]) {
			expect((await importFile(admin, bad)).type).toBe('failure');
		}
		const list = (await (await admin.request('/api/templates')).json()) as { templates: unknown[] };
		expect(list.templates).toHaveLength(2);
	});

	it('leaves nothing of the new event when its documents cannot be stored', async () => {
		await server.stop();
		const handle = await openDatabase({ databaseUrl: server.env.DATABASE_URL, dataDir: server.env.DATA_DIR ?? '', poolSize: 2 });
		const hub = new SyncHub({ db: handle.db, committer: new GroupCommitter(handle.db), maxMessageBytes: 1 << 20, onRefused() {} });
		try {
			const count = async () => ({
				events: (await handle.db.selectFrom('events').select('id').execute()).length,
				documents: (await handle.db.selectFrom('documents').select('name').execute()).length,
				members: (await handle.db.selectFrom('event_members').select('user_id').execute()).length,
				attachments: (await handle.db.selectFrom('attachments').select('id').execute()).length
			});
			const before = await count();
			const template = (await loadTemplate(handle.db, templateId))!;
			const input = { name: '不应留下的活动', venue: '', startsAt: new Date(Date.now() + 30 * DAY), endsAt: new Date(Date.now() + 32 * DAY), timezone: TZ, checkinGraceMinutes: 10, locale: 'zh-CN' as const };
			await expect(
				createEventFromTemplate(
					{
						db: handle.db,
						readDocument: async (name) => (await hub.document(name)).durable,
						// The database refuses the last step of the transaction (as a lost connection would).
						writeDocuments: (u, w, also, first) =>
							hub.serverWrite(u, w, async (tx) => {
								await also?.(tx);
								throw new Error('the database went away');
							}, first)
					},
					template,
					input,
					new Set(['members', 'posts', 'map', 'periods', 'shifts', 'cards', 'settings']),
					null,
					{ basedOn: null, templateName: template.name, templateVersion: template.version }
				)
			).rejects.toThrow('the database went away');
			expect(await count()).toEqual(before);
			expect(await handle.db.selectFrom('events').select('id').where('name', '=', '不应留下的活动').execute()).toEqual([]);
		} finally {
			await hub.close();
			await handle.close();
		}
	});

	it('does the same from the command line: event copy, template export and import, listed by help', async () => {
		// The server is stopped (the previous test): the embedded database admits one process.
		const help = await runCli(server, ['help']);
		for (const c of ['event copy', 'template export', 'template import']) expect(help.stdout).toContain(c);
		const exported = await runCli(server, ['template', 'export', templateId]);
		expect(exported.code).toBe(0);
		expect(JSON.parse(exported.stdout)).toMatchObject({ kind: 'liandong.event-template', name: '古城灯会安保' });
		const refused = await runCli(server, ['template', 'import', '-'], JSON.stringify({ ...JSON.parse(exported.stdout), periods: [{ key: 'a', name: '白班', start: 60, end: 0 }] }));
		expect(refused.code).toBe(2);
		expect(refused.stderr).toContain('periods[0].end ends before it starts');
		const imported = await runCli(server, ['template', 'import', '-'], exported.stdout);
		expect(imported.stdout).toContain('Imported template 古城灯会安保 as v3');
		const copy = await runCli(server, ['event', 'copy', DEMO_EVENT, '--name', '2029古城灯会', '--starts', '2029-02-01T10:00', '--ends', '2029-02-03T10:00', '--only', 'members,posts,periods,shifts']);
		expect(copy.code).toBe(0);
		expect(copy.stdout).toMatch(/Created event 2029古城灯会 \(planning\) from event 2026古城灯会开幕周安保: 16 members, \d+ posts, \d+ shifts, 0 cards\./);
		// Each command opens the database and checks its migrations: seconds each on a busy machine.
	}, 300_000);
});
