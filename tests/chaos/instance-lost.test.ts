/**
 * Issue 9, chaos: two instances on one PostgreSQL, writers on every document spread over both, and one instance
 * killed with kill -9. Its clients move to the survivor (as a load balancer would send them), and every client
 * converges with nothing any of them saw missing. Uses DATABASE_URL when set, or a PostgreSQL of its own.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { CROWD_QUOTAS, postgresBaseUrl, startServer, type TestServer } from '../helpers/server.ts';
import { signInDemo, sleep } from '../helpers/hub.ts';
import { eventually, type LiveDoc } from '../helpers/live.ts';
import { postgresPrograms, startPrivatePostgres, type PrivatePostgres } from '../helpers/private-postgres.ts';
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

describe.skipIf(!postgresBaseUrl() && !postgresPrograms())('one of two instances killed', () => {
	let postgres: PrivatePostgres | null = null;
	let doomed: TestServer;
	let survivor: TestServer;
	let cookies: Record<string, string>;
	let writers: Writer[] = [];
	const readers: LiveDoc[] = [];

	beforeAll(async () => {
		if (!postgresBaseUrl()) postgres = await startPrivatePostgres();
		// Writers at machine speed through a few demo accounts: no person's budget applies.
		doomed = await startServer({ demo: true, env: { ...CROWD_QUOTAS, ...(postgres ? { DATABASE_URL: postgres.url } : {}) } });
		survivor = await startServer({ shareDatabaseOf: doomed, env: CROWD_QUOTAS });
		cookies = await signInDemo(doomed.url, CHAOS_ACCOUNTS);
	});
	afterAll(() => releaseAll([...writers.map((w) => w.live), ...readers], survivor, doomed, postgres));

	it('moves the lost instance’s clients to the survivor, where everyone converges with nothing seen missing', async () => {
		writers = openWriters(doomed.url, cookies);
		// Every other writer of each document works through the survivor.
		const onSurvivor = writers.filter((_, i) => i % 2 === 1);
		for (const w of onSurvivor) moveWriter(w, survivor.url, cookies[w.username]);
		const onDoomed = writers.filter((w) => !onSurvivor.includes(w));
		await whenAllSynced(writers);
		const editing = startEditing(writers, 2_002);
		await whenBusy(writers, 20, 3_000);

		await doomed.stop('SIGKILL');
		// Cut off, they keep working; then the load balancer sends them to the survivor.
		await sleep(500);
		for (const w of onDoomed) moveWriter(w, survivor.url, cookies[w.username]);
		await whenAllSynced(writers);
		// Work goes on through the survivor: every writer hears from the others again.
		const after = writers.map((w) => w.live.received.length);
		await eventually(() => writers.every((w, i) => w.live.received.length > after[i]), 60_000, 'writers to exchange updates through the survivor');
		await editing.stop();

		await whenAllSynced(writers);
		readers.push(...(await expectConverged(survivor.url, cookies, writers)));
		readers.push(...(await expectNothingSeenMissing(survivor.url, cookies, seenUpdates(writers))));
	});
});
