/**
 * The load phase: a crowd of stock y-websocket clients (2,000 by default) on one event of one server, spread over
 * its documents as people are (crowd-plan.ts), with some of them writing at a person's pace. Measures the
 * connect of the crowd, edit-to-every-peer latency, server memory per connection and CPU, and checks the figures
 * against the budget the README states.
 */
import type { TestServer } from '../tests/helpers/server.ts';
import { connectDoc, whenSynced, type LiveDoc } from '../tests/helpers/live.ts';
import { Sessions } from './clients.ts';
import { Crowd, type Convergence } from './crowd.ts';
import { planCrowd } from './crowd-plan.ts';
import { bySecond, type LatencyFigures } from './latency.ts';
import { clockMs } from './stamps.ts';
import { readRssKiB, Samples, settledRssKiB, sleep, startCpuMeter, type CpuShares, type Percentiles } from './stats.ts';

/**
 * What the README promises for 2,000 clients on its reference machine (2 cores shared by the server, PostgreSQL
 * and the bench's own clients), with margin over what was measured there with the machine otherwise idle:
 * 47–60 KiB of server memory per connection, and a p99 of 0.36–0.8 s from an edit to the last client on its
 * document. (With other work taking a core the p99 reached 2.5–5 s: the bench's two client threads, which apply
 * every client's presence renewals, are the bottleneck then, not the server.)
 */
export const LOAD_BUDGET = { perConnectionKiB: 100, lastPeerP99Ms: 1000 };

export interface LoadSettings {
	clients: number;
	writers: number;
	/** Wall displays; each holds one connection per document it shows (five). */
	walls: number;
	threads: number;
	seconds: number;
	editIntervalMs: number;
	/** `own`: clients send only their own presence, as the board's page does; `stock`: they forward everyone's. */
	presence: 'own' | 'stock';
	/** How long to wait after the edits for every one to reach every client (default 15 s). */
	drainMs?: number;
}

export interface LoadFigures {
	clients: number;
	writers: number;
	walls: number;
	threads: number;
	documents: Array<{ doc: string; clients: number; writers: number }>;
	presence: LoadSettings['presence'];
	connect: { seconds: number; perClient: Percentiles | null; failures: number; firstFailures: string[]; cpu: CpuShares };
	seconds: number;
	editIntervalMs: number;
	edits: number;
	editsPerSecond: number;
	undelivered: number;
	/** Edit → the last client on its document. */
	lastPeer: Percentiles | null;
	/** Edit → each client on its document. */
	perPeer: Percentiles | null;
	/** While the writers edit, in percent of one core. */
	cpu: CpuShares;
	/**
	 * How long the server took to answer a health check, polled every 100 ms while the writers edit: its event
	 * loop's delays, as against the clients' (the crowd's threads are busy too).
	 */
	serverHealth: Percentiles | null;
	busiestClientThread: number;
	/** Edit → last client per second of the round, by send time: shows whether slow edits come in bursts. */
	bySecond: LatencyFigures['bySecond'];
	memory: { rssBeforeMiB: number; rssAfterMiB: number; rssAfterEditsMiB: number; perConnectionKiB: number | null } | null;
	/** Close events clients saw, by code and reason (none in a healthy run). */
	closes: Array<[string, number]>;
	convergence: Convergence[];
	budget: typeof LOAD_BUDGET;
	/** Null when the figure could not be measured. */
	withinBudget: { memory: boolean | null; latency: boolean | null };
}

const round1 = (n: number) => Math.round(n * 10) / 10;

/** Opens one client per document, so that every document is loaded before the memory baseline is read. */
async function loadDocuments(server: TestServer, crowd: Crowd): Promise<LiveDoc[]> {
	const cookie = await new Sessions(server.url).cookie('commander');
	const probes = [...crowd.plan.byDoc.keys()].map((doc) => connectDoc(server.url, doc, { cookie }));
	await Promise.all(probes.map((p) => whenSynced(p, 60_000)));
	return probes;
}

