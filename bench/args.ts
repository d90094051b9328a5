/** Command-line settings of `npm run bench`; every phase is bounded by these counts and durations. */
import type { LoadSettings } from './load.ts';

export interface BenchSettings {
	database: 'postgres' | 'embedded';
	quick: boolean;
	readers: number;
	writers: number;
	/** Worker threads the readers are spread over. */
	clientThreads: number;
	/** Warm-up before latency samples are kept, in seconds. */
	warmupSeconds: number;
	/** How long writers make paced edits while latency is measured, in seconds. */
	latencySeconds: number;
	/** Each writer makes one edit every this many milliseconds in the latency phase. */
	editIntervalMs: number;
	/** How long writers edit as fast as the server accepts, in seconds. */
	throughputSeconds: number;
	/** Edits a writer may have sent but not yet seen saved in the throughput phase. */
	window: number;
	/** The large event: cards and logged updates in one agency document. */
	cards: number;
	updates: number;
	/** Updates appended after the snapshot, replayed on top of it on the second cold load. */
	tail: number;
	/** Where the figures go as JSON, or null for nowhere. */
	out: string | null;
	/** Print the latency phase second by second. */
	timeline: boolean;
	/** Skip the large event (for quick looks at the live figures). */
	skipLargeEvent: boolean;
	/** Folder for the server's V8 CPU profiles (node --cpu-prof), or null. */
	cpuProf: string | null;
	/** The phases to run (all by default; --only picks some). */
	phases: Phase[];
	/** The load phase: a crowd of clients on one event, some of them writing at a person's pace. */
	load: LoadSettings;
	/** Runs of each workload of the peers comparison (--peers). */
	peerRuns: number;
	/** The servers the peers comparison runs (the reference always, to compare with). */
	peerServers: PeerServer[];
	/** Its workloads' sizes, readers and writers; null for the usual two. */
	peerSizes: Array<{ readers: number; writers: number }> | null;
}

export const PEER_SERVERS = ['reference', 'embedded', 'postgres'] as const;
export type PeerServer = (typeof PEER_SERVERS)[number];

/**
 * live: latency, throughput and memory on one document; load: the crowd; large: the large event's cold load;
 * exports: the record's exports; phone: the board's first and repeat load on emulated slow 4G; map: the wall's venue
 * map with 500 posts, 100 zones and 2,000 pins; upload: 50 phones sending a report with a 2 MB photo at once;
 * peers (only with --peers or --only): the same workload on the y-websocket reference server and on both databases.
 */
export const PHASES = ['live', 'load', 'large', 'exports', 'phone', 'map', 'upload', 'peers'] as const;
export type Phase = (typeof PHASES)[number];

export const USAGE = `npm run bench -- [options]

  --embedded              run on the embedded database (PGlite) instead of PostgreSQL
  --quick                 a short smoke run (small counts, a few seconds per phase)
  --readers N             read-only clients on the measured document (default 200)
  --writers N             writing clients on the measured document (default 20)
  --client-threads N      worker threads the readers are spread over (default 2)
  --latency-seconds S     paced editing while latency is measured (default 20)
  --edit-interval MS      each writer edits once every MS milliseconds then (default 500)
  --throughput-seconds S  editing as fast as the server accepts (default 15)
  --window N              unsaved edits a writer may have outstanding (default 4)
  --cards N               cards of the large event (default 5000)
  --updates N             logged updates of the large event (default 100000)
  --tail N                updates after the snapshot (default 400; under the hub's 500)
  --out FILE              write the figures as JSON here (default bench/results/latest.json,
                          latest-embedded.json with --embedded; no file with --quick)
  --no-out                write no JSON file
  --no-large-event        skip the large event
  --timeline              print edit latency second by second (spikes, and when they happen)
  --cpu-prof DIR          have the servers write V8 CPU profiles into DIR (the reference too, with --peers)
  --only PHASES           run only these phases, comma-separated: live, load, large, exports, phone, map,
                          upload, peers (default all but peers; --no-large-event drops large)
  --peers                 also compare with the y-websocket 1.5.4 reference server on both databases
                          (50 readers / 10 writers and 200 / 20, each writer adding a card 5 times a second)
  --peer-runs N           runs of each peers workload (default 1; the goals speak of 5)
  --peer-servers LIST     the servers it compares, of embedded,postgres (the reference always runs)
  --peer-sizes LIST       its workloads as readers/writers, e.g. 50/10 (default 50/10,200/20)
  --load-clients N        clients of the load phase on one event (default 2000)
  --load-writers N        of them writing (default 50)
  --load-walls N          wall displays among them, five connections each (default 10)
  --load-seconds S        how long the writers edit (default 30)
  --load-edit-interval MS each writer edits once every MS milliseconds (default 1000)
  --load-stock-presence   clients forward everyone's presence back to the server, as a stock provider
                          does (default: each sends its own only, as the board's page does)

PostgreSQL: DATABASE_URL names the server (default postgres://postgres@127.0.0.1:5432/postgres); the bench
creates a scratch database there and drops it afterwards.`;

export class UsageError extends Error {}

function intArg(name: string, raw: string | undefined, min: number, max: number): number {
	const n = Number(raw);
	if (raw === undefined || !Number.isInteger(n) || n < min || n > max) {
		throw new UsageError(`${name} takes a whole number from ${min} to ${max}; got ${raw ?? 'nothing'}`);
	}
	return n;
}

