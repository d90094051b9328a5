/**
 * Writes a backup of a database of either kind: every table of the migrated schema in one read-only
 * REPEATABLE READ transaction, so the file is one moment of the database however busy it is. On PostgreSQL
 * writers go on beside it; the embedded database has one connection, so its writers wait until the read ends.
 * Rows come through a cursor a few at a time and go out as they come, so a table of photos never sits in memory.
 */
import { sql, type Kysely } from 'kysely';
import { BACKUP_FORMAT, BACKUP_FORMAT_VERSION, BackupHasher, ROW_PREFIX, type BackupHeader, type BackupManifest, type TableSummary } from './format.ts';
import { ident, readMigrations, readTables, type TableInfo } from './schema-catalog.ts';

/** Rows fetched at a time: few where a row may hold a photo, more where rows are small. */
const ROWS_PER_FETCH = 200;
const ROWS_PER_FETCH_BINARY = 4;

export interface DumpOptions {
	appVersion: string;
	databaseKind: 'embedded' | 'postgres';
	/** Takes each piece of the file in order; waits while the reader is behind. */
	write(text: string): Promise<void>;
	now?: () => Date;
}

// `any`: the backup walks whatever tables the migrations made, not the app's typed schema.
type AnyDb = Kysely<any>;

/** One row as JSON text, made by the database: bytea as base64 without line breaks, every other column as is. */
function rowSelect(table: TableInfo): string {
	const fields = table.columns.map((c) => {
		const value = table.bytea.includes(c) ? `translate(encode(t.${ident(c)}, 'base64'), E'\\n', '')` : `t.${ident(c)}`;
		return `'${c.replaceAll("'", "''")}', ${value}`;
	});
	// json_build_object takes at most 100 arguments: wide tables are built from pieces.
	const pieces: string[] = [];
	for (let i = 0; i < fields.length; i += 40) pieces.push(`jsonb_build_object(${fields.slice(i, i + 40).join(', ')})`);
	const order = table.primaryKey.length ? ` order by ${table.primaryKey.map((c) => `t.${ident(c)}`).join(', ')}` : '';
	return `select (${pieces.join(' || ')})::text as r from ${ident(table.name)} t${order}`;
}

/** Writes the whole backup; answers with its manifest. */
export async function dumpDatabase(db: AnyDb, options: DumpOptions): Promise<BackupManifest> {
	return db.transaction().execute(async (trx) => {
		await sql`set transaction isolation level repeatable read, read only`.execute(trx);
		const migrations = await readMigrations(trx);
		if (migrations.length === 0) throw new Error('the database has no migrations applied: there is nothing to back up');
		const tables = await readTables(trx);
		const header: BackupHeader = {
			format: BACKUP_FORMAT,
			formatVersion: BACKUP_FORMAT_VERSION,
			appVersion: options.appVersion,
			databaseKind: options.databaseKind,
			createdAt: (options.now?.() ?? new Date()).toISOString(),
			migrations
		};
		const hasher = new BackupHasher();
		const emit = async (line: string) => {
			hasher.line(line);
			await options.write(line);
		};
		await emit(`${JSON.stringify(header)}\n`);
		const summaries: TableSummary[] = [];
		for (const table of tables) {
			await emit(`${JSON.stringify({ table: table.name, bytea: table.bytea })}\n`);
			hasher.startTable();
			await sql.raw(`declare liandong_backup no scroll cursor for ${rowSelect(table)}`).execute(trx);
			const fetch = sql.raw<{ r: string }>(`fetch forward ${table.bytea.length ? ROWS_PER_FETCH_BINARY : ROWS_PER_FETCH} from liandong_backup`);
			for (;;) {
				const { rows } = await fetch.execute(trx);
				if (rows.length === 0) break;
				let chunk = '';
				for (const { r } of rows) {
					const line = `${ROW_PREFIX}${r}}\n`;
					hasher.row(line);
					hasher.line(line);
					chunk += line;
				}
				await options.write(chunk);
			}
			await sql`close liandong_backup`.execute(trx);
			summaries.push(hasher.endTable(table.name));
		}
		const manifest: BackupManifest = { ...header, tables: summaries };
		await emit(`${JSON.stringify({ manifest })}\n`);
		await options.write(`${JSON.stringify({ checksum: hasher.wholeDigest() })}\n`);
		return manifest;
	});
}
