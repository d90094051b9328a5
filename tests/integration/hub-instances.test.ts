/**
 * Issue 3, "two server processes on one PostgreSQL: a client on each converges". Only with DATABASE_URL: the
 * embedded database has one owner, so scale-out is a PostgreSQL feature.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as Y from 'yjs';
import { postgresBaseUrl, startServer, type TestServer } from '../helpers/server.ts';
import { connectCommands, connectDoc, eventually, onStored, whenSynced, type CommandSocketClient, type LiveDoc } from '../helpers/live.ts';
import { DEMO_EVENT, demoUserId, pick, sameState, seededRandom, signInDemo, sleep, SYNC_MS, waitConverged } from '../helpers/hub.ts';
import { agencyDocName } from '../../src/lib/domain/documents.ts';
import { CARD_PRIORITIES, CARD_STATUSES } from '../../src/lib/domain/doc-schema.ts';
import type { CommandResult } from '../../src/lib/domain/wire.ts';
import { addCard, cardsOf, notesOf, readCard, updateCard } from '../../src/lib/domain/board.ts';

const STATION = agencyDocName(DEMO_EVENT, 'station');

describe.skipIf(!postgresBaseUrl())('two server instances on one PostgreSQL database', () => {
	let first: TestServer;
	let second: TestServer;
	let cookies: Record<string, string>;
	const docs: LiveDoc[] = [];
	const sockets: CommandSocketClient[] = [];
	const connect = (server: TestServer, username: string) => {
		const live = connectDoc(server.url, STATION, { cookie: cookies[username] });
		docs.push(live);
		return live;
	};

	beforeAll(async () => {
		first = await startServer({ demo: true });
		// The second instance shares the first one's database (and its demo); it seeds nothing itself.
		second = await startServer({ shareDatabaseOf: first });
		// Sessions live in the shared database: a sign-in on one instance is good on the other.
		cookies = await signInDemo(first.url, ['commander', 'lead.station', 'member.station', 'reviewer']);
	});
	afterAll(async () => {
		// Disposed even if closing a client throws: no test server may outlive its file.
		try {
			for (const s of sockets) s.disconnect();
			for (const live of docs) live.destroy();
		} finally {
			await second?.dispose();
			await first?.dispose();
		}
	});

	it('carries each edit from a client on one instance to a client on the other, both ways', async () => {
		const a = connect(first, 'commander');
		const b = connect(second, 'lead.station');
		await Promise.all([whenSynced(a, SYNC_MS), whenSynced(b, SYNC_MS)]);
		expect(cardsOf(b.doc).has('demo-card-s1')).toBe(true);

		addCard(a.doc, 'instances-a', { title: '来自一号实例', status: 'todo', priority: 'routine', agency: 'station' });
		await eventually(() => cardsOf(b.doc).has('instances-a'), 15_000, 'first → second');
		addCard(b.doc, 'instances-b', { title: '来自二号实例', status: 'todo', priority: 'urgent', agency: 'station' });
		await eventually(() => cardsOf(a.doc).has('instances-b'), 15_000, 'second → first');
		notesOf(b.doc, 'instances-a')!.insert(0, '二号补充');
		updateCard(a.doc, 'instances-b', { status: 'doing' });
		await waitConverged([a.doc, b.doc], 15_000, 'both clients to converge');
		expect(readCard('instances-a', cardsOf(a.doc).get('instances-a')!).notes).toBe('二号补充');
		expect(readCard('instances-b', cardsOf(b.doc).get('instances-b')!).status).toBe('doing');
	});

	it('brings clients on both instances editing at the same time to one state, which a new client on either loads', async () => {
		const writers = [
			{ live: connect(first, 'commander'), username: 'commander' },
			{ live: connect(first, 'member.station'), username: 'member.station' },
			{ live: connect(second, 'lead.station'), username: 'lead.station' },
			{ live: connect(second, 'member.station'), username: 'member.station' }
		];
		await Promise.all(writers.map((w) => whenSynced(w.live, SYNC_MS)));
		await Promise.all(
			writers.map(async (w, i) => {
				const rnd = seededRandom(777 + i);
				for (let n = 0; n < 30; n++) {
					const ids = [...cardsOf(w.live.doc).keys()];
					const r = rnd();
					if (r < 0.3) addCard(w.live.doc, `inst-${i}-${n}`, { title: `实例卡片 ${i}.${n}`, status: 'todo', priority: pick(rnd, CARD_PRIORITIES), agency: 'station', createdBy: demoUserId(w.username) });
					else if (r < 0.6) updateCard(w.live.doc, pick(rnd, ids), { status: pick(rnd, CARD_STATUSES) });
					else {
						const notes = notesOf(w.live.doc, pick(rnd, ids))!;
						notes.insert(Math.floor(rnd() * (notes.length + 1)), `${i}:${n} `);
					}
					await sleep(rnd() * 10);
				}
			})
		);
		const liveDocs = writers.map((w) => w.live.doc);
		await waitConverged(liveDocs, 30_000, 'the writers on both instances to converge');
		const late = [connect(first, 'reviewer'), connect(second, 'reviewer')];
		await Promise.all(late.map((l) => whenSynced(l, SYNC_MS)));
		await waitConverged([...liveDocs, ...late.map((l) => l.doc)], 30_000, 'new clients on both instances to load it');
		for (const l of late) expect(cardsOf(l.doc).toJSON()).toEqual(cardsOf(liveDocs[0]).toJSON());
		// Every writer's cards are there, whichever instance took them.
		const made = [...cardsOf(late[1].doc).keys()];
		for (let i = 0; i < writers.length; i++) expect(made.some((k) => k.startsWith(`inst-${i}-`))).toBe(true);
		for (const w of writers) expect(w.live.closes).toEqual([]);
	});

	it('acknowledges an edit on the instance that stored it, and delivers commands across instances (socket.io over the PostgreSQL adapter)', async () => {
		// The station lead's page edits through the second instance while a reader of the first watches.
		const lead = connect(second, 'lead.station');
		const watcher = connect(second, 'reviewer');
		const across = connect(first, 'reviewer');
		await Promise.all([whenSynced(lead, SYNC_MS), whenSynced(watcher, SYNC_MS), whenSynced(across, SYNC_MS)]);
		const stored: number[] = [];
		onStored(lead, (clock) => stored.push(clock));
		addCard(lead.doc, 'instances-saved', { title: '跨实例保存', status: 'todo', priority: 'routine', agency: 'station' });
		const clock = Y.getState(lead.doc.store, lead.doc.clientID);
		await eventually(() => stored.includes(clock), 15_000, 'the echo from the instance that stored it');
		await eventually(() => cardsOf(across.doc).has('instances-saved'), 15_000, 'the edit on the other instance');

		// A help request handled by the first instance is written, stored and seen by a client of the second.
		const commander = await connectCommands(first.url, { cookie: cookies.commander });
		sockets.push(commander);
		const result = await new Promise<CommandResult<{ cardId: string }>>((resolve) =>
			commander.emit('card:requestHelp', { eventId: DEMO_EVENT, fromAgency: 'traffic', toAgency: 'station', title: '指挥部调派：协助交警' }, resolve)
		);
		expect(result).toEqual({ ok: true, cardId: expect.any(String) });
		const cardId = (result as { cardId: string }).cardId;
		await eventually(() => cardsOf(watcher.doc).has(cardId), 15_000, 'the command result on the other instance');
		expect(cardsOf(watcher.doc).get(cardId)?.get('requestedBy')).toBe('traffic');
		await eventually(() => sameState(lead.doc, watcher.doc), 15_000, 'the lead to hold it too');
	});
});
