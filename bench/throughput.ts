/**
 * Accepted updates per second: every writer edits as fast as the server takes it, keeping at most `window`
 * edits unsaved (it waits for the server to send its updates back, stored, before sending more), for a fixed time.
 * The readers stay connected, so each accepted update is also fanned out to all of them.
 */
import type { BenchSettings } from './args.ts';
import type { PeerSet, Writer } from './clients.ts';
import { drain } from './latency.ts';
import { sleep, startCpuMeter, type CpuShares, type Percentiles } from './stats.ts';

const DRAIN_MS = 15_000;
/** A writer that hears nothing for this long sends again anyway, so a lost notice cannot stall the phase. */
const STALL_MS = 5_000;

export interface ThroughputFigures {
	seconds: number;
	window: number;
	writers: number;
	/** Edits sent in the window. */
	sent: number;
	/** Updates the server sent back to their writers (stored) in the window. */
	accepted: number;
	acceptedPerSecond: number;
	/** Filled in from the database afterwards (commitStats): updates stored in the window and the commits they took. */
	commits: number | null;
	updatesPerCommit: number | null;
	/** Edit-to-last-peer latency while the server is saturated. */
	lastPeerUnderLoad: Percentiles | null;
	/** Sent edits never reported saved by the end of the drain. */
	unsaved: number;
	/** Where the CPU went while the edits were made, in percent of one core. */
	cpu: CpuShares;
	/**
	 * Server CPU time per accepted update, fan-out to every peer included (PostgreSQL's own processes not; the
	 * embedded database runs inside the server and is).
	 * On a machine where the clients take most of the CPU this, not the rate, says what the server could do.
	 */
	serverCpuMsPerUpdate: number | null;
	clientLoopUtilization: number;
	/** The window in wall-clock time, to find its rows in the log. */
	from: Date;
	to: Date;
}

async function pump(w: Writer, until: number, window: number, sentBy: Map<Writer, number>): Promise<void> {
	let sent = 0;
	const saved0 = w.saved;
	while (performance.now() < until) {
		if (sent - (w.saved - saved0) >= window) {
			await w.nextSaved(STALL_MS);
			continue;
		}
		w.edit('tput');
		sentBy.set(w, ++sent);
		// Let sockets and the other clients of this thread run between sends; without it a writer would fill its
		// window before any message is handled.
		await new Promise((r) => setImmediate(r));
	}
}

export async function measureThroughput(peers: PeerSet, s: BenchSettings, serverPid: number | null): Promise<ThroughputFigures> {
	await peers.track('tput');
	const saved0 = new Map(peers.writers.map((w) => [w, w.saved]));
	const sentBy = new Map<Writer, number>();
	const cpuMeter = startCpuMeter(serverPid);
	const from = new Date();
	const until = performance.now() + s.throughputSeconds * 1000;
	const pumps = peers.writers.map((w) => pump(w, until, s.window, sentBy));
	await sleep(s.throughputSeconds * 1000);
	const to = new Date();
	const accepted = peers.writers.reduce((n, w) => n + w.saved - saved0.get(w)!, 0);
	const cpu = cpuMeter();
	await Promise.all(pumps);
	const { busiestClientLoop } = await peers.collect();

	const sent = [...sentBy.values()].reduce((a, b) => a + b, 0);
	const unsavedNow = () => peers.writers.reduce((n, w) => n + Math.max(0, (sentBy.get(w) ?? 0) - (w.saved - saved0.get(w)!)), 0);
	const until2 = performance.now() + DRAIN_MS;
	while (unsavedNow() > 0 && performance.now() < until2) await sleep(50);
	await drain(peers, Math.max(0, until2 - performance.now()));
	const c = await peers.collect();
	await peers.track(null);

	return {
		seconds: s.throughputSeconds,
		window: s.window,
		writers: peers.writers.length,
		sent,
		accepted,
		acceptedPerSecond: Math.round(accepted / s.throughputSeconds),
		commits: null,
		updatesPerCommit: null,
		lastPeerUnderLoad: c.lastPeer.summary(),
		unsaved: unsavedNow(),
		cpu,
		serverCpuMsPerUpdate:
			cpu.server !== null && accepted > 0 ? Math.round(((cpu.server / 100) * s.throughputSeconds * 1000 * 100) / accepted) / 100 : null,
		clientLoopUtilization: busiestClientLoop,
		from,
		to
	};
}
