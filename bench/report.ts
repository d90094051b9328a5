/** The bench's output: one results object, printed as a table, as Markdown for the README, and as JSON. */
import type { PhoneLoadFigures } from './phone-load.ts';
import type { WallMapFigures } from './wall-map.ts';
import type { UploadFigures } from './upload.ts';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchSettings } from './args.ts';
import type { LatencyFigures } from './latency.ts';
import type { ThroughputFigures } from './throughput.ts';
import type { MachineInfo } from './machine.ts';
import type { CpuShares, Percentiles } from './stats.ts';
import type { ColdLoad } from './large-event.ts';
import type { LoadFigures } from './load.ts';
import type { GoalCheck, PeerComparison } from './peers.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface MemoryFigures {
	/** y-websocket connections opened between the two readings. */
	connections: number;
	/** socket.io connections opened with them (counted in the difference, not in the divisor). */
	commandSockets: number;
	rssBeforeMiB: number;
	rssAfterMiB: number;
	/** Null when the RSS fell meanwhile (the garbage collector returned more than the connections took). */
	perConnectionKiB: number | null;
}

export interface LargeEventFigures {
	doc: string;
	cards: number;
	updates: number;
	logBytes: number;
	generateSeconds: number;
	writeSeconds: number;
	/** Pure log replay: no snapshot exists yet. */
	replay: ColdLoad;
	/** From the snapshot the hub took, plus `tail` later updates. */
	snapshot: (ColdLoad & { snapshotBytes: number; uptoSeq: number; tail: number }) | null;
}

/**
 * Export time of the after-action record (issue 9, point 6). Not measured yet: when the exports exist, a phase
 * in run.ts fills this (PDF, DOCX, JSON, CSV of the large event) and the tables below print it.
 */
export interface ExportFigures {
	format: string;
	ms: number;
	bytes: number;
	/** The longest the server left a health check waiting while this export ran (its event loop held). */
	stallMs?: number;
}

export interface BenchResults {
	schema: 1;
	startedAt: string;
	durationSeconds: number;
	settings: Omit<BenchSettings, 'out' | 'cpuProf'>;
	machine: MachineInfo;
	memory: MemoryFigures | null;
	latency: LatencyFigures | null;
	throughput: Omit<ThroughputFigures, 'from' | 'to'> | null;
	/** The crowd: thousands of clients on one event, some writing at a person's pace. */
	load: LoadFigures | null;
	largeEvent: LargeEventFigures | null;
	exports: ExportFigures[] | null;
	/** The board on a phone over slow 4G: first load, repeat load (service worker), offline. */
	phone: PhoneLoadFigures | null;
	/** The wall's venue map with hundreds of posts and thousands of pins. */
	map: WallMapFigures | null;
	/** Fifty phones sending a report with a 2 MB photo at once, through each upload path. */
	upload: UploadFigures | null;
	/** The same workload on the y-websocket reference server and on both databases (--peers). */
	peers: PeerComparison | null;
	/** The goals of the performance and venue map work, each held or not in this run. */
	goals: GoalCheck[];
	/** Connections that closed unexpectedly, server restarts, undelivered edits: anything that makes figures suspect. */
	warnings: string[];
}

/** Percent of one core each; "rest of machine" is PostgreSQL and anything else running there. */
const cpuText = (c: CpuShares) => `${c.server ?? '?'} / ${c.clients} / ${c.others ?? '?'} %`;
const fmtPct = (p: Percentiles | null) => (p ? `${p.p50} / ${p.p99} / ${p.max} ms` : 'n/a');
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
const num = (n: number) => n.toLocaleString('en-US');

