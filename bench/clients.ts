/**
 * The bench's clients: stock y-websocket providers on one document. Writers (sessions that may write) live in
 * this thread, each editing a card of its own and hearing over socket.io which of its edits the server stored;
 * readers (read-only sessions) live in worker threads (reader-worker.ts). Every client reports the stamped edits
 * it receives, and collect() merges what all threads saw.
 */
import { Worker } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { addCard, cardsOf } from '../src/lib/domain/board.ts';
import { connectCommands, connectDoc, onStored, sessionCookie, whenSynced, type CommandSocketClient, type LiveDoc } from '../tests/helpers/live.ts';
import { ArrivalLog, makeStamp, mergeArrivals, observeStamps } from './stamps.ts';
import { Samples } from './stats.ts';
import type { FromReaderWorker, ReaderWorkerData, ToReaderWorker } from './reader-worker.ts';

/** Demo accounts that may only read a station document (other agencies and the reviewer). */
export const READER_USERS = ['lead.cid', 'lead.traffic', 'lead.patrol', 'member.traffic', 'reviewer', 'yang.fan', 'huang.min', 'wu.qiang', 'xu.guilan', 'lin.haitao', 'zhao.shufen'];
/** Demo accounts that may write the station document. */
export const WRITER_USERS = ['lead.station', 'member.station', 'chen.lei', 'guo.jing', 'commander'];

/** Connections opened at once; more would only make the handshakes queue behind each other. */
const CONNECT_BATCH = 25;
const SYNC_TIMEOUT_MS = 30_000;
/** A worker that does not answer within this long is taken as hung. */
const WORKER_TIMEOUT_MS = 60_000;

/** Signs each account in once and keeps the cookie. */
export class Sessions {
	readonly base: string;
	#cookies = new Map<string, Promise<string>>();
	constructor(base: string) {
		this.base = base;
	}
	/** Signs in every account up front (argon2 is slow and memory-hungry; keep it out of the measurements). */
	async signInAll(usernames: string[]): Promise<void> {
		await Promise.all(usernames.map((u) => this.cookie(u)));
	}
	cookie(username: string): Promise<string> {
		let c = this.#cookies.get(username);
		if (!c) {
			c = sessionCookie(this.base, username);
			this.#cookies.set(username, c);
		}
		return c;
	}
}

/** Connects one stock provider and waits until it has synced (`path`: see connectDoc). */
export async function openClient(base: string, docName: string, cookie: string | null, path?: string): Promise<LiveDoc> {
	const live = connectDoc(base, docName, { cookie, path });
	try {
		await whenSynced(live, SYNC_TIMEOUT_MS);
	} catch (err) {
		live.destroy();
		throw new Error(`a client could not sync ${docName}: ${err instanceof Error ? err.message : err}`);
	}
	return live;
}

/** A client that edits a card of its own and learns over socket.io which of its edits the server stored. */
export class Writer {
	readonly live: LiveDoc;
	readonly label: string;
	readonly cardId: string;
	/** Where the stamps it sends are listed, per phase. */
	readonly sent: { ids: string[] };
	saved = 0;
	#count = 0;
	#waiters: Array<() => void> = [];

	constructor(live: LiveDoc, label: string, sent: { ids: string[] }) {
		this.live = live;
		this.label = label;
		this.cardId = `bench-card-${label}`;
		this.sent = sent;
		onStored(live, () => this.onSaved());
	}

	get clientId(): number {
		return this.live.doc.clientID;
	}

	createCard(): void {
		addCard(this.live.doc, this.cardId, { title: `压测写入 ${this.label}`, status: 'doing', priority: 'routine', location: 'bench:start' });
	}

	/**
	 * Sets the card's location to a fresh stamp, or with `addCards` adds a new card carrying it; the provider sends
	 * the update synchronously.
	 */
	edit(tag: string): void {
		const n = ++this.#count;
		const stamp = makeStamp(tag, this.label, n);
		this.sent.ids.push(stamp);
		if (this.addCards) addCard(this.live.doc, `${this.cardId}-${tag}-${n}`, { title: `压测新卡 ${this.label} ${n}`, status: 'todo', priority: 'routine', location: stamp });
		else cardsOf(this.live.doc).get(this.cardId)!.set('location', stamp);
	}

