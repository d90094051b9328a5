/**
 * Instances that start at the same moment (a rolling upgrade, `docker compose up` of two instances) on one fresh
 * database: the schema is migrated once and the agencies seeded once, whoever gets there first. On PostgreSQL,
 * Kysely's migrator holds an advisory lock for the whole run and the seeding inserts with ON CONFLICT DO NOTHING;
 * the embedded database admits one process (a lock file), and inside it one connection serves the migrator.
 */
import { describe, it, expect } from 'vitest';
import pg from 'pg';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql, type Kysely } from 'kysely';
import { openDatabase, type DatabaseHandle } from '../../src/lib/server/db/database.ts';
import { migrateToLatest } from '../../src/lib/server/db/migrate.ts';
import { seedAgencies } from '../../src/lib/server/repositories/agency.repository.ts';
import { SEED_AGENCIES } from '../../src/lib/domain/roles.ts';
import type { DB } from '../../src/lib/server/db/schema.ts';
import { postgresBaseUrl, startServer, type TestServer } from '../helpers/server.ts';

const MIGRATIONS = fileURLToPath(new URL('../../migrations', import.meta.url));
const MIGRATION_NAMES = readdirSync(MIGRATIONS)
	.filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'))
	.map((f) => f.replace(/\.ts$/, ''))
	.sort();
const onPostgres = postgresBaseUrl() !== null;
/** How many instances race in the in-process cases: more than a deployment runs, so the lock is contended. */
const RACERS = 4;

/** Each name and how often it was applied, from the migrator's own table. */
async function appliedMigrations(db: Kysely<DB>): Promise<Record<string, number>> {
	const rows = await sql<{ name: string; n: number }>`select name, count(*)::int as n from kysely_migration group by name`.execute(db);
	return Object.fromEntries(rows.rows.map((r) => [r.name, Number(r.n)]));
}

async function agencyCodes(db: Kysely<DB>): Promise<string[]> {
	return (await db.selectFrom('agencies').select('code').orderBy('code').execute()).map((r) => r.code);
}

/** Migrates and seeds as the server does at start (server/app.ts), returning the migrations this call applied. */
async function prepare(db: Kysely<DB>): Promise<string[]> {
	const applied = await migrateToLatest(db, MIGRATIONS);
	await seedAgencies(db);
	return applied;
}

/** Every column of the public schema with its type, nullability and default: what "the schema" is. */
async function schemaOf(db: Kysely<DB>): Promise<string[]> {
	const rows = await sql<{ c: string }>`
		select table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '') as c
		from information_schema.columns where table_schema = 'public' order by 1`.execute(db);
	return rows.rows.map((r) => r.c);
}

