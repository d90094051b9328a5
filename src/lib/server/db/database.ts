/**
 * Opens the one database handle a process owns: PGlite in a data folder by default, PostgreSQL through `pg`
 * when a connection string is given. Never open a second handle in the same process (see DESIGN.md).
 */
import { mkdirSync, accessSync, constants, existsSync, writeFileSync, rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Kysely, PostgresDialect, PGliteDialect, sql } from 'kysely';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import type { DB } from './schema.ts';
import { StartupError } from './errors.ts';
import { acquireDataDirLock } from './data-dir-lock.ts';
import { log } from '../log.ts';

export interface DatabaseHandle {
	db: Kysely<DB>;
	kind: 'embedded' | 'postgres';
	/** The pg pool when running on a PostgreSQL server (LISTEN/NOTIFY and the socket.io adapter use it). */
	pool: pg.Pool | null;
	/** The embedded database itself, for the hub's prepared appends (doc-log-prepared.ts); null on PostgreSQL. */
	pglite: PGlite | null;
	/** A short description for logs and /healthz, never containing a password. */
	describe: string;
	close(): Promise<void>;
}

export { StartupError };

export interface DatabaseOptions {
	databaseUrl?: string;
	dataDir: string;
	/** Pool size for PostgreSQL. */
	poolSize?: number;
	/** The embedded database's shared buffers, in MB (default EMBEDDED_SHARED_BUFFERS_MB). */
	sharedBuffersMb?: number;
}

/**
 * PGlite's default of 128 MB shared buffers is memory it touches as it starts: a third of an idle board's resident
 * memory. A board's working set (its documents' logs and snapshots, read once per load) is far smaller, and the
 * file system's cache still sits under it.
 */
export const EMBEDDED_SHARED_BUFFERS_MB = 32;

/** Removes a password from a connection string so it can be printed. */
export function redactDatabaseUrl(url: string): string {
	try {
		const parsed = new URL(url);
		if (parsed.password) parsed.password = '***';
		return parsed.toString();
	} catch {
		return '(unparseable DATABASE_URL)';
	}
}

export async function openDatabase(options: DatabaseOptions): Promise<DatabaseHandle> {
	return options.databaseUrl
		? openPostgres(options.databaseUrl, options.poolSize ?? 20)
		: openEmbedded(options.dataDir, options.sharedBuffersMb ?? EMBEDDED_SHARED_BUFFERS_MB);
}

/** PostgreSQL's type id of bytea. */
const BYTEA_OID = 17;

/**
 * Binary values to and from the embedded database as hex text, converted natively. PGlite's own conversion goes
 * through a string per byte: a 600 KB document snapshot took 160-270 ms to write and 40-60 ms to read back on the
 * server's thread (every 500 updates of a busy document, and on each load), against 13-22 ms and 2-4 ms this way.
 */
const BYTEA_AS_HEX = {
	serializers: {
		[BYTEA_OID]: (value: unknown): string => {
			if (!(value instanceof Uint8Array)) throw new Error('Invalid input for bytea type');
			return `\\x${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex')}`;
		}
	},
	// A Uint8Array of its own, as PGlite's parser gives (a Buffer's bytes may sit in Node's shared pool).
	parsers: { [BYTEA_OID]: (text: string): Uint8Array => new Uint8Array(Buffer.from(text.slice(2), 'hex')) }
};

async function openPostgres(url: string, poolSize: number): Promise<DatabaseHandle> {
	const shown = redactDatabaseUrl(url);
	let parsed: URL;
	try {
		parsed = new URL(url);
	} catch {
		throw new StartupError(
			`DATABASE_URL is not a valid connection string; expected postgres://user@host:5432/dbname, got ${shown}.`
		);
	}
	if (!/^postgres(ql)?:$/.test(parsed.protocol)) {
		throw new StartupError(`DATABASE_URL must start with postgres:// or postgresql://; got ${shown}.`);
	}
	const pool = new pg.Pool({ connectionString: url, max: poolSize, connectionTimeoutMillis: 5_000 });
	// An idle client that loses its server must not crash the process; the next query reports it.
	pool.on('error', (err) => log.error({ reason: err.message }, '[db] idle connection error'));
	try {
		const client = await pool.connect();
		client.release();
	} catch (err) {
		await pool.end().catch(() => {});
		const reason = err instanceof Error ? err.message : String(err);
		throw new StartupError(
			`Cannot reach the database at ${shown}: ${reason}. Start PostgreSQL there, or fix DATABASE_URL (unset it to use the embedded database).`
		);
	}
	const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
	return {
		db,
		kind: 'postgres',
		pool,
		pglite: null,
		describe: `postgres ${parsed.host}${parsed.pathname}`,
		close: () => db.destroy()
	};
}

