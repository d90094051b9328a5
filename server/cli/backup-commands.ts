/**
 * `backup`, `restore` and `verify`: unlike the other commands they open the database their own way. A backup
 * never migrates what it reads and, on the embedded database, asks the running server for the backup when there
 * is one (admin-socket.ts); a restore writes into an empty target only, leaving it as it was on any failure.
 */
import http from 'node:http';
import { createWriteStream, existsSync, linkSync, mkdirSync, readdirSync, renameSync, rmdirSync, rmSync, promises as fsp } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { once } from 'node:events';
import { pipeline } from 'node:stream/promises';
import type { Writable } from 'node:stream';
import { readConfig } from '../config.ts';
import { adminSocketPath } from '../admin-socket.ts';
import { dumpDatabase } from '../backup/dump.ts';
import { BackupFileError, readBackup, type BackupManifest } from '../backup/format.ts';
import { checkBackupFits, restoreDatabase, RestoreRefused } from '../backup/restore.ts';
import { openDatabase } from '../../src/lib/server/db/database.ts';
import { acquireDataDirLock, LOCK_FILE_NAME } from '../../src/lib/server/db/data-dir-lock.ts';
import type { ParsedCommand } from '../cli-args.ts';
import { failed, formatTable } from './context.ts';

export interface StandaloneContext {
	print(line: string): void;
	/** This version's migration folder and package version. */
	migrations: string;
	appVersion: string;
}

export type StandaloneHandler = (ctx: StandaloneContext, cmd: ParsedCommand) => Promise<void>;

/** Sizes as people read them: 3.4 MiB. */
export function formatBytes(bytes: number): string {
	if (bytes < 1024) return `${bytes} B`;
	const units = ['KiB', 'MiB', 'GiB', 'TiB'];
	let value = bytes / 1024;
	let unit = 0;
	while (value >= 1024 && unit < units.length - 1) {
		value /= 1024;
		unit++;
	}
	return `${value.toFixed(1)} ${units[unit]}`;
}

function printSummary(ctx: StandaloneContext, manifest: BackupManifest, fileBytes: number): void {
	const rows = manifest.tables.reduce((n, t) => n + t.rows, 0);
	ctx.print(`Liandong ${manifest.appVersion}, ${manifest.databaseKind} database, made ${manifest.createdAt}`);
	ctx.print(`Schema at ${manifest.migrations.at(-1)} (${manifest.migrations.length} migrations)`);
	ctx.print(`${manifest.tables.length} tables, ${rows} rows, ${formatBytes(fileBytes)}`);
	ctx.print('');
	for (const line of formatTable(
		['table', 'rows', 'size'],
		manifest.tables.map((t) => [t.name, String(t.rows), formatBytes(t.bytes)])
	)) {
		ctx.print(`  ${line}`);
	}
}

function unusable(file: string, err: BackupFileError): Error {
	return failed(`The backup ${file} cannot be used: ${err.message}`);
}

/** Writes text to a file stream, waiting while the disk is behind. */
function writerTo(stream: Writable): (text: string) => Promise<void> {
	return async (text) => {
		if (!stream.write(text)) await once(stream, 'drain');
	};
}

/** Asks the server that holds the embedded data folder for a backup; false when no server answers there. */
async function backupThroughServer(dataDir: string, out: Writable): Promise<boolean> {
	const socketPath = adminSocketPath(dataDir);
	if (!existsSync(socketPath)) return false;
	const res = await new Promise<http.IncomingMessage | null>((done, fail) => {
		const req = http.request({ socketPath, path: '/backup', method: 'POST' }, done);
		req.on('error', (err: NodeJS.ErrnoException) => {
			if (err.code === 'ECONNREFUSED' || err.code === 'ENOENT') done(null);
			else if (err.code === 'EACCES') fail(failed(`Cannot reach the running server at ${socketPath}: run the backup as the user the server runs as.`));
			else fail(err);
		});
		req.end();
	});
	if (!res) return false;
	if (res.statusCode !== 200) {
		let text = '';
		for await (const chunk of res) text += chunk;
		throw failed(`The running server refused the backup: ${text || `status ${res.statusCode}`}`);
	}
	await pipeline(res, out, { end: false });
	return true;
}

