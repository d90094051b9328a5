/**
 * `npm run bench -- --peers`: the same workload against the y-websocket 1.5.4 reference server (in memory, no
 * checks, no accounts) and Liandong on both databases, in one run, so that every figure is a ratio taken on the same
 * machine at the same moment. Stock y-websocket clients; readers in worker threads, writers here, each writer
 * adding a schema-valid card every `editIntervalMs`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { connectPeers, openClient, READER_USERS, Sessions, WRITER_USERS } from './clients.ts';
import { drain, pacedEdits } from './latency.ts';
import { readCpuSplit, readRssKiB, readStealSeconds, Samples, sleep, type Percentiles } from './stats.ts';
import { CROWD_QUOTAS, freePort, startServer, type TestServer } from '../tests/helpers/server.ts';
import { agencyDocName } from '../src/lib/domain/documents.ts';
import { DEMO_EVENT } from '../src/lib/server/demo/demo-data.ts';
import { PEER_SERVERS, type PeerServer } from './args.ts';

const REFERENCE_SERVER = fileURLToPath(new URL('../node_modules/y-websocket-reference/bin/server.js', import.meta.url));
/** Fresh clients timed one after another from connecting to synced ("first reader"). */
const FIRST_READERS = 20;
const DRAIN_MS = 10_000;
/** How long the server's CPU is read with every connection open and nothing edited. */
const RESTING_MS = 5_000;
/** Liandong runs with /metrics open to the bench, which reads its own histograms around the measured edits. */
const METRICS_TOKEN = 'peers-bench-metrics-token';
/** The server held an edit up when its loop or a commit took more than this (a bucket bound of both histograms). */
const STALL_SECONDS = 0.05;

export interface PeerWorkload {
	readers: number;
	writers: number;
	/** Each writer adds a card every this many milliseconds. */
	editIntervalMs: number;
	seconds: number;
	warmupSeconds: number;
	threads: number;
}

export interface PeerFigures {
	server: 'reference' | 'embedded' | 'postgres';
	readers: number;
	writers: number;
	run: number;
	lastPeer: Percentiles | null;
	firstReaderP50Ms: number | null;
	/** Server CPU time per (edit, reader) delivery, in microseconds. */
	cpuPerDeliveryUs: number | null;
	/** The kernel's part of it (system calls: socket writes, reads, the database's files). */
	kernelPerDeliveryUs: number | null;
	/** RSS added by a second set of connections as large as the workload's, over its size (what one more costs). */
	perConnectionKiB: number | null;
	/** The same for the workload's own set, the first to connect (includes what the server pays once). */
	firstSetKiB: number | null;
	idleRssMiB: number | null;
	/** Server CPU, in milliseconds a second, with the workload's connections open and no edits. */
	restingCpuMsPerS: number | null;
	/**
	 * Liandong's: full collections of V8's heap in that window (from its nodejs_gc_duration_seconds). A few seconds
	 * after a burst of connections ends, V8 shrinks the heap with two or three of them, and their marking on V8's own
	 * threads is most of what a server at rest then spends.
	 */
	restingFullGcs: number | null;
	/** CPU the machine's host took from its cores while the edits ran (steal, ms summed over the cores). */
	stealMs: number | null;
	/**
	 * Liandong's own account of the measured edits, from its histograms: how many updates it held (from taking one
	 * off its writer's connection to its fan-out) more than STALL_SECONDS, how often its event loop ran a timer that
	 * late and how many commits took longer, each with the upper bound of the worst one's bucket. A tail in p99 the
	 * held updates do not show came from outside the server (the machine, the clients).
	 */
	stalls: { held: number; heldLong: number; worstHeldMs: number | null; loopLate: number; worstLoopMs: number | null; slowCommits: number; worstCommitMs: number | null } | null;
	undelivered: number;
	/** The busiest client thread's event loop during the edits (near 1: the clients, not the server, set the pace). */
	clientLoop: number;
}

/** Above this, a run's latency and CPU figures are the clients' and no goal is judged on them. */
const SATURATED_CLIENTS = 0.9;

interface Target {
	name: PeerFigures['server'];
	base: string;
	path: string;
	sessions: Sessions | null;
	doc: string;
	pid: number | null;
	/** Liandong's: the bearer token of its /metrics. */
	metricsToken?: string;
	stop(): Promise<void>;
}