export function parseBenchArgs(argv: string[]): BenchSettings | 'help' {
	if (argv.includes('--help') || argv.includes('-h')) return 'help';
	const quick = argv.includes('--quick');
	const embedded = argv.includes('--embedded');
	const s: BenchSettings = {
		database: embedded ? 'embedded' : 'postgres',
		quick,
		readers: quick ? 20 : 200,
		writers: quick ? 4 : 20,
		clientThreads: 2,
		warmupSeconds: quick ? 1 : 2,
		latencySeconds: quick ? 5 : 20,
		editIntervalMs: 500,
		throughputSeconds: quick ? 5 : 15,
		window: 4,
		cards: quick ? 500 : 5000,
		updates: quick ? 10_000 : 100_000,
		tail: quick ? 100 : 400,
		out: quick ? null : embedded ? 'bench/results/latest-embedded.json' : 'bench/results/latest.json',
		timeline: false,
		skipLargeEvent: false,
		cpuProf: null,
		phases: PHASES.filter((p) => p !== 'peers'),
		peerRuns: 1,
		peerServers: [...PEER_SERVERS],
		peerSizes: null,
		load: {
			clients: quick ? 300 : 2000,
			writers: quick ? 10 : 50,
			walls: quick ? 2 : 10,
			threads: 2,
			seconds: quick ? 5 : 30,
			editIntervalMs: 1000,
			presence: 'own'
		}
	};
	for (let i = 0; i < argv.length; i++) {
		const a = argv[i];
		const next = () => argv[++i];
		switch (a) {
			case '--embedded':
			case '--quick':
				break;
			case '--readers':
				s.readers = intArg(a, next(), 0, 5000);
				break;
			case '--writers':
				s.writers = intArg(a, next(), 1, 500);
				break;
			case '--client-threads':
				s.clientThreads = intArg(a, next(), 1, 64);
				break;
			case '--latency-seconds':
				s.latencySeconds = intArg(a, next(), 1, 600);
				break;
			case '--edit-interval':
				s.editIntervalMs = intArg(a, next(), 10, 60_000);
				break;
			case '--throughput-seconds':
				s.throughputSeconds = intArg(a, next(), 1, 600);
				break;
			case '--window':
				s.window = intArg(a, next(), 1, 1000);
				break;
			case '--cards':
				s.cards = intArg(a, next(), 1, 20_000);
				break;
			case '--updates':
				s.updates = intArg(a, next(), 1, 2_000_000);
				break;
			case '--tail':
				s.tail = intArg(a, next(), 0, 499);
				break;
			case '--out': {
				const v = next();
				if (!v) throw new UsageError('--out takes a file name');
				s.out = v;
				break;
			}
			case '--timeline':
				s.timeline = true;
				break;
			case '--no-large-event':
				s.skipLargeEvent = true;
				break;
			case '--no-out':
				s.out = null;
				break;
			case '--cpu-prof': {
				const v = next();
				if (!v) throw new UsageError('--cpu-prof takes a folder');
				s.cpuProf = v;
				break;
			}
			case '--only': {
				const v = next();
				const picked = (v ?? '').split(',').filter(Boolean);
				const unknown = picked.filter((p) => !(PHASES as readonly string[]).includes(p));
				if (!picked.length || unknown.length) throw new UsageError(`--only takes phases from ${PHASES.join(', ')}; got ${v ?? 'nothing'}`);
				s.phases = PHASES.filter((p) => picked.includes(p));
				break;
			}
			case '--peers':
				if (!s.phases.includes('peers')) s.phases = [...s.phases, 'peers'];
				break;
			case '--peer-runs':
				s.peerRuns = intArg(a, next(), 1, 20);
				break;
			case '--peer-servers': {
				const list = (next() ?? '').split(',').filter(Boolean);
				const unknown = list.filter((x) => x === 'reference' || !(PEER_SERVERS as readonly string[]).includes(x));
				if (!list.length || unknown.length) throw new UsageError(`--peer-servers takes embedded, postgres or both; got ${list.join(',') || 'nothing'}`);
				s.peerServers = ['reference', ...(list as PeerServer[])];
				break;
			}
			case '--peer-sizes': {
				const raw = next() ?? '';
				s.peerSizes = raw.split(',').map((size) => {
					const m = /^(\d+)\/(\d+)$/.exec(size);
					if (!m || +m[1] < 1 || +m[2] < 1 || +m[1] > 1000 || +m[2] > 100) throw new UsageError(`--peer-sizes takes readers/writers pairs such as 50/10; got ${raw || 'nothing'}`);
					return { readers: +m[1], writers: +m[2] };
				});
				break;
			}
			case '--load-clients':
				s.load.clients = intArg(a, next(), 10, 10_000);
				break;
			case '--load-writers':
				s.load.writers = intArg(a, next(), 5, 1000);
				break;
			case '--load-walls':
				s.load.walls = intArg(a, next(), 0, 200);
				break;
			case '--load-seconds':
				s.load.seconds = intArg(a, next(), 1, 600);
				break;
			case '--load-stock-presence':
				s.load.presence = 'stock';
				break;
			case '--load-edit-interval':
				s.load.editIntervalMs = intArg(a, next(), 10, 60_000);
				break;
			default:
				throw new UsageError(`unknown option ${a}`);
		}
	}
	if (s.skipLargeEvent) s.phases = s.phases.filter((p) => p !== 'large');
	if (s.load.clients < s.load.walls * 5 + s.load.writers) {
		throw new UsageError(`--load-clients (${s.load.clients}) must hold the walls' ${s.load.walls * 5} connections and the ${s.load.writers} writers`);
	}
	if (s.updates < s.cards) throw new UsageError(`--updates (${s.updates}) must be at least --cards (${s.cards}): each card is one update`);
	return s;
}