/**
 * Creates a new embedded data folder (PGlite's initdb) in a process of its own. Done here, the WebAssembly memory
 * initdb grows to (about 300 MB) stayed with the server even after that instance was closed: V8 frees it only in a
 * full collection of its heap, which a server at rest may never run. Measured on a new folder with no demo: the board
 * idled at 425 MB this way against 300 MB restarted on the same folder.
 */
async function initializeElsewhere(pgdata: string, startParams: string[]): Promise<void> {
	const script = resolve(dirname(fileURLToPath(import.meta.url)), 'pglite-initdb.ts');
	await new Promise<void>((done, fail) => {
		const child = spawn(process.execPath, [script, pgdata, JSON.stringify(startParams)], { stdio: ['ignore', 'ignore', 'pipe'] });
		let said = '';
		child.stderr.setEncoding('utf8').on('data', (text: string) => (said = (said + text).slice(-2_000)));
		child.on('error', fail);
		child.on('close', (code, signal) => {
			if (code === 0) return done();
			const last = said.trim().split('\n').at(-1);
			fail(new Error(`creating the database ${signal ? `was stopped by ${signal}` : `failed (exit ${code})`}${last ? `: ${last}` : ''}`));
		});
	});
}

async function openEmbedded(dataDir: string, sharedBuffersMb: number): Promise<DatabaseHandle> {
	const folder = resolve(dataDir);
	const pgdata = resolve(folder, 'pgdata');
	try {
		// PGlite does not create a data folder's parent.
		mkdirSync(dirname(pgdata), { recursive: true });
		accessSync(folder, constants.W_OK);
		const probe = resolve(folder, '.write-probe');
		writeFileSync(probe, 'ok');
		rmSync(probe);
	} catch (err) {
		const reason = err instanceof Error ? err.message : String(err);
		throw new StartupError(
			`DATA_DIR ${folder} is not writable (${reason}). Point DATA_DIR at a folder this user can write, or set DATABASE_URL.`
		);
	}
	// Before PGlite touches the folder: a second process opening it would corrupt it.
	const lock = acquireDataDirLock(folder);
	let db: Kysely<DB> | undefined;
	let pglite: PGlite;
	try {
		try {
			const options = { startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${sharedBuffersMb}MB`], ...BYTEA_AS_HEX };
			if (!existsSync(resolve(pgdata, 'PG_VERSION'))) await initializeElsewhere(pgdata, options.startParams);
			pglite = await PGlite.create(pgdata, options);
		} catch (err) {
			const reason = err instanceof Error ? err.message : String(err);
			throw new StartupError(`Cannot open the embedded database in ${pgdata} (${reason}).`);
		}
		db = new Kysely<DB>({ dialect: new PGliteDialect({ pglite }) });
		await sql`select 1`.execute(db);
	} catch (err) {
		await db?.destroy().catch(() => {});
		lock.release();
		throw err;
	}
	const opened = db;
	return {
		db: opened,
		kind: 'embedded',
		pool: null,
		describe: `embedded ${pgdata}`,
		pglite,
		async close() {
			try {
				await opened.destroy();
			} finally {
				lock.release();
			}
		}
	};
}

/** Checks that the database answers; used by /healthz. */
export async function pingDatabase(db: Kysely<DB>, timeoutMs = 2_000): Promise<{ ok: true } | { ok: false; reason: string }> {
	let timer: NodeJS.Timeout | undefined;
	try {
		await Promise.race([
			sql`select 1`.execute(db),
			new Promise((_, reject) => {
				timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
			})
		]);
		return { ok: true };
	} catch (err) {
		return { ok: false, reason: err instanceof Error ? err.message : String(err) };
	} finally {
		clearTimeout(timer);
	}
}

/** SQLSTATE classes and codes that mean "the database is not there right now", not "the query was wrong". */
const UNAVAILABLE_STATES = /^(08|57P0[1-3]|53300)/;
const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
const UNAVAILABLE_MESSAGES = /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|Connection refused/i;

/** Did this error come from losing the database (so the answer is 503 and a retry may work) rather than a bug? */
export function isDatabaseUnavailable(err: unknown): boolean {
	for (let e: unknown = err, depth = 0; e && depth < 5; depth++) {
		if (typeof e !== 'object') break;
		const { code, message, errors } = e as { code?: unknown; message?: unknown; errors?: unknown };
		if (typeof code === 'string' && (UNAVAILABLE_CODES.has(code) || UNAVAILABLE_STATES.test(code))) return true;
		if (typeof message === 'string' && UNAVAILABLE_MESSAGES.test(message)) return true;
		// Node reports a refused connection to several addresses as an AggregateError.
		if (Array.isArray(errors) && errors.some((x) => isDatabaseUnavailable(x))) return true;
		e = (e as { cause?: unknown }).cause;
	}
	return false;
}
