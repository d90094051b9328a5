/**
 * GET /metrics: this instance's figures in Prometheus' text format, for a scraper holding METRICS_TOKEN.
 *
 * One registry per process (not prom-client's global one), made when the app starts. Counters on the hot path are
 * bound to their labels once, here, so an update costs an increment and no lookup; figures that are a state
 * (connections, documents, pool, jobs) are read when scraped. Label values are always from a fixed set or a route
 * id, never an address or a user's input.
 */
import type http from 'node:http';
import { timingSafeEqual, createHash } from 'node:crypto';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type pg from 'pg';
import { CLOSE_CODES } from '../src/lib/domain/wire.ts';
import type { HubMetrics } from './hub/hub-metrics.ts';
import type { JobMetrics } from '../src/lib/server/jobs.ts';

const PREFIX = 'liandong_';

/** What the gauges read at scrape time. */
export interface MetricSources {
	yjsConnections(): number;
	socketConnections(): number;
	loadedDocuments(): number;
	jobs(): { running: number; waiting: number };
	pool: pg.Pool | null;
}

export interface AppMetrics {
	registry: Registry;
	hub: HubMetrics;
	jobs: JobMetrics;
	/** One socket.io command answered (or sent without asking for an answer). */
	command(name: string, outcome: string, seconds: number): void;
	/** One HTTP request answered. */
	http(method: string, route: string, status: number, seconds: number): void;
	/** Where the gauges read from; set once the hub and the command channel exist. */
	sources: MetricSources | null;
	/** Stops sampling the event loop (the app is closing). */
	stop(): void;
}

/** The close codes by name, for a bounded `reason` label. */
const CODE_NAMES = new Map<number, string>(Object.entries(CLOSE_CODES).map(([name, code]) => [code, name]));

/**
 * A refusal's reason as a label: the close code's name, made finer for the refusals whose message starts with a
 * known kind (schema, workflow, a quota). The rest of the message (paths, ids, sizes) never becomes a label.
 */
export function refusalReason(code: number, message: string): string {
	const name = CODE_NAMES.get(code) ?? 'other';
	if (code === CLOSE_CODES.refused) {
		if (message.startsWith('schema:')) return 'schema';
		if (message.startsWith('workflow:')) return 'workflow';
		if (message.startsWith('client id ')) return 'clientId';
		if (message.startsWith('update could not be')) return 'undecodable';
	}
	if (message.startsWith('quota:')) {
		const which = message.slice(6);
		if (which === 'userRate' || which === 'connections' || which === 'docBytes') return `quota_${which}`;
	}
	return name;
}

const HTTP_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
/** A job's kind as a label: the export formats and such short words; anything else is "other". */
const KIND = /^[a-z][a-z0-9_-]{0,23}$/;

/**
 * prom-client samples the event loop with a timer every 10 ms unless told otherwise: a hundred wake-ups a second,
 * 7.6 ms of CPU a second on an idle server here (half of all it spent idle). That sampler cannot be left out alone, so
 * it runs once a second and its statistics are dropped (each reads the sampling period plus the delay, about 1 s);
 * `nodejs_eventloop_lag_seconds`, measured when scraped, stays. The delay is sampled here instead, four times a
 * second, into a histogram of its own.
 */
const LOOP_SAMPLE_MS = 250;
const PROM_CLIENT_LAG_STATS = ['min', 'max', 'mean', 'stddev', 'p50', 'p90', 'p99'];

/** Observes how late a timer runs, every `everyMs`; returns what stops it. */
function sampleLoopDelay(h: Histogram, everyMs: number): () => void {
	let due = 0;
	let timer: NodeJS.Timeout;
	const arm = () => {
		due = performance.now() + everyMs;
		timer = setTimeout(tick, everyMs).unref();
	};
	const tick = () => {
		h.observe(Math.max(0, performance.now() - due) / 1000);
		arm();
	};
	arm();
	return () => clearTimeout(timer);
}

