/** Small numeric helpers for the benchmark: a growable sample list with percentiles, and process probes. */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

/** Latency samples in milliseconds, kept in a growable Float64Array (hundreds of thousands fit easily). */
export class Samples {
	#data = new Float64Array(1024);
	#size = 0;

	add(value: number): void {
		if (this.#size === this.#data.length) {
			const bigger = new Float64Array(this.#data.length * 2);
			bigger.set(this.#data);
			this.#data = bigger;
		}
		this.#data[this.#size++] = value;
	}

	get count(): number {
		return this.#size;
	}

	/** A copy of the samples, to send to another thread. */
	toArray(): Float64Array {
		return this.#data.slice(0, this.#size);
	}

	addAll(values: Float64Array): void {
		for (const v of values) this.add(v);
	}

	/** p50, p99 and max, rounded to 0.1 ms; null when there are no samples. */
	summary(): Percentiles | null {
		if (this.#size === 0) return null;
		const sorted = this.#data.slice(0, this.#size).sort();
		return { p50: round1(percentile(sorted, 0.5)), p99: round1(percentile(sorted, 0.99)), max: round1(sorted[sorted.length - 1]) };
	}
}

export interface Percentiles {
	p50: number;
	p99: number;
	max: number;
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: Float64Array, q: number): number {
	const rank = Math.ceil(q * sorted.length);
	return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export function round1(n: number): number {
	return Math.round(n * 10) / 10;
}

export function sleep(ms: number): Promise<void> {
	return new Promise((r) => setTimeout(r, ms));
}

/** Resident memory of a process in KiB, from /proc/<pid>/status (Linux only; null elsewhere). */
export function readRssKiB(pid: number): number | null {
	try {
		const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
		return m ? Number(m[1]) : null;
	} catch {
		return null;
	}
}

/**
 * A process's RSS once it has stopped falling: read every half second until two readings are within 1 MiB, or
 * `maxMs` has passed. A server that has just loaded documents may still be shrinking its heap (V8 collects a few
 * seconds after a burst); measured then, the memory connections add afterwards can vanish in what it gives back.
 */
export async function settledRssKiB(pid: number, maxMs = 10_000): Promise<number | null> {
	let last = readRssKiB(pid);
	for (const until = Date.now() + maxMs; last !== null && Date.now() < until; ) {
		await sleep(500);
		const now = readRssKiB(pid);
		if (now === null || last - now < 1024) return now;
		last = now;
	}
	return last;
}

/**
 * CPU time a process has used (user + system) in seconds, from /proc/<pid>/stat. Linux reports it in clock
 * ticks of 1/100 s (USER_HZ, fixed at 100 on every architecture Node runs on).
 */
export function readCpuSeconds(pid: number): number | null {
	const split = readCpuSplit(pid);
	return split && split.user + split.kernel;
}

/** CPU time of a process so far, in seconds, split into user and kernel (Linux /proc; null elsewhere). */
export function readCpuSplit(pid: number): { user: number; kernel: number } | null {
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		// The command name (field 2) may hold spaces; fields after its closing parenthesis are plain.
		const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		return { user: Number(fields[11]) / 100, kernel: Number(fields[12]) / 100 };
	} catch {
		return null;
	}
}

/** The machine's CPU times so far, in ticks of 1/100 s summed over its cores (Linux /proc/stat; null elsewhere). */
function machineCpuTicks(): number[] | null {
	try {
		// cpu user nice system idle iowait irq softirq steal ...
		return readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
	} catch {
		return null;
	}
}

/** CPU time of the whole machine so far, in seconds of busy core time (null where it cannot be read). */
function machineBusySeconds(): number | null {
	const f = machineCpuTicks();
	return f && (f[0] + f[1] + f[2] + f[5] + f[6] + f[7]) / 100;
}

/**
 * Time the machine's virtual cores were ready to run but the host ran something else ("steal"), in seconds summed
 * over the cores (null where it cannot be read). On a virtual machine a burst of it stalls every process at once.
 */
export function readStealSeconds(): number | null {
	const steal = machineCpuTicks()?.[7];
	return steal !== undefined && Number.isFinite(steal) ? steal / 100 : null;
}

/** Where the CPU went during a phase, in percent of one core (two busy cores = 200). */
export interface CpuShares {
	server: number | null;
	/** This process: every client thread of the bench. */
	clients: number;
	/** Everything else on the machine: PostgreSQL, and whatever else runs there. */
	others: number | null;
}

/** Starts measuring where the CPU goes; the returned function gives the shares since the start. */
export function startCpuMeter(serverPid: number | null): () => CpuShares {
	const server0 = serverPid ? readCpuSeconds(serverPid) : null;
	const machine0 = machineBusySeconds();
	const self0 = process.cpuUsage();
	const t0 = performance.now();
	return () => {
		const wall = (performance.now() - t0) / 1000;
		const pct = (cpuSeconds: number) => Math.round((cpuSeconds / wall) * 100);
		const server1 = serverPid ? readCpuSeconds(serverPid) : null;
		const machine1 = machineBusySeconds();
		const self = process.cpuUsage(self0);
		const clients = (self.user + self.system) / 1e6;
		const server = server0 !== null && server1 !== null ? server1 - server0 : null;
		const machine = machine0 !== null && machine1 !== null ? machine1 - machine0 : null;
		return {
			server: server === null ? null : pct(server),
			clients: pct(clients),
			others: machine === null || server === null ? null : Math.max(0, pct(machine - server - clients))
		};
	};
}
