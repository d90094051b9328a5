/**
 * A PostgreSQL server of a test's own, in a temporary folder on a free port, so that a chaos test can stop and
 * restart it under load without disturbing any other PostgreSQL on the machine. It needs the PostgreSQL server
 * programs (initdb, pg_ctl); `postgresPrograms()` says whether and where they are.
 */
import { execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './server.ts';

export interface PrivatePostgres {
	/** Connection string of its `postgres` database. */
	url: string;
	port: number;
	/** Stops the server: `immediate` drops every connection at once, as a crash would; `fast` shuts down cleanly. */
	stop(mode?: 'immediate' | 'fast'): Promise<void>;
	start(): Promise<void>;
	dispose(): Promise<void>;
}

/** The folder holding initdb and pg_ctl: PG_BINDIR, then `pg_config --bindir`, then Debian's layout. */
export function postgresPrograms(): string | null {
	const candidates: string[] = [];
	if (process.env.PG_BINDIR) candidates.push(process.env.PG_BINDIR);
	try {
		candidates.push(execFileSync('pg_config', ['--bindir'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
	} catch {
		// No pg_config on the path.
	}
	const debian = '/usr/lib/postgresql';
	if (existsSync(debian)) {
		const versions = readdirSync(debian).sort((a, b) => Number(b) - Number(a));
		candidates.push(...versions.map((v) => join(debian, v, 'bin')));
	}
	return candidates.find((dir) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'))) ?? null;
}

/** PostgreSQL refuses to run as root; as root, its programs run as the `postgres` account. */
function asServerUser(): { uid: number; gid: number } | null {
	if (process.getuid?.() !== 0) return null;
	const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
	const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
	return { uid, gid };
}

function run(program: string, args: string[], owner: { uid: number; gid: number } | null): Promise<string> {
	return new Promise((resolve, reject) => {
		const child = spawn(program, args, {
			stdio: ['ignore', 'pipe', 'pipe'],
			...(owner ? { uid: owner.uid, gid: owner.gid } : {}),
			// The server's log goes to a file; the child's own pipes must not keep this process waiting.
			detached: false
		});
		let out = '';
		child.stdout.on('data', (d) => (out += d));
		child.stderr.on('data', (d) => (out += d));
		child.on('error', reject);
		child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${program} ${args.join(' ')} exited with ${code}:\n${out}`))));
	});
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
	const bin = postgresPrograms();
	if (!bin) throw new Error('PostgreSQL server programs (initdb, pg_ctl) not found; set PG_BINDIR');
	const owner = asServerUser();
	const root = mkdtempSync(join(tmpdir(), 'liandong-pg-'));
	if (owner) chownSync(root, owner.uid, owner.gid);
	const data = join(root, 'data');
	const port = await freePort();
	await run(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-instructions'], owner);
	const options = `-p ${port} -k ${root} -c listen_addresses=127.0.0.1 -c max_connections=100`;
	const pgCtl = (args: string[]) => run(join(bin, 'pg_ctl'), ['-D', data, ...args], owner);
	const start = async () => {
		await pgCtl(['-l', join(root, 'server.log'), '-o', options, '-w', '-t', '60', 'start']);
	};
	let running = false;
	await start();
	running = true;
	return {
		url: `postgres://postgres@127.0.0.1:${port}/postgres`,
		port,
		async stop(mode = 'immediate') {
			if (!running) return;
			await pgCtl(['-m', mode, '-w', 'stop']);
			running = false;
		},
		async start() {
			if (running) return;
			await start();
			running = true;
		},
		async dispose() {
			if (running) await pgCtl(['-m', 'immediate', '-w', 'stop']).catch(() => {});
			running = false;
			rmSync(root, { recursive: true, force: true });
		}
	};
}