/** Starts the reference server on a free port and waits until it takes connections. */
async function startReference(cpuProf: string | null): Promise<{ base: string; pid: number; stop(): Promise<void> }> {
	const port = await freePort();
	// Memory only, as the issue measured it: YPERSISTENCE, even empty, would make it store in LevelDB.
	const env: NodeJS.ProcessEnv = { ...process.env, HOST: '127.0.0.1', PORT: String(port) };
	delete env.YPERSISTENCE;
	// Profiled, it runs under a line that makes SIGTERM an ordinary exit: a profile is written only then.
	const args = cpuProf
		? ['--cpu-prof', `--cpu-prof-dir=${resolve(cpuProf, 'reference')}`, '-e', `process.on('SIGTERM', () => process.exit(0)); require(${JSON.stringify(REFERENCE_SERVER)});`]
		: [REFERENCE_SERVER];
	const child: ChildProcess = spawn(process.execPath, args, {
		env,
		stdio: ['ignore', 'pipe', 'pipe']
	});
	let out = '';
	await new Promise<void>((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`the reference server did not start: ${out}`)), 15_000);
		const seen = (d: Buffer) => {
			out += d;
			if (/running at/.test(out)) {
				clearTimeout(timer);
				resolve();
			}
		};
		child.stdout!.on('data', seen);
		child.stderr!.on('data', (d) => (out += d));
		child.once('exit', (code) => reject(new Error(`the reference server exited with ${code}: ${out}`)));
	});
	return {
		base: `http://127.0.0.1:${port}`,
		pid: child.pid!,
		stop: () =>
			new Promise<void>((resolve) => {
				if (child.exitCode !== null) return resolve();
				child.once('exit', () => resolve());
				child.kill('SIGTERM');
			})
	};
}