/** Rows of [figure, value, how measured], shared by the console table and the Markdown table. */
function rows(r: BenchResults): Array<[string, string, string]> {
	const out: Array<[string, string, string]> = [];
	const m = r.machine;
	out.push(['machine', `${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}`, `${m.os}, load ${m.loadAverageAtStart} at start`]);
	out.push(['database', m.database, '']);
	if (r.latency) {
		const l = r.latency;
		const how = `${l.writers} writers × 1 edit / ${r.settings.editIntervalMs} ms, ${l.peers} peers, ${l.seconds} s`;
		out.push(['edit → every peer p50 / p99 / max', fmtPct(l.lastPeer), how]);
		out.push(['edit → one peer p50 / p99 / max', fmtPct(l.perPeer), `${num(l.edits)} edits, ${l.editsPerSecond}/s`]);
		out.push(['  CPU: server / clients / rest of machine', cpuText(l.cpu), `busiest client thread ${Math.round(l.clientLoopUtilization * 100)} % busy`]);
	}
	if (r.throughput) {
		const t = r.throughput;
		out.push(['accepted updates / s', num(t.acceptedPerSecond), `${t.writers} writers, ≤ ${t.window} unsaved each, ${t.seconds} s, all peers connected`]);
		out.push([
			'  updates per commit',
			t.updatesPerCommit === null ? 'n/a' : String(t.updatesPerCommit),
			t.commits === null ? '' : `${num(t.commits)} commits (distinct xmin in the log)`
		]);
		out.push(['  edit → every peer under load', fmtPct(t.lastPeerUnderLoad), 'p50 / p99 / max']);
		out.push(['  CPU: server / clients / rest of machine', cpuText(t.cpu), `busiest client thread ${Math.round(t.clientLoopUtilization * 100)} % busy`]);
		if (t.serverCpuMsPerUpdate !== null) {
			out.push([
				'  server CPU per accepted update',
				`${t.serverCpuMsPerUpdate} ms`,
				`fan-out included, ${r.settings.database === 'embedded' ? 'the embedded database too' : 'PostgreSQL aside'}: ≈ ${num(Math.round(1000 / t.serverCpuMsPerUpdate))}/s if the server had a core to itself`
			]);
		}
	}
	if (r.memory) {
		const mm = r.memory;
		out.push(['server memory per connection', mm.perConnectionKiB === null ? 'n/a' : `${mm.perConnectionKiB} KiB`, `RSS ${mm.rssBeforeMiB} → ${mm.rssAfterMiB} MiB for ${mm.connections} y-websocket (+ ${mm.commandSockets} socket.io) connections`]);
	}
	if (r.load) out.push(...loadRows(r.load));
	if (r.largeEvent) {
		const e = r.largeEvent;
		out.push(['large event', `${num(e.cards)} cards, ${num(e.updates)} updates`, `log ${mib(e.logBytes)}, generated in ${e.generateSeconds} s, written in ${e.writeSeconds} s`]);
		out.push(['  cold load, log replay', `${num(e.replay.loadMs)} ms`, `connect → synced (answer received at ${num(e.replay.answerMs)} ms); server RSS ${e.replay.serverRssMiB ?? '?'} MiB after`]);
		if (e.snapshot) {
			const s = e.snapshot;
			out.push(['  cold load, snapshot + tail', `${num(s.loadMs)} ms`, `snapshot ${mib(s.snapshotBytes)} at seq ${num(s.uptoSeq)} + ${s.tail} updates; answer received at ${num(s.answerMs)} ms`]);
		}
		out.push(['  next client, document in memory', `${num((e.snapshot ?? e.replay).warmMs)} ms`, 'connect → synced: the initial sync alone']);
	}
	if (r.phone) {
		const p = r.phone;
		const kib = (b: number) => `${num(Math.round(b / 1024))} KiB`;
		out.push(['phone: board, first load', `${num(p.first.ms)} ms`, `${p.link}; ${kib(p.first.bytes)} in ${p.first.requests} requests; goal ≤ 3000 ms`]);
		out.push(['  first load, no Chinese system font', `${num(p.firstWithWebFont.ms)} ms`, `the web font too: ${kib(p.firstWithWebFont.bytes)} in ${p.firstWithWebFont.requests} requests`]);
		out.push(['  repeat load', `${num(p.repeat.ms)} ms`, `service worker + local copies; ${kib(p.repeat.bytes)} over the network; goal ≤ 1000 ms`]);
		out.push(['  repeat load, no network', `${num(p.offline.ms)} ms`, 'app shell and local copies alone']);
	}
	if (r.map) {
		const w = r.map;
		out.push(['wall map: first render', `${num(w.firstRenderMs)} ms`, `1920×1080; ${w.posts} posts + demo's, ${w.zones} zones, ${num(w.pins)} pins; goal ≤ 1000 ms`]);
		out.push(['  opened again (app cached)', `${num(w.reopenRenderMs)} ms`, 'the same browser, the app from its offline cache, as a wall screen after a restart; goal ≤ 1000 ms']);
		out.push(['  frame time while panning, p50 / p95 / max', `${w.frame.p50} / ${w.frame.p95} / ${w.frame.max} ms`, `${w.frame.frames} frames over a 2 s drag; goal ≤ 33 ms`]);
	}
	if (r.upload) out.push(...uploadRows(r.upload));
	if (r.exports) {
		for (const x of r.exports) out.push([`export ${x.format}`, `${num(x.ms)} ms`, `${mib(x.bytes)}${x.stallMs === undefined ? '' : `, server stalled ≤ ${num(x.stallMs)} ms`}`]);
	}
	return out;
}

function uploadRows(u: UploadFigures): Array<[string, string, string]> {
	const out: Array<[string, string, string]> = [];
	const photo = `${u.photoPixels} JPEGs of ${mib(u.photoBytes.min)}–${mib(u.photoBytes.max)}`;
	for (const p of u.paths) {
		const how = p.path === 'multipart' ? 'one multipart request each' : 'pieces of 256 KiB, then the report as JSON';
		out.push([`upload (${p.path}): ${p.phones} phones at once, start → stored p50 / p95 / p99`, `${num(p.ms.p50)} / ${num(p.ms.p95)} / ${num(p.ms.p99)} ms`, `${how}; ${photo}; max ${num(p.ms.max)} ms, all in ${p.allSeconds} s`]);
		out.push([`  stored`, `${p.stored} of ${p.phones}`, p.failures.length ? `first refusals: ${p.failures.join('; ')}` : 'every report 201']);
		out.push([`  server RSS before → peak`, p.rssBeforeMiB === null ? 'n/a' : `${p.rssBeforeMiB} → ${p.rssPeakMiB} MiB`, `sampled every 50 ms; CPU server / clients / rest ${cpuText(p.cpu)}`]);
	}
	return out;
}

