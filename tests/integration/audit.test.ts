/**
 * The audit log and the life span of personal data, on the demo event, driven as people drive them: the admin
 * pages' forms, sign-in and sign-out, a cleared commander's connection to the restricted document, record exports,
 * the review page's close, and the CLI. Then the server restarts with PERSONAL_DATA_DAYS=0: its sweep purges the
 * closed event's parties (stored state and history), positions and the rest, and the record keeps the masked form.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { startServer, runCli, type TestServer } from '../helpers/server.ts';
import { HttpClient } from '../helpers/http.ts';
import { addMemberAsAdmin, createEventAsAdmin, createUserAsAdmin, disableUserAsAdmin, pageData } from '../helpers/admin-forms.ts';
import { connectDoc, DEMO_EVENT, eventually, whenSynced } from '../helpers/live.ts';
import { createDisplayToken, demoClient } from '../helpers/commands.ts';
import { exportAs, formAction } from '../helpers/after-action.ts';
import { pdfPages, pdfText } from '../helpers/pdf.ts';
import { openDatabase } from '../../src/lib/server/db/database.ts';
import { addPosition } from '../../src/lib/server/repositories/position.repository.ts';
import { restrictedDocName } from '../../src/lib/domain/documents.ts';
import { partiesOf } from '../../src/lib/domain/dispute-doc.ts';
import { sql } from 'kysely';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { unflatten } from 'devalue';
import { strFromU8, unzipSync } from 'fflate';

interface AuditLine {
	action: string;
	actorName: string;
	actorKind: string;
	targetName: string | null;
	eventName: string | null;
	details: Record<string, unknown>;
}

/** Parties of the demo event's disputes (server/demo-disputes.ts): none may survive the purge. */
const PARTY_NAMES = ['韩立新', '曹美玲'];
const PARTY_ID = '610102198003150011';
const PARTY_MASKED = '韩*新';
const MARK_WORD = '导出人';

async function step<T>(name: string, run: () => Promise<T>): Promise<T> {
	try {
		return await run();
	} catch (err) {
		throw new Error(`${name}: ${err instanceof Error ? err.message : err}`);
	}
}

async function formActionAnswer(res: Response): Promise<{ type: string }> {
	return (await res.json()) as { type: string };
}

