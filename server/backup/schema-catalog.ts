/**
 * What a backup needs to know of the migrated schema, read from the database's own catalog so that it follows
 * every migration without a list to keep: the tables, their columns and binary columns, primary keys, foreign
 * keys (for the order of tables and the self-references restore defers), and serial columns.
 */
import { sql, type Kysely } from 'kysely';

/** Kysely's own bookkeeping: the list of migrations goes into the manifest, the lock is never copied. */
export const MIGRATION_TABLES = new Set(['kysely_migration', 'kysely_migration_lock']);

export interface TableInfo {
	name: string;
	/** Columns in table order, without generated ones (the database computes those). */
	columns: string[];
	bytea: string[];
	primaryKey: string[];
}

type AnyDb = Kysely<any>;

/** Quotes an identifier read from the catalog. */
export function ident(name: string): string {
	return `"${name.replaceAll('"', '""')}"`;
}

/** The tables of the current schema, parents before the tables that reference them. */
export async function readTables(db: AnyDb): Promise<TableInfo[]> {
	const { rows: columns } = await sql<{ table_name: string; column_name: string; data_type: string }>`
		select table_name, column_name, data_type from information_schema.columns
		where table_schema = current_schema() and is_generated = 'NEVER'
		order by table_name, ordinal_position`.execute(db);
	const { rows: keys } = await sql<{ table_name: string; column_name: string }>`
		select c.relname as table_name, a.attname as column_name
		from pg_index i
		join pg_class c on c.oid = i.indrelid
		join pg_namespace n on n.oid = c.relnamespace and n.nspname = current_schema()
		join lateral unnest(i.indkey) with ordinality as k(attnum, ord) on true
		join pg_attribute a on a.attrelid = c.oid and a.attnum = k.attnum
		where i.indisprimary
		order by c.relname, k.ord`.execute(db);
	const { rows: references } = await sql<{ child: string; parent: string }>`
		select distinct c.relname as child, p.relname as parent
		from pg_constraint f
		join pg_class c on c.oid = f.conrelid
		join pg_class p on p.oid = f.confrelid
		join pg_namespace n on n.oid = c.relnamespace and n.nspname = current_schema()
		where f.contype = 'f'`.execute(db);
	const tables = new Map<string, TableInfo>();
	for (const c of columns) {
		if (MIGRATION_TABLES.has(c.table_name)) continue;
		let t = tables.get(c.table_name);
		if (!t) tables.set(c.table_name, (t = { name: c.table_name, columns: [], bytea: [], primaryKey: [] }));
		t.columns.push(c.column_name);
		if (c.data_type === 'bytea') t.bytea.push(c.column_name);
	}
	for (const k of keys) tables.get(k.table_name)?.primaryKey.push(k.column_name);
	// Depth-first: a table comes after every table it references (a self-reference is left to restore).
	const parents = new Map<string, string[]>();
	for (const r of references) if (r.child !== r.parent) parents.set(r.child, [...(parents.get(r.child) ?? []), r.parent]);
	const ordered: TableInfo[] = [];
	const placed = new Set<string>();
	const visiting = new Set<string>();
	const place = (name: string) => {
		if (placed.has(name) || visiting.has(name) || !tables.has(name)) return;
		visiting.add(name);
		for (const parent of (parents.get(name) ?? []).sort()) place(parent);
		visiting.delete(name);
		placed.add(name);
		ordered.push(tables.get(name)!);
	};
	for (const name of [...tables.keys()].sort()) place(name);
	return ordered;
}

/** The migrations applied, in order. */
export async function readMigrations(db: AnyDb): Promise<string[]> {
	const { rows } = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db).catch(() => ({ rows: [] }));
	return rows.map((r) => r.name);
}

/** Foreign keys of a table onto itself (teams under teams), which restore checks at the end of the load. */
export async function readSelfReferences(db: AnyDb): Promise<Array<{ table: string; constraint: string }>> {
	const { rows } = await sql<{ table: string; constraint: string }>`
		select c.relname as table, f.conname as constraint
		from pg_constraint f
		join pg_class c on c.oid = f.conrelid
		join pg_namespace n on n.oid = c.relnamespace and n.nspname = current_schema()
		where f.contype = 'f' and f.conrelid = f.confrelid and not f.condeferrable`.execute(db);
	return rows;
}

/** Columns filled from a sequence (bigserial), whose sequence restore moves past the loaded rows. */
export async function readSerialColumns(db: AnyDb): Promise<Array<{ table: string; column: string }>> {
	const { rows } = await sql<{ table: string; column: string }>`
		select table_name as table, column_name as column from information_schema.columns
		where table_schema = current_schema() and column_default like 'nextval(%'`.execute(db);
	return rows;
}
