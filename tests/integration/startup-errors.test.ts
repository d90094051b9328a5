import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../helpers/server.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Starts `node server/main.ts` with `env` and waits for it to exit (it must not come up). */
async function startExpectingFailure(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
	const childEnv: NodeJS.ProcessEnv = { ...process.env, HOST: '127.0.0.1', PORT: String(await freePort()), ...env };
	if (!env.DATABASE_URL) delete childEnv.DATABASE_URL;
	return new Promise((resolve) => {
		const child = spawn(process.execPath, ['server/main.ts'], { cwd: ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (d) => (stdout += d));
		child.stderr.on('data', (d) => (stderr += d));
		// A server that wrongly comes up would never exit on its own.
		const guard = setTimeout(() => child.kill('SIGKILL'), 30_000);
		child.on('exit', (code) => {
			clearTimeout(guard);
			resolve({ code, stdout, stderr });
		});
	});
}

function lines(text: string): string[] {
	return text.split('\n').filter((l) => l.trim() !== '');
}

describe('start-up with a bad configuration', () => {
	let scratch: string;
	beforeAll(() => {
		scratch = mkdtempSync(join(tmpdir(), 'liandong-startup-'));
	});
	afterAll(() => {
		rmSync(scratch, { recursive: true, force: true });
	});

	it('exits non-zero with one line naming DATABASE_URL when nothing answers at its address', async () => {
		const r = await startExpectingFailure({ DATABASE_URL: 'postgres://nobody@127.0.0.1:1/nope' });
		expect(r.code).not.toBe(0);
		expect(r.code).not.toBeNull();
		expect(lines(r.stderr)).toHaveLength(1);
		const [line] = lines(r.stderr);
		expect(line).toMatch(/^Liandong cannot start: /);
		expect(line).toContain('DATABASE_URL');
		expect(line).toContain('127.0.0.1:1');
		// How to fix it: start PostgreSQL there, fix the URL, or fall back to the embedded database.
		expect(line).toMatch(/Start PostgreSQL/);
		expect(line).toMatch(/unset it to use the embedded database/);
	});

	it('exits non-zero with one line naming DATABASE_URL and the expected form when it is malformed', async () => {
		const r = await startExpectingFailure({ DATABASE_URL: 'postgres//nobody@localhost/nope' });
		expect(r.code).not.toBe(0);
		expect(r.code).not.toBeNull();
		expect(lines(r.stderr)).toHaveLength(1);
		expect(r.stderr).toContain('DATABASE_URL');
		expect(r.stderr).toContain('postgres://user@host:5432/dbname');
	});

	it('names DATABASE_URL when it is for another kind of database', async () => {
		const r = await startExpectingFailure({ DATABASE_URL: 'mysql://nobody@127.0.0.1/nope' });
		expect(r.code).not.toBe(0);
		expect(lines(r.stderr)).toHaveLength(1);
		expect(r.stderr).toMatch(/DATABASE_URL must start with postgres:\/\//);
	});

	it('never prints the password of an unreachable DATABASE_URL', async () => {
		const r = await startExpectingFailure({ DATABASE_URL: 'postgres://nobody:s3cret-pw@127.0.0.1:1/nope' });
		expect(r.code).not.toBe(0);
		expect(r.stderr).toContain('DATABASE_URL');
		expect(r.stderr + r.stdout).not.toContain('s3cret-pw');
	});

	it('exits non-zero with one line naming DATA_DIR when the folder cannot be made (a path under a file)', async () => {
		const file = join(scratch, 'a-regular-file');
		writeFileSync(file, 'not a folder');
		const r = await startExpectingFailure({ DATA_DIR: join(file, 'data') });
		expect(r.code).not.toBe(0);
		expect(r.code).not.toBeNull();
		expect(lines(r.stderr)).toHaveLength(1);
		const [line] = lines(r.stderr);
		expect(line).toMatch(/^Liandong cannot start: DATA_DIR /);
		expect(line).toContain(join(file, 'data'));
		expect(line).toMatch(/Point DATA_DIR at a folder this user can write, or set DATABASE_URL/);
	});

	it('exits non-zero with one line naming PORT when it is not a port number', async () => {
		const r = await startExpectingFailure({ DATA_DIR: join(scratch, 'data'), PORT: 'eighty' });
		expect(r.code).not.toBe(0);
		expect(lines(r.stderr)).toEqual(['Liandong cannot start: PORT must be a whole number from 0 to 65535; got "eighty".']);
	});
});
