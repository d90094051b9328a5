/**
 * Back up and restore (issue 21): a backup taken by the CLI while a demo server is busy — stock y-websocket
 * writers editing cards, a field report with a photo, new accounts, a finalized after-action record — verifies,
 * restores into a fresh empty data folder or database, and a server started on it has every document as of the
 * backup (at least all it had stored before the backup began, nothing it never stored), the record, the photo's
 * bytes and every account. A changed or cut-short backup is refused naming the problem, and a target that is
 * not empty is refused and left as it was. Runs on the embedded database, or on PostgreSQL with DATABASE_URL (and
 * then also restores the PostgreSQL backup into an embedded data folder).
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import * as Y from 'yjs';
import { postgresBaseUrl, runCli, startServer, type TestServer } from '../helpers/server.ts';
import { HttpClient } from '../helpers/http.ts';
import { connectDoc, DEMO_EVENT, DEMO_PASSWORD, eventually, whenSynced, type LiveDoc } from '../helpers/live.ts';
import { containsUpdate, demoUserId, signInDemo, SYNC_MS } from '../helpers/hub.ts';
import { sendReport, testPhoto } from '../helpers/reports.ts';
import { addMemberAsAdmin, createEventAsAdmin, createUserAsAdmin, pageData } from '../helpers/admin-forms.ts';
import { formAction } from '../helpers/after-action.ts';
import { agencyDocName, commandDocName, restrictedDocName } from '../../src/lib/domain/documents.ts';
import { cardsOf, updateCard } from '../../src/lib/domain/board.ts';

const EMBEDDED = !postgresBaseUrl();
const DOCS = [commandDocName(DEMO_EVENT), restrictedDocName(DEMO_EVENT), ...['station', 'cid', 'traffic', 'patrol'].map((a) => agencyDocName(DEMO_EVENT, a))];
/** Agency documents edited while the backup runs, by whom. */
const WRITERS = [
	{ doc: agencyDocName(DEMO_EVENT, 'station'), user: 'lead.station' },
	{ doc: agencyDocName(DEMO_EVENT, 'traffic'), user: 'lead.traffic' },
	{ doc: agencyDocName(DEMO_EVENT, 'patrol'), user: 'commander' }
];
const ACCOUNTS = [
	{ username: 'bk.zhang', displayName: '张备份', password: 'backup-pass-1', agencyCode: 'station' },
	{ username: 'bk.li', displayName: '李恢复', password: 'backup-pass-2', agencyCode: 'traffic' }
];
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function signedIn(base: string, username: string, password: string): Promise<HttpClient> {
	const client = new HttpClient(base);
	const answer = (await (await client.login(username, password)).json()) as { type: string };
	if (answer.type !== 'redirect') throw new Error(`signing in as ${username} answered ${JSON.stringify(answer)}`);
	return client;
}

async function fileBytes(client: HttpClient, fileId: string): Promise<Uint8Array> {
	const res = await client.request(`/api/events/${DEMO_EVENT}/files/${fileId}`);
	expect(res.status).toBe(200);
	return new Uint8Array(await res.arrayBuffer());
}

async function usernames(admin: HttpClient): Promise<string[]> {
	const { users } = await pageData<{ users: Array<{ username: string }> }>(admin, '/admin/users');
	return users.map((u) => u.username).sort();
}