export function createMetrics(): AppMetrics {
	const registry = new Registry();
	collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 1_000 });
	for (const stat of PROM_CLIENT_LAG_STATS) registry.removeSingleMetric(`nodejs_eventloop_lag_${stat}_seconds`);
	const loopDelay = new Histogram({
		name: `${PREFIX}event_loop_delay_seconds`,
		help: `How late the event loop ran a timer, sampled every ${LOOP_SAMPLE_MS} ms: time the process could not answer anything.`,
		buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
		registers: [registry]
	});
	const stopLoopSampling = sampleLoopDelay(loopDelay, LOOP_SAMPLE_MS);

	const updates = new Counter({ name: `${PREFIX}updates_accepted_total`, help: 'Document updates stored, by source (a client connection or a server write).', labelNames: ['source'], registers: [registry] });
	const fromClients = updates.labels('client');
	const fromServer = updates.labels('server');
	const refused = new Counter({ name: `${PREFIX}updates_refused_total`, help: 'Messages refused on a Yjs connection (the connection is closed), by reason.', labelNames: ['reason'], registers: [registry] });
	const connRefused = new Counter({ name: `${PREFIX}yjs_connections_refused_total`, help: 'Yjs connections refused before they were taken, by reason.', labelNames: ['reason'], registers: [registry] });
	const commitSeconds = new Histogram({
		name: `${PREFIX}commit_duration_seconds`,
		help: 'Duration of one group commit of the update log (its transaction).',
		buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
		registers: [registry]
	});
	const commitSize = new Histogram({
		name: `${PREFIX}commit_updates`,
		help: 'Updates committed together in one group commit.',
		buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500],
		registers: [registry]
	});
	const fanout = new Histogram({
		name: `${PREFIX}fanout_duration_seconds`,
		help: "Delivery of stored updates to this instance's connections: local (sending a document's updates committed together to its peers) or remote (from another instance's notification to its updates sent here).",
		labelNames: ['path'],
		buckets: [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
		registers: [registry]
	});
	const fanoutLocal = fanout.labels('local');
	const fanoutRemote = fanout.labels('remote');
	const held = new Histogram({
		name: `${PREFIX}update_hold_seconds`,
		help: "A client's update from the hub taking it off its connection to its fan-out here: checks, commit and the queues between (with the fan-out's own time, the server's part of an edit's way to the readers).",
		buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
		registers: [registry]
	});
	const commands = new Counter({ name: `${PREFIX}commands_total`, help: 'socket.io commands, by name and outcome (ok, a refusal code, or noAck).', labelNames: ['command', 'outcome'], registers: [registry] });
	const commandSeconds = new Histogram({
		name: `${PREFIX}command_duration_seconds`,
		help: 'Time from a socket.io command to its answer, by name.',
		labelNames: ['command'],
		buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
		registers: [registry]
	});
	const requests = new Counter({ name: `${PREFIX}http_requests_total`, help: 'HTTP requests, by method, route (the page or endpoint, never the address) and status.', labelNames: ['method', 'route', 'status'], registers: [registry] });
	const requestSeconds = new Histogram({
		name: `${PREFIX}http_request_duration_seconds`,
		help: 'Time to answer an HTTP request, by route.',
		labelNames: ['route'],
		buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
		registers: [registry]
	});
	const jobsFinished = new Counter({ name: `${PREFIX}export_jobs_finished_total`, help: 'Export jobs finished, by kind and outcome (done or failed).', labelNames: ['kind', 'outcome'], registers: [registry] });
	const jobSeconds = new Histogram({
		name: `${PREFIX}export_job_duration_seconds`,
		help: 'Duration of an export job from its start (after any wait for a slot), by kind.',
		labelNames: ['kind'],
		buckets: [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
		registers: [registry]
	});

	const metrics: AppMetrics = {
		registry,
		sources: null,
		stop: stopLoopSampling,
		hub: {
			accepted: (source, count = 1) => (source === 'client' ? fromClients : fromServer).inc(count),
			refused: (code, reason) => refused.inc({ reason: refusalReason(code, reason) }),
			connectionRefused: (code) => connRefused.inc({ reason: CODE_NAMES.get(code) ?? 'other' }),
			committed(seconds, size) {
				commitSeconds.observe(seconds);
				commitSize.observe(size);
			},
			fannedOut: (path, seconds) => (path === 'local' ? fanoutLocal : fanoutRemote).observe(seconds),
			held: (seconds) => held.observe(seconds)
		},
		jobs: {
			finished(kind, outcome, seconds) {
				const k = KIND.test(kind) ? kind : 'other';
				jobsFinished.inc({ kind: k, outcome });
				jobSeconds.observe({ kind: k }, seconds);
			}
		},
		command(name, outcome, seconds) {
			commands.inc({ command: name, outcome });
			commandSeconds.observe({ command: name }, seconds);
		},
		http(method, route, status, seconds) {
			requests.inc({ method: HTTP_METHODS.has(method) ? method : 'other', route, status: String(status) });
			requestSeconds.observe({ route }, seconds);
		}
	};

	new Gauge({
		name: `${PREFIX}connections`,
		help: 'Open live connections on this instance, by kind (yjs, socketio).',
		labelNames: ['kind'],
		registers: [registry],
		collect() {
			const s = metrics.sources;
			this.set({ kind: 'yjs' }, s?.yjsConnections() ?? 0);
			this.set({ kind: 'socketio' }, s?.socketConnections() ?? 0);
		}
	});
	new Gauge({
		name: `${PREFIX}documents_loaded`,
		help: 'Documents loaded in memory on this instance.',
		registers: [registry],
		collect() {
			this.set(metrics.sources?.loadedDocuments() ?? 0);
		}
	});
	new Gauge({
		name: `${PREFIX}export_jobs`,
		help: 'Export jobs on this instance now, by state (running, waiting for a slot).',
		labelNames: ['state'],
		registers: [registry],
		collect() {
			const j = metrics.sources?.jobs() ?? { running: 0, waiting: 0 };
			this.set({ state: 'running' }, j.running);
			this.set({ state: 'waiting' }, j.waiting);
		}
	});
	new Gauge({
		name: `${PREFIX}db_pool_connections`,
		help: 'PostgreSQL pool connections by state (total, idle) and queries waiting for one (waiting). Absent on the embedded database, which has one connection and no pool.',
		labelNames: ['state'],
		registers: [registry],
		collect() {
			const pool = metrics.sources?.pool;
			if (!pool) return;
			this.set({ state: 'total' }, pool.totalCount);
			this.set({ state: 'idle' }, pool.idleCount);
			this.set({ state: 'waiting' }, pool.waitingCount);
		}
	});
	return metrics;
}

function digest(value: string): Buffer {
	return createHash('sha256').update(value).digest();
}

/**
 * Answers GET /metrics: 404 when no token is configured (the endpoint does not exist), 401 without the right
 * bearer token (compared in constant time, over digests so that the length is not told either), else the figures.
 */
export async function answerMetrics(req: http.IncomingMessage, res: http.ServerResponse, metrics: AppMetrics, token: string | undefined): Promise<void> {
	if (!token) {
		res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
		res.end('Not found');
		return;
	}
	const header = req.headers.authorization ?? '';
	const given = header.startsWith('Bearer ') ? header.slice(7).trim() : '';
	if (!given || !timingSafeEqual(digest(given), digest(token))) {
		res.writeHead(401, { 'content-type': 'text/plain; charset=utf-8', 'www-authenticate': 'Bearer realm="metrics"', 'cache-control': 'no-store' });
		res.end('A bearer token is required (METRICS_TOKEN).');
		return;
	}
	if (req.method !== 'GET' && req.method !== 'HEAD') {
		res.writeHead(405, { allow: 'GET, HEAD' });
		res.end();
		return;
	}
	const body = await metrics.registry.metrics();
	res.writeHead(200, { 'content-type': metrics.registry.contentType, 'cache-control': 'no-store' });
	res.end(req.method === 'HEAD' ? undefined : body);
}
