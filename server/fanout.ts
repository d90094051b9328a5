/**
 * Cross-instance fan-out over PostgreSQL LISTEN/NOTIFY. A notification carries only which document sequences
 * were committed (or which sessions were revoked); peers read the bytes from the log. A lost listening
 * connection is re-opened with backoff, and then every loaded document catches up from the log.
 */
import pg from 'pg';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../src/lib/server/db/schema.ts';
import { DOC_CHANNEL } from './hub/group-commit.ts';

export const REVOKE_CHANNEL = 'liandong_revoke';

export interface FanoutHandlers {
	onDocs(ranges: Array<[doc: string, from: number, to: number]>): void;
	onRevoke(payload: unknown): void;
	/** The channel was lost and is back: notifications in between may be missing. */
	onReconnected(): void;
}

export interface Fanout {
	close(): Promise<void>;
}

export async function startFanout(poolOptions: pg.PoolConfig, instanceId: string, handlers: FanoutHandlers): Promise<Fanout> {
	let client: pg.Client | null = null;
	let closed = false;
	let attempt = 0;

	const connect = async (isReconnect: boolean): Promise<void> => {
		const c = new pg.Client(poolOptions);
		c.on('error', () => {});
		c.on('end', () => {
			if (closed || client !== c) return;
			client = null;
			scheduleReconnect();
		});
		c.on('notification', (msg) => {
			if (!msg.payload) return;
			try {
				const data = JSON.parse(msg.payload) as { i: string; d?: Array<[string, number, number]> };
				if (data.i === instanceId) return;
				if (msg.channel === DOC_CHANNEL && Array.isArray(data.d)) handlers.onDocs(data.d);
				else if (msg.channel === REVOKE_CHANNEL) handlers.onRevoke(data);
			} catch {
				// A malformed notification is not ours; ignore it.
			}
		});
		await c.connect();
		await c.query(`listen ${DOC_CHANNEL}`);
		await c.query(`listen ${REVOKE_CHANNEL}`);
		client = c;
		attempt = 0;
		if (isReconnect) handlers.onReconnected();
	};

	const scheduleReconnect = () => {
		if (closed) return;
		attempt++;
		// Jittered exponential backoff up to 10 s.
		const delay = Math.min(10_000, 250 * 2 ** Math.min(attempt, 6)) * (0.5 + Math.random() / 2);
		setTimeout(() => {
			connect(true).catch(() => scheduleReconnect());
		}, delay).unref();
	};

	await connect(false);
	return {
		async close() {
			closed = true;
			await client?.end().catch(() => {});
		}
	};
}

/**
 * Tells every running instance that one user's rights changed (clearance, agency, role, membership, disabling), so
 * each re-checks that user's live connections at once. For writers outside a server process, such as the CLI.
 */
export async function announceAccessChange(db: Kysely<DB>, userId: string): Promise<void> {
	await sql`select pg_notify(${REVOKE_CHANNEL}, ${JSON.stringify({ i: 'cli', accessOf: userId })})`.execute(db);
}
