/**
 * The load phase's crowd, seen from the main thread: thousands of stock y-websocket clients on one event, held
 * by worker threads (crowd-worker.ts) as crowd-plan.ts lays them out. Used by `npm run bench` (load.ts) and by
 * the load test (tests/load), which asserts what this reports.
 */
import { Worker } from 'node:worker_threads';
import { createHash } from 'node:crypto';
import * as Y from 'yjs';
import { connectDoc, whenSynced } from '../tests/helpers/live.ts';
import { createDisplayTokenAsAdmin } from '../tests/helpers/hub.ts';
import { Sessions } from './clients.ts';
import { dealClients, type CrowdPlan } from './crowd-plan.ts';
import { Samples, sleep } from './stats.ts';
import { mergeArrivals } from './stamps.ts';
import type { ClientState, CrowdWorkerData, FromCrowdWorker, ToCrowdWorker } from './crowd-worker.ts';

/** A thread that does not answer within this long is taken as hung (opening a thousand clients included). */
const WORKER_TIMEOUT_MS = 300_000;

class CrowdThread {
	readonly worker: Worker;
	#waiting: Array<{ resolve(m: FromCrowdWorker): void; reject(e: Error): void }> = [];
	#failed: Error | null = null;

	constructor(data: CrowdWorkerData) {
		this.worker = new Worker(new URL('./crowd-worker.ts', import.meta.url), { workerData: data });
		this.worker.on('message', (m: FromCrowdWorker) => this.#waiting.shift()?.resolve(m));
		const fail = (err: Error) => {
			this.#failed = err;
			for (const w of this.#waiting.splice(0)) w.reject(err);
		};
		this.worker.on('error', fail);
		this.worker.on('exit', (code) => fail(new Error(`a crowd thread exited (${code})`)));
	}

	/** Sends a request and resolves with the thread's answer. */
	ask<T extends FromCrowdWorker['type']>(message: ToCrowdWorker, expect: T): Promise<Extract<FromCrowdWorker, { type: T }>> {
		if (this.#failed) return Promise.reject(this.#failed);
		return new Promise((resolve, reject) => {
			const timer = setTimeout(() => reject(new Error(`a crowd thread did not answer ${message.type}`)), WORKER_TIMEOUT_MS);
			this.#waiting.push({
				resolve: (m) => {
					clearTimeout(timer);
					if (m.type === expect) resolve(m as Extract<FromCrowdWorker, { type: T }>);
					else reject(new Error(`a crowd thread answered ${m.type} to ${message.type}`));
				},
				reject: (e) => {
					clearTimeout(timer);
					reject(e);
				}
			});
			this.worker.postMessage(message);
		});
	}
}

export interface CrowdOptions {
	threads: number;
	/** Connections each thread opens at once. */
	batch?: number;
	syncTimeoutMs?: number;
	presence?: CrowdWorkerData['presence'];
}

/** One round of paced edits, as every client saw it. */
export interface EditRound {
	sent: number;
	/** Edits every other client on their document has. */
	delivered: number;
	/** Per edit: the time until the last client on its document had it. */
	lastPeer: Samples;
	/** Per edit and client: the time until that client had it. */
	perPeer: Samples;
	/** The busiest crowd thread's event loop over the round (near 1: the clients, not the server, set the pace). */
	busiestThread: number;
	/** Each delivered edit's send time (monotonic clock, ms) and its time to the last client. */
	timeline: Array<[sentAt: number, ms: number]>;
}

/** Per document: how many clients ended in how many distinct states, and whether the server's copy is that state. */
export interface Convergence {
	doc: string;
	clients: number;
	distinctStates: number;
	/** A fresh client's copy (the server's state) equals the crowd's. */
	matchesServer: boolean;
	/** The crowd's state vector, as [client id, clock] pairs. */
	stateVector: Array<[number, number]>;
}

export class Crowd {
	readonly plan: CrowdPlan;
	readonly base: string;
	/** Connect → synced per client, ms; and the whole crowd's connect in s. */
	readonly connectMs = new Samples();
	connectSeconds = 0;
	readonly failures: Array<{ index: number; doc: string; message: string }> = [];
	readonly #threads: CrowdThread[];
	readonly #cookies: Record<string, string>;
	readonly #wallToken: string | null;

	private constructor(base: string, plan: CrowdPlan, threads: CrowdThread[], cookies: Record<string, string>, wallToken: string | null) {
		this.base = base;
		this.plan = plan;
		this.#threads = threads;
		this.#cookies = cookies;
		this.#wallToken = wallToken;
	}

	/** Signs the accounts in, makes a display token for the walls, and starts the threads (nothing connects yet). */
	static async prepare(base: string, plan: CrowdPlan, options: CrowdOptions): Promise<Crowd> {
		const sessions = new Sessions(base);
		const usernames = [...new Set(plan.clients.map((c) => c.username).filter((u): u is string => u !== null))];
		await sessions.signInAll(usernames);
		const cookies = Object.fromEntries(await Promise.all(usernames.map(async (u) => [u, await sessions.cookie(u)] as const)));
		const wallToken = plan.walls ? await createDisplayTokenAsAdmin(base, plan.eventId, '压测大屏') : null;
		const threads = dealClients(plan, options.threads).map(
			(clients) => new CrowdThread({ base, cookies, wallToken, clients, batch: options.batch ?? 25, syncTimeoutMs: options.syncTimeoutMs ?? 60_000, presence: options.presence ?? 'stock' })
		);
		return new Crowd(base, plan, threads, cookies, wallToken);
	}

