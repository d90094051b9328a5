/**
 * Issue 21, "Observe": /metrics answers a scraper holding METRICS_TOKEN with Prometheus text whose counters move
 * with the load a real server carries (stock y-websocket clients writing cards, socket.io commands, pages, an
 * export, a refused write); and everything the server prints is one JSON object a line, in which none of the demo
 * dispute parties' names, phones or ID numbers appear after a cleared lead opened and edited them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { startServer, type TestServer } from '../helpers/server.ts';
import { HttpClient } from '../helpers/http.ts';
import { command } from '../helpers/commands.ts';
import { connectCommands, connectDoc, DEMO_EVENT, eventually, nextClose, sessionCookie, whenSynced, type CommandSocketClient, type LiveDoc } from '../helpers/live.ts';
import { agencyDocName, restrictedDocName } from '../../src/lib/domain/documents.ts';
import { addCard, cardsOf } from '../../src/lib/domain/board.ts';
import { partiesOf, readParties, setParties } from '../../src/lib/domain/dispute-doc.ts';
import { CLOSE_CODES } from '../../src/lib/domain/wire.ts';

const TOKEN = 'observe-test-token-5f1c2a9e';
const STATION = agencyDocName(DEMO_EVENT, 'station');
const RESTRICTED = restrictedDocName(DEMO_EVENT);
const CARDS = 12;

interface Sample {
	name: string;
	labels: Record<string, string>;
	value: number;
}

/** Parses Prometheus' text format; throws on a line that is neither a comment nor a sample. */
function parsePrometheus(text: string): Sample[] {
	const samples: Sample[] = [];
	for (const line of text.split('\n')) {
		if (line === '' || line.startsWith('#')) continue;
		const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: \d+)?$/.exec(line);
		if (!m) throw new Error(`not a Prometheus sample: ${line}`);
		const labels: Record<string, string> = {};
		for (const [, k, v] of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[k] = v;
		const value = m[3] === '+Inf' ? Infinity : m[3] === '-Inf' ? -Infinity : Number(m[3]);
		// Prometheus reads NaN in any case; prom-client writes "Nan" for a lag not yet sampled.
		if (Number.isNaN(value) && m[3].toLowerCase() !== 'nan') throw new Error(`not a number in: ${line}`);
		samples.push({ name: m[1], labels, value });
	}
	return samples;
}

/** The sum of a metric's samples whose labels include `where`. */
function valueOf(samples: Sample[], name: string, where: Record<string, string> = {}): number {
	return samples.filter((s) => s.name === name && Object.entries(where).every(([k, v]) => s.labels[k] === v)).reduce((n, s) => n + s.value, 0);
}