	/** Each edit adds a card instead of changing one (the peers comparison's workload). */
	addCards = false;

	/** One of its updates is stored (the server sent it back). */
	onSaved(): void {
		this.saved++;
		this.#waiters.splice(0).forEach((w) => w());
	}

	/** Resolves when the next update is stored, or after `timeoutMs` (a lost echo must not stall the phase). */
	nextSaved(timeoutMs: number): Promise<void> {
		return new Promise((resolve) => {
			const timer = setTimeout(resolve, timeoutMs);
			this.#waiters.push(() => {
				clearTimeout(timer);
				resolve();
			});
		});
	}
}

/** Everything the clients saw of one phase's stamped edits, merged over all threads. */
export interface Collected {
	sent: number;
	/** Edits every other client has. */
	delivered: number;
	lastPeer: Samples;
	perPeer: Samples;
	/** Each delivered edit's send time (monotonic clock, ms) and its time to the last peer. */
	timeline: Array<[sentAt: number, ms: number]>;
	/** The busiest client thread's event loop since track(): near 1.0 means the clients set the pace. */
	busiestClientLoop: number;
	closes: Map<string, number>;
}

class ReaderThread {
	readonly worker: Worker;
	#waiting: Array<(m: FromReaderWorker) => void> = [];
	/** Messages that came before anyone asked (the worker's 'ready'). */
	#inbox: FromReaderWorker[] = [];

	constructor(data: ReaderWorkerData) {
		this.worker = new Worker(new URL('./reader-worker.ts', import.meta.url), { workerData: data });
		this.worker.on('message', (m: FromReaderWorker) => {
			const waiter = this.#waiting.shift();
			if (waiter) waiter(m);
			else this.#inbox.push(m);
		});
		this.worker.on('error', (err) => console.error('[bench] reader thread failed:', err));
	}

	/** The next message from the worker, after sending `message` if given. */
	next(message?: ToReaderWorker): Promise<FromReaderWorker> {
		if (!message && this.#inbox.length) return Promise.resolve(this.#inbox.shift()!);
		return new Promise((resolve, reject) => {
			const timer = setTimeout(() => reject(new Error('a reader thread did not answer')), WORKER_TIMEOUT_MS);
			this.#waiting.push((m) => {
				clearTimeout(timer);
				resolve(m);
			});
			if (message) this.worker.postMessage(message);
		});
	}
}

export class PeerSet {
	readonly writers: Writer[];
	readonly readers: number;
	readonly #threads: ReaderThread[];
	readonly #sockets: CommandSocketClient[];
	readonly #log: ArrivalLog;
	readonly #sent: { ids: string[] };
	#elu = performance.eventLoopUtilization();

	constructor(writers: Writer[], readers: number, threads: ReaderThread[], sockets: CommandSocketClient[], log: ArrivalLog, sent: { ids: string[] }) {
		this.writers = writers;
		this.readers = readers;
		this.#threads = threads;
		this.#sockets = sockets;
		this.#log = log;
		this.#sent = sent;
	}

	/** socket.io connections (one per writing account, as its pages hold for their commands). */
	get commandSockets(): number {
		return this.#sockets.length;
	}

	/** Every client on the document. */
	get size(): number {
		return this.writers.length + this.readers;
	}

