import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import pg from 'pg';
import { readFileSync } from 'node:fs';
import { postgresBaseUrl, startServer, type TestServer } from '../helpers/server.ts';
import { setupAdmin } from '../helpers/accounts.ts';
import { HttpClient } from '../helpers/http.ts';

const version = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version as string;
const onPostgres = postgresBaseUrl() !== null;

describe('a fresh database', () => {
	let server: TestServer;
	beforeAll(async () => {
		server = await startServer({ fresh: true });
	});
	afterAll(async () => {
		await server?.dispose();
	});

	it('answers /healthz with status ok, the version and a reachable database of the configured kind', async () => {
		const res = await fetch(`${server.url}/healthz`);
		expect(res.status).toBe(200);
		expect(res.headers.get('content-type')).toMatch(/^application\/json/);
		const body = await res.json();
		expect(body).toMatchObject({
			status: 'ok',
			version,
			database: { kind: onPostgres ? 'postgres' : 'embedded', reachable: true }
		});
	});

	it('is migrated at start, so the first administrator can be created and signs in to an empty event list', async () => {
		const admin = await setupAdmin(new HttpClient(server.url));
		const res = await admin.request('/api/events');
		expect(res.status).toBe(200);
		expect(await res.json()).toEqual({ events: [] });
	});
});

// Only PostgreSQL can be shared by two processes; the embedded database is never opened twice, so there this
// case is skipped.
describe('migrations on one PostgreSQL database (PostgreSQL only)', () => {
	it.runIf(onPostgres)(
		'let two server processes started at the same moment both come up, applying each migration once',
		async () => {
			const base = postgresBaseUrl()!;
			const name = `liandong_t_lock_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
			const admin = new pg.Client({ connectionString: base });
			await admin.connect();
			await admin.query(`create database ${name}`);
			const url = new URL(base);
			url.pathname = `/${name}`;
			const servers: TestServer[] = [];
			try {
				const started = await Promise.allSettled([
					startServer({ env: { DATABASE_URL: url.toString() } }),
					startServer({ env: { DATABASE_URL: url.toString() } })
				]);
				for (const s of started) if (s.status === 'fulfilled') servers.push(s.value);
				expect(started.map((s) => (s.status === 'rejected' ? String(s.reason) : 'up'))).toEqual(['up', 'up']);

				for (const s of servers) {
					const health = await (await fetch(`${s.url}/healthz`)).json();
					expect(health).toMatchObject({ status: 'ok', database: { kind: 'postgres', reachable: true } });
				}
				const check = new pg.Client({ connectionString: url.toString() });
				await check.connect();
				try {
					const applied = await check.query<{ name: string; n: string }>(
						'select name, count(*) as n from kysely_migration group by name'
					);
					expect(applied.rows.length).toBeGreaterThan(0);
					expect(applied.rows.every((r) => Number(r.n) === 1)).toBe(true);
					const agencies = await check.query<{ n: string }>('select count(*) as n from agencies');
					expect(Number(agencies.rows[0].n)).toBe(4);
				} finally {
					await check.end();
				}
			} finally {
				for (const s of servers) await s.dispose();
				await admin.query(`drop database if exists ${name} with (force)`);
				await admin.end();
			}
		}
	);
});

describe('/healthz when PostgreSQL goes away (PostgreSQL only)', () => {
	it.runIf(onPostgres)('answers 503 with the reason instead of crashing, and keeps answering', async () => {
		const server = await startServer();
		try {
			const name = new URL(server.env.DATABASE_URL).pathname.slice(1);
			const admin = new pg.Client({ connectionString: postgresBaseUrl()! });
			await admin.connect();
			try {
				await admin.query(`drop database ${name} with (force)`);
			} finally {
				await admin.end();
			}
			for (let i = 0; i < 2; i++) {
				const res = await fetch(`${server.url}/healthz`);
				expect(res.status).toBe(503);
				const body = await res.json();
				expect(body).toMatchObject({ status: 'unavailable', database: { kind: 'postgres', reachable: false } });
				expect(typeof body.database.reason).toBe('string');
				expect(body.database.reason.length).toBeGreaterThan(0);
			}
			expect(server.output()).not.toMatch(/Liandong cannot start|Uncaught|unhandled/i);
		} finally {
			await server.dispose();
		}
	});
});
