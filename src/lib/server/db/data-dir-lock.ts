/**
 * An exclusive lock on an embedded data folder. PGlite has no lock of its own, and two processes writing one
 * data folder corrupt it, so the first process to open the folder writes its pid into `liandong.lock` with
 * O_EXCL ('wx'); any later process finds the file, checks whether that pid still lives, and refuses to start.
 * A lock left by a process that died without releasing it (kill -9, power loss) names a dead pid and is taken over.
 *
 * In a container the server is pid 1 at every start, so a lock left by a crash names the pid of the process that
 * finds it. The file also names the host (a container's hostname is its id, kept across restarts): a lock of our
 * own pid and host that this process did not take is an earlier run's, and is taken over; of our pid on another
 * host it may be a live container sharing the volume, and is refused.
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { StartupError } from './errors.ts';

export const LOCK_FILE_NAME = 'liandong.lock';

export interface DataDirLock {
	path: string;
	/** Removes the lock file if it is still ours; safe to call more than once. */
	release(): void;
}

/** True when a process with this pid exists (EPERM: it exists but belongs to another user). */
export function isProcessAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (err) {
		return (err as NodeJS.ErrnoException).code === 'EPERM';
	}
}

/** Lock files this process holds now: the one way to tell our own lock from an earlier run's with our pid. */
const heldHere = new Set<string>();

/** The pid on a lock file's first line and the host on its second (absent in files written before hosts were). */
function readLock(path: string): { pid: number; host: string | null } | null {
	try {
		const [first, second] = readFileSync(path, 'utf8').split('\n');
		const pid = Number.parseInt(first.trim(), 10);
		return Number.isInteger(pid) && pid > 0 ? { pid, host: second?.trim() || null } : null;
	} catch {
		return null;
	}
}

/**
 * Takes the lock on `folder` (which must exist) or throws a StartupError naming the process that holds it.
 */
export function acquireDataDirLock(folder: string): DataDirLock {
	const path = resolve(folder, LOCK_FILE_NAME);
	// Three rounds are enough: each round either creates the file, refuses, or clears one stale file; a
	// second round can only lose to another process that is taking over the same stale lock at this moment.
	for (let round = 0; round < 3; round++) {
		try {
			writeFileSync(path, `${process.pid}\n${hostname()}\n`, { flag: 'wx' });
			return ownedLock(path);
		} catch (err) {
			if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
		}
		const holder = readLock(path);
		if (holder?.pid === process.pid) {
			if (heldHere.has(path)) {
				throw new StartupError(`DATA_DIR ${folder} is already open in this process; open it once and share the handle.`);
			}
			if (holder.host !== null && holder.host !== hostname()) {
				throw new StartupError(
					`DATA_DIR ${folder} is locked by pid ${holder.pid} on host ${holder.host}, which may be another container sharing this folder. ` +
						`Stop it first; if it is gone for good, delete ${path}.`
				);
			}
			// Otherwise an earlier run on this host with the pid we have now (a restarted container) left it.
		} else if (holder !== null && isProcessAlive(holder.pid)) {
			throw new StartupError(
				`DATA_DIR ${folder} is in use by another Liandong process (pid ${holder.pid}). Stop it first, or use DATABASE_URL.`
			);
		}
		// Stale (dead pid) or unreadable (a crash between create and write). Move it aside under a name of our
		// own rather than deleting it: rename is atomic, so of two processes taking over at once only one moves
		// the stale file, and neither can delete a lock the other has just created.
		const aside = `${path}.stale-${process.pid}`;
		try {
			renameSync(path, aside);
		} catch (err) {
			if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
			throw err;
		}
		const moved = readLock(aside);
		if (moved !== null && moved.pid !== holder?.pid && isProcessAlive(moved.pid)) {
			// We moved a lock that a live process created after our check: put it back and refuse.
			renameSync(aside, path);
			throw new StartupError(
				`DATA_DIR ${folder} is in use by another Liandong process (pid ${moved.pid}). Stop it first, or use DATABASE_URL.`
			);
		}
		rmSync(aside, { force: true });
	}
	throw new StartupError(`Cannot lock DATA_DIR ${folder}: another process keeps taking the lock. Try again.`);
}

function ownedLock(path: string): DataDirLock {
	let held = true;
	heldHere.add(path);
	// A process that exits without closing the database (an uncaught error) still frees the folder; only a
	// kill -9 leaves a stale lock, which the next start takes over.
	const onExit = () => release();
	process.once('exit', onExit);
	function release() {
		if (!held) return;
		held = false;
		heldHere.delete(path);
		process.removeListener('exit', onExit);
		if (readLock(path)?.pid === process.pid) rmSync(path, { force: true });
	}
	return { path, release };
}
