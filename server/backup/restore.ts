/**
 * Loads a backup into an empty database in one transaction: the schema as it was when the backup was made
 * (migrated to the backup's last migration), the rows table by table, the sequences moved past them, then the
 * migrations this version adds. Any failure rolls the whole of it back. The file is read twice: once to check it
 * whole before touching the database, once to load it (and checked again as it loads).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { sql, type Kysely, type Transaction } from 'kysely';
import { FileMigrationProvider, Migrator } from 'kysely/migration';
import { BackupFileError, readBackup, type BackupManifest, type TableStart } from './format.ts';
import { ident, readSelfReferences, readSerialColumns, readTables, type TableInfo } from './schema-catalog.ts';

/** Rows sent to the database in one statement, and the most text one statement carries. */
const BATCH_ROWS = 500;
const BATCH_BYTES = 8 * 1024 * 1024;

type AnyDb = Kysely<any>;

/** A backup that cannot go into this target: newer schema, other lineage, a non-empty database. */
export class RestoreRefused extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'RestoreRefused';
	}
}

/** This version's migrations, by name in order. */
export async function listMigrations(folder: string): Promise<string[]> {
	const names = await fs.readdir(folder);
	return names.filter((n) => /\.(ts|js)$/.test(n) && !n.endsWith('.d.ts')).map((n) => n.replace(/\.(ts|js)$/, '')).sort();
}

/** Refuses a backup whose schema this version does not have (newer, or from another line of migrations). */
export function checkMigrationLevel(backup: readonly string[], ours: readonly string[]): void {
	const unknown = backup.filter((name) => !ours.includes(name));
	if (unknown.length) {
		throw new RestoreRefused(
			`The backup's schema is newer than this version of Liandong: it has migration${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}, which this version lacks. Restore it with the version that made it, or a newer one.`
		);
	}
	for (const [i, name] of backup.entries()) {
		if (ours[i] !== name) throw new RestoreRefused(`The backup's migrations are not in this version's order (at ${name}): it belongs to another line of Liandong.`);
	}
}

/** True when the current schema of the database holds no table. */
export async function isDatabaseEmpty(db: AnyDb): Promise<{ empty: boolean; tables: string[] }> {
	const { rows } = await sql<{ name: string }>`select tablename as name from pg_tables where schemaname = current_schema() order by tablename`.execute(db);
	return { empty: rows.length === 0, tables: rows.map((r) => r.name) };
}

/** Checks the file whole and that this version has its schema; answers its manifest. */
export async function checkBackupFits(file: string, migrationFolder: string): Promise<BackupManifest> {
	const { manifest } = await readBackup(file);
	checkMigrationLevel(manifest.migrations, await listMigrations(migrationFolder));
	return manifest;
}

/** Collects rows of one table and inserts them a batch at a time. */
class TableLoader {
	#rows: string[] = [];
	#bytes = 0;
	readonly #insertHead: string;
	readonly #insertTail: string;
	readonly #trx: Transaction<any>;
	readonly #table: string;
	constructor(trx: Transaction<any>, table: TableInfo) {
		this.#trx = trx;
		this.#table = table.name;
		const select = table.columns.map((c) => (table.bytea.includes(c) ? `decode(x.r->>'${c.replaceAll("'", "''")}', 'base64')` : `p.${ident(c)}`));
		// jsonb_populate_record turns each row's JSON back into the column types; bytea comes from its base64.
		this.#insertHead = `insert into ${ident(table.name)} (${table.columns.map(ident).join(', ')}) select ${select.join(', ')} from jsonb_array_elements(`;
		this.#insertTail = `::jsonb) as x(r), jsonb_populate_record(null::${ident(table.name)}, x.r) as p`;
	}
	async add(json: string): Promise<void> {
		this.#rows.push(json);
		this.#bytes += json.length;
		if (this.#rows.length >= BATCH_ROWS || this.#bytes >= BATCH_BYTES) await this.flush();
	}
	async flush(): Promise<void> {
		if (this.#rows.length === 0) return;
		const batch = `[${this.#rows.join(',')}]`;
		this.#rows = [];
		this.#bytes = 0;
		await sql`${sql.raw(this.#insertHead)}${batch}${sql.raw(this.#insertTail)}`.execute(this.#trx).catch((err: unknown) => {
			throw new Error(`loading table ${this.#table} failed: ${err instanceof Error ? err.message : String(err)}`);
		});
	}
}

/**
 * Restores the backup at `file` into `db`, which must be empty. Checks the file whole first; answers with its
 * manifest (`checked`: the caller has checked the file with checkBackupFits). Throws BackupFileError for a bad
 * file, RestoreRefused for a target or schema that does not fit.
 */
export async function restoreDatabase(db: AnyDb, file: string, migrationFolder: string, checked?: BackupManifest): Promise<BackupManifest> {
	const manifest = checked ?? (await checkBackupFits(file, migrationFolder));
	const provider = new FileMigrationProvider({ fs, path, migrationFolder });
	await db.transaction().execute(async (trx) => {
		const target = await isDatabaseEmpty(trx);
		if (!target.empty) {
			throw new RestoreRefused(`The database is not empty (it has ${target.tables.length} tables: ${target.tables.slice(0, 5).join(', ')}${target.tables.length > 5 ? ', …' : ''}). Restore only into an empty database.`);
		}
		const level = manifest.migrations.at(-1)!;
		const toLevel = await new Migrator({ db: trx, provider }).migrateTo(level);
		if (toLevel.error) throw new Error(`migrating to ${level} failed: ${toLevel.error instanceof Error ? toLevel.error.message : String(toLevel.error)}`);
		const tables = new Map((await readTables(trx)).map((t) => [t.name, t]));
		// A table's rows may reference rows of the same table further on (a squadron before its brigade): those
		// checks wait for the end of the load.
		const selfReferences = await readSelfReferences(trx);
		for (const { table, constraint } of selfReferences) {
			await sql.raw(`alter table ${ident(table)} alter constraint ${ident(constraint)} deferrable initially deferred`).execute(trx);
		}
		let loader: TableLoader | null = null;
		const loaded = new Set<string>();
		await readBackup(file, {
			table: async (start: TableStart) => {
				await loader?.flush();
				const info = tables.get(start.name);
				if (!info) throw new BackupFileError(`it holds table ${start.name}, which the schema at ${level} does not have.`);
				if (info.bytea.join() !== start.bytea.join()) throw new BackupFileError(`its table ${start.name} has other binary columns than the schema at ${level}.`);
				loaded.add(start.name);
				loader = new TableLoader(trx, info);
			},
			row: (_table, json) => loader!.add(json)
		});
		await (loader as TableLoader | null)?.flush();
		await sql`set constraints all immediate`.execute(trx);
		for (const { table, constraint } of selfReferences) {
			await sql.raw(`alter table ${ident(table)} alter constraint ${ident(constraint)} not deferrable`).execute(trx);
		}
		for (const { table, column } of await readSerialColumns(trx)) {
			const col = sql.ref(column);
			await sql`select setval(pg_get_serial_sequence(${ident(table)}, ${column}), coalesce(max(${col}), 1), max(${col}) is not null) from ${sql.table(table)}`.execute(trx);
		}
		const toLatest = await new Migrator({ db: trx, provider }).migrateToLatest();
		if (toLatest.error) throw new Error(`migrating to this version failed: ${toLatest.error instanceof Error ? toLatest.error.message : String(toLatest.error)}`);
	});
	return manifest;
}
