/**
 * The bench's own access to the server's database, for what no client can see: how many commits the updates
 * took, how big the log and the snapshot are, and writing the large event's log directly. The embedded
 * database is one process's alone (DESIGN.md), so callers open it only while the server is stopped.
 */
import { readFileSync } from 'node:fs';
import { sql, type Kysely } from 'kysely';
import { openDatabase } from '../src/lib/server/db/database.ts';
import type { DB } from '../src/lib/server/db/schema.ts';
import type { TestServer } from '../tests/helpers/server.ts';

/** Opens the server's database in this process, runs `fn`, and closes it again. */
export async function withServerDatabase<T>(server: TestServer, fn: (db: Kysely<DB>) => Promise<T>): Promise<T> {
	const handle = await openDatabase({ databaseUrl: server.env.DATABASE_URL, dataDir: server.env.DATA_DIR ?? '', poolSize: 4 });
	try {
		return await fn(handle.db);
	} finally {
		await handle.close();
	}
}

/** "PostgreSQL 15.20 (Debian 15.20-0+deb12u1)", or for the embedded database the PGlite release as well. */
export async function describeDatabase(db: Kysely<DB>, kind: 'postgres' | 'embedded'): Promise<string> {
	const { rows } = await sql<{ version: string }>`select version() as version`.execute(db);
	const version = (rows[0]?.version ?? 'unknown').split(' on ')[0].split(',')[0];
	if (kind === 'postgres') return version;
	let pglite = '?';
	try {
		pglite = JSON.parse(readFileSync(new URL('../node_modules/@electric-sql/pglite/package.json', import.meta.url), 'utf8')).version;
	} catch {
		// Reported as '?'.
	}
	return `PGlite ${pglite} (${version}), embedded`;
}

/**
 * How many updates of a document were stored in a time window and in how many transactions. Every row keeps
 * the id of the transaction that inserted it (xmin), so distinct xmins are the commits the group committer made.
 */
export async function commitStats(db: Kysely<DB>, doc: string, from: Date, to: Date): Promise<{ updates: number; commits: number }> {
	const { rows } = await sql<{ updates: string; commits: string }>`
		select count(*) as updates, count(distinct xmin::text) as commits
		from doc_updates where doc = ${doc} and at >= ${from} and at <= ${to}`.execute(db);
	return { updates: Number(rows[0]?.updates ?? 0), commits: Number(rows[0]?.commits ?? 0) };
}

/** Number and total size of a document's logged updates. */
export async function logSize(db: Kysely<DB>, doc: string): Promise<{ updates: number; bytes: number }> {
	const { rows } = await sql<{ updates: string; bytes: string | null }>`
		select count(*) as updates, sum(octet_length(bytes)) as bytes from doc_updates where doc = ${doc}`.execute(db);
	return { updates: Number(rows[0]?.updates ?? 0), bytes: Number(rows[0]?.bytes ?? 0) };
}

/** The latest snapshot of a document: up to which sequence it reaches and its size. */
export async function latestSnapshot(db: Kysely<DB>, doc: string): Promise<{ uptoSeq: number; bytes: number } | null> {
	const { rows } = await sql<{ upto_seq: string; bytes: string }>`
		select upto_seq, octet_length(state) as bytes from doc_snapshots where doc = ${doc}
		order by upto_seq desc limit 1`.execute(db);
	return rows[0] ? { uptoSeq: Number(rows[0].upto_seq), bytes: Number(rows[0].bytes) } : null;
}