async function backup(ctx: StandaloneContext, cmd: ParsedCommand): Promise<void> {
	const config = readConfig();
	const file = resolve(cmd.args.file);
	if (existsSync(file)) throw failed(`${file} already exists; choose another name (a backup never overwrites a file).`);
	if (!existsSync(dirname(file))) throw failed(`The folder ${dirname(file)} does not exist.`);
	// Written beside the target under a temporary name and put in place once whole and checked: a file under the
	// backup's name is always a complete backup.
	const temp = join(dirname(file), `.${Date.now().toString(36)}-${process.pid}.partial`);
	const out = createWriteStream(temp, { flags: 'wx', mode: 0o600 });
	try {
		await once(out, 'open');
		const write = writerTo(out);
		let through = 'a direct read';
		if (config.databaseUrl) {
			const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 1 });
			try {
				await dumpDatabase(database.db, { appVersion: ctx.appVersion, databaseKind: 'postgres', write });
			} finally {
				await database.close();
			}
		} else if (await backupThroughServer(config.dataDir, out)) {
			through = 'the running server';
		} else {
			if (!existsSync(join(resolve(config.dataDir), 'pgdata'))) throw failed(`There is no database in DATA_DIR ${resolve(config.dataDir)} to back up.`);
			const database = await openDatabase({ dataDir: config.dataDir });
			try {
				await dumpDatabase(database.db, { appVersion: ctx.appVersion, databaseKind: 'embedded', write });
			} finally {
				await database.close();
			}
		}
		out.end();
		await once(out, 'finish');
		const handle = await fsp.open(temp, 'r');
		await handle.sync().finally(() => handle.close());
		let checked: Awaited<ReturnType<typeof readBackup>>;
		try {
			checked = await readBackup(temp);
		} catch (err) {
			if (err instanceof BackupFileError) throw failed(`The backup came out incomplete (${err.message}); nothing was kept.`);
			throw err;
		}
		// A hard link, not a rename: it fails rather than replace a file made under that name meanwhile.
		try {
			linkSync(temp, file);
		} catch (err) {
			if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw failed(`${file} appeared while the backup was written; nothing was replaced.`);
			throw err;
		}
		rmSync(temp, { force: true });
		ctx.print(`Backed up to ${file} (through ${through}).`);
		printSummary(ctx, checked.manifest, checked.fileBytes);
	} catch (err) {
		out.destroy();
		rmSync(temp, { force: true });
		throw err;
	}
}

async function verify(ctx: StandaloneContext, cmd: ParsedCommand): Promise<void> {
	const file = resolve(cmd.args.file);
	try {
		const { manifest, fileBytes } = await readBackup(file);
		ctx.print(`${file} is a whole Liandong backup: its manifest and every checksum match.`);
		printSummary(ctx, manifest, fileBytes);
	} catch (err) {
		if (err instanceof BackupFileError) throw unusable(file, err);
		throw err;
	}
}

/** Lists what a folder holds, or null when it does not exist. */
function entriesOf(folder: string): string[] | null {
	try {
		return readdirSync(folder);
	} catch (err) {
		if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
		throw err;
	}
}

/**
 * Restores into an empty embedded data folder: into a folder of its own inside it first, renamed to `pgdata`
 * only when the whole load has committed, so a failure leaves the folder empty as it was.
 */
async function restoreEmbedded(ctx: StandaloneContext, file: string, dataDir: string, checked: BackupManifest): Promise<BackupManifest> {
	const folder = resolve(dataDir);
	const before = entriesOf(folder);
	if (before && before.length > 0) {
		throw failed(`DATA_DIR ${folder} is not empty (it holds ${before.slice(0, 5).join(', ')}${before.length > 5 ? ', …' : ''}). Restore only into an empty or new folder.`);
	}
	if (before === null) mkdirSync(folder, { recursive: true });
	// Held through the restore: no server may start on the folder while it is being filled.
	const lock = acquireDataDirLock(folder);
	const work = join(folder, `.restoring-${process.pid}`);
	try {
		const inside = entriesOf(folder)!.filter((n) => n !== LOCK_FILE_NAME);
		if (inside.length > 0) throw failed(`DATA_DIR ${folder} is not empty (it holds ${inside.join(', ')}).`);
		const database = await openDatabase({ dataDir: work });
		let manifest: BackupManifest;
		try {
			manifest = await restoreDatabase(database.db, file, ctx.migrations, checked);
		} finally {
			await database.close();
		}
		renameSync(join(work, 'pgdata'), join(folder, 'pgdata'));
		rmSync(work, { recursive: true, force: true });
		return manifest;
	} catch (err) {
		rmSync(work, { recursive: true, force: true });
		throw err;
	} finally {
		lock.release();
		if (before === null && (entriesOf(folder) ?? []).length === 0) rmdirSync(folder);
	}
}

async function restore(ctx: StandaloneContext, cmd: ParsedCommand): Promise<void> {
	const config = readConfig();
	const file = resolve(cmd.args.file);
	if (!existsSync(file)) throw failed(`The backup ${file} does not exist.`);
	try {
		// The whole file is checked before any database is opened or folder made.
		let manifest = await checkBackupFits(file, ctx.migrations);
		let into: string;
		if (config.databaseUrl) {
			const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 1 });
			into = database.describe;
			try {
				manifest = await restoreDatabase(database.db, file, ctx.migrations, manifest);
			} finally {
				await database.close();
			}
		} else {
			into = `DATA_DIR ${resolve(config.dataDir)}`;
			manifest = await restoreEmbedded(ctx, file, config.dataDir, manifest);
		}
		const rows = manifest.tables.reduce((n, t) => n + t.rows, 0);
		ctx.print(`Restored ${file} into ${into}: ${manifest.tables.length} tables, ${rows} rows, made ${manifest.createdAt} by Liandong ${manifest.appVersion}.`);
	} catch (err) {
		if (err instanceof BackupFileError) throw unusable(file, err);
		if (err instanceof RestoreRefused) throw failed(`Cannot restore ${file}: ${err.message}`);
		throw err;
	}
}

export const BACKUP_COMMANDS: Record<string, StandaloneHandler> = { backup, restore, verify };
