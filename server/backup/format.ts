/**
 * The backup file: JSON Lines, one database of either kind in the same form, so a backup of the embedded database
 * restores into PostgreSQL and back.
 *
 *   {"format":"liandong-backup","formatVersion":1,...header}        first line: what and when (BackupHeader)
 *   {"table":"agencies","bytea":[]}                                  each table, in foreign-key order, then its rows:
 *   {"r":{"code":"station",...}}                                     one row a line, as the database wrote it to JSON
 *   {"manifest":{...header,"tables":[{name,rows,bytes,sha256}]}}     the manifest: row counts and each table's hash
 *   {"checksum":"<sha256 of every byte before this line>"}           last line
 *
 * Rows are the database's own JSON of each column (timestamps keep their microseconds, numbers their digits);
 * bytea columns, named on the table line, are base64. A table's hash covers its row lines, the checksum the
 * whole file before the last line. The reader below checks all of it streaming, never holding the file.
 */
import { createReadStream } from 'node:fs';
import { createHash, type Hash } from 'node:crypto';

export const BACKUP_FORMAT = 'liandong-backup';
export const BACKUP_FORMAT_VERSION = 1;

export interface BackupHeader {
	format: typeof BACKUP_FORMAT;
	formatVersion: number;
	appVersion: string;
	databaseKind: 'embedded' | 'postgres';
	createdAt: string;
	/** Migrations applied in the backed-up database, in order (the schema the rows belong to). */
	migrations: string[];
}

export interface TableSummary {
	name: string;
	rows: number;
	/** Bytes of the table's row lines. */
	bytes: number;
	sha256: string;
}

export interface BackupManifest extends BackupHeader {
	tables: TableSummary[];
}

/** Where a line of rows starts; the row's JSON follows and one `}` closes the line. */
export const ROW_PREFIX = '{"r":';

/** A problem with a backup file, worded for the person who runs verify or restore. */
export class BackupFileError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'BackupFileError';
	}
}

