import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BACKUP_FORMAT, BACKUP_FORMAT_VERSION, BackupFileError, BackupHasher, readBackup, ROW_PREFIX } from './format.ts';
import { checkMigrationLevel, RestoreRefused } from './restore.ts';

const HEADER = {
	format: BACKUP_FORMAT,
	formatVersion: BACKUP_FORMAT_VERSION,
	appVersion: '0.1.0',
	databaseKind: 'embedded',
	createdAt: '2026-12-04T08:00:00.000Z',
	migrations: ['2026-11-24T00-00-00_foundation']
};

/** A small backup written the way dump.ts writes one: two tables, their hashes, the checksum. */
function smallBackup(rows: Record<string, string[]>): string {
	const hasher = new BackupHasher();
	let text = '';
	const emit = (line: string) => {
		hasher.line(line);
		text += line;
	};
	emit(`${JSON.stringify(HEADER)}\n`);
	const tables = [];
	for (const [name, lines] of Object.entries(rows)) {
		emit(`${JSON.stringify({ table: name, bytea: [] })}\n`);
		hasher.startTable();
		for (const json of lines) {
			const line = `${ROW_PREFIX}${json}}\n`;
			hasher.row(line);
			emit(line);
		}
		tables.push(hasher.endTable(name));
	}
	emit(`${JSON.stringify({ manifest: { ...HEADER, tables } })}\n`);
	return `${text}${JSON.stringify({ checksum: hasher.wholeDigest() })}\n`;
}

describe('readBackup', () => {
	let dir: string;
	const file = (text: string) => {
		const path = join(dir, `${Math.random().toString(36).slice(2)}.backup`);
		writeFileSync(path, text);
		return path;
	};
	const problemOf = async (text: string) => {
		const err = await readBackup(file(text)).then(() => null, (e: unknown) => e);
		expect(err).toBeInstanceOf(BackupFileError);
		return (err as Error).message;
	};
	beforeAll(() => {
		dir = mkdtempSync(join(tmpdir(), 'liandong-format-'));
	});
	afterAll(() => rmSync(dir, { recursive: true, force: true }));

	const valid = smallBackup({ agencies: ['{"code": "station"}', '{"code": "cid"}'], users: ['{"id": "u1"}'] });

	it('reads a whole file: its manifest, row counts and the rows in order', async () => {
		const seen: string[] = [];
		const { manifest } = await readBackup(file(valid), { row: (t, json) => void seen.push(`${t.name} ${json}`) });
		expect(manifest.tables.map((t) => [t.name, t.rows])).toEqual([
			['agencies', 2],
			['users', 1]
		]);
		expect(seen).toEqual(['agencies {"code": "station"}', 'agencies {"code": "cid"}', 'users {"id": "u1"}']);
	});

	it('names the table whose rows were changed', async () => {
		expect(await problemOf(valid.replace('"cid"', '"cjd"'))).toBe('table agencies does not match its SHA-256 in the manifest: its rows have been changed.');
	});

	it('says a file is cut short, at any point', async () => {
		for (const cut of [valid.length - 1, valid.lastIndexOf('{"checksum"'), valid.indexOf('{"manifest"'), 40]) {
			expect(await problemOf(valid.slice(0, cut))).toMatch(/cut short/);
		}
	});

	it('refuses another format version and what is not a backup', async () => {
		expect(await problemOf(valid.replace('"formatVersion":1', '"formatVersion":2'))).toMatch(/format 2; this version reads format 1/);
		expect(await problemOf('hello\n')).toMatch(/line 1 is not JSON/);
		expect(await problemOf('')).toBe('it is empty.');
	});

	it('refuses a changed header even with every table intact', async () => {
		expect(await problemOf(valid.replace('"appVersion":"0.1.0"', '"appVersion":"0.1.1"'))).toMatch(/checksum does not match/);
	});
});

describe('checkMigrationLevel', () => {
	const ours = ['a', 'b', 'c'];
	it('takes a backup at this version or an older one', () => {
		expect(() => checkMigrationLevel(['a', 'b', 'c'], ours)).not.toThrow();
		expect(() => checkMigrationLevel(['a'], ours)).not.toThrow();
	});
	it('refuses a backup whose schema is newer, naming the migrations this version lacks', () => {
		expect(() => checkMigrationLevel(['a', 'b', 'c', 'd'], ours)).toThrow(RestoreRefused);
		expect(() => checkMigrationLevel(['a', 'b', 'c', 'd'], ours)).toThrow(/newer than this version of Liandong: it has migration d,/);
	});
	it('refuses migrations in another order', () => {
		expect(() => checkMigrationLevel(['a', 'c'], ours)).toThrow(/not in this version's order \(at c\)/);
	});
});
