/**
 * Issue 9, chaos: kill -9 the server during a busy event with writers on every document, and restart it. Every
 * update any client saw from the server is in the reloaded documents, and every client converges.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { CROWD_QUOTAS, startServer, type TestServer } from '../helpers/server.ts';
import { signInDemo } from '../helpers/hub.ts';
import type { LiveDoc } from '../helpers/live.ts';
import {
	CHAOS_ACCOUNTS,
	EVERY_DOCUMENT,
	expectConverged,
	expectNothingSeenMissing,
	openWriters,
	releaseAll,
	seenUpdates,
	startEditing,
	whenAllSynced,
	whenBusy,
	type Writer
} from '../helpers/chaos.ts';

describe('kill -9 during a busy event', () => {
	let server: TestServer;
	let cookies: Record<string, string>;
	let writers: Writer[] = [];
	const readers: LiveDoc[] = [];

	beforeAll(async () => {
		// Writers at machine speed through a few demo accounts: no person's budget applies.
		server = await startServer({ demo: true, env: CROWD_QUOTAS });
		cookies = await signInDemo(server.url, CHAOS_ACCOUNTS);
	});
	afterAll(() => releaseAll([...writers.map((w) => w.live), ...readers], server));

	it('keeps everything any client saw and brings every writer of every document to one state after the restart', async () => {
		writers = openWriters(server.url, cookies);
		expect(new Set(writers.map((w) => w.plan.name)).size).toBe(EVERY_DOCUMENT.length);
		await whenAllSynced(writers);
		const editing = startEditing(writers, 9_001);
		await whenBusy(writers, 20, 3_000);

		// Killed mid-stream: no shutdown hook runs, whatever was in flight is cut.
		const pidBefore = server.pid();
		await server.stop('SIGKILL');
		// The writers go on working offline for a moment, as people in a crowd would.
		await new Promise((r) => setTimeout(r, 500));
		for (const w of writers) w.live.provider.disconnect();
		await editing.stop();
		const seen = seenUpdates(writers);

		await server.restart();
		expect(server.pid()).not.toBe(pidBefore);
		// Before any writer is back: what the server reloaded from storage alone.
		readers.push(...(await expectNothingSeenMissing(server.url, cookies, seen)));

		for (const w of writers) w.live.provider.connect();
		await whenAllSynced(writers);
		readers.push(...(await expectConverged(server.url, cookies, writers)));
		expect(editing.made()).toBeGreaterThan(writers.length * 20);
	});
});
