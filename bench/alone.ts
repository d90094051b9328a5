/**
 * `npm run bench:alone`: the per-edit costs the peers bench cannot resolve (its run-to-run noise is larger), each
 * measured alone in this process with its CPU time:
 * - the embedded database's prepared commit of one update and one activity row;
 * - on PostgreSQL (DATABASE_URL, or the local server), the one-statement append sent as SQL text against the same
 *   statement prepared once per connection: the commit's wall time and this process's CPU;
 * - committed updates applied to a document's durable copy one transaction each against 64 to a transaction.
 * Each is measured three times, after a warm-up, and printed per round: compare rounds, not single figures.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import * as Y from 'yjs';
import { sql } from 'kysely';
import { openDatabase, type DatabaseHandle } from '../src/lib/server/db/database.ts';
import { migrateToLatest } from '../src/lib/server/db/migrate.ts';
import { appendInOneStatement, type AppendEntry } from '../src/lib/server/repositories/doc-log.repository.ts';
import { appendPrepared } from '../src/lib/server/repositories/doc-log-prepared.ts';
import type { ActivityDraft } from '../src/lib/domain/activity.ts';
import { createScratchDatabase } from '../tests/helpers/server.ts';

const ROUNDS = 3;
const WARMUP = 300;
const COUNT = 3_000;

/** CPU (user and kernel) and wall time per call of `fn`, in µs, after a warm-up. */
async function perCall(fn: () => Promise<unknown> | unknown, count = COUNT): Promise<{ wall: number; cpu: number; kernel: number }> {
	for (let i = 0; i < WARMUP; i++) await fn();
	const c0 = process.cpuUsage();
	const t0 = performance.now();
	for (let i = 0; i < count; i++) await fn();
	const c = process.cpuUsage(c0);
	return { wall: (1000 * (performance.now() - t0)) / count, cpu: (c.user + c.system) / count, kernel: c.system / count };
}

const show = (label: string, f: { wall: number; cpu: number; kernel: number }) =>
	console.log(`  ${label}: ${f.wall.toFixed(0)} µs wall, ${f.cpu.toFixed(0)} µs CPU of this process (${f.kernel.toFixed(0)} kernel)`);

/** One edit as the hub appends it: a new card's update of about 270 bytes and its "created" row. */
function edit(doc: string): AppendEntry[] {
	const activity: ActivityDraft[] = [{ entityType: 'card', entityId: `k${Math.random()}`, action: 'created', field: null, subject: '入口排队 人多', from: null, to: null }];
	return [{ doc, eventId: 'ev', userId: 'u1', connId: 'c1', at: new Date(), bytes: randomBytes(270), activity, newClients: [] }];
}

async function prepare(handle: DatabaseHandle): Promise<void> {
	await migrateToLatest(handle.db, resolve('migrations'));
	await sql`insert into events (id, name, starts_at, ends_at) values ('ev', '演练', now(), now() + interval '1 day')`.execute(handle.db);
	await sql`insert into users (id, username, display_name, password_hash) values ('u1', 'u1', 'U', 'x')`.execute(handle.db);
}

async function embeddedCommit(): Promise<void> {
	console.log('embedded database: a prepared commit of one update and its activity row');
	const dir = mkdtempSync(join(tmpdir(), 'liandong-alone-'));
	const handle = await openDatabase({ dataDir: dir });
	try {
		await prepare(handle);
		for (let r = 1; r <= ROUNDS; r++) show(`round ${r}`, await perCall(() => appendPrepared(handle.pglite!, edit('ev/alone'))));
	} finally {
		await handle.close();
		rmSync(dir, { recursive: true, force: true });
	}
}

async function postgresAppend(baseUrl: string): Promise<void> {
	console.log(`PostgreSQL (${new URL(baseUrl).host}): the one-statement append, as SQL text and as a prepared statement`);
	const scratch = await createScratchDatabase(baseUrl);
	const handle = await openDatabase({ databaseUrl: scratch.url, dataDir: '' });
	try {
		await prepare(handle);
		const notify = { channel: 'liandong_alone', instanceId: 'i1' };
		for (let r = 1; r <= ROUNDS; r++) {
			show(`round ${r}, SQL text`, await perCall(() => appendInOneStatement(handle.db, edit('ev/alone'), notify, null)));
			show(`round ${r}, prepared`, await perCall(() => appendInOneStatement(handle.db, edit('ev/alone'), notify, handle.pool)));
		}
	} finally {
		await handle.close();
		await scratch.drop();
	}
}

/** Sets a new card of ten fields in one transaction. */
function addCard(doc: Y.Doc, id: string, i: number): void {
	doc.transact(() => {
		const card = new Y.Map<unknown>();
		doc.getMap('cards').set(id, card);
		const fields = { title: `入口排队 ${i}`, status: 'todo', agency: 'station', priority: 'normal', location: `北门 ${i % 20}`, createdBy: `u${i % 40}`, createdAt: 1_733_380_000_000 + i, due: null, note: '人多，需要疏导' };
		for (const [k, v] of Object.entries(fields)) card.set(k, v);
	});
}

function durableApply(): void {
	// A busy agency's document: 2,000 cards by 40 client ids; then 3,000 new cards from ten writers.
	const base = new Y.Doc();
	const authors = Array.from({ length: 40 }, () => new Y.Doc());
	for (let i = 0; i < 2_000; i++) {
		const a = authors[i % 40];
		Y.applyUpdate(a, Y.encodeStateAsUpdate(base, Y.encodeStateVector(a)));
		addCard(a, `c${i}`, i);
		Y.applyUpdate(base, Y.encodeStateAsUpdate(a, Y.encodeStateVector(base)));
	}
	const state = Y.encodeStateAsUpdate(base);
	const updates: Uint8Array[] = [];
	const writers = Array.from({ length: 10 }, () => {
		const d = new Y.Doc();
		Y.applyUpdate(d, state);
		d.on('update', (u: Uint8Array) => updates.push(u));
		return d;
	});
	for (let i = 0; i < COUNT; i++) addCard(writers[i % 10], `n${i}`, i);
	const size = updates.reduce((n, u) => n + u.byteLength, 0) / updates.length;
	console.log(`durable copy: ${updates.length} new-card updates of ${size.toFixed(0)} bytes on a ${(state.byteLength / 1024).toFixed(0)} KiB document`);
	const run = (batch: number) => {
		const doc = new Y.Doc();
		Y.applyUpdate(doc, state);
		const c0 = process.cpuUsage();
		for (let i = 0; i < updates.length; i += batch) {
			const some = updates.slice(i, i + batch);
			doc.transact(() => some.forEach((u) => Y.applyUpdate(doc, u)));
		}
		const c = process.cpuUsage(c0);
		return (c.user + c.system) / updates.length;
	};
	for (let r = 1; r <= ROUNDS; r++) console.log(`  round ${r}: one transaction each ${run(1).toFixed(1)} µs, 64 to a transaction ${run(64).toFixed(1)} µs CPU an update`);
}

await embeddedCommit();
await postgresAppend(process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres').catch((err) =>
	console.log(`  skipped: no PostgreSQL to create a scratch database in (${err instanceof Error ? err.message : err})`)
);
durableApply();
