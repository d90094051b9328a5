import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Kysely } from 'kysely';
import { FileMigrationProvider, Migrator } from 'kysely/migration';
import type { DB } from './schema.ts';

/**
 * Applies every migration in `folder` that has not run yet. Kysely's migrator takes a database lock, so two
 * processes starting at once apply each migration exactly once.
 */
export async function migrateToLatest(db: Kysely<DB>, folder: string): Promise<string[]> {
	const migrator = new Migrator({
		db,
		provider: new FileMigrationProvider({ fs, path, migrationFolder: folder })
	});
	const { error, results } = await migrator.migrateToLatest();
	if (error) {
		const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
		const reason = error instanceof Error ? error.message : String(error);
		throw new Error(`migration ${failed} failed: ${reason}`);
	}
	return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
