import { resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { openDatabase } from '../src/lib/server/db/database.ts';
import { migrateToLatest } from '../src/lib/server/db/migrate.ts';
import { appendInOneStatement } from '../src/lib/server/repositories/doc-log.repository.ts';
import { createScratchDatabase } from '../tests/helpers/server.ts';

const scratch = await createScratchDatabase('postgres://postgres@127.0.0.1:5432/postgres');
const h = await openDatabase({ databaseUrl: scratch.url, dataDir: '', poolSize: 20 });
await migrateToLatest(h.db, resolve('migrations'));
await sql`insert into events (id, name, starts_at, ends_at) values ('ev', '演练', now(), now() + interval '1 day')`.execute(h.db);
await sql`insert into users (id, username, display_name, password_hash) values ('u1', 'u1', 'U', 'x')`.execute(h.db);
const notify = { channel: 'liandong_docs', instanceId: 'i1' };
const entry = () => [{ doc: 'ev/d', eventId: 'ev', userId: 'u1', connId: 'c1', at: new Date(), bytes: randomBytes(270), activity: [{ entityType: 'card', entityId: 'k' + Math.random(), action: 'created', field: null, subject: '入口排队 人多', from: null, to: null }], newClients: [] }];
async function variant(name: string, pool: typeof h.pool, n = 3000) {
	for (let i = 0; i < 300; i++) await appendInOneStatement(h.db, entry(), notify, pool);
	const c0 = process.cpuUsage(); const t0 = performance.now();
	for (let i = 0; i < n; i++) await appendInOneStatement(h.db, entry(), notify, pool);
	const c = process.cpuUsage(c0);
	console.log(`${name}: ${((1000 * (performance.now() - t0)) / n).toFixed(0)} µs wall, ${((c.user + c.system) / n).toFixed(0)} µs of this process's CPU (${(c.system / n).toFixed(0)} kernel) per append`);
}
for (let r = 0; r < 3; r++) { await variant('unnamed (SQL text each time)', null); await variant('named, prepared once per connection', h.pool); }
await h.close();
await scratch.drop();
