import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, StartupError } from './database.ts';
import { LOCK_FILE_NAME } from './data-dir-lock.ts';

describe('the embedded database in a new folder', () => {
	it('names the folder and the reason when the database cannot be created there, and leaves the folder free', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'liandong-initdb-'));
		try {
			// Where the database's own folder should go there is a file: creating it fails in the process that tries.
			writeFileSync(join(dir, 'pgdata'), 'not a folder');
			const opening = openDatabase({ dataDir: dir });
			await expect(opening).rejects.toBeInstanceOf(StartupError);
			await expect(opening).rejects.toThrow(/Cannot open the embedded database in .*pgdata \(creating the database failed \(exit 1\): the file system refused it/);
			// The lock was given back: the folder is not left claimed by a process that never opened it.
			expect(existsSync(join(dir, LOCK_FILE_NAME))).toBe(false);
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	}, 60_000);
});