describe('the audit log and the purge of personal data', () => {
	let server: TestServer;
	let admin: HttpClient;
	let otherEventId: string;
	let newUserId: string;
	/** The administrator's audit page's lines; `query` is its filter (pageData takes no query, so it is read here). */
	const adminAudit = async (query = '') => {
		const res = await admin.request(`/admin/audit/__data.json${query}`);
		const body = (await res.json()) as { nodes: Array<{ data?: unknown[] } | null> };
		return (unflatten(body.nodes.at(-1)!.data!) as { rows: AuditLine[] }).rows;
	};
	/** A form action's answer; a page instead of an answer names the action and the status. */
	const act = async (client: HttpClient, path: string, fields: Record<string, string>) => {
		const res = await client.postForm(path, fields);
		if (!(res.headers.get('content-type') ?? '').includes('json')) throw new Error(`POST ${path} answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
		return formActionAnswer(res);
	};
	const openDb = () => openDatabase({ databaseUrl: server.env.DATABASE_URL, dataDir: server.env.DATA_DIR, poolSize: 2 });

	beforeAll(async () => {
		// Only the sweep at start runs in this test (the hourly one never comes): the purge happens at the restart.
		server = await startServer({ demo: true, env: { PERSONAL_DATA_DAYS: '0', PURGE_CHECK_MS: '86400000' } });
		admin = await demoClient(server.url, 'admin');
	}, 120_000);

	afterAll(async () => {
		await server?.dispose();
	});

	it('audits sign-ins, a failed sign-in (the username only) and sign-outs', async () => {
		const wrong = await new HttpClient(server.url).postForm('/login', { username: 'lead.cid', password: 'not-the-password' });
		expect(wrong.ok).toBe(true);
		const once = await demoClient(server.url, 'lead.traffic');
		const out = await once.postForm('/logout', {});
		expect(out.ok).toBe(true);
		const rows = await adminAudit();
		const failed = rows.find((r) => r.action === 'session.signInFailed');
		expect(failed).toMatchObject({ actorKind: 'anonymous', targetName: 'lead.cid' });
		expect(JSON.stringify(rows)).not.toContain('not-the-password');
		expect(rows.some((r) => r.action === 'session.signIn' && r.actorName === '马骏')).toBe(true);
		expect(rows.some((r) => r.action === 'session.signOut' && r.actorName === '马骏')).toBe(true);
		expect(rows.some((r) => r.action === 'session.signIn' && r.actorName === '系统管理员')).toBe(true);
	});

	it('audits what an administrator does to accounts, memberships and wall tokens, naming who and whom', async () => {
		newUserId = await step('create', () => createUserAsAdmin(admin, { username: 'audit.probe', displayName: '审计探针', password: 'probe-password-1', agencyCode: 'station' }));
		const save = await act(admin, `/admin/users/${newUserId}?/save`, {
			username: 'audit.probe',
			displayName: '审计探针',
			agencyCode: 'station',
			teamId: '',
			phone: '',
			clearedPersonalData: 'on'
		});
		expect(save.type).toBe('success');
		await step('disable', () => disableUserAsAdmin(admin, newUserId));
		expect((await act(admin, `/admin/users/${newUserId}?/enable`, {})).type).toBe('success');
		expect((await act(admin, `/admin/users/${newUserId}?/resetPassword`, { password: 'probe-password-2' })).type).toBe('success');
		await step('addMember', () => addMemberAsAdmin(admin, DEMO_EVENT, { userId: newUserId, role: 'member', agencyCode: 'station' }));
		expect((await act(admin, `/admin/events/${DEMO_EVENT}?/setMember`, { userId: newUserId, role: 'lead', agencyCode: 'station' })).type).toBe('success');
		expect((await act(admin, `/admin/events/${DEMO_EVENT}?/removeMember`, { userId: newUserId })).type).toBe('success');
		// Another event, with a wall token of its own: its lines are not the demo commander's to read.
		otherEventId = await step('event', () => createEventAsAdmin(admin, { name: '审计对照活动', startsAt: '2026-12-20T08:00', endsAt: '2026-12-20T20:00' }));
		expect((await act(admin, `/admin/events/${otherEventId}?/createToken`, { name: '对照大屏' })).type).toBe('success');

		const rows = await adminAudit();
		const by = (action: string) => rows.filter((r) => r.action === action && r.actorName === '系统管理员');
		for (const action of ['user.create', 'user.clearanceChange', 'user.disable', 'user.enable', 'user.passwordReset', 'member.add', 'member.change', 'member.remove']) {
			expect(by(action).map((r) => r.targetName), action).toContain('审计探针');
		}
		expect(by('user.clearanceChange')[0].details).toEqual({ clearedPersonalData: true });
		expect(by('displayToken.create')).toContainEqual(expect.objectContaining({ targetName: '对照大屏', eventName: '审计对照活动' }));
		expect(JSON.stringify(rows)).not.toContain('probe-password');
		// The filter by event keeps that event's lines only.
		const filtered = await adminAudit(`?event=${otherEventId}`);
		expect(filtered.length).toBeGreaterThan(0);
		expect(filtered.every((r) => r.eventName === '审计对照活动')).toBe(true);
	});

	it("audits a commander's wall token, one line per connection to the parties, and exports with personal data", async () => {
		const commander = await demoClient(server.url, 'commander');
		await createDisplayToken(commander, '审计大屏');
		const before = (await adminAudit()).filter((r) => r.action === 'parties.open').length;
		const live = connectDoc(server.url, restrictedDocName(DEMO_EVENT), { cookie: commander.cookieHeader() });
		await whenSynced(live);
		expect(partiesOf(live.doc).size).toBeGreaterThan(0);
		live.destroy();
		const opens = (await adminAudit()).filter((r) => r.action === 'parties.open');
		expect(opens.length).toBe(before + 1);
		expect(opens[0]).toMatchObject({ actorName: '周国栋', eventName: expect.any(String) });
		expect(JSON.stringify(opens[0].details)).not.toContain(PARTY_NAMES[0]);

		// The commander is cleared: the PDF carries the parties' annex, and every page names its exporter.
		const pdf = await exportAs(commander, DEMO_EVENT, 'pdf');
		const pages = await pdfPages(pdf.bytes);
		expect(pages.join('\n')).toContain(PARTY_NAMES[0]);
		expect(pages.length).toBeGreaterThan(1);
		for (const [i, page] of pages.entries()) expect(page, `page ${i + 1}`).toContain(MARK_WORD);
		// The reviewer is not cleared: no parties, no mark, no audit line.
		const reviewer = await demoClient(server.url, 'reviewer');
		const plain = await pdfPages((await exportAs(reviewer, DEMO_EVENT, 'pdf')).bytes);
		expect(plain.join('\n')).not.toContain(PARTY_NAMES[0]);
		expect(plain.some((page) => page.includes(MARK_WORD))).toBe(false);
		// The DOCX names its exporter in the page footer, which Word repeats on every page.
		const footers = (bytes: Uint8Array) =>
			Object.entries(unzipSync(bytes))
				.filter(([name]) => /^word\/footer\d*\.xml$/.test(name))
				.map(([, xml]) => strFromU8(xml))
				.join('\n');
		expect(footers((await exportAs(commander, DEMO_EVENT, 'docx')).bytes)).toContain(MARK_WORD);
		expect(footers((await exportAs(reviewer, DEMO_EVENT, 'docx')).bytes)).not.toContain(MARK_WORD);
		// The disputes register as CSV: with parties for the cleared commander (audited), masked for the uncleared lead.
		const register = await commander.request(`/events/${DEMO_EVENT}/disputes/export`);
		expect(await register.text()).toContain(PARTY_NAMES[0]);
		const traffic = await demoClient(server.url, 'lead.traffic');
		expect(await (await traffic.request(`/events/${DEMO_EVENT}/disputes/export`)).text()).not.toContain(PARTY_NAMES[0]);
		const exports = (await adminAudit()).filter((r) => r.action === 'export.personal');
		expect(exports.map((r) => r.actorName)).toEqual(['周国栋', '周国栋', '周国栋']);
		expect(exports.map((r) => r.details.format).sort()).toEqual(['csv', 'docx', 'pdf']);
	}, 180_000);

	it("shows the commander their event's lines and not another's, refuses a lead, and shows the administrator all", async () => {
		const commander = await demoClient(server.url, 'commander');
		const rows = (await pageData<{ rows: AuditLine[] }>(commander, `/events/${DEMO_EVENT}/audit`)).rows;
		const actions = new Set(rows.map((r) => r.action));
		for (const a of ['parties.open', 'export.personal', 'displayToken.create', 'member.add']) expect(actions, a).toContain(a);
		expect(rows.some((r) => r.targetName === '对照大屏')).toBe(false);
		expect(rows.some((r) => r.action.startsWith('session.'))).toBe(false);
		const lead = await demoClient(server.url, 'lead.patrol');
		expect((await lead.request(`/events/${DEMO_EVENT}/audit`)).status).toBe(403);
		expect((await lead.request('/admin/audit')).status).toBe(403);
		const all = await adminAudit();
		expect(all.some((r) => r.targetName === '对照大屏')).toBe(true);
		expect(all.some((r) => r.action === 'session.signIn')).toBe(true);
	});

	it('refuses UPDATE and DELETE on the audit log, exports it from the CLI, and counts a dry-run purge without changing anything', async () => {
		const commander = await demoClient(server.url, 'commander');
		expect(await formAction(commander, `/events/${DEMO_EVENT}/review?/close`, { confirm: 'yes' })).toMatchObject({ type: 'success' });
		// The embedded database has one owner at a time: the server stops while the test and the CLI use it.
		await server.stop();
		const database = await openDb();
		try {
			await expect(sql`update audit_log set actor_name = 'someone else'`.execute(database.db)).rejects.toThrow(/append-only/);
			await expect(sql`delete from audit_log`.execute(database.db)).rejects.toThrow(/append-only/);
			await expect(sql`truncate audit_log`.execute(database.db)).rejects.toThrow(/append-only/);
			const kept = await database.db.selectFrom('audit_log').select(sql<string>`count(*)`.as('n')).executeTakeFirstOrThrow();
			expect(Number(kept.n)).toBeGreaterThan(10);
			// A position shared during the event, made through the repository the command channel uses.
			await addPosition(database.db, { eventId: DEMO_EVENT, userId: 'demo-user-commander', lng: 108.9, lat: 34.2, accuracy: 5 });
		} finally {
			await database.close();
		}

		const json = await runCli(server, ['audit', 'export', '--event', DEMO_EVENT, '--format', 'json']);
		expect(json.code, json.stderr).toBe(0);
		const lines = JSON.parse(json.stdout) as AuditLine[];
		expect(lines.some((l) => l.action === 'parties.open')).toBe(true);
		expect(lines.some((l) => l.targetName === '对照大屏')).toBe(false);
		const out = join(mkdtempSync(join(tmpdir(), 'liandong-audit-')), 'audit.csv');
		const csv = await runCli(server, ['audit', 'export', '--format', 'csv', '--out', out]);
		expect(csv.code, csv.stderr).toBe(0);
		const written = readFileSync(out, 'utf8');
		expect(written).toContain('actor_name');
		expect(written).toContain('session.signInFailed');
		rmSync(dirname(out), { recursive: true, force: true });

		const dry = await runCli(server, ['purge', '--dry-run']);
		expect(dry.code, dry.stderr).toBe(0);
		expect(dry.stdout).toMatch(/Would purge .*: [1-9]\d* parties/);
		expect(dry.stdout).toContain('1 positions');
		const check = await openDb();
		try {
			const ev = await check.db.selectFrom('events').select('personal_data_purged_at').where('id', '=', DEMO_EVENT).executeTakeFirstOrThrow();
			expect(ev.personal_data_purged_at).toBeNull();
		} finally {
			await check.close();
		}
	}, 120_000);

	it("purges the closed event's personal data at the restart's sweep, keeps the masked form, and leaves an open event alone", async () => {
		await server.restart();
		const commander = await demoClient(server.url, 'commander');
		let review: { purgedAt: string | null; record: { disputes: Array<{ partiesMasked: string }> } } | null = null;
		await eventually(async () => {
			review = await pageData(commander, `/events/${DEMO_EVENT}/review`);
			return review!.purgedAt !== null;
		}, 30_000, 'the purge');
		expect(JSON.stringify(review!.record.disputes)).toContain(PARTY_MASKED);

		const live = connectDoc(server.url, restrictedDocName(DEMO_EVENT), { cookie: commander.cookieHeader() });
		await whenSynced(live);
		expect(partiesOf(live.doc).size).toBe(0);
		live.destroy();

		const pdf = await exportAs(commander, DEMO_EVENT, 'pdf');
		const text = await pdfText(pdf.bytes);
		for (const name of PARTY_NAMES) expect(text).not.toContain(name);
		expect(text).toContain('清除');

		const admin2 = await demoClient(server.url, 'admin');
		const purge = (await pageData<{ rows: AuditLine[] }>(admin2, '/admin/audit')).rows.find((r) => r.action === 'personalData.purge');
		expect(purge).toMatchObject({ actorKind: 'system', targetName: expect.any(String) });
		expect(Number(purge!.details.parties)).toBeGreaterThan(0);

		await server.stop();
		const again = await runCli(server, ['purge']);
		expect(again.code, again.stderr).toBe(0);
		expect(again.stdout).toContain('No closed event is due');
		const database = await openDb();
		try {
			const name = restrictedDocName(DEMO_EVENT);
			const updates = await database.db.selectFrom('doc_updates').select('bytes').where('doc', '=', name).execute();
			const snapshots = await database.db.selectFrom('doc_snapshots').select('state').where('doc', '=', name).execute();
			expect(updates.length).toBe(0);
			expect(snapshots.length).toBe(1);
			const stored = Buffer.concat([...updates.map((u) => Buffer.from(u.bytes)), ...snapshots.map((s) => Buffer.from(s.state))]);
			for (const secret of [...PARTY_NAMES, PARTY_ID]) expect(stored.includes(Buffer.from(secret, 'utf8')), secret).toBe(false);
			// The compacted state still loads, with the disputes' parties gone.
			const doc = new Y.Doc();
			Y.applyUpdate(doc, new Uint8Array(snapshots[0].state));
			expect(partiesOf(doc).size).toBe(0);
			const positions = await database.db.selectFrom('positions').select('id').where('event_id', '=', DEMO_EVENT).execute();
			expect(positions.length).toBe(0);
			const other = await database.db.selectFrom('events').select(['status', 'personal_data_purged_at']).where('id', '=', otherEventId).executeTakeFirstOrThrow();
			expect(other).toMatchObject({ personal_data_purged_at: null });
			expect(other.status).not.toBe('closed');
		} finally {
			await database.close();
		}
	}, 180_000);
});