	get size(): number {
		return this.plan.clients.length;
	}

	/** Opens every client and waits until each has synced (or failed); then each writer makes its entity. */
	async connect(): Promise<void> {
		const t0 = performance.now();
		for (const r of await Promise.all(this.#threads.map((t) => t.ask({ type: 'open' }, 'opened')))) {
			this.connectMs.addAll(r.connectMs);
			this.failures.push(...r.failures);
		}
		this.connectSeconds = Math.round((performance.now() - t0) / 100) / 10;
		await Promise.all(this.#threads.map((t) => t.ask({ type: 'prepare' }, 'prepared')));
	}

	/** Clients per document that are connected (planned minus failed). */
	#connectedOn(doc: string): number {
		return (this.plan.byDoc.get(doc) ?? 0) - this.failures.filter((f) => f.doc === doc).length;
	}

	/** Writers edit for `seconds`, each once every `intervalMs`; then waits up to `drainMs` for every edit to arrive. */
	async edit(tag: string, seconds: number, intervalMs: number, drainMs = 15_000): Promise<EditRound> {
		await Promise.all(this.#threads.map((t) => t.ask({ type: 'track', tag }, 'tracking')));
		const sent = (await Promise.all(this.#threads.map((t) => t.ask({ type: 'edit', tag, seconds, intervalMs }, 'edited')))).flatMap((r) => r.sent);
		const busiestAtEnd = (await this.#collect(sent)).busiestThread;
		const until = performance.now() + drainMs;
		let round = await this.#collect(sent);
		while (round.delivered < round.sent && performance.now() < until) {
			await sleep(250);
			round = await this.#collect(sent);
		}
		await Promise.all(this.#threads.map((t) => t.ask({ type: 'track', tag: null }, 'tracking')));
		return { ...round, busiestThread: busiestAtEnd };
	}

	async #collect(sent: string[]): Promise<EditRound> {
		const parts = await Promise.all(this.#threads.map((t) => t.ask({ type: 'collect' }, 'collected')));
		const { perPeer, merged } = mergeArrivals(parts);
		const lastPeer = new Samples();
		const timeline: Array<[number, number]> = [];
		for (const id of sent) {
			// bench:<tag>:<writer>:<n>:<sent at>
			const fields = id.split(':');
			const doc = this.plan.writerDocs.get(fields[2]);
			const e = merged.get(id);
			if (doc && e && e.seen >= this.#connectedOn(doc) - 1) {
				lastPeer.add(e.latest);
				timeline.push([Number(fields[4]), e.latest]);
			}
		}
		return {
			sent: sent.length,
			delivered: lastPeer.count,
			lastPeer,
			perPeer,
			timeline,
			busiestThread: Math.round(Math.max(...parts.map((p) => p.loopUtilization)) * 100) / 100
		};
	}

	/** Close events every client saw so far, by code and reason. */
	async closes(): Promise<Map<string, number>> {
		const out = new Map<string, number>();
		for (const t of this.#threads) {
			for (const [reason, n] of (await t.ask({ type: 'collect' }, 'collected')).closes) out.set(reason, (out.get(reason) ?? 0) + n);
		}
		return out;
	}

	/**
	 * Waits up to `timeoutMs` until every document's clients hold one state, then compares it with a fresh
	 * client's copy of each document (what the server has).
	 */
	async convergence(timeoutMs = 30_000): Promise<Convergence[]> {
		const until = performance.now() + timeoutMs;
		let byDoc: Map<string, ClientState[]>;
		for (;;) {
			byDoc = new Map();
			for (const t of this.#threads) {
				for (const s of (await t.ask({ type: 'states' }, 'states')).states) {
					const list = byDoc.get(s.doc) ?? [];
					list.push(s);
					byDoc.set(s.doc, list);
				}
			}
			const settled = [...byDoc.values()].every((list) => new Set(list.map((s) => s.digest)).size === 1);
			if (settled || performance.now() > until) break;
			await sleep(500);
		}
		const out: Convergence[] = [];
		for (const [doc, list] of byDoc) {
			const digests = new Set(list.map((s) => s.digest));
			out.push({
				doc,
				clients: list.length,
				distinctStates: digests.size,
				matchesServer: digests.size === 1 && digests.has(await this.#serverDigest(doc)),
				stateVector: list[0].stateVector
			});
		}
		return out.sort((a, b) => a.doc.localeCompare(b.doc));
	}

	/** The state a newly connecting client receives: the server's durable copy. */
	async #serverDigest(doc: string): Promise<string> {
		const username = this.plan.clients.find((c) => c.doc === doc && c.username)?.username;
		const live = connectDoc(this.base, doc, username ? { cookie: this.#cookies[username] } : { displayToken: this.#wallToken ?? undefined });
		try {
			await whenSynced(live, 30_000);
			return createHash('sha256').update(Y.encodeSnapshot(Y.snapshot(live.doc))).digest('hex');
		} finally {
			live.destroy();
		}
	}

	/** Closes every client and stops the threads. */
	async destroy(): Promise<void> {
		await Promise.all(
			this.#threads.map(async (t) => {
				await t.ask({ type: 'close' }, 'closed').catch(() => {});
				await t.worker.terminate();
			})
		);
	}
}