/** Fresh PostgreSQL databases of this test's own, dropped at the end. */
function scratchDatabases() {
	const names: string[] = [];
	return {
		async create(): Promise<string> {
			const name = `liandong_t_race_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
			const admin = new pg.Client({ connectionString: postgresBaseUrl()! });
			await admin.connect();
			try {
				await admin.query(`create database ${name}`);
			} finally {
				await admin.end();
			}
			names.push(name);
			const url = new URL(postgresBaseUrl()!);
			url.pathname = `/${name}`;
			return url.toString();
		},
		async dropAll(): Promise<void> {
			const admin = new pg.Client({ connectionString: postgresBaseUrl()! });
			await admin.connect();
			try {
				for (const name of names) await admin.query(`drop database if exists ${name} with (force)`);
			} finally {
				await admin.end();
			}
		}
	};
}

describe('instances starting at once on one PostgreSQL database (PostgreSQL only; the embedded database admits one process)', () => {
	it.runIf(onPostgres)(
		`migrates a fresh database once when ${RACERS} instances, each with its own connections, prepare it at the same moment, and the schema is the one a lone start makes`,
		async () => {
			const scratch = scratchDatabases();
			const handles: DatabaseHandle[] = [];
			try {
				const raced = await scratch.create();
				for (let i = 0; i < RACERS; i++) handles.push(await openDatabase({ databaseUrl: raced, dataDir: '', poolSize: 3 }));
				const results = await Promise.allSettled(handles.map((h) => prepare(h.db)));
				expect(results.map((r) => (r.status === 'rejected' ? String(r.reason) : 'ok'))).toEqual(handles.map(() => 'ok'));
				// Between them they applied each migration exactly once: the others found it done under the lock.
				const applied = results.flatMap((r) => (r.status === 'fulfilled' ? r.value : []));
				expect(applied.sort()).toEqual(MIGRATION_NAMES);
				expect(await appliedMigrations(handles[0].db)).toEqual(Object.fromEntries(MIGRATION_NAMES.map((n) => [n, 1])));
				expect(await agencyCodes(handles[0].db)).toEqual(SEED_AGENCIES.map((a) => a.code).sort());

				const alone = await scratch.create();
				const lone = await openDatabase({ databaseUrl: alone, dataDir: '', poolSize: 2 });
				handles.push(lone);
				await prepare(lone.db);
				expect(await schemaOf(handles[0].db)).toEqual(await schemaOf(lone.db));
			} finally {
				for (const h of handles) await h.close().catch(() => {});
				await scratch.dropAll();
			}
		}
	);

	it.runIf(onPostgres)(`seeds the agencies once when ${RACERS * 2} instances seed an empty table at the same moment`, async () => {
		const scratch = scratchDatabases();
		const handles: DatabaseHandle[] = [];
		try {
			const url = await scratch.create();
			for (let i = 0; i < RACERS * 2; i++) handles.push(await openDatabase({ databaseUrl: url, dataDir: '', poolSize: 1 }));
			await migrateToLatest(handles[0].db, MIGRATIONS);
			// Nothing refers to an agency yet in a fresh database, so the table can be emptied and raced for again.
			await handles[0].db.deleteFrom('agencies').execute();
			const results = await Promise.allSettled(handles.map((h) => seedAgencies(h.db)));
			expect(results.map((r) => (r.status === 'rejected' ? String(r.reason) : 'ok'))).toEqual(handles.map(() => 'ok'));
			expect(await agencyCodes(handles[0].db)).toEqual(SEED_AGENCIES.map((a) => a.code).sort());
		} finally {
			for (const h of handles) await h.close().catch(() => {});
			await scratch.dropAll();
		}
	});

	it.runIf(onPostgres)('brings up three server processes started at the same moment on one fresh database, all healthy', async () => {
		const scratch = scratchDatabases();
		const servers: TestServer[] = [];
		try {
			const url = await scratch.create();
			const started = await Promise.allSettled([1, 2, 3].map(() => startServer({ env: { DATABASE_URL: url } })));
			for (const s of started) if (s.status === 'fulfilled') servers.push(s.value);
			expect(started.map((s) => (s.status === 'rejected' ? String(s.reason) : 'up'))).toEqual(['up', 'up', 'up']);
			for (const s of servers) {
				const health = await (await fetch(`${s.url}/healthz`)).json();
				expect(health).toMatchObject({ status: 'ok', database: { kind: 'postgres', reachable: true } });
				expect(s.output()).not.toMatch(/migration .* failed|duplicate key/i);
			}
			const check = await openDatabase({ databaseUrl: url, dataDir: '', poolSize: 1 });
			try {
				expect(await appliedMigrations(check.db)).toEqual(Object.fromEntries(MIGRATION_NAMES.map((n) => [n, 1])));
				expect(await agencyCodes(check.db)).toEqual(SEED_AGENCIES.map((a) => a.code).sort());
			} finally {
				await check.close();
			}
		} finally {
			for (const s of servers) await s.stop();
			await scratch.dropAll();
		}
	});
});

describe('instances starting at once on one embedded data folder (embedded only; on PostgreSQL the cases above apply)', () => {
	it.runIf(!onPostgres)(
		'lets one of two server processes started at the same moment open a fresh folder and migrate it; the other stops, naming the one that holds it',
		async () => {
			const dir = mkdtempSync(join(tmpdir(), 'liandong-race-'));
			const dataDir = join(dir, 'data');
			const servers: TestServer[] = [];
			try {
				const started = await Promise.allSettled([1, 2].map(() => startServer({ env: { DATA_DIR: dataDir } })));
				for (const s of started) if (s.status === 'fulfilled') servers.push(s.value);
				expect(servers).toHaveLength(1);
				const refused = started.find((s) => s.status === 'rejected') as PromiseRejectedResult;
				expect(String(refused.reason)).toMatch(/exited with 1 before it was ready/);
				expect(String(refused.reason)).toMatch(/Liandong cannot start: DATA_DIR .* is in use by another Liandong process \(pid \d+\)/);

				const health = await (await fetch(`${servers[0].url}/healthz`)).json();
				expect(health).toMatchObject({ status: 'ok', database: { kind: 'embedded', reachable: true } });
				await servers[0].stop();
				const check = await openDatabase({ databaseUrl: undefined, dataDir });
				try {
					expect(await appliedMigrations(check.db)).toEqual(Object.fromEntries(MIGRATION_NAMES.map((n) => [n, 1])));
					expect(await agencyCodes(check.db)).toEqual(SEED_AGENCIES.map((a) => a.code).sort());
				} finally {
					await check.close();
				}
			} finally {
				for (const s of servers) await s.dispose();
				rmSync(dir, { recursive: true, force: true });
			}
		}
	);

	it.runIf(!onPostgres)(
		`migrates a fresh folder once when ${RACERS} preparations run at once in its one process: the one connection serves one migrator at a time`,
		async () => {
			const dir = mkdtempSync(join(tmpdir(), 'liandong-race-'));
			const handle = await openDatabase({ databaseUrl: undefined, dataDir: join(dir, 'data') });
			try {
				const results = await Promise.all(Array.from({ length: RACERS }, () => prepare(handle.db)));
				expect(results.flat().sort()).toEqual(MIGRATION_NAMES);
				expect(await appliedMigrations(handle.db)).toEqual(Object.fromEntries(MIGRATION_NAMES.map((n) => [n, 1])));
				expect(await agencyCodes(handle.db)).toEqual(SEED_AGENCIES.map((a) => a.code).sort());
			} finally {
				await handle.close();
				rmSync(dir, { recursive: true, force: true });
			}
		}
	);
});