const yesNo = (b: boolean | null) => (b === null ? 'not measured' : b ? 'yes' : 'NO');

function loadRows(l: LoadFigures): Array<[string, string, string]> {
	const docs = l.documents.map((d) => `${d.doc.split('/').pop()} ${d.clients}/${d.writers}`).join(', ');
	const out: Array<[string, string, string]> = [];
	out.push(['load: clients on one event', `${num(l.clients)} (${l.writers} writing)`, `${l.walls} walls × 5 documents; clients/writers per document: ${docs}; presence: ${l.presence === 'own' ? 'own only, as the page' : 'stock (forwarded)'}`]);
	out.push([
		'  connect → synced, all / p50 / p99',
		l.connect.perClient ? `${l.connect.seconds} s / ${l.connect.perClient.p50} ms / ${l.connect.perClient.p99} ms` : `${l.connect.seconds} s`,
		`${l.connect.failures} failed; CPU server / clients / rest ${cpuText(l.connect.cpu)}`
	]);
	out.push(['  edit → every peer p50 / p99 / max', fmtPct(l.lastPeer), `${l.writers} writers × 1 edit / ${l.editIntervalMs} ms, ${l.seconds} s, ${num(l.edits)} edits, ${l.undelivered} undelivered`]);
	out.push(['  edit → one peer p50 / p99 / max', fmtPct(l.perPeer), '']);
	out.push(['  CPU: server / clients / rest of machine', cpuText(l.cpu), `busiest client thread ${Math.round(l.busiestClientThread * 100)} % busy`]);
	out.push(['  server health check p50 / p99 / max', fmtPct(l.serverHealth), "every 100 ms meanwhile: the server's own delays"]);
	const m = l.memory;
	out.push([
		'  server memory per connection',
		m?.perConnectionKiB == null ? 'n/a' : `${m.perConnectionKiB} KiB`,
		m ? `RSS ${m.rssBeforeMiB} → ${m.rssAfterMiB} MiB connected, ${m.rssAfterEditsMiB} MiB after the edits` : ''
	]);
	const converged = l.convergence.every((c) => c.distinctStates === 1 && c.matchesServer);
	const closes = l.closes.reduce((n, [, k]) => n + k, 0);
	out.push(['  converged / closes', `${converged ? 'yes' : 'NO'} / ${closes}`, `every document's clients in one state, the server's`]);
	out.push([
		'  within budget',
		`${yesNo(l.withinBudget.latency === null || l.withinBudget.memory === null ? null : l.withinBudget.latency && l.withinBudget.memory)}`,
		`p99 ≤ ${l.budget.lastPeerP99Ms} ms: ${yesNo(l.withinBudget.latency)}; ≤ ${l.budget.perConnectionKiB} KiB per connection: ${yesNo(l.withinBudget.memory)}`
	]);
	return out;
}

export function printTable(r: BenchResults, options: { timeline?: boolean } = {}): void {
	if (options.timeline && r.latency) {
		console.log('\nedit → every peer, per second of the latency phase (by send time):');
		for (const b of r.latency.bySecond) console.log(`  ${String(b.second).padStart(3)} s  ${String(b.edits).padStart(4)} edits  p50 ${b.p50} ms  max ${b.max} ms`);
	}
	if (options.timeline && r.load) {
		console.log('\nload: edit → every peer on its document, per second (by send time):');
		for (const b of r.load.bySecond) console.log(`  ${String(b.second).padStart(3)} s  ${String(b.edits).padStart(4)} edits  p50 ${b.p50} ms  max ${b.max} ms`);
	}
	const table = rows(r);
	const w0 = Math.max(...table.map((x) => x[0].length));
	const w1 = Math.max(...table.map((x) => x[1].length));
	console.log('');
	for (const [a, b, c] of table) console.log(`${a.padEnd(w0)}  ${b.padEnd(w1)}  ${c}`);
	for (const w of r.warnings) console.log(`warning: ${w}`);
}

export function markdownTable(r: BenchResults): string {
	const esc = (s: string) => s.replace(/\|/g, '\\|');
	const lines = ['| figure | value | how |', '|---|---|---|'];
	for (const [a, b, c] of rows(r)) lines.push(`| ${esc(a.trim())} | ${esc(b)} | ${esc(c)} |`);
	return lines.join('\n');
}

/** Writes the results as JSON (a path relative to the repository unless absolute) and returns where. */
export function writeResults(r: BenchResults, out: string): string {
	const path = resolve(ROOT, out);
	mkdirSync(dirname(path), { recursive: true });
	writeFileSync(path, JSON.stringify(r, null, '\t') + '\n');
	return path;
}