/** Starts Liandong with the demo on one database kind; the document is the station's, as in the live phases. */
async function startLiandong(kind: 'embedded' | 'postgres', postgresUrl: string, cpuProf: string | null): Promise<{ server: TestServer; sessions: Sessions }> {
	const saved = process.env.DATABASE_URL;
	if (kind === 'postgres') process.env.DATABASE_URL = postgresUrl;
	else delete process.env.DATABASE_URL;
	try {
		const env = { ...CROWD_QUOTAS, METRICS_TOKEN, ...(cpuProf ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${resolve(cpuProf, kind)}` } : {}) };
		const server = await startServer({ demo: true, env });
		const sessions = new Sessions(server.url);
		await sessions.signInAll([...READER_USERS, ...WRITER_USERS]);
		return { server, sessions };
	} finally {
		if (saved === undefined) delete process.env.DATABASE_URL;
		else process.env.DATABASE_URL = saved;
	}
}

/** Times fresh readers one after another from connecting to synced. */
async function firstReaderP50(t: Target, cookie: string | null): Promise<number | null> {
	const samples = new Samples();
	for (let i = 0; i < FIRST_READERS; i++) {
		const t0 = performance.now();
		const live = await openClient(t.base, t.doc, cookie, t.path);
		samples.add(performance.now() - t0);
		live.destroy();
	}
	return samples.summary()?.p50 ?? null;
}

type Buckets = Map<number, number>;

interface Histograms {
	loop: Buckets;
	commit: Buckets;
	held: Buckets;
	/** Full (mark-compact) collections of V8's heap so far. */
	fullGcs: number;
}

/** Liandong's event-loop delay, commit duration and update hold histograms (cumulative counts by upper bound, seconds). */
async function scrapeHistograms(t: Target): Promise<Histograms | null> {
	if (!t.metricsToken) return null;
	const res = await fetch(`${t.base}/metrics`, { headers: { authorization: `Bearer ${t.metricsToken}` } });
	if (!res.ok) return null;
	const h: Histograms = { loop: new Map(), commit: new Map(), held: new Map(), fullGcs: 0 };
	const which = { event_loop_delay: h.loop, commit_duration: h.commit, update_hold: h.held } as const;
	for (const line of (await res.text()).split('\n')) {
		const m = /^liandong_(event_loop_delay|commit_duration|update_hold)_seconds_bucket\{[^}]*le="([^"]+)"[^}]*\} (\d+)/.exec(line);
		if (m) which[m[1] as keyof typeof which].set(m[2] === '+Inf' ? Infinity : Number(m[2]), Number(m[3]));
		const gc = /^nodejs_gc_duration_seconds_count\{[^}]*kind="major"[^}]*\} (\d+)/.exec(line);
		if (gc) h.fullGcs = Number(gc[1]);
	}
	return h;
}

/** Samples over STALL_SECONDS between two scrapes, and the upper bound of the worst one's bucket in ms. */
function lateBetween(before: Buckets, after: Buckets): { total: number; count: number; worstMs: number | null } {
	const added = (le: number) => (after.get(le) ?? 0) - (before.get(le) ?? 0);
	const bounds = [...after.keys()].sort((a, b) => a - b);
	const total = added(Infinity);
	// Buckets count what is at most their bound.
	const under = added(STALL_SECONDS);
	let worst: number | null = null;
	for (let i = bounds.length - 1; i >= 0 && worst === null; i--) {
		if (added(bounds[i]) > (i > 0 ? added(bounds[i - 1]) : 0)) worst = bounds[i];
	}
	return { total, count: total - under, worstMs: total - under > 0 && worst !== null ? (Number.isFinite(worst) ? Math.round(worst * 1000) : Infinity) : null };
}

function stallsBetween(a: Histograms, b: Histograms): NonNullable<PeerFigures['stalls']> {
	const held = lateBetween(a.held, b.held);
	const loop = lateBetween(a.loop, b.loop);
	const commit = lateBetween(a.commit, b.commit);
	return { held: held.total, heldLong: held.count, worstHeldMs: held.worstMs, loopLate: loop.count, worstLoopMs: loop.worstMs, slowCommits: commit.count, worstCommitMs: commit.worstMs };
}

function perDelivery(seconds: number | null, deliveries: number): number | null {
	return seconds !== null && deliveries ? Math.round((seconds * 1e6) / deliveries) : null;
}

/** One run of the workload against one server: memory, first reader, then paced card additions. */
async function runOnce(t: Target, w: PeerWorkload, run: number, idleRssMiB: number | null): Promise<PeerFigures> {
	const readerCookie = t.sessions ? await t.sessions.cookie('reviewer') : null;
	// One client first, so that the document is loaded before the baseline is read.
	const probe = await openClient(t.base, t.doc, readerCookie, t.path);
	await sleep(1_000);
	const before = t.pid ? readRssKiB(t.pid) : null;
	const peers = await connectPeers(t.sessions, t.doc, { readers: w.readers, writers: w.writers, threads: w.threads, path: t.path, base: t.base, addCards: true });
	try {
		await sleep(1_500);
		const after = t.pid ? readRssKiB(t.pid) : null;
		// A second set as large, beside the first and closed again: what one more connection costs once the server has
		// paid what it pays once whatever the count (a database pool's clients opened by the first set's logins, code
		// compiled for the first connections). The first set's figure is kept too.
		const extra = await connectPeers(t.sessions, t.doc, { readers: w.readers, writers: w.writers, threads: w.threads, path: t.path, base: t.base });
		await sleep(1_500);
		const afterExtra = t.pid ? readRssKiB(t.pid) : null;
		await extra.destroy();
		probe.destroy();
		const firstSetKiB = before !== null && after !== null && after > before ? Math.round((after - before) / peers.size) : null;
		const perConnectionKiB = after !== null && afterExtra !== null && afterExtra > after ? Math.round((afterExtra - after) / extra.size) : null;
		const firstReader = await firstReaderP50(t, readerCookie);
		await sleep(1_000);
		// Scraped outside the window, so that answering the bench is not counted as the server's CPU at rest.
		const restGc0 = await scrapeHistograms(t);
		const rest0 = t.pid ? readCpuSplit(t.pid) : null;
		await sleep(RESTING_MS);
		const rest1 = t.pid ? readCpuSplit(t.pid) : null;
		const restGc1 = await scrapeHistograms(t);

		await peers.track(null);
		await pacedEdits(peers, w.warmupSeconds, w.editIntervalMs, 'warm');
		await sleep(500);
		await peers.track('peer');
		const histograms0 = await scrapeHistograms(t);
		const cpu0 = t.pid ? readCpuSplit(t.pid) : null;
		const steal0 = readStealSeconds();
		await pacedEdits(peers, w.seconds, w.editIntervalMs, 'peer');
		const steal1 = readStealSeconds();
		await drain(peers, DRAIN_MS);
		const cpu1 = t.pid ? readCpuSplit(t.pid) : null;
		const histograms1 = await scrapeHistograms(t);
		const c = await peers.collect();
		const deliveries = c.perPeer.count;
		return {
			server: t.name,
			readers: w.readers,
			writers: w.writers,
			run,
			lastPeer: c.lastPeer.summary(),
			firstReaderP50Ms: firstReader === null ? null : Math.round(firstReader * 10) / 10,
			cpuPerDeliveryUs: perDelivery(cpu0 && cpu1 && cpu1.user + cpu1.kernel - cpu0.user - cpu0.kernel, deliveries),
			kernelPerDeliveryUs: perDelivery(cpu0 && cpu1 && cpu1.kernel - cpu0.kernel, deliveries),
			perConnectionKiB,
			firstSetKiB,
			idleRssMiB,
			stalls: histograms0 && histograms1 ? stallsBetween(histograms0, histograms1) : null,
			restingCpuMsPerS: rest0 && rest1 ? Math.round(((rest1.user + rest1.kernel - rest0.user - rest0.kernel) * 1e6) / RESTING_MS) : null,
			restingFullGcs: restGc0 && restGc1 ? restGc1.fullGcs - restGc0.fullGcs : null,
			stealMs: steal0 !== null && steal1 !== null ? Math.round((steal1 - steal0) * 1000) : null,
			undelivered: c.sent - c.delivered,
			clientLoop: c.busiestClientLoop
		};
	} finally {
		probe.destroy();
		await peers.destroy();
	}
}

export interface PeerComparison {
	workloads: PeerWorkload[];
	runs: number;
	figures: PeerFigures[];
}

/**
 * Each server in turn, each workload, `runs` times; each server is fresh for each workload, and its idle memory is
 * read before any client connects (after the demo is seeded, for Liandong).
 */
export async function comparePeers(
	workloads: PeerWorkload[],
	runs: number,
	postgresUrl: string,
	log: (m: string) => void,
	cpuProf: string | null = null,
	servers: readonly PeerServer[] = PEER_SERVERS
): Promise<PeerComparison> {
	const figures: PeerFigures[] = [];
	const doc = agencyDocName(DEMO_EVENT.id, 'station');
	for (const w of workloads) {
		for (let run = 1; run <= runs; run++) {
			for (const name of servers) {
				let target: Target;
				if (name === 'reference') {
					const ref = await startReference(cpuProf);
					target = { name, base: ref.base, path: '', sessions: null, doc, pid: ref.pid, stop: ref.stop };
				} else {
					const { server, sessions } = await startLiandong(name, postgresUrl, cpuProf);
					target = { name, base: server.url, path: '/yjs', sessions, doc, pid: server.pid(), metricsToken: METRICS_TOKEN, stop: () => server.dispose() };
				}
				try {
					await sleep(2_000);
					const idle = target.pid ? readRssKiB(target.pid) : null;
					log(`peers: ${name}, ${w.readers} readers / ${w.writers} writers, run ${run} of ${runs}`);
					const f = await runOnce(target, w, run, idle === null ? null : Math.round(idle / 1024));
					figures.push(f);
					const parts = [`p99 ${f.lastPeer?.p99 ?? '—'} ms`];
					if (f.stealMs !== null) parts.push(`the host took ${f.stealMs} ms of the machine's CPU during the edits`);
					if (f.stalls) {
						const st = f.stalls;
						const worst = (ms: number | null) => (ms === null ? '' : Number.isFinite(ms) ? ` (worst ≤ ${ms} ms)` : ' (worst beyond the last bucket)');
						const over = `more than ${STALL_SECONDS * 1000} ms`;
						parts.push(`the server held ${st.heldLong} of ${st.held} updates ${over}${worst(st.worstHeldMs)}, its loop ran ${st.loopLate} timers ${over} late${worst(st.worstLoopMs)}, ${st.slowCommits} commits took ${over}${worst(st.worstCommitMs)}`);
					}
					if (f.restingCpuMsPerS !== null) parts.push(`at rest ${f.restingCpuMsPerS} ms/s${f.restingFullGcs === null ? '' : ` (${f.restingFullGcs} full collections of V8's heap in that window)`}`);
					log(`peers: ${name} run ${run}: ${parts.join('; ')}`);
				} finally {
					await target.stop();
				}
			}
		}
	}
	return { workloads, runs, figures };
}

/** A goal of issue 20 and whether this run holds it. */
export interface GoalCheck {
	goal: string;
	holds: boolean | null;
	detail: string;
}

const worst = (xs: Array<number | null>) => (xs.some((x) => x === null) || !xs.length ? null : Math.max(...(xs as number[])));

/** The comparison's goals: CPU per delivery, p99 at 50 readers, memory per connection and idle memory. */
export function peerGoals(c: PeerComparison): GoalCheck[] {
	const out: GoalCheck[] = [];
	const of = (server: PeerFigures['server'], w: PeerWorkload) => c.figures.filter((f) => f.server === server && f.readers === w.readers && f.writers === w.writers);
	for (const w of c.workloads) {
		for (const run of Array.from({ length: c.runs }, (_, i) => i + 1)) {
			const ref = of('reference', w).find((f) => f.run === run);
			for (const db of ['embedded', 'postgres'] as const) {
				const ours = of(db, w).find((f) => f.run === run);
				if (!ref || !ours) continue;
				const tag = `${db}, ${w.readers}/${w.writers}, run ${run}`;
				const saturated = Math.max(ref.clientLoop, ours.clientLoop);
				if (saturated >= SATURATED_CLIENTS) {
					out.push({ goal: `CPU per delivery and p99 (${tag})`, holds: null, detail: `not judged: a client thread was ${Math.round(saturated * 100)} % busy (more --client-threads, or fewer clients)` });
				} else {
					const cpuRatio = ratio(ours.cpuPerDeliveryUs, ref.cpuPerDeliveryUs);
					out.push({ goal: `CPU per delivery ≤ 1.5× the reference (${tag})`, holds: cpuRatio === null ? null : cpuRatio <= 1.5, detail: `${ours.cpuPerDeliveryUs} µs vs ${ref.cpuPerDeliveryUs} µs (${cpuRatio}×)` });
					if (w.readers <= 50) {
						const p99Ratio = ratio(ours.lastPeer?.p99 ?? null, ref.lastPeer?.p99 ?? null);
						out.push({ goal: `edit → every reader p99 ≤ 1.2× the reference (${tag})`, holds: p99Ratio === null ? null : p99Ratio <= 1.2, detail: `${ours.lastPeer?.p99} ms vs ${ref.lastPeer?.p99} ms (${p99Ratio}×)` });
					}
				}
				out.push({
					goal: `memory per connection ≤ the reference's (${tag})`,
					holds: ours.perConnectionKiB === null || ref.perConnectionKiB === null ? null : ours.perConnectionKiB <= ref.perConnectionKiB,
					detail: `${ours.perConnectionKiB} KiB vs ${ref.perConnectionKiB} KiB`
				});
				if (ours.undelivered) out.push({ goal: `every edit delivered (${tag})`, holds: false, detail: `${ours.undelivered} edits did not reach every reader` });
			}
		}
	}
	const embedded = c.figures.filter((f) => f.server === 'embedded');
	const idle = worst(embedded.map((f) => f.idleRssMiB));
	if (embedded.length) out.push({ goal: 'idle RSS of the embedded server ≤ 200 MB', holds: idle === null ? null : idle * 1.048576 <= 200, detail: `${idle} MiB at most` });
	return out;
}

function ratio(a: number | null, b: number | null): number | null {
	return a === null || b === null || b === 0 ? null : Math.round((a / b) * 100) / 100;
}

/** The comparison as a Markdown table: one row per server and workload, the median of its runs, with ratios. */
export function peersTable(c: PeerComparison): string {
	const median = (xs: Array<number | null | undefined>) => {
		const v = xs.filter((x): x is number => typeof x === 'number').sort((a, b) => a - b);
		return v.length ? v[Math.floor((v.length - 1) / 2)] : null;
	};
	const rows = ['| server | readers / writers | edit → reader p50 / p99 (worst run) | first reader p50 | server CPU per delivery (of it kernel) | KiB per connection | idle RSS | CPU at rest |', '|---|---|---|---|---|---|---|---|'];
	for (const w of c.workloads) {
		const pick = (s: PeerFigures['server']) => c.figures.filter((f) => f.server === s && f.readers === w.readers && f.writers === w.writers);
		const ref = pick('reference');
		const refCpu = median(ref.map((f) => f.cpuPerDeliveryUs));
		const refP99 = worst(ref.map((f) => f.lastPeer?.p99 ?? null));
		const refConn = median(ref.map((f) => f.perConnectionKiB));
		for (const s of PEER_SERVERS) {
			const f = pick(s);
			if (!f.length) continue;
			const cpu = median(f.map((x) => x.cpuPerDeliveryUs));
			const p99 = worst(f.map((x) => x.lastPeer?.p99 ?? null));
			const conn = median(f.map((x) => x.perConnectionKiB));
			const r = (a: number | null, b: number | null) => (s === 'reference' || ratio(a, b) === null ? '' : ` (${ratio(a, b)}×)`);
			const name = s === 'reference' ? 'y-websocket 1.5.4 (memory only)' : s === 'embedded' ? 'Liandong, embedded' : 'Liandong, PostgreSQL';
			rows.push(
				`| ${name} | ${w.readers} / ${w.writers} | ${median(f.map((x) => x.lastPeer?.p50))} / ${p99}${r(p99, refP99)} ms | ${median(f.map((x) => x.firstReaderP50Ms))} ms | ${cpu}${r(cpu, refCpu)} µs (${median(f.map((x) => x.kernelPerDeliveryUs))}) | ${conn}${r(conn, refConn)} | ${median(f.map((x) => x.idleRssMiB))} MiB | ${median(f.map((x) => x.restingCpuMsPerS))} ms/s |`
			);
		}
	}
	return rows.join('\n');
}
