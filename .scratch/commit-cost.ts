import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { protocol } from '@electric-sql/pglite';
import { openDatabase } from '../src/lib/server/db/database.ts';
import { migrateToLatest } from '../src/lib/server/db/migrate.ts';
import { appendPrepared } from '../src/lib/server/repositories/doc-log-prepared.ts';

const dir = mkdtempSync(join(tmpdir(), 'cc-'));
const handle = await openDatabase({ dataDir: dir });
await migrateToLatest(handle.db, resolve('migrations'));
await sql`insert into events (id, name, starts_at, ends_at) values ('ev', '演练', now(), now() + interval '1 day')`.execute(handle.db);
await sql`insert into users (id, username, display_name, password_hash) values ('u1', 'u1', 'U', 'x')`.execute(handle.db);
await sql`insert into documents (name, event_id, seq) values ('d', 'ev', 0), ('d2', 'ev', 0)`.execute(handle.db);
const pg = handle.pglite!;
const { serialize } = protocol;
const entry = () => ({ doc: 'd', eventId: 'ev', userId: 'u1', connId: 'c1', at: new Date(), bytes: randomBytes(600), activity: [{ entityType: 'card', entityId: 'k' + Math.random(), action: 'created', field: null, subject: '入口排队 人多', from: null, to: null }], newClients: [] });
const COMBINED = `with d as (insert into documents (name, event_id, seq) values ($1::text, $2::text, 1) on conflict (name) do update set seq = documents.seq + 1 returning seq),
u as (insert into doc_updates (doc, seq, user_id, conn_id, at, bytes) select $1::text, d.seq, $3::text, $4::text, $5::timestamptz, $6::bytea from d),
a as (insert into activity (event_id, doc, seq, user_id, at, entity_type, entity_id, action, field, subject, from_value, to_value)
 select $2::text, $1::text, d.seq, $3::text, $5::timestamptz, $7::text, $8::text, $9::text, $10::text, $11::text, $12::text, $13::text from d)
select seq from d`;
await pg.execProtocol(Buffer.concat([serialize.parse({ name: 'comb', text: COMBINED }), serialize.parse({ name: 'sel', text: 'select 1' }), serialize.sync()]));
async function variant(name: string, fn: () => Promise<unknown>, n = 3000) {
	for (let i = 0; i < 300; i++) await fn();
	const c0 = process.cpuUsage(); const t0 = performance.now();
	for (let i = 0; i < n; i++) await fn();
	const c = process.cpuUsage(c0); const t = performance.now() - t0;
	console.log(`${name}: ${(1000 * t / n).toFixed(0)} µs wall, ${((c.user + c.system) / n).toFixed(0)} µs cpu (${(c.system / n).toFixed(0)} sys) per commit`);
}
const mode = process.argv[2] ?? 'all';
for (let r = 0; r < 2; r++) {
if (mode === 'all' || mode === 'cur') await variant('current prepared (2 statements)', () => appendPrepared(pg, [entry()]));
if (mode === 'all' || mode === 'comb') await variant('combined one statement', () => {
	const e = entry(); const a = e.activity[0]; const at = e.at.toISOString();
	return pg._runExclusiveQuery(() => pg.execProtocol(Buffer.concat([serialize.bind({ statement: 'comb', values: [e.doc, e.eventId, e.userId, e.connId, at, e.bytes, a.entityType, a.entityId, a.action, a.field, a.subject, a.from, a.to] }), serialize.execute(), serialize.sync()])));
});
if (mode === 'all' || mode === 'norefs') {
	await pg.exec('set session_replication_role = replica');
	await variant('current prepared, no RI triggers', () => appendPrepared(pg, [entry()]));
	await pg.exec('set session_replication_role = origin');
}
if (mode === 'all' || mode === 'sel') await variant('select 1 (round trip only)', () => pg._runExclusiveQuery(() => pg.execProtocol(Buffer.concat([serialize.bind({ statement: 'sel', values: [] }), serialize.execute(), serialize.sync()]))));
}
await handle.close();
rmSync(dir, { recursive: true, force: true });
