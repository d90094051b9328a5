/**
 * Issue 9, load: 2,000 stock y-websocket clients on one event of one server, 50 of them writing, spread over the
 * event's documents as people are (bench/crowd-plan.ts). Asserts what must hold whatever the machine: everyone
 * connects and syncs, every edit reaches every client of its document, all end in the server's state, nobody
 * is closed, the server stays up, and its memory per connection stays within the README's budget. How fast is
 * for `npm run bench` (its load phase runs the same crowd and prints the timings).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CROWD_QUOTAS, startServer, type TestServer } from '../helpers/server.ts';
import { DEMO_EVENT } from '../helpers/live.ts';
import { LOAD_BUDGET, measureLoad, type LoadFigures } from '../../bench/load.ts';

const CLIENTS = 2_000;
const WRITERS = 50;

/** The soft limit on open files of this process (the server inherits it), or null where /proc is missing. */
function openFileLimit(): number | null {
	try {
		const m = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
		return !m ? null : m[1] === 'unlimited' ? Infinity : Number(m[1]);
	} catch {
		return null;
	}
}

describe('2,000 clients on one event', () => {
	let server: TestServer;
	let figures: LoadFigures;

	beforeAll(async () => {
		// Each side holds one socket per client: fail with the reason rather than with refused connections.
		const limit = openFileLimit();
		if (limit !== null && limit < CLIENTS + 1_000) throw new Error(`open files are limited to ${limit}; raise it (ulimit -n ${CLIENTS * 2}) to run the load test`);
		// 2,000 clients share the demo's twenty accounts: far more connections per account than a person holds.
		server = await startServer({ demo: true, env: CROWD_QUOTAS });
		// Each y-websocket provider adds a process 'exit' listener; the crowd's threads hold them, but the probes here.
		process.setMaxListeners(0);
		figures = await measureLoad(server, DEMO_EVENT, {
			clients: CLIENTS,
			writers: WRITERS,
			walls: 10,
			threads: 2,
			seconds: 15,
			editIntervalMs: 1_000,
			// Stock clients forward everyone's presence back: the heavier case for the hub, and what any other
			// system's client does.
			presence: 'stock',
			// Generous: delivery is what is asserted, not its speed, and CI machines are often busy.
			drainMs: 60_000
		});
	});

	afterAll(async () => {
		await server?.dispose();
	});

	it('connects and syncs every one of the 2,000 clients, spread over all five documents', () => {
		expect(figures.connect.firstFailures).toEqual([]);
		expect(figures.clients).toBe(CLIENTS);
		expect(figures.documents.map((d) => d.doc.split('/').slice(2).join('/')).sort()).toEqual(
			['agency/cid', 'agency/patrol', 'agency/station', 'agency/traffic', 'command'].sort()
		);
		expect(figures.documents.reduce((n, d) => n + d.writers, 0)).toBe(WRITERS);
	});

	it('delivers every edit of the 50 writers to every client on its document', () => {
		// 50 writers, one edit a second each, for 15 s: about 750. The floor only makes sure the run carried real load
		// (on two shared cores it fell to 474 once); how fast edits arrive is the benchmark's to measure, not this test's.
		expect(figures.edits).toBeGreaterThan(WRITERS * 5);
		expect(figures.undelivered).toBe(0);
	});

	it("leaves every client of each document in one state, the server's", () => {
		expect(figures.convergence).toHaveLength(5);
		for (const c of figures.convergence) {
			expect({ doc: c.doc, distinct: c.distinctStates, server: c.matchesServer }).toEqual({ doc: c.doc, distinct: 1, server: true });
		}
		const clients = figures.convergence.reduce((n, c) => n + c.clients, 0);
		expect(clients).toBe(CLIENTS);
	});

	it('closes no connection and refuses no message', () => {
		expect(figures.closes).toEqual([]);
	});

	it('stays up and answers its health check', async () => {
		expect(server.pid()).not.toBeNull();
		const res = await fetch(`${server.url}/healthz`);
		expect(res.status).toBe(200);
		expect(server.output()).not.toMatch(/unexpected error|out of memory|EMFILE/i);
	});

	it(`keeps server memory within ${LOAD_BUDGET.perConnectionKiB} KiB per connection`, () => {
		// RSS on Linux; elsewhere there is nothing to measure.
		if (process.platform !== 'linux') return;
		const memory = figures.memory!;
		expect(memory).not.toBeNull();
		// No figure when RSS did not grow at all: V8 gave back more of what it held before than the connections took.
		if (memory.perConnectionKiB === null) expect(memory.rssAfterMiB).toBeLessThanOrEqual(memory.rssBeforeMiB);
		else expect(memory.perConnectionKiB).toBeLessThanOrEqual(LOAD_BUDGET.perConnectionKiB);
	});
});