	/** Starts a phase: arrivals of edits stamped `tag` are collected from now on (null: none). */
	async track(tag: string | null): Promise<void> {
		this.#log.track(tag);
		this.#sent.ids = [];
		this.#elu = performance.eventLoopUtilization();
		await Promise.all(this.#threads.map((t) => t.next({ type: 'track', tag })));
	}

	async collect(): Promise<Collected> {
		const parts = [{ ...this.#log.snapshot(), loopUtilization: performance.eventLoopUtilization(this.#elu).utilization, closes: this.#closes() }];
		for (const t of this.#threads) {
			const m = await t.next({ type: 'collect' });
			if (m.type !== 'collected') throw new Error(`a reader thread answered ${m.type}`);
			parts.push(m);
		}
		const { perPeer, merged } = mergeArrivals(parts);
		const closes = new Map<string, number>();
		for (const p of parts) for (const [reason, n] of p.closes) closes.set(reason, (closes.get(reason) ?? 0) + n);
		const lastPeer = new Samples();
		const timeline: Array<[number, number]> = [];
		const expected = this.size - 1;
		for (const id of this.#sent.ids) {
			const e = merged.get(id);
			if (e && e.seen >= expected) {
				lastPeer.add(e.latest);
				timeline.push([Number(id.split(':')[4]), e.latest]);
			}
		}
		return {
			sent: this.#sent.ids.length,
			delivered: lastPeer.count,
			timeline,
			lastPeer,
			perPeer,
			busiestClientLoop: Math.round(Math.max(...parts.map((p) => p.loopUtilization)) * 100) / 100,
			closes
		};
	}

	#closes(): Array<[string, number]> {
		const byReason = new Map<string, number>();
		for (const w of this.writers) for (const c of w.live.closes) byReason.set(`${c.code} ${c.reason}`, (byReason.get(`${c.code} ${c.reason}`) ?? 0) + 1);
		return [...byReason];
	}

	async destroy(): Promise<void> {
		for (const s of this.#sockets) s.disconnect();
		for (const w of this.writers) w.live.destroy();
		await Promise.all(
			this.#threads.map(async (t) => {
				await t.next({ type: 'close' }).catch(() => {});
				await t.worker.terminate();
			})
		);
	}
}

async function inBatches<T>(count: number, make: (i: number) => Promise<T>): Promise<T[]> {
	const out: T[] = [];
	for (let i = 0; i < count; i += CONNECT_BATCH) {
		const batch = [];
		for (let j = i; j < Math.min(count, i + CONNECT_BATCH); j++) batch.push(make(j));
		out.push(...(await Promise.all(batch)));
	}
	return out;
}

/**
 * Connects writers (here, with one socket.io connection per account, as a page has) and readers (spread
 * over `threads` worker threads) to one document, and waits until every client has synced.
 */
export async function connectPeers(
	sessions: Sessions | null,
	docName: string,
	counts: { readers: number; writers: number; threads: number; path?: string; base?: string; addCards?: boolean }
): Promise<PeerSet> {
	// Without sessions (the reference server, which knows no one) every client connects with no cookie and no
	// socket.io connection; its echo of each update still counts as the writer's "saved".
	const base = sessions?.base ?? counts.base!;
	const readerCookies: Array<string | null> = sessions ? await Promise.all(READER_USERS.map((u) => sessions.cookie(u))) : [null];
	const writerCookies: Array<string | null> = sessions ? await Promise.all(WRITER_USERS.map((u) => sessions.cookie(u))) : [null];
	const sockets: CommandSocketClient[] = [];
	const threads: ReaderThread[] = [];
	const writers: Writer[] = [];
	const log = new ArrivalLog();
	const sent = { ids: [] as string[] };
	const set = new PeerSet(writers, counts.readers, threads, sockets, log, sent);
	try {
		for (const cookie of sessions ? writerCookies.slice(0, Math.min(counts.writers, writerCookies.length)) : []) {
			sockets.push(await connectCommands(base, { cookie: cookie! }));
		}
		const connected = await inBatches(counts.writers, async (i) => {
			const w = new Writer(await openClient(base, docName, writerCookies[i % writerCookies.length], counts.path), `w${i}`, sent);
			w.addCards = counts.addCards ?? false;
			observeStamps(w.live.doc, log);
			return w;
		});
		writers.push(...connected);
		const n = Math.min(counts.threads, counts.readers);
		for (let t = 0; t < n; t++) {
			const count = Math.floor(counts.readers / n) + (t < counts.readers % n ? 1 : 0);
			// Rotate the accounts so that each thread's readers are a mix of agencies.
			threads.push(new ReaderThread({ base, path: counts.path, doc: docName, cookies: [...readerCookies.slice(t), ...readerCookies.slice(0, t)], count }));
		}
		for (const t of threads) {
			const m = await t.next();
			if (m.type !== 'ready') throw new Error(m.type === 'failed' ? m.message : `a reader thread answered ${m.type}`);
		}
		for (const w of writers) w.createCard();
		return set;
	} catch (err) {
		await set.destroy();
		throw err;
	}
}
