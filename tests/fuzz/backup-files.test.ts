/**
 * Issue 21: fuzzing of the backup file. Each case starts from a real backup the CLI wrote and breaks it: cut short
 * at any byte, a byte changed, lines dropped, doubled or swapped, hostile lines put in, the format version changed
 * — some resealed with fresh hashes and checksum, so the damage reaches past the checks to the rows themselves.
 * The reader either finds the file whole or refuses it with a worded problem, never another error; verify and
 * restore through the CLI exit 1 with a message and no stack trace, and a refused restore leaves no data folder.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/server.ts';
import { caseIndexes, caseRandom, fuzzConfig, hostileString, pickOf, type Rnd } from '../helpers/fuzz.ts';
import { BackupFileError, BackupHasher, readBackup, ROW_PREFIX } from '../../server/backup/format.ts';

const config = fuzzConfig();
const CASES = caseIndexes(config, 300);

/** Gives a changed file fresh table hashes, manifest counts and checksum, as a careful forger would. */
function reseal(lines: string[]): string {
	const hasher = new BackupHasher();
	const tables: Array<{ name: string; rows: number; bytes: number; sha256: string }> = [];
	let current: string | null = null;
	const out: string[] = [];
	for (const line of lines) {
		const text = `${line}\n`;
		if (line.startsWith('{"checksum"')) continue;
		if (line.startsWith(ROW_PREFIX)) {
			hasher.row(text);
		} else if (line.startsWith('{"table"') || line.startsWith('{"manifest"')) {
			if (current !== null) tables.push(hasher.endTable(current));
			current = null;
			if (line.startsWith('{"table"')) {
				current = (JSON.parse(line) as { table: string }).table;
				hasher.startTable();
			} else {
				const { manifest } = JSON.parse(line) as { manifest: Record<string, unknown> };
				const sealed = `${JSON.stringify({ manifest: { ...manifest, tables } })}\n`;
				hasher.line(sealed);
				out.push(sealed);
				continue;
			}
		}
		hasher.line(text);
		out.push(text);
	}
	return `${out.join('')}${JSON.stringify({ checksum: hasher.wholeDigest() })}\n`;
}

const HOSTILE_LINES = [
	'{}',
	'[]',
	'null',
	'{"table":"users"}',
	'{"table":"no_such_table","bytea":[]}',
	'{"table":"users","bytea":["password_hash"]}',
	'{"r":{}}',
	'{"r":{"id":"x","username":5}}',
	'{"r":[1,2,3]}',
	'{"r":"',
	'{"manifest":{"format":"liandong-backup"}}',
	'{"checksum":"00"}',
	'{"format":"liandong-backup","formatVersion":2}',
	'{"r":{"id":1e999999}}'
];

function mutate(rnd: Rnd, text: string): { bytes: Buffer; how: string } {
	const lines = text.split('\n').filter((l, i, all) => i < all.length - 1 || l !== '');
	const at = () => Math.floor(rnd() * lines.length);
	const how = pickOf(rnd, ['cut', 'byte', 'drop', 'double', 'swap', 'insert', 'version', 'row'] as const);
	const sealed = rnd() < 0.5;
	switch (how) {
		case 'cut':
			return { bytes: Buffer.from(text).subarray(0, Math.floor(rnd() * text.length)), how };
		case 'byte': {
			const bytes = Buffer.from(text);
			bytes[Math.floor(rnd() * bytes.length)] = Math.floor(rnd() * 256);
			return { bytes, how };
		}
		case 'drop':
			lines.splice(at(), 1);
			break;
		case 'double': {
			const i = at();
			lines.splice(i, 0, lines[i]);
			break;
		}
		case 'swap': {
			const [i, j] = [at(), at()];
			[lines[i], lines[j]] = [lines[j], lines[i]];
			break;
		}
		case 'insert':
			lines.splice(1 + Math.floor(rnd() * (lines.length - 1)), 0, rnd() < 0.7 ? pickOf(rnd, HOSTILE_LINES) : `{"r":${JSON.stringify({ x: hostileString(rnd, 'bk') })}}`);
			break;
		case 'version':
			lines[0] = lines[0].replace('"formatVersion":1', `"formatVersion":${pickOf(rnd, ['0', '2', '"1"', 'null'])}`);
			break;
		case 'row': {
			const rows = lines.map((l, i) => (l.startsWith(ROW_PREFIX) ? i : -1)).filter((i) => i >= 0);
			const i = pickOf(rnd, rows);
			lines[i] = `${ROW_PREFIX}${JSON.stringify({ ...JSON.parse(lines[i].slice(ROW_PREFIX.length, -1)), [pickOf(rnd, ['code', 'name_zh', 'nope'])]: hostileString(rnd, 'bk') })}}`;
			break;
		}
	}
	const body = sealed ? reseal(lines) : `${lines.join('\n')}\n`;
	return { bytes: Buffer.from(body), how: `${how}${sealed ? ' (resealed)' : ''}` };
}

