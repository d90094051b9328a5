/**
 * A local door into a running server on the embedded database, for what only the process that holds the data
 * folder can do: `npm run cli -- backup` asks it here for a backup, which the server reads in its own process
 * (a second process must never open the folder; see data-dir-lock.ts). A Unix socket in `<DATA_DIR>/admin/`,
 * a folder only this user may enter, so whoever can reach it could read the data folder anyway; no network
 * address is ever opened for it.
 */
import http from 'node:http';
import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Kysely } from 'kysely';
import { dumpDatabase } from './backup/dump.ts';

/** Where a server on the embedded database in `dataDir` listens. */
export function adminSocketPath(dataDir: string): string {
	return join(resolve(dataDir), 'admin', 'liandong.sock');
}

/** A Unix socket path longer than this (sun_path, 108 bytes with its NUL) cannot be listened on. */
const MAX_SOCKET_PATH = 107;

export interface AdminSocket {
	close(): Promise<void>;
}

/**
 * Listens on the admin socket of `dataDir`. The caller holds the data folder's lock, so a socket file found
 * there is left by a process that is gone and is replaced. Answers null (and says why) when it cannot listen.
 */
export async function startAdminSocket(dataDir: string, db: Kysely<any>, appVersion: string): Promise<AdminSocket | null> {
	const path = adminSocketPath(dataDir);
	if (Buffer.byteLength(path) > MAX_SOCKET_PATH) {
		console.warn(`[admin] ${path} is too long for a Unix socket: npm run cli -- backup cannot reach this server (use a shorter DATA_DIR).`);
		return null;
	}
	const folder = join(resolve(dataDir), 'admin');
	let backups = 0;
	const server = http.createServer((req, res) => {
		if (req.method !== 'POST' || req.url !== '/backup') {
			res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
			return;
		}
		// One at a time: each holds the embedded database's one connection while it reads.
		if (backups > 0) {
			res.writeHead(409, { 'content-type': 'text/plain' }).end('A backup is already running on this server.');
			return;
		}
		backups++;
		res.writeHead(200, { 'content-type': 'application/x-ndjson' });
		const write = (text: string) =>
			new Promise<void>((done, fail) => {
				if (res.destroyed) return fail(new Error('the backup command went away'));
				if (res.write(text)) return done();
				const onDrain = () => {
					res.off('close', onClose);
					done();
				};
				const onClose = () => {
					res.off('drain', onDrain);
					fail(new Error('the backup command went away'));
				};
				res.once('drain', onDrain);
				res.once('close', onClose);
			});
		dumpDatabase(db, { appVersion, databaseKind: 'embedded', write })
			.then(() => res.end())
			.catch((err: unknown) => {
				console.error(`[admin] backup failed: ${err instanceof Error ? err.message : String(err)}`);
				// Cut short on purpose: the command sees no checksum line and keeps no file.
				res.destroy();
			})
			.finally(() => backups--);
	});
	try {
		mkdirSync(folder, { recursive: true, mode: 0o700 });
		chmodSync(folder, 0o700);
		rmSync(path, { force: true });
		await new Promise<void>((done, fail) => {
			server.once('error', fail);
			server.listen(path, () => {
				server.off('error', fail);
				done();
			});
		});
	} catch (err) {
		// The board serves without it; only a backup needs it, and that command then says it cannot reach us.
		console.warn(`[admin] cannot listen on ${path} (${err instanceof Error ? err.message : String(err)}): npm run cli -- backup cannot reach this server.`);
		return null;
	}
	return {
		async close() {
			server.closeAllConnections();
			await new Promise<void>((done) => server.close(() => done()));
			rmSync(path, { force: true });
		}
	};
}