/** The demo's dispute parties as server/demo-disputes.ts writes them: every name, phone and ID number. */
function demoPartySecrets(): string[] {
	const source = readFileSync(new URL('../../server/demo-disputes.ts', import.meta.url), 'utf8');
	const secrets: string[] = [];
	for (const [, name, phone, idNumber] of source.matchAll(/party\('([^']+)', '([^']*)'(?:, '([^']*)')?/g)) {
		secrets.push(name, phone);
		if (idNumber) secrets.push(idNumber);
	}
	return secrets.filter((s) => s.length >= 2);
}

describe('metrics and logs of a running server', () => {
	let server: TestServer;
	const docs: LiveDoc[] = [];
	const sockets: CommandSocketClient[] = [];
	const scrape = async (token: string | null = TOKEN) =>
		fetch(`${server.url}/metrics`, { headers: token === null ? {} : { authorization: `Bearer ${token}` } });
	const samples = async () => parsePrometheus(await (await scrape()).text());

	beforeAll(async () => {
		// debug: the quietest lines (static files, probes) are printed too, and must be JSON as well.
		server = await startServer({ demo: true, env: { METRICS_TOKEN: TOKEN, LOG_LEVEL: 'debug', INSTANCE_NAME: 'observe-1' } });
	});
	afterAll(async () => {
		try {
			for (const s of sockets) s.disconnect();
			for (const d of docs) d.destroy();
		} finally {
			await server?.dispose();
		}
	});

	it('refuses /metrics without the token and with a wrong one, in constant time and without saying which', async () => {
		const none = await scrape(null);
		expect(none.status).toBe(401);
		expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
		expect((await scrape('observe-test-token-5f1c2a9f')).status).toBe(401);
		expect((await scrape('short')).status).toBe(401);
		expect(await (await scrape('observe-test-token-5f1c2a9f')).text()).not.toContain('liandong_');
	});

	it('answers the token with parseable Prometheus text carrying the instance label and the process figures', async () => {
		const res = await scrape();
		expect(res.status).toBe(200);
		expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
		const list = parsePrometheus(await res.text());
		const names = new Set(list.map((s) => s.name));
		for (const name of [
			'liandong_connections',
			'liandong_documents_loaded',
			'liandong_updates_accepted_total',
			'liandong_commit_duration_seconds_count',
			'liandong_commit_updates_bucket',
			'liandong_export_jobs',
			'nodejs_eventloop_lag_seconds',
			'process_cpu_user_seconds_total'
		]) {
			expect(names, name).toContain(name);
		}
		// The demo was seeded through the hub: its documents are loaded and its writes counted.
		expect(valueOf(list, 'liandong_updates_accepted_total', { source: 'server' })).toBeGreaterThan(0);
		for (const s of list) expect(s.labels.instance, s.name).toBe('observe-1');
		if (server.env.DATABASE_URL) expect(names).toContain('liandong_db_pool_connections');
		else expect(names).not.toContain('liandong_db_pool_connections');
	});

	it('moves the counters with cards written, commands, pages, an export and a refused write', async () => {
		const before = await samples();
		const [stationCookie, trafficCookie] = await Promise.all([sessionCookie(server.url, 'lead.station'), sessionCookie(server.url, 'lead.traffic')]);

		// Cards written by a stock client, seen by a second one (so the hub delivered them).
		const writer = connectDoc(server.url, STATION, { cookie: stationCookie });
		const watcher = connectDoc(server.url, STATION, { cookie: trafficCookie });
		docs.push(writer, watcher);
		await Promise.all([whenSynced(writer), whenSynced(watcher)]);
		const during = await samples();
		expect(valueOf(during, 'liandong_connections', { kind: 'yjs' })).toBeGreaterThanOrEqual(2);
		for (let i = 0; i < CARDS; i++) addCard(writer.doc, `observe-card-${i}`, { title: `观测 ${i}`, status: 'todo', priority: 'routine', agency: 'station' });
		await eventually(() => Array.from({ length: CARDS }, (_, i) => cardsOf(watcher.doc).has(`observe-card-${i}`)).every(Boolean), 30_000, 'the watcher to see every card');

		// A write on a read-only connection: the traffic lead only reads the station's document.
		const closed = nextClose(watcher);
		addCard(watcher.doc, 'observe-forged', { title: 'not mine to write', status: 'todo', priority: 'routine', agency: 'station' });
		expect((await closed).code).toBe(CLOSE_CODES.readOnly);

		// Commands: a join that works, one refused for its input, and a list.
		const socket = await connectCommands(server.url, { cookie: stationCookie });
		sockets.push(socket);
		expect((await command(socket, 'event:join', DEMO_EVENT)).ok).toBe(true);
		expect(await command(socket, 'event:join', 'not an id!')).toMatchObject({ ok: false, error: 'invalid' });
		expect((await command(socket, 'instruction:list', DEMO_EVENT)).ok).toBe(true);

		// Pages, and one export (the JSON record is the cheapest).
		const commander = new HttpClient(server.url);
		expect((await commander.login('commander', 'liandong-demo')).status).toBe(200);
		const page = await commander.request(`/events/${DEMO_EVENT}/board`);
		expect(page.status).toBe(200);
		expect(page.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
		const start = await commander.request(`/api/events/${DEMO_EVENT}/record/exports`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ format: 'json' })
		});
		expect(start.status).toBe(202);
		const { job } = (await start.json()) as { job: { id: string } };
		await eventually(async () => {
			const res = await commander.request(`/api/events/${DEMO_EVENT}/record/exports/${job.id}`);
			return ((await res.json()) as { job: { state: string } }).job.state === 'done';
		}, 60_000, 'the export to finish');

		const after = await samples();
		const moved = (name: string, where: Record<string, string> = {}) => valueOf(after, name, where) - valueOf(before, name, where);
		expect(moved('liandong_updates_accepted_total', { source: 'client' })).toBeGreaterThanOrEqual(CARDS);
		expect(moved('liandong_commit_duration_seconds_count')).toBeGreaterThanOrEqual(1);
		expect(moved('liandong_commit_updates_sum')).toBeGreaterThanOrEqual(CARDS);
		expect(moved('liandong_fanout_duration_seconds_count', { path: 'local' })).toBeGreaterThanOrEqual(CARDS);
		// Every card the writer sent was held by the hub for a time it tells: its checks, commit and queues.
		expect(moved('liandong_update_hold_seconds_count')).toBeGreaterThanOrEqual(CARDS);
		expect(moved('liandong_update_hold_seconds_sum')).toBeGreaterThan(0);
		expect(moved('liandong_updates_refused_total', { reason: 'readOnly' })).toBeGreaterThanOrEqual(1);
		expect(moved('liandong_commands_total', { command: 'event:join', outcome: 'ok' })).toBe(1);
		expect(moved('liandong_commands_total', { command: 'event:join', outcome: 'invalid' })).toBe(1);
		expect(moved('liandong_commands_total', { command: 'instruction:list', outcome: 'ok' })).toBe(1);
		expect(moved('liandong_http_requests_total', { method: 'GET', route: '/events/[id]/board', status: '200' })).toBeGreaterThanOrEqual(1);
		expect(moved('liandong_http_requests_total', { method: 'POST', route: '/api/events/[id]/record/exports', status: '202' })).toBe(1);
		expect(moved('liandong_export_jobs_finished_total', { kind: 'json', outcome: 'done' })).toBe(1);
		// No address became a label: every route label is a route id or one of the two fixed words.
		for (const s of after.filter((s) => s.name === 'liandong_http_requests_total')) {
			expect(s.labels.route).toMatch(/^(\/[^?]*|\(static\)|\(unmatched\))$/);
			expect(s.labels.route).not.toContain(DEMO_EVENT);
		}
	});

	it('prints only JSON lines with level, time and message, and no party’s name, phone or ID number', async () => {
		const secrets = demoPartySecrets();
		expect(secrets.length).toBeGreaterThan(10);
		const patrolCookie = await sessionCookie(server.url, 'lead.patrol');
		// A cleared lead opens the register, an entry and its export, which show the parties in full…
		for (const path of [`/events/${DEMO_EVENT}/disputes`, `/events/${DEMO_EVENT}/disputes/demo-dispute-p1`, `/events/${DEMO_EVENT}/disputes/export?q=${encodeURIComponent(secrets[0])}`]) {
			const res = await fetch(server.url + path, { headers: { cookie: patrolCookie } });
			expect(res.status, path).toBe(200);
			await res.arrayBuffer();
		}
		// …and edits the parties of an entry, as the page does.
		const restricted = connectDoc(server.url, RESTRICTED, { cookie: patrolCookie });
		const control = connectDoc(server.url, RESTRICTED, { cookie: patrolCookie });
		docs.push(restricted, control);
		await Promise.all([whenSynced(restricted), whenSynced(control)]);
		const parties = readParties(restricted.doc, 'demo-dispute-p1');
		expect(parties.map((p) => p.name)).toContain(secrets[0]);
		const edited = parties.map((p, i) => (i === 0 ? { ...p, phone: '13800000199', note: `${p.note}（已电话回访）` } : p));
		setParties(restricted.doc, 'demo-dispute-p1', edited);
		await eventually(() => readParties(control.doc, 'demo-dispute-p1')[0]?.phone === '13800000199', 20_000, 'the edit to be stored');
		expect(partiesOf(control.doc).has('demo-dispute-p1')).toBe(true);

		// Stopped, so that the shutdown lines are in the output too.
		await server.stop();
		const lines = server.output().split('\n').filter((l) => l.trim() !== '');
		expect(lines.length).toBeGreaterThan(10);
		for (const line of lines) {
			let entry: Record<string, unknown>;
			try {
				entry = JSON.parse(line);
			} catch {
				throw new Error(`not a JSON line: ${line}`);
			}
			expect(typeof entry.level, line).toBe('string');
			expect(typeof entry.time, line).toBe('string');
			expect(typeof entry.msg, line).toBe('string');
		}
		const output = server.output();
		// The lines are about the work just done: the request for the entry, with its request id and its user.
		const requests = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((e) => e.msg === 'request');
		expect(requests.some((e) => e.route === '/events/[id]/disputes/[disputeId]' && typeof e.reqId === 'string' && typeof e.userId === 'string')).toBe(true);
		for (const secret of [...secrets, '13800000199', '已电话回访']) expect(output, secret).not.toContain(secret);
	});
});