/** Hashes as lines are written or read: one hash of the whole, one of the current table. */
export class BackupHasher {
	readonly #whole: Hash = createHash('sha256');
	#table: Hash | null = null;
	#rows = 0;
	#bytes = 0;
	/** A line that is part of the whole (every line but the checksum). */
	line(text: string): void {
		this.#whole.update(text);
	}
	startTable(): void {
		this.#table = createHash('sha256');
		this.#rows = 0;
		this.#bytes = 0;
	}
	row(text: string): void {
		this.#table?.update(text);
		this.#rows++;
		this.#bytes += Buffer.byteLength(text);
	}
	endTable(name: string): TableSummary {
		const sha256 = this.#table?.digest('hex') ?? '';
		this.#table = null;
		return { name, rows: this.#rows, bytes: this.#bytes, sha256 };
	}
	wholeDigest(): string {
		return this.#whole.digest('hex');
	}
}

/** The longest line read (a row with a 64 MB file is about 86 MB in base64 and JSON). */
const MAX_LINE_BYTES = 256 * 1024 * 1024;

/** Reads a file's lines (with their newline) as strings, refusing one past MAX_LINE_BYTES. */
export async function* readLines(path: string): AsyncGenerator<string> {
	const stream = createReadStream(path);
	let parts: Buffer[] = [];
	let held = 0;
	try {
		for await (const chunk of stream as AsyncIterable<Buffer>) {
			let start = 0;
			for (;;) {
				const nl = chunk.indexOf(10, start);
				if (nl < 0) break;
				parts.push(chunk.subarray(start, nl + 1));
				yield Buffer.concat(parts).toString('utf8');
				parts = [];
				held = 0;
				start = nl + 1;
			}
			if (start < chunk.length) {
				parts.push(chunk.subarray(start));
				held += chunk.length - start;
				if (held > MAX_LINE_BYTES) throw new BackupFileError('it has a line longer than any backup writes: not a Liandong backup, or damaged.');
			}
		}
	} catch (err) {
		if (err instanceof BackupFileError) throw err;
		const code = (err as NodeJS.ErrnoException).code;
		throw new BackupFileError(code === 'ENOENT' ? 'the file does not exist.' : `it cannot be read (${code ?? err}).`);
	} finally {
		stream.destroy();
	}
	if (held > 0) yield Buffer.concat(parts).toString('utf8');
}

function parseLine(line: string, lineNo: number): Record<string, unknown> {
	let value: unknown;
	try {
		value = JSON.parse(line);
	} catch {
		throw new BackupFileError(`line ${lineNo} is not JSON: the file is damaged.`);
	}
	if (!value || typeof value !== 'object' || Array.isArray(value)) throw new BackupFileError(`line ${lineNo} is not a backup record: the file is damaged.`);
	return value as Record<string, unknown>;
}

const isText = (v: unknown): v is string => typeof v === 'string';

function checkHeader(value: Record<string, unknown>, where: string): BackupHeader {
	if (value.format !== BACKUP_FORMAT) throw new BackupFileError(`${where} does not say ${BACKUP_FORMAT}: this is not a Liandong backup.`);
	if (value.formatVersion !== BACKUP_FORMAT_VERSION) {
		throw new BackupFileError(`it is in backup format ${String(value.formatVersion)}; this version reads format ${BACKUP_FORMAT_VERSION}. Use a newer Liandong.`);
	}
	if (!isText(value.appVersion) || !isText(value.createdAt) || (value.databaseKind !== 'embedded' && value.databaseKind !== 'postgres')) {
		throw new BackupFileError(`${where} lacks the app version, the time or the database kind: the file is damaged.`);
	}
	if (!Array.isArray(value.migrations) || value.migrations.length === 0 || !value.migrations.every(isText)) {
		throw new BackupFileError(`${where} lacks the list of migrations: the file is damaged.`);
	}
	return {
		format: BACKUP_FORMAT,
		formatVersion: BACKUP_FORMAT_VERSION,
		appVersion: value.appVersion,
		databaseKind: value.databaseKind,
		createdAt: value.createdAt,
		migrations: value.migrations as string[]
	};
}

export interface TableStart {
	name: string;
	bytea: string[];
}

/** What a reader is told as it walks a backup: each table as it starts, and each row's JSON text. */
export interface BackupVisitor {
	header?(header: BackupHeader): Promise<void> | void;
	table?(table: TableStart): Promise<void> | void;
	row?(table: TableStart, json: string): Promise<void> | void;
}

/**
 * Reads a backup from start to end and checks everything: the header, each line's form, each table's row count
 * and hash against the manifest, and the checksum over the whole. Throws a BackupFileError naming the first
 * problem; the visitor sees the rows as they come (restore loads them inside a transaction it rolls back if the
 * file turns out bad further on). Answers with the manifest and the file's size.
 */
export async function readBackup(path: string, visitor: BackupVisitor = {}): Promise<{ manifest: BackupManifest; fileBytes: number }> {
	const hasher = new BackupHasher();
	let header: BackupHeader | null = null;
	let current: TableStart | null = null;
	const seen: TableSummary[] = [];
	let manifest: BackupManifest | null = null;
	let checksum: string | null = null;
	let lineNo = 0;
	let fileBytes = 0;
	for await (const line of readLines(path)) {
		lineNo++;
		fileBytes += Buffer.byteLength(line);
		if (checksum !== null) throw new BackupFileError(`it goes on after its checksum (line ${lineNo}): the file is damaged.`);
		if (!line.endsWith('\n')) throw new BackupFileError('it ends in the middle of a line: the file is cut short (an unfinished copy?).');
		if (lineNo === 1) {
			header = checkHeader(parseLine(line, lineNo), 'its first line');
			hasher.line(line);
			await visitor.header?.(header);
			continue;
		}
		if (line.startsWith(ROW_PREFIX)) {
			if (!current || manifest) throw new BackupFileError(`line ${lineNo} is a row outside any table: the file is damaged.`);
			const body = line.slice(ROW_PREFIX.length, -1).trimEnd();
			if (!body.endsWith('}')) throw new BackupFileError(`line ${lineNo} is not a whole row: the file is damaged.`);
			parseLine(line, lineNo);
			hasher.line(line);
			hasher.row(line);
			await visitor.row?.(current, body.slice(0, -1));
			continue;
		}
		const value = parseLine(line, lineNo);
		if (isText(value.table)) {
			if (manifest) throw new BackupFileError(`line ${lineNo} starts a table after the manifest: the file is damaged.`);
			if (current) seen.push(hasher.endTable(current.name));
			const bytea = Array.isArray(value.bytea) && value.bytea.every(isText) ? (value.bytea as string[]) : null;
			if (!bytea) throw new BackupFileError(`line ${lineNo} starts table ${value.table} without its list of binary columns: the file is damaged.`);
			current = { name: value.table, bytea };
			hasher.line(line);
			hasher.startTable();
			await visitor.table?.(current);
		} else if (value.manifest && typeof value.manifest === 'object') {
			if (manifest) throw new BackupFileError(`line ${lineNo} is a second manifest: the file is damaged.`);
			if (current) seen.push(hasher.endTable(current.name));
			current = null;
			const m = value.manifest as Record<string, unknown>;
			const tables = Array.isArray(m.tables) ? (m.tables as TableSummary[]) : null;
			if (!tables) throw new BackupFileError('its manifest lists no tables: the file is damaged.');
			manifest = { ...checkHeader(m, 'its manifest'), tables };
			hasher.line(line);
		} else if (isText(value.checksum)) {
			checksum = value.checksum;
		} else {
			throw new BackupFileError(`line ${lineNo} is not a backup record: the file is damaged.`);
		}
	}
	if (!header) throw new BackupFileError('it is empty.');
	if (!manifest) throw new BackupFileError('it has no manifest: the file is cut short (an unfinished copy?).');
	if (checksum === null) throw new BackupFileError('it has no checksum line: the file is cut short (an unfinished copy?).');
	if (JSON.stringify(manifest.migrations) !== JSON.stringify(header.migrations)) {
		throw new BackupFileError('its manifest and first line name different migrations: the file is damaged.');
	}
	if (manifest.tables.length !== seen.length) {
		throw new BackupFileError(`its manifest lists ${manifest.tables.length} tables but it holds ${seen.length}: the file is damaged.`);
	}
	for (const [i, listed] of manifest.tables.entries()) {
		const found = seen[i];
		if (listed?.name !== found.name) throw new BackupFileError(`its manifest lists table ${listed?.name} where the file holds ${found.name}: the file is damaged.`);
		if (listed.rows !== found.rows) throw new BackupFileError(`table ${found.name} holds ${found.rows} rows; its manifest says ${listed.rows}.`);
		if (listed.sha256 !== found.sha256) throw new BackupFileError(`table ${found.name} does not match its SHA-256 in the manifest: its rows have been changed.`);
	}
	// Last, so that a changed row is named by its table above; this catches a change anywhere else.
	if (hasher.wholeDigest() !== checksum) throw new BackupFileError('its checksum does not match its contents: the file has been changed or damaged.');
	return { manifest, fileBytes };
}
