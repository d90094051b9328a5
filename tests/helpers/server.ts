/**
 * Starts the real server as a child process for a test: on a fresh embedded database in a temporary folder, or,
 * when DATABASE_URL is set, on a fresh PostgreSQL database created for this server and dropped after it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from 'node:net';
import https from 'node:https';
import pg from 'pg';
import { SERVER_NODE_FLAGS } from '../../server/node-flags.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface TestServer {
	url: string;
	port: number;
	/** Environment the process runs with (DATA_DIR or DATABASE_URL point at this server's own database). */
	env: Record<string, string>;
	/** Everything the process printed so far. */
	output(): string;
	/** The process id of the running server, or null while it is stopped (benchmarks read its memory). */
	pid(): number | null;
	/** Stops the process (SIGTERM, or the given signal) and waits for it to exit; the database is kept. */
	stop(signal?: NodeJS.Signals): Promise<void>;
	/** How the last stop() ended: the exit code (null when a signal ended it) and how long it took after the signal. */
	lastExit(): { code: number | null; ms: number } | null;
	/** Starts the process again on the same database and port (`demo: false`: without seeding the demo again). */
	restart(opts?: { demo?: boolean }): Promise<void>;
	/** Stops the process and removes its database. */
	dispose(): Promise<void>;
}

/**
 * Budgets no person reaches, for servers whose test or bench plays a crowd or a barrage through a few demo
 * accounts (the quotas themselves are tested in tests/integration/quotas.test.ts).
 */
export const CROWD_QUOTAS: Record<string, string> = {
	QUOTA_USER_CONNECTIONS: '100000',
	QUOTA_USER_UPDATES_PER_MINUTE: '1000000',
	QUOTA_USER_MB_PER_MINUTE: '4096'
};

export interface StartOptions {
	demo?: boolean;
	env?: Record<string, string>;
	/** Share the database of another test server (two instances on one PostgreSQL). */
	shareDatabaseOf?: TestServer;
	/** The server serves HTTPS (TLS_CERT and TLS_KEY in `env`); readiness is checked trusting this CA (PEM). */
	tlsCa?: string;
	/**
	 * Start on a database nothing has touched (initdb and every migration on this start), even where the suite's
	 * migrated template would be copied (see tests/helpers/template-setup.ts).
	 */
	fresh?: boolean;
}

/** Set by the server suites' global setup: a migrated embedded data folder, and a migrated PostgreSQL database. */
export const TEMPLATE_PGDATA = 'LIANDONG_TEST_TEMPLATE_PGDATA';
export const TEMPLATE_DATABASE = 'LIANDONG_TEST_TEMPLATE_DATABASE';

export async function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const srv = createServer();
		srv.listen(0, '127.0.0.1', () => {
			const addr = srv.address();
			const port = typeof addr === 'object' && addr ? addr.port : 0;
			srv.close(() => resolve(port));
		});
		srv.on('error', reject);
	});
}

/** The PostgreSQL server tests run against, if any. */
export function postgresBaseUrl(): string | null {
	return process.env.DATABASE_URL || null;
}