/** Asks the server's health check every 100 ms until stopped; resolves with the answer times. */
function pollHealth(base: string): { stop(): Promise<Percentiles | null> } {
	const times = new Samples();
	let running = true;
	const loop = (async () => {
		while (running) {
			const t0 = performance.now();
			try {
				await fetch(`${base}/healthz`);
				times.add(performance.now() - t0);
			} catch {
				// Not answering at all shows as a failed sync or a close elsewhere.
			}
			await sleep(100);
		}
	})();
	return {
		async stop() {
			running = false;
			await loop;
			return times.summary();
		}
	};
}

export async function measureLoad(server: TestServer, eventId: string, s: LoadSettings, log: (m: string) => void = () => {}): Promise<LoadFigures> {
	const pid = server.pid();
	const plan = planCrowd(eventId, { clients: s.clients, writers: s.writers, walls: s.walls });
	const crowd = await Crowd.prepare(server.url, plan, { threads: s.threads, presence: s.presence });
	const probes = await loadDocuments(server, crowd);
	try {
		await sleep(1_000);
		const before = pid ? await settledRssKiB(pid) : null;
		log(`load: connecting ${crowd.size} clients (${s.walls} walls, ${s.writers} writers) in ${s.threads} threads`);
		const connectCpu = startCpuMeter(pid);
		await crowd.connect();
		const cpuConnect = connectCpu();
		log(`load: ${crowd.size - crowd.failures.length} clients synced in ${crowd.connectSeconds} s${crowd.failures.length ? `, ${crowd.failures.length} failed` : ''}`);
		await sleep(2_000);
		const after = pid ? readRssKiB(pid) : null;

		log(`load: ${s.writers} writers edit once every ${s.editIntervalMs} ms for ${s.seconds} s`);
		// Warm-up: first edits bind each writer's client id and compile the hot paths.
		await crowd.edit('warm', 2, s.editIntervalMs, 5_000);
		const cpuMeter = startCpuMeter(pid);
		const start = clockMs();
		const health = pollHealth(server.url);
		const round = await crowd.edit('load', s.seconds, s.editIntervalMs, s.drainMs);
		const cpu = cpuMeter();
		const serverHealth = await health.stop();
		const afterEdits = pid ? readRssKiB(pid) : null;
		const convergence = await crowd.convergence();
		const closes = [...(await crowd.closes())];

		const connected = crowd.size - crowd.failures.length;
		const memory =
			before !== null && after !== null && afterEdits !== null
				? {
						rssBeforeMiB: Math.round(before / 1024),
						rssAfterMiB: Math.round(after / 1024),
						rssAfterEditsMiB: Math.round(afterEdits / 1024),
						perConnectionKiB: after > before && connected ? round1((after - before) / connected) : null
					}
				: null;
		const lastPeer = round.lastPeer.summary();
		const writersOn = (doc: string) => [...plan.writerDocs.values()].filter((d) => d === doc).length;
		return {
			clients: crowd.size,
			writers: s.writers,
			walls: s.walls,
			threads: s.threads,
			documents: [...plan.byDoc].map(([doc, clients]) => ({ doc, clients, writers: writersOn(doc) })),
			presence: s.presence,
			connect: {
				seconds: crowd.connectSeconds,
				perClient: crowd.connectMs.summary(),
				failures: crowd.failures.length,
				firstFailures: crowd.failures.slice(0, 5).map((f) => `${f.doc}: ${f.message}`),
				cpu: cpuConnect
			},
			seconds: s.seconds,
			editIntervalMs: s.editIntervalMs,
			edits: round.sent,
			editsPerSecond: Math.round(round.sent / s.seconds),
			undelivered: round.sent - round.delivered,
			lastPeer,
			perPeer: round.perPeer.summary(),
			cpu,
			serverHealth,
			busiestClientThread: round.busiestThread,
			bySecond: bySecond(round.timeline, start),
			memory,
			closes,
			convergence,
			budget: LOAD_BUDGET,
			withinBudget: {
				memory: memory?.perConnectionKiB == null ? null : memory.perConnectionKiB <= LOAD_BUDGET.perConnectionKiB,
				latency: lastPeer === null ? null : lastPeer.p99 <= LOAD_BUDGET.lastPeerP99Ms
			}
		};
	} finally {
		for (const p of probes) p.destroy();
		await crowd.destroy();
	}
}
