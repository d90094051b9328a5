/**
 * The embedded database's prepared append (doc-log-prepared.ts) writes exactly what the general append writes:
 * the same sequence numbers, update rows and activity rows; a batch that fails leaves nothing of itself; and a batch
 * that binds client ids is left to the general path. Always on the embedded database, the only one it serves.
 * With DATABASE_URL, the same holds of PostgreSQL's one-statement append, whose usual shape is a named statement.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { sql } from 'kysely';
import { openDatabase, type DatabaseHandle } from '../../src/lib/server/db/database.ts';
import { migrateToLatest } from '../../src/lib/server/db/migrate.ts';
import { appendInOneStatement, appendStatement, appendUpdates, NAMED_MAX_ACTIVITY, namedAppendParameters, type AppendEntry } from '../../src/lib/server/repositories/doc-log.repository.ts';
import { createScratchDatabase, postgresBaseUrl } from '../helpers/server.ts';
import type { ActivityDraft } from '../../src/lib/domain/activity.ts';
import { appendPrepared } from '../../src/lib/server/repositories/doc-log-prepared.ts';

let dir: string;
let handle: DatabaseHandle;

beforeAll(async () => {
	dir = mkdtempSync(join(tmpdir(), 'liandong-append-'));
	handle = await openDatabase({ dataDir: dir });
	await migrateToLatest(handle.db, resolve('migrations'));
	await sql`insert into events (id, name, starts_at, ends_at) values ('ev', '演练', now(), now() + interval '1 day')`.execute(handle.db);
});

afterAll(async () => {
	await handle?.close();
	rmSync(dir, { recursive: true, force: true });
});

function entries(doc: string): AppendEntry[] {
	const at = new Date('2026-12-05T08:00:00.123Z');
	return [
		{ doc, eventId: 'ev', userId: null, connId: 'c1', at, bytes: Uint8Array.from([1, 2, 3]), activity: [], newClients: [] },
		{
			doc,
			eventId: 'ev',
			userId: null,
			connId: null,
			at,
			bytes: Uint8Array.from([0, 255, 0]),
			activity: [
				{ entityType: 'card', entityId: 'k1', action: 'created', field: null, subject: '入口\u0000排队', from: null, to: null },
				{ entityType: 'card', entityId: 'k1', action: 'changed', field: 'status', subject: '入口排队', from: 'todo', to: 'doing' }
			],
			newClients: []
		},
		{ doc, eventId: 'ev', userId: null, connId: 'c2', at, bytes: new Uint8Array(70_000).fill(7), activity: [], newClients: [] }
	];
}

async function rowsOf(doc: string, on: DatabaseHandle = handle) {
	const updates = await on.db.selectFrom('doc_updates').select(['seq', 'user_id', 'conn_id', 'at', 'bytes']).where('doc', '=', doc).orderBy('seq').execute();
	const activity = await on.db
		.selectFrom('activity')
		.select(['seq', 'user_id', 'at', 'entity_type', 'entity_id', 'action', 'field', 'subject', 'from_value', 'to_value'])
		.where('doc', '=', doc)
		.orderBy('id')
		.execute();
	const seq = await on.db.selectFrom('documents').select('seq').where('name', '=', doc).executeTakeFirst();
	return { updates: updates.map((u) => ({ ...u, seq: Number(u.seq), bytes: Buffer.from(u.bytes).toString('hex') })), activity: activity.map((a) => ({ ...a, seq: Number(a.seq) })), seq: Number(seq?.seq ?? 0) };
}

describe('binary values on the embedded database', () => {
	it('are stored and read back byte for byte, as Uint8Arrays, whatever their size', async () => {
		const every = Uint8Array.from({ length: 256 }, (_, i) => i);
		const large = Uint8Array.from({ length: 600_001 }, (_, i) => (i * 131) & 255);
		const values = [new Uint8Array(0), Uint8Array.from([0]), every, large, new Uint8Array(large.buffer, 3, 1001)];
		for (const [i, bytes] of values.entries()) {
			await handle.db.insertInto('documents').values({ name: `ev/bytes-${i}`, event_id: 'ev', seq: 1 }).execute();
			await handle.db.insertInto('doc_snapshots').values({ doc: `ev/bytes-${i}`, upto_seq: 1, state: bytes }).execute();
			const row = await handle.db.selectFrom('doc_snapshots').select('state').where('doc', '=', `ev/bytes-${i}`).executeTakeFirstOrThrow();
			expect(row.state).toBeInstanceOf(Uint8Array);
			expect(row.state.constructor).toBe(Uint8Array);
			expect(Buffer.from(row.state).equals(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength))).toBe(true);
		}
		// What is not binary is refused with the database's own words, not stored as text.
		await expect(handle.db.insertInto('doc_snapshots').values({ doc: 'ev/bytes-0', upto_seq: 1, state: 'abc' as unknown as Uint8Array }).execute()).rejects.toThrow(/bytea/);
	});
});

describe("PostgreSQL's named append", () => {
	it('binds, for every named shape, exactly the parameters its text asks for, in their order', () => {
		const at = new Date('2026-12-05T08:00:00.123Z');
		const row = (k: number): ActivityDraft => ({ entityType: 'card', entityId: `k${k}`, action: 'changed', field: k % 2 ? null : 'status', subject: `入口\u0000${k}`, from: 'todo', to: k === 3 ? null : 'doing' });
		for (const notify of [null, { channel: 'liandong_docs', instanceId: 'i1' }]) {
			for (let rows = 0; rows <= NAMED_MAX_ACTIVITY; rows++) {
				const e: AppendEntry = { doc: 'ev/named', eventId: 'ev', userId: rows ? 'u1' : null, connId: 'c1', at, bytes: Uint8Array.from([rows, 9]), activity: Array.from({ length: rows }, (_, k) => row(k)), newClients: [] };
				const compiled = appendStatement([e], notify).compile(handle.db);
				expect(namedAppendParameters(e, notify)).toStrictEqual([...compiled.parameters]);
			}
		}
	});
});

describe('the prepared append on the embedded database', () => {
	it('writes the same numbers and rows as the general append, batch after batch', async () => {
		expect(handle.pglite).not.toBeNull();
		const general = [
			...(await handle.db.transaction().execute((tx) => appendUpdates(tx, entries('ev/general')))),
			...(await handle.db.transaction().execute((tx) => appendUpdates(tx, entries('ev/general'))))
		];
		const prepared = [...((await appendPrepared(handle.pglite!, entries('ev/prepared'))) ?? []), ...((await appendPrepared(handle.pglite!, entries('ev/prepared'))) ?? [])];
		expect(prepared).toEqual([1, 2, 3, 4, 5, 6]);
		expect(prepared).toEqual(general);
		const a = await rowsOf('ev/general');
		const b = await rowsOf('ev/prepared');
		expect(b).toEqual(a);
		expect(b.activity.map((r) => r.seq)).toEqual([2, 2, 5, 5]);
		expect(b.activity[0].subject).toBe('入口\uFFFD排队');
	});

	it('keeps nothing of a batch that fails, and appends again afterwards', async () => {
		const before = await rowsOf('ev/prepared');
		const bad = entries('ev/prepared');
		bad[2] = { ...bad[2], eventId: 'no-such-event' };
		// The third entry's activity row names an event that does not exist: the foreign key refuses it.
		bad[2].activity = [{ entityType: 'card', entityId: 'k2', action: 'created', field: null, subject: 'x', from: null, to: null }];
		await expect(appendPrepared(handle.pglite!, bad)).rejects.toThrow(/foreign key/);
		expect(await rowsOf('ev/prepared')).toEqual(before);
		expect(await appendPrepared(handle.pglite!, entries('ev/prepared').slice(0, 1))).toEqual([before.seq + 1]);
	});

	it('says so when the database is closed', async () => {
		const spare = mkdtempSync(join(tmpdir(), 'liandong-append-closed-'));
		const other = await openDatabase({ dataDir: spare });
		try {
			const pglite = other.pglite!;
			await other.close();
			await expect(appendPrepared(pglite, entries('ev/prepared'))).rejects.toThrow(/closed/);
		} finally {
			rmSync(spare, { recursive: true, force: true });
		}
	});

	it('leaves a batch that binds client ids to the general path', async () => {
		const withClient = entries('ev/prepared').slice(0, 1).map((e) => ({ ...e, newClients: [42] }));
		expect(await appendPrepared(handle.pglite!, withClient)).toBeNull();
		const withServerClient = entries('ev/prepared').slice(0, 1).map((e) => ({ ...e, serverClients: [7] }));
		expect(await appendPrepared(handle.pglite!, withServerClient)).toBeNull();
	});
});

describe.skipIf(!postgresBaseUrl())('the one-statement append on PostgreSQL', () => {
	let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
	let pgHandle: DatabaseHandle;
	const notify = { channel: 'liandong_test_docs', instanceId: 'i1' };

	beforeAll(async () => {
		scratch = await createScratchDatabase(postgresBaseUrl()!);
		// One client, so that the statements it prepared can be listed from the same session.
		pgHandle = await openDatabase({ databaseUrl: scratch.url, dataDir: '', poolSize: 1 });
		await migrateToLatest(pgHandle.db, resolve('migrations'));
		await sql`insert into events (id, name, starts_at, ends_at) values ('ev', '演练', now(), now() + interval '1 day')`.execute(pgHandle.db);
	});

	afterAll(async () => {
		await pgHandle?.close();
		await scratch?.drop();
	});

	it('writes the same numbers and rows as the general append, one update or several, named or not', async () => {
		const all = entries('x');
		// One update without activity, one with two rows (both named shapes), then all three at once (unnamed).
		const shapes = [all.slice(0, 1), all.slice(1, 2), all];
		const general: number[] = [];
		const single: number[] = [];
		for (const batch of shapes) {
			general.push(...(await pgHandle.db.transaction().execute((tx) => appendUpdates(tx, batch.map((e) => ({ ...e, doc: 'ev/general' }))))));
			single.push(...((await appendInOneStatement(pgHandle.db, batch.map((e) => ({ ...e, doc: 'ev/one' })), notify, pgHandle.pool)) ?? []));
		}
		expect(single).toEqual([1, 2, 3, 4, 5]);
		expect(single).toEqual(general);
		expect(await rowsOf('ev/one', pgHandle)).toEqual(await rowsOf('ev/general', pgHandle));
		const prepared = await sql<{ name: string }>`select name from pg_prepared_statements order by name`.execute(pgHandle.db);
		expect(prepared.rows.map((r) => r.name)).toEqual(['liandong_append_1_0_notify', 'liandong_append_1_2_notify']);
	});

	it('keeps nothing of a named append that fails, and appends again afterwards', async () => {
		const before = await rowsOf('ev/one', pgHandle);
		const bad = entries('ev/one').slice(1, 2).map((e) => ({ ...e, eventId: 'no-such-event' }));
		await expect(appendInOneStatement(pgHandle.db, bad, notify, pgHandle.pool)).rejects.toThrow(/foreign key/);
		expect(await rowsOf('ev/one', pgHandle)).toEqual(before);
		expect(await appendInOneStatement(pgHandle.db, entries('ev/one').slice(1, 2), notify, pgHandle.pool)).toEqual([before.seq + 1]);
	});
});