/** A new PostgreSQL database beside the one `baseUrl` names (empty, or a clone of `template`), and how to drop it. */
export async function createScratchDatabase(baseUrl: string, template?: string): Promise<{ url: string; drop(): Promise<void> }> {
	const name = `liandong_t_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
	const admin = new pg.Client({ connectionString: baseUrl });
	await admin.connect();
	await admin.query(`create database ${name}${template ? ` template ${template}` : ''}`);
	await admin.end();
	const url = new URL(baseUrl);
	url.pathname = `/${name}`;
	return {
		url: url.toString(),
		async drop() {
			const c = new pg.Client({ connectionString: baseUrl });
			await c.connect();
			await c.query(`drop database if exists ${name} with (force)`);
			await c.end();
		}
	};
}

export async function startServer(options: StartOptions = {}): Promise<TestServer> {
	const port = await freePort();
	let cleanup: () => Promise<void>;
	const env: Record<string, string> = { PORT: String(port), HOST: '127.0.0.1', ...options.env };
	if (options.shareDatabaseOf) {
		const shared = options.shareDatabaseOf.env;
		if (shared.DATABASE_URL) env.DATABASE_URL = shared.DATABASE_URL;
		else throw new Error('Two instances can only share a PostgreSQL database');
		// Their data folder too (its basemaps), as instances behind a proxy share a volume.
		if (shared.DATA_DIR) env.DATA_DIR = env.DATA_DIR ?? shared.DATA_DIR;
		cleanup = async () => {};
	} else if (postgresBaseUrl() && !options.env?.DATABASE_URL) {
		const scratch = await createScratchDatabase(postgresBaseUrl()!, options.fresh ? undefined : process.env[TEMPLATE_DATABASE]);
		env.DATABASE_URL = scratch.url;
		// The data folder holds no database here, but its basemaps: each server its own, never the checkout's.
		const dir = mkdtempSync(join(tmpdir(), 'liandong-test-'));
		env.DATA_DIR = env.DATA_DIR ?? join(dir, 'data');
		cleanup = async () => {
			await scratch.drop();
			rmSync(dir, { recursive: true, force: true });
		};
	} else {
		const dir = mkdtempSync(join(tmpdir(), 'liandong-test-'));
		const template = options.fresh || env.DATA_DIR ? undefined : process.env[TEMPLATE_PGDATA];
		env.DATA_DIR = env.DATA_DIR ?? join(dir, 'data');
		// A copy of the migrated folder spares each server PGlite's initdb and the migrations (seconds each).
		if (template) cpSync(template, join(env.DATA_DIR, 'pgdata'), { recursive: true });
		cleanup = async () => rmSync(dir, { recursive: true, force: true });
	}

	const scheme = options.tlsCa ? 'https' : 'http';
	let child: ChildProcess | null = null;
	let log = '';
	const launch = async (opts: { demo?: boolean } = {}) => {
		const args = [...SERVER_NODE_FLAGS, 'server/main.ts', ...((opts.demo ?? options.demo) ? ['--demo'] : [])];
		const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
		if (!env.DATABASE_URL) delete childEnv.DATABASE_URL;
		child = spawn(process.execPath, args, { cwd: ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
		child.stdout!.on('data', (d) => (log += d));
		child.stderr!.on('data', (d) => (log += d));
		const exited = new Promise<never>((_, reject) =>
			child!.once('exit', (code) => reject(new Error(`server exited with ${code} before it was ready:\n${log}`)))
		);
		await Promise.race([waitForHealth(`${scheme}://127.0.0.1:${port}`, 60_000, options.tlsCa), exited]);
	};
	let lastExit: { code: number | null; ms: number } | null = null;
	const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
		const c = child;
		if (!c || c.exitCode !== null || c.signalCode !== null) return;
		const sentAt = performance.now();
		await new Promise<void>((resolve) => {
			c.once('exit', (code) => {
				lastExit = { code, ms: Math.round(performance.now() - sentAt) };
				resolve();
			});
			c.kill(signal);
		});
		child = null;
	};
	await launch();
	return {
		url: `${scheme}://127.0.0.1:${port}`,
		port,
		env,
		output: () => log,
		pid: () => child?.pid ?? null,
		stop,
		lastExit: () => lastExit,
		restart: launch,
		async dispose() {
			await stop();
			await cleanup();
		}
	};
}

/** GET over HTTPS trusting one CA (fetch cannot be handed a CA of its own): status and body. */
export function httpsGet(url: string, ca: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
	return new Promise((resolve, reject) => {
		https
			.get(url, { ca, headers }, (res) => {
				let body = '';
				res.setEncoding('utf8');
				res.on('data', (d) => (body += d));
				res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
			})
			.on('error', reject);
	});
}

export async function waitForHealth(url: string, timeoutMs: number, ca?: string): Promise<void> {
	const until = Date.now() + timeoutMs;
	let last = '';
	while (Date.now() < until) {
		try {
			const status = ca ? (await httpsGet(`${url}/healthz`, ca)).status : (await fetch(`${url}/healthz`)).status;
			if (status === 200) return;
			last = `status ${status}`;
		} catch (err) {
			last = err instanceof Error ? err.message : String(err);
		}
		await new Promise((r) => setTimeout(r, 150));
	}
	throw new Error(`server at ${url} not healthy within ${timeoutMs} ms (${last})`);
}

/** Runs the CLI against a test server's database (the server must be stopped when it is embedded). */
export function runCli(
	server: Pick<TestServer, 'env'>,
	args: string[],
	stdin?: string
): Promise<{ code: number; stdout: string; stderr: string }> {
	return new Promise((resolve) => {
		const childEnv: NodeJS.ProcessEnv = { ...process.env, ...server.env };
		if (!server.env.DATABASE_URL) delete childEnv.DATABASE_URL;
		const c = spawn(process.execPath, ['server/cli.ts', ...args], { cwd: ROOT, env: childEnv });
		let stdout = '';
		let stderr = '';
		c.stdout.on('data', (d) => (stdout += d));
		c.stderr.on('data', (d) => (stderr += d));
		c.on('exit', (code) => resolve({ code: code ?? 1, stdout, stderr }));
		if (stdin !== undefined) c.stdin.end(stdin);
		else c.stdin.end();
	});
}
