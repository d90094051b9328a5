/**
 * Edit-to-every-peer latency: writers make paced edits, as people do, and every other client times each one
 * from its send to its arrival. An edit's latency is the time until the last peer has it.
 */
import type { BenchSettings } from './args.ts';
import type { PeerSet } from './clients.ts';
import { Samples, sleep, startCpuMeter, type CpuShares, type Percentiles } from './stats.ts';
import { clockMs } from './stamps.ts';

/** How long to wait for stragglers after the last edit before counting an edit as not delivered. */
const DRAIN_MS = 10_000;

export interface LatencyFigures {
	peers: number;
	writers: number;
	seconds: number;
	/** Stamped edits per second across all writers. */
	editsPerSecond: number;
	edits: number;
	/** Edits some peer had not received when the phase ended. */
	undelivered: number;
	lastPeer: Percentiles | null;
	perPeer: Percentiles | null;
	/** Where the CPU went while the edits were made, in percent of one core. */
	cpu: CpuShares;
	/**
	 * Edit-to-last-peer latency per second of the phase (by send time): shows whether slow edits are spread out
	 * or bunched, e.g. when hundreds of clients renew their presence at the same moment.
	 */
	bySecond: Array<{ second: number; edits: number; p50: number; max: number }>;
	/** The busiest client thread's event loop (1 = always busy: then the clients, not the server, set the pace). */
	clientLoopUtilization: number;
}

/** Each writer edits every `intervalMs`, starting at a random offset so that writers do not march in step. */
export async function pacedEdits(peers: PeerSet, seconds: number, intervalMs: number, tag: string): Promise<void> {
	const timers: NodeJS.Timeout[] = [];
	for (const w of peers.writers) {
		timers.push(
			setTimeout(() => {
				w.edit(tag);
				timers.push(setInterval(() => w.edit(tag), intervalMs));
			}, Math.random() * intervalMs)
		);
	}
	await sleep(seconds * 1000);
	for (const t of timers) clearTimeout(t);
}

/** Waits until every edit sent in this phase has reached every peer, or until `ms` have passed. */
export async function drain(peers: PeerSet, ms: number): Promise<void> {
	const until = performance.now() + ms;
	while (performance.now() < until) {
		const c = await peers.collect();
		if (c.delivered >= c.sent) return;
		await sleep(250);
	}
}

export async function measureLatency(peers: PeerSet, s: BenchSettings, serverPid: number | null): Promise<LatencyFigures> {
	// Warm-up edits are not tracked: JIT, first bindings of each writer's client id, first activity rows.
	await peers.track(null);
	await pacedEdits(peers, s.warmupSeconds, s.editIntervalMs, 'warm');
	await sleep(500);

	await peers.track('lat');
	const start = clockMs();
	const cpuMeter = startCpuMeter(serverPid);
	await pacedEdits(peers, s.latencySeconds, s.editIntervalMs, 'lat');
	const cpu = cpuMeter();
	const { busiestClientLoop } = await peers.collect();
	await drain(peers, DRAIN_MS);
	const c = await peers.collect();
	await peers.track(null);

	return {
		peers: peers.size - 1,
		writers: peers.writers.length,
		seconds: s.latencySeconds,
		editsPerSecond: Math.round(c.sent / s.latencySeconds),
		edits: c.sent,
		undelivered: c.sent - c.delivered,
		lastPeer: c.lastPeer.summary(),
		perPeer: c.perPeer.summary(),
		cpu,
		clientLoopUtilization: busiestClientLoop,
		bySecond: bySecond(c.timeline, start)
	};
}

export function bySecond(timeline: Array<[number, number]>, start: number): LatencyFigures['bySecond'] {
	const buckets = new Map<number, Samples>();
	for (const [sentAt, ms] of timeline) {
		const second = Math.floor((sentAt - start) / 1000);
		let b = buckets.get(second);
		if (!b) buckets.set(second, (b = new Samples()));
		b.add(ms);
	}
	return [...buckets]
		.sort((a, b) => a[0] - b[0])
		.map(([second, b]) => ({ second, edits: b.count, p50: b.summary()!.p50, max: b.summary()!.max }));
}
