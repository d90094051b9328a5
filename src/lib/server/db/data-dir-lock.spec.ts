import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireDataDirLock, isProcessAlive, LOCK_FILE_NAME } from './data-dir-lock.ts';
import { StartupError } from './errors.ts';

/** The pid on the lock file's first line. */
const lockPid = (dir: string) => readFileSync(join(dir, LOCK_FILE_NAME), 'utf8').split('\n')[0];

/** The pid of a process that has exited, so no process holds it now. */
function deadPid(): number {
	const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
	return Number(child.stdout.toString());
}

describe('acquireDataDirLock', () => {
	let dir: string;
	beforeEach(() => {
		dir = mkdtempSync(join(tmpdir(), 'liandong-lock-'));
	});
	afterEach(() => rmSync(dir, { recursive: true, force: true }));

	it('writes its pid and host into the lock file and removes the file on release', () => {
		const lock = acquireDataDirLock(dir);
		expect(readFileSync(join(dir, LOCK_FILE_NAME), 'utf8')).toBe(`${process.pid}\n${hostname()}\n`);
		lock.release();
		expect(existsSync(join(dir, LOCK_FILE_NAME))).toBe(false);
		lock.release();
	});

	it('refuses a folder held by a live process and names its pid', async () => {
		const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
		try {
			writeFileSync(join(dir, LOCK_FILE_NAME), `${holder.pid}\n`);
			expect(() => acquireDataDirLock(dir)).toThrow(StartupError);
			expect(() => acquireDataDirLock(dir)).toThrow(
				`is in use by another Liandong process (pid ${holder.pid}). Stop it first, or use DATABASE_URL.`
			);
			expect(lockPid(dir)).toBe(String(holder.pid));
		} finally {
			holder.kill();
		}
	});

	it('refuses a second open of the same folder in one process', () => {
		const lock = acquireDataDirLock(dir);
		try {
			expect(() => acquireDataDirLock(dir)).toThrow(/already open in this process/);
		} finally {
			lock.release();
		}
	});

	it('takes over a lock left by a process that died', () => {
		const pid = deadPid();
		expect(isProcessAlive(pid)).toBe(false);
		writeFileSync(join(dir, LOCK_FILE_NAME), `${pid}\n`);
		const lock = acquireDataDirLock(dir);
		expect(lockPid(dir)).toBe(String(process.pid));
		lock.release();
	});

	it('takes over an empty lock file left by a crash between create and write', () => {
		writeFileSync(join(dir, LOCK_FILE_NAME), '');
		const lock = acquireDataDirLock(dir);
		expect(lockPid(dir)).toBe(String(process.pid));
		lock.release();
	});

	it('takes over a lock of its own pid and host that it does not hold: a restarted container, whose server is pid 1 again', () => {
		writeFileSync(join(dir, LOCK_FILE_NAME), `${process.pid}\n${hostname()}\n`);
		const lock = acquireDataDirLock(dir);
		try {
			expect(lockPid(dir)).toBe(String(process.pid));
			// Now it is this process's own: a second open is refused.
			expect(() => acquireDataDirLock(dir)).toThrow(/already open in this process/);
		} finally {
			lock.release();
		}
		expect(existsSync(join(dir, LOCK_FILE_NAME))).toBe(false);
	});

	it('refuses a lock of its own pid written on another host, which may be a live container sharing the folder', () => {
		writeFileSync(join(dir, LOCK_FILE_NAME), `${process.pid}\nother-container\n`);
		expect(() => acquireDataDirLock(dir)).toThrow(/locked by pid \d+ on host other-container.*delete .*liandong\.lock/);
		expect(readFileSync(join(dir, LOCK_FILE_NAME), 'utf8')).toBe(`${process.pid}\nother-container\n`);
	});

	it('does not remove a lock file that another process has taken since', () => {
		const lock = acquireDataDirLock(dir);
		writeFileSync(join(dir, LOCK_FILE_NAME), '1\n');
		lock.release();
		expect(readFileSync(join(dir, LOCK_FILE_NAME), 'utf8').trim()).toBe('1');
	});
});