describe('the backup file under fuzzing', () => {
	let tmp: string;
	let valid: string;
	const env = () => ({ env: { DATA_DIR: join(tmp, 'data') } });

	beforeAll(async () => {
		tmp = mkdtempSync(join(tmpdir(), 'liandong-fuzz-backup-'));
		const added = await runCli(env(), ['user', 'add', 'fz.backup', '--name', '备份模糊'], 'fuzz-backup-pass\n');
		expect(added.code).toBe(0);
		const made = await runCli(env(), ['backup', join(tmp, 'valid.backup')]);
		expect(made.code).toBe(0);
		valid = readFileSync(join(tmp, 'valid.backup'), 'utf8');
	}, 120_000);
	afterAll(() => {
		if (tmp) rmSync(tmp, { recursive: true, force: true });
	});

	it('reads a damaged or forged file as whole or refuses it with a worded problem, never another error', async () => {
		const path = join(tmp, 'case.backup');
		for (const index of CASES) {
			const { bytes, how } = mutate(caseRandom(config.seed, 'backup', index), valid);
			writeFileSync(path, bytes);
			const outcome = await readBackup(path).then(
				() => 'whole',
				(err: unknown) => err
			);
			if (outcome !== 'whole') {
				expect(outcome, `case ${index} (${how}) failed with something other than a backup problem`).toBeInstanceOf(BackupFileError);
				expect((outcome as Error).message.length, `case ${index} (${how})`).toBeGreaterThan(10);
			}
		}
	}, 300_000);

	it('refuses a damaged file and a forged row through verify and restore, leaving no data folder', async () => {
		const lines = valid.split('\n').slice(0, -1);
		const row = lines.findIndex((l) => l.includes('"fz.backup"'));
		// A boolean column given a word: the database refuses the row, so the whole load rolls back.
		const forgedRow = { ...JSON.parse(lines[row].slice(ROW_PREFIX.length, -1)), is_admin: 'sometimes' };
		lines[row] = `${ROW_PREFIX}${JSON.stringify(forgedRow)}}`;
		const cases = {
			damaged: Buffer.from(valid.replace('备份模糊', '备份模湖')),
			cut: Buffer.from(valid.slice(0, valid.length - 20)),
			forged: Buffer.from(reseal(lines))
		};
		for (const [name, bytes] of Object.entries(cases)) {
			const path = join(tmp, `${name}.backup`);
			writeFileSync(path, bytes);
			const target = { env: { DATA_DIR: join(tmp, `restore-${name}`) } };
			for (const command of ['verify', 'restore']) {
				if (name === 'forged' && command === 'verify') continue;
				const r = await runCli(target, [command, path]);
				expect(r.code, `${command} ${name}: ${r.stderr}`).toBe(1);
				expect(r.stderr).not.toMatch(/\n\s+at /);
				expect(r.stderr.trim().length).toBeGreaterThan(10);
			}
			expect(() => statSync(target.env.DATA_DIR)).toThrow();
		}
	}, 300_000);
});
