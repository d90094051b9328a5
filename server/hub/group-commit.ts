/**
 * Group commit for the update log: appends that arrive while a commit is running wait for it and then go in
 * one transaction together, so concurrent writers share commits instead of queueing one fsync each.
 */
import { sql, type Kysely } from 'kysely';
import type { PGlite } from '@electric-sql/pglite';
import type pg from 'pg';
import type { DB } from '../../src/lib/server/db/schema.ts';
import { appendInOneStatement, appendUpdates, type AppendEntry } from '../../src/lib/server/repositories/doc-log.repository.ts';
import { appendPrepared } from '../../src/lib/server/repositories/doc-log-prepared.ts';
import type { HubMetrics } from './hub-metrics.ts';

/** Bounds one transaction; a burst larger than this is committed in several. */
const MAX_BATCH = 500;

interface Waiting {
	entry: AppendEntry;
	resolve(seq: number): void;
	reject(err: unknown): void;
}

export interface CommitHooks {
	/**
	 * PostgreSQL with other instances: this instance's id, with which each commit tells the others (NOTIFY on
	 * DOC_CHANNEL) which sequences it appended.
	 */
	notifyAs?: string;
	/**
	 * The embedded database behind `db`, when it is one: its appends go through statements prepared once
	 * (doc-log-prepared.ts), since PGlite plans every statement on this very thread.
	 */
	pglite?: PGlite | null;
	/** The PostgreSQL pool behind `db`, when it is one: the usual append is a statement prepared once per connection. */
	pool?: pg.Pool | null;
	/** Told each commit's duration and size. */
	metrics?: Pick<HubMetrics, 'committed'>;
}

export class GroupCommitter {
	#queue: Waiting[] = [];
	#running = false;
	#commits = 0;
	#appended = 0;

	readonly db: Kysely<DB>;
	readonly hooks: CommitHooks;

	constructor(db: Kysely<DB>, hooks: CommitHooks = {}) {
		this.db = db;
		this.hooks = hooks;
	}

	/** Queues an append; resolves with its sequence number once committed, rejects if the commit failed. */
	append(entry: AppendEntry): Promise<number> {
		return new Promise((resolve, reject) => {
			this.#queue.push({ entry, resolve, reject });
			if (!this.#running) {
				// Start on the next turn of the event loop, not now, so that updates already read from other sockets
				// join this commit. On the embedded database this is the only chance to group at all: PGlite runs in
				// this thread, so no socket is read while a commit runs (measured: 1 update per commit before,
				// 19.5 after, with 20 writers; npm run bench).
				this.#running = true;
				setImmediate(() => void this.#drain());
			}
		});
	}

	get stats(): { commits: number; appended: number } {
		return { commits: this.#commits, appended: this.#appended };
	}

	async #drain(): Promise<void> {
		this.#running = true;
		try {
			while (this.#queue.length) {
				const batch = this.#queue.splice(0, MAX_BATCH);
				const entries = batch.map((w) => w.entry);
				const started = performance.now();
				try {
					// The usual batch (updates of clients already bound) goes in one statement, or through the embedded
					// database's prepared ones; anything else in a transaction.
					const { notifyAs, pglite, pool } = this.hooks;
					const seqs =
						(pglite && !notifyAs
							? await appendPrepared(pglite, entries)
							: await appendInOneStatement(this.db, entries, notifyAs ? { channel: DOC_CHANNEL, instanceId: notifyAs } : null, pool ?? null)) ??
						(await this.db.transaction().execute(async (tx) => {
							const seqs = await appendUpdates(tx, entries);
							if (notifyAs) await notifyAppends(tx, notifyAs, entries, seqs);
							return seqs;
						}));
					this.#commits++;
					this.#appended += batch.length;
					this.hooks.metrics?.committed((performance.now() - started) / 1000, batch.length);
					batch.forEach((w, i) => w.resolve(seqs[i]));
				} catch (err) {
					for (const w of batch) w.reject(err);
				}
			}
		} finally {
			this.#running = false;
		}
	}
}

/** NOTIFY payloads stay well under PostgreSQL's 8000-byte limit. */
const NOTIFY_CHUNK = 40;

/** The channel on which instances tell each other which document sequences they committed. */
export const DOC_CHANNEL = 'liandong_docs';

/** Sends, inside a transaction, which sequence ranges of which documents it appends (delivered on commit). */
export async function notifyAppends(tx: Kysely<DB>, instanceId: string, entries: AppendEntry[], seqs: number[]): Promise<void> {
	const ranges = new Map<string, [number, number]>();
	entries.forEach((e, i) => {
		const r = ranges.get(e.doc);
		if (!r) ranges.set(e.doc, [seqs[i], seqs[i]]);
		else {
			r[0] = Math.min(r[0], seqs[i]);
			r[1] = Math.max(r[1], seqs[i]);
		}
	});
	const list = [...ranges].map(([doc, [from, to]]) => [doc, from, to]);
	for (let i = 0; i < list.length; i += NOTIFY_CHUNK) {
		const payload = JSON.stringify({ i: instanceId, d: list.slice(i, i + NOTIFY_CHUNK) });
		await sql`select pg_notify(${DOC_CHANNEL}, ${payload})`.execute(tx);
	}
}
