/**
 * Operations, chaos: a restart by SIGTERM during a busy event. The process stops taking work, finishes its commits,
 * tells every client to reconnect (4504) and exits 0 within 10 s; nothing any client saw is lost. Then a rolling
 * restart of two instances on one PostgreSQL, one at a time, with each one's clients moving to the other while it
 * restarts (as the proxy sends them), and everyone converging.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { CROWD_QUOTAS, postgresBaseUrl, startServer, type TestServer } from '../helpers/server.ts';
import { signInDemo, sleep } from '../helpers/hub.ts';
import { eventually, type LiveDoc } from '../helpers/live.ts';
import { CLOSE_CODES } from '../../src/lib/domain/wire.ts';
import {
	CHAOS_ACCOUNTS,
	expectConverged,
	expectNothingSeenMissing,
	moveWriter,
	openWriters,
	releaseAll,
	seenUpdates,
	startEditing,
	whenAllSynced,
	whenBusy,
	type Writer
} from '../helpers/chaos.ts';

/** What a stop by SIGTERM must look like: exit code 0, within the 10 s the process gives itself. */
function expectGraceful(server: TestServer): void {
	const exit = server.lastExit();
	expect(exit?.code, server.output().split('\n').filter((l) => /shut|error|fail/i.test(l)).slice(-8).join('\n')).toBe(0);
	expect(exit!.ms).toBeLessThan(10_000);
	expect(server.output()).toContain('every commit finished, clients told to reconnect');
}

const toldToReconnect = (writers: Writer[]) => writers.filter((w) => w.live.closes.some((c) => c.code === CLOSE_CODES.shuttingDown)).length;

describe('a restart by SIGTERM during a busy event', () => {
	let server: TestServer;
	let cookies: Record<string, string>;
	let writers: Writer[] = [];
	const readers: LiveDoc[] = [];

	beforeAll(async () => {
		server = await startServer({ demo: true, env: CROWD_QUOTAS });
		cookies = await signInDemo(server.url, CHAOS_ACCOUNTS);
	});
	afterAll(() => releaseAll([...writers.map((w) => w.live), ...readers], server));

	it('finishes its commits, tells every client to reconnect, exits 0 in time, and keeps everything any client saw', async () => {
		writers = openWriters(server.url, cookies);
		await whenAllSynced(writers);
		const editing = startEditing(writers, 4_504);
		await whenBusy(writers, 20, 3_000);

		await server.stop('SIGTERM');
		expectGraceful(server);
		// Every client was open when the signal came, and each was told why it was closed.
		await eventually(() => toldToReconnect(writers) === writers.length, 10_000, 'every writer to hear 4504');
		await editing.stop();
		const seen = seenUpdates(writers);

		await server.restart();
		// Before any writer is back: what the restarted server has from storage alone.
		readers.push(...(await expectNothingSeenMissing(server.url, cookies, seen)));
		await whenAllSynced(writers);
		readers.push(...(await expectConverged(server.url, cookies, writers)));
	});
});

describe.skipIf(!postgresBaseUrl())('a rolling restart of two instances (PostgreSQL only: two instances share one database)', () => {
	let a: TestServer;
	let b: TestServer;
	let cookies: Record<string, string>;
	let writers: Writer[] = [];
	const readers: LiveDoc[] = [];

	beforeAll(async () => {
		a = await startServer({ demo: true, env: CROWD_QUOTAS });
		b = await startServer({ shareDatabaseOf: a, env: CROWD_QUOTAS });
		cookies = await signInDemo(a.url, CHAOS_ACCOUNTS);
	});
	afterAll(() => releaseAll([...writers.map((w) => w.live), ...readers], b, a));

	it('restarts one instance and then the other under load, each client moving to the one still up, with nothing lost', async () => {
		writers = openWriters(a.url, cookies);
		const onB = writers.filter((_, i) => i % 2 === 1);
		for (const w of onB) moveWriter(w, b.url, cookies[w.username]);
		let home = new Map(writers.map((w) => [w, onB.includes(w) ? b : a]));
		await whenAllSynced(writers);
		const editing = startEditing(writers, 2_626);
		await whenBusy(writers, 20, 3_000);

		for (const [stopping, other] of [
			[a, b],
			[b, a]
		] as const) {
			await stopping.stop('SIGTERM');
			expectGraceful(stopping);
			// The proxy sends the stopped instance's clients to the other one.
			for (const w of writers.filter((w) => home.get(w) === stopping)) moveWriter(w, other.url, cookies[w.username]);
			home = new Map(writers.map((w) => [w, other]));
			await whenAllSynced(writers);
			await stopping.restart();
			// Work goes on: every writer hears from the others again before the next instance goes.
			const before = writers.map((w) => w.live.received.length);
			await eventually(() => writers.every((w, i) => w.live.received.length > before[i]), 60_000, 'writers to exchange updates').catch((error: Error) => {
				const quiet = writers.filter((w, i) => w.live.received.length <= before[i]).map((w) => `${w.username} on ${w.plan.name} (${w.live.provider.url}, synced ${w.live.provider.synced})`);
				throw new Error(`${error.message}; heard nothing new: ${quiet.join('; ')}`);
			});
			await sleep(500);
		}
		// Half of them back on the restarted first instance, as the proxy would spread them again.
		for (const w of writers.filter((_, i) => i % 2 === 0)) moveWriter(w, a.url, cookies[w.username]);
		await whenAllSynced(writers);
		await editing.stop();

		await whenAllSynced(writers);
		readers.push(...(await expectConverged(b.url, cookies, writers)));
		readers.push(...(await expectNothingSeenMissing(a.url, cookies, seenUpdates(writers))));
		expect(editing.made()).toBeGreaterThan(writers.length * 20);
	});
});