/** A fresh empty database on the PostgreSQL server the tests use. */
async function emptyPostgres(): Promise<{ url: string; drop(): Promise<void> }> {
	const name = `liandong_restore_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
	const admin = new pg.Client({ connectionString: postgresBaseUrl()! });
	await admin.connect();
	await admin.query(`create database ${name}`);
	await admin.end();
	const url = new URL(postgresBaseUrl()!);
	url.pathname = `/${name}`;
	return {
		url: url.toString(),
		async drop() {
			const c = new pg.Client({ connectionString: postgresBaseUrl()! });
			await c.connect();
			await c.query(`drop database if exists ${name} with (force)`);
			await c.end();
		}
	};
}

/** Answers one number from a PostgreSQL database (to show a refused restore changed nothing). */
async function countIn(url: string, query: string): Promise<number> {
	const c = new pg.Client({ connectionString: url });
	await c.connect();
	try {
		return Number((await c.query(query)).rows[0].n);
	} finally {
		await c.end();
	}
}
const postgresUsers = (url: string) => countIn(url, 'select count(*) as n from users');
const postgresTables = (url: string) => countIn(url, 'select count(*) as n from pg_tables where schemaname = current_schema()');

describe(`backup and restore of a busy demo event (${EMBEDDED ? 'embedded' : 'PostgreSQL'})`, () => {
	let server: TestServer;
	let restored: TestServer | null = null;
	let tmp: string;
	let target: { env: Record<string, string>; drop(): Promise<void> };
	let file: string;
	const observers = new Map<string, LiveDoc>();
	const writers: LiveDoc[] = [];
	/** Each document as an observer had it when the backup began, and once every write had arrived. */
	const before = new Map<string, Uint8Array>();
	const after = new Map<string, Uint8Array>();
	let photo: { id: string; sha256: string };
	let record: { eventId: string; sha256: string };
	let accountsBefore: string[];
	let backupRun: { code: number; stdout: string; stderr: string };

	beforeAll(async () => {
		tmp = mkdtempSync(join(tmpdir(), 'liandong-backup-'));
		file = join(tmp, 'demo.backup');
		server = await startServer({ demo: true });
		const admin = await signedIn(server.url, 'admin', DEMO_PASSWORD);
		const commander = await signedIn(server.url, 'commander', DEMO_PASSWORD);
		for (const account of ACCOUNTS) await createUserAsAdmin(admin, account);
		accountsBefore = await usernames(admin);

		// A closed event with a finalized after-action record.
		const now = Date.now();
		const local = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 16);
		const eventId = await createEventAsAdmin(admin, { name: '备份演示复盘活动', startsAt: local(now - 7_200_000), endsAt: local(now - 3_600_000) });
		await addMemberAsAdmin(admin, eventId, { userId: demoUserId('commander'), role: 'commander', agencyCode: 'station' });
		expect(await formAction(commander, `/events/${eventId}/review?/close`, { confirm: 'yes' })).toMatchObject({ type: 'success' });
		expect(await formAction(commander, `/events/${eventId}/review?/finalize`, { confirm: 'yes' })).toMatchObject({ type: 'success' });
		const review = await pageData<{ sha256: string; final: boolean }>(commander, `/events/${eventId}/review`);
		expect(review.final).toBe(true);
		record = { eventId, sha256: review.sha256 };

		// A field report with a photo, stored as an attachment.
		const report = await sendReport(commander, DEMO_EVENT, { kind: 'suspiciousItem', body: '东门灯组下无人看管的行李箱', pin: '380,260' }, [await testPhoto()]);
		expect(report.photos).toHaveLength(1);
		photo = { id: report.photos[0].id, sha256: sha256(await fileBytes(commander, report.photos[0].id)) };

		const cookies = await signInDemo(server.url, ['commander', 'lead.station', 'lead.traffic']);
		for (const doc of DOCS) {
			const live = connectDoc(server.url, doc, { cookie: cookies.commander });
			await whenSynced(live, SYNC_MS);
			observers.set(doc, live);
		}
		for (const w of WRITERS) {
			const live = connectDoc(server.url, w.doc, { cookie: cookies[w.user] });
			await whenSynced(live, SYNC_MS);
			writers.push(live);
		}
		if (EMBEDDED) {
			target = { env: { DATA_DIR: join(tmp, 'restored') }, drop: async () => {} };
		} else {
			const db = await emptyPostgres();
			target = { env: { DATABASE_URL: db.url }, drop: db.drop };
		}
	}, 180_000);

	afterAll(async () => {
		for (const live of [...writers, ...observers.values()]) live.destroy();
		await restored?.dispose();
		await server?.dispose();
		await target?.drop();
		if (tmp) rmSync(tmp, { recursive: true, force: true });
	});

	it('backs up through the CLI while writers edit cards', async () => {
		// The writers go on through the whole backup: each edits its cards as fast as the hub takes them.
		let writing = true;
		let edits = 0;
		const loops = writers.map(async (live, w) => {
			const ids = [...cardsOf(live.doc).keys()];
			expect(ids.length).toBeGreaterThan(0);
			while (writing) {
				updateCard(live.doc, ids[edits % ids.length], { title: `备份期间编辑 ${w}-${edits++}` });
				await new Promise((r) => setTimeout(r, 5));
			}
		});
		const seen = observers.get(WRITERS[0].doc)!;
		await eventually(() => [...cardsOf(seen.doc).values()].some((c) => String(c.get('title')).startsWith('备份期间编辑')), SYNC_MS, 'the first edits to arrive');
		for (const [doc, live] of observers) before.set(doc, Y.encodeStateAsUpdate(live.doc));
		backupRun = await runCli(server, ['backup', file]);
		writing = false;
		await Promise.all(loops);
		expect(backupRun.stderr).toBe('');
		expect(backupRun.code).toBe(0);
		expect(backupRun.stdout).toContain(EMBEDDED ? 'through the running server' : 'through a direct read');
		// Every edit reaches the observers, so what they hold now is at least everything the backup can hold.
		for (const [i, w] of WRITERS.entries()) {
			const observer = observers.get(w.doc)!;
			await eventually(() => containsUpdate(observer.doc, Y.encodeStateAsUpdate(writers[i].doc)), SYNC_MS, `${w.doc} to settle`);
		}
		for (const [doc, live] of observers) after.set(doc, Y.encodeStateAsUpdate(live.doc));
		expect(readdirSync(tmp).filter((n) => n.endsWith('.partial'))).toEqual([]);
	}, 180_000);

	it('verifies the backup and shows its tables, rows and sizes', async () => {
		const r = await runCli({ env: {} }, ['verify', file]);
		expect(r.code).toBe(0);
		expect(r.stdout).toContain('its manifest and every checksum match');
		expect(r.stdout).toMatch(EMBEDDED ? /embedded database/ : /postgres database/);
		expect(r.stdout).toMatch(/^\s+attachments\s+[1-9]\d*\s+\d/m);
		expect(r.stdout).toMatch(/^\s+doc_updates\s+[1-9]\d*\s+\d/m);
		expect(r.stdout).toMatch(/^\s+users\s+[1-9]\d*\s+\d/m);
	});

	it('refuses a backup with a changed row, naming the table, and one cut short', async () => {
		const text = readFileSync(file, 'utf8');
		const lines = text.split('\n');
		const userLine = lines.findIndex((l) => l.startsWith('{"r":') && l.includes('"bk.zhang"'));
		expect(userLine).toBeGreaterThan(0);
		lines[userLine] = lines[userLine].replace('张备份', '张改动');
		const changed = join(tmp, 'changed.backup');
		writeFileSync(changed, lines.join('\n'));
		const r1 = await runCli({ env: {} }, ['verify', changed]);
		expect(r1.code).toBe(1);
		expect(r1.stderr).toContain('table users does not match its SHA-256');

		const cut = join(tmp, 'cut.backup');
		writeFileSync(cut, text.slice(0, Math.floor(text.length / 2)));
		const r2 = await runCli({ env: {} }, ['verify', cut]);
		expect(r2.code).toBe(1);
		expect(r2.stderr).toMatch(/cut short/);
		const r3 = await runCli(target, ['restore', cut]);
		expect(r3.code).toBe(1);
		expect(r3.stderr).toMatch(/cut short/);
		if (EMBEDDED) expect(() => statSync(target.env.DATA_DIR)).toThrow();
		else expect(await postgresTables(target.env.DATABASE_URL)).toBe(0);
	});

	it('refuses to restore into a database that is not empty and leaves it as it was', async () => {
		const admin = await signedIn(server.url, 'admin', DEMO_PASSWORD);
		const r = await runCli(server, ['restore', file]);
		expect(r.code).toBe(1);
		expect(r.stderr).toMatch(EMBEDDED ? /DATA_DIR .* is not empty/ : /The database is not empty/);
		expect(await usernames(admin)).toEqual(accountsBefore);
		if (!EMBEDDED) expect(await postgresUsers(server.env.DATABASE_URL)).toBe(accountsBefore.length);
	});

	it.runIf(!EMBEDDED)('restores a PostgreSQL backup into an empty embedded data folder too', async () => {
		const folder = { env: { DATA_DIR: join(tmp, 'across') } };
		const r = await runCli(folder, ['restore', file]);
		expect(r.stderr).toBe('');
		expect(r.code).toBe(0);
		const listed = await runCli(folder, ['user', 'list', '--json']);
		expect(listed.code).toBe(0);
		expect((JSON.parse(listed.stdout) as Array<{ username: string }>).map((u) => u.username).sort()).toEqual(accountsBefore);
	}, 180_000);

	it('restores into an empty target, and a server on it has every document, the record, the photo and every account', async () => {
		const r = await runCli(target, ['restore', file]);
		expect(r.stderr).toBe('');
		expect(r.code).toBe(0);
		expect(r.stdout).toContain('Restored');
		restored = await startServer({ env: target.env });

		for (const account of ACCOUNTS) await signedIn(restored.url, account.username, account.password);
		const admin = await signedIn(restored.url, 'admin', DEMO_PASSWORD);
		expect(await usernames(admin)).toEqual(accountsBefore);

		const commander = await signedIn(restored.url, 'commander', DEMO_PASSWORD);
		expect(sha256(await fileBytes(commander, photo.id))).toBe(photo.sha256);
		const review = await pageData<{ sha256: string; final: boolean }>(commander, `/events/${record.eventId}/review`);
		expect(review).toMatchObject({ final: true, sha256: record.sha256 });

		const [cookie] = Object.values(await signInDemo(restored.url, ['commander']));
		for (const doc of DOCS) {
			const live = connectDoc(restored.url, doc, { cookie });
			try {
				await whenSynced(live, SYNC_MS);
				expect(containsUpdate(live.doc, before.get(doc)!), `${doc} holds all it had when the backup began`).toBe(true);
				const check = new Y.Doc();
				Y.applyUpdate(check, after.get(doc)!);
				expect(containsUpdate(check, Y.encodeStateAsUpdate(live.doc)), `${doc} holds nothing the server never had`).toBe(true);
				check.destroy();
			} finally {
				live.destroy();
			}
		}
	}, 180_000);
});
