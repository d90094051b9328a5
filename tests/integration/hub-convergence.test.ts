/**
 * Issue 3, "20 clients making random concurrent edits converge to identical state; a client offline for a while
 * converges on reconnect": stock y-websocket providers against the real server.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as Y from 'yjs';
import { startServer, type TestServer } from '../helpers/server.ts';
import { connectDoc, eventually, whenSynced, type LiveDoc } from '../helpers/live.ts';
import {
	DEMO_EVENT,
	demoUserId,
	openRawSocket,
	pick,
	sameState,
	seededRandom,
	signInDemo,
	sleep,
	stateVectorOf,
	syncMessage,
	SYNC_MS,
	waitConverged
} from '../helpers/hub.ts';
import { agencyDocName } from '../../src/lib/domain/documents.ts';
import { CARD_PRIORITIES, CARD_STATUSES } from '../../src/lib/domain/doc-schema.ts';
import { addCard, addChecklistItem, cardsOf, isoWithOffset, notesOf, readCard, updateCard } from '../../src/lib/domain/board.ts';

const STATION = agencyDocName(DEMO_EVENT, 'station');
/** Everyone who writes the station's document: the commander, its lead and three of its members. */
const WRITERS = ['commander', 'lead.station', 'member.station', 'chen.lei', 'guo.jing'];
const SEED = 20261124;

/** One random edit of the kinds a board makes: a new card, a status or priority, typing in notes, a checklist item. */
function randomEdit(doc: Y.Doc, rnd: () => number, tag: string, n: number, userId: string): void {
	const ids = [...cardsOf(doc).keys()];
	const r = rnd();
	if (ids.length === 0 || r < 0.2) {
		addCard(doc, `${tag}-${n}`, {
			title: `卡片 ${tag} #${n}`,
			status: pick(rnd, CARD_STATUSES),
			priority: pick(rnd, CARD_PRIORITIES),
			agency: 'station',
			createdBy: userId,
			createdAt: isoWithOffset(new Date(), 480),
			checklist: [{ id: `${tag}-${n}-k`, text: '到岗' }]
		});
		return;
	}
	const id = pick(rnd, ids);
	if (r < 0.4) updateCard(doc, id, { status: pick(rnd, CARD_STATUSES) });
	else if (r < 0.5) updateCard(doc, id, { priority: pick(rnd, CARD_PRIORITIES) });
	else if (r < 0.85) {
		const notes = notesOf(doc, id)!;
		// Mostly typing, sometimes a deletion, both at random places.
		if (notes.length > 4 && rnd() < 0.25) notes.delete(Math.floor(rnd() * (notes.length - 2)), 2);
		else notes.insert(Math.floor(rnd() * (notes.length + 1)), `${tag}:${n} `);
	} else if (readCard(id, cardsOf(doc).get(id)!).checklist.length < 60) {
		addChecklistItem(doc, id, { id: `${tag}-${n}-c`, text: `检查项 ${tag}.${n}` });
	} else updateCard(doc, id, { status: pick(rnd, CARD_STATUSES) });
}

describe('convergence of many live clients on one agency document', () => {
	let server: TestServer;
	let cookies: Record<string, string>;
	const open: LiveDoc[] = [];
	const connect = (username: string, opts: Parameters<typeof connectDoc>[2] = {}) => {
		const live = connectDoc(server.url, STATION, { cookie: cookies[username], ...opts });
		open.push(live);
		return live;
	};
	const release = (live: LiveDoc) => {
		open.splice(open.indexOf(live), 1);
		live.destroy();
	};

	beforeAll(async () => {
		server = await startServer({ demo: true });
		cookies = await signInDemo(server.url, [...WRITERS, 'reviewer']);
	});
	afterAll(async () => {
		// Disposed even if closing a client throws: no test server may outlive its file.
		try {
			for (const live of open) live.destroy();
		} finally {
			await server?.dispose();
		}
	});

	it('brings 20 clients editing at random at the same time, and a client joining afterwards, to the same state', { timeout: 180_000 }, async () => {
		const clients = Array.from({ length: 20 }, (_, i) => ({ username: WRITERS[i % WRITERS.length], live: connect(WRITERS[i % WRITERS.length]) }));
		await Promise.all(clients.map((c) => whenSynced(c.live, SYNC_MS)));
		// The demo board is there for everyone before anyone edits.
		for (const c of clients) expect(cardsOf(c.live.doc).has('demo-card-s1')).toBe(true);

		const OPS = 40;
		await Promise.all(
			clients.map(async (c, i) => {
				const rnd = seededRandom(SEED + i);
				for (let n = 0; n < OPS; n++) {
					randomEdit(c.live.doc, rnd, `k${i}`, n, demoUserId(c.username));
					await sleep(rnd() * 15);
				}
			})
		);

		const docs = clients.map((c) => c.live.doc);
		await waitConverged(docs, 60_000, '20 clients to converge');
		const late = connect('reviewer');
		await whenSynced(late, SYNC_MS);
		await waitConverged([...docs, late.doc], 30_000, 'the late client to catch up');

		// Map keys come out in each client's own arrival order, so compare as values, not as JSON text.
		const cards = cardsOf(docs[0]).toJSON();
		const sv = stateVectorOf(docs[0]);
		for (const d of [...docs, late.doc]) {
			expect(stateVectorOf(d)).toEqual(sv);
			expect(cardsOf(d).toJSON()).toEqual(cards);
		}
		// Every client's edits are in the shared state: each wrote with its own Yjs client id, and each made a card.
		for (const c of clients) expect(sv.some(([client]) => client === c.live.doc.clientID)).toBe(true);
		const made = [...cardsOf(late.doc).keys()];
		for (let i = 0; i < clients.length; i++) expect(made.some((id) => id.startsWith(`k${i}-`))).toBe(true);
		// No client was closed by the server along the way.
		for (const c of clients) expect(c.live.closes).toEqual([]);
		for (const live of [...clients.map((c) => c.live), late]) release(live);
	});

	it('merges the edits of a client that worked offline when it reconnects, and sends them to everyone', { timeout: 180_000 }, async () => {
		const traveller = connect('member.station');
		const others = [connect('lead.station'), connect('commander'), connect('chen.lei')];
		await Promise.all([traveller, ...others].map((l) => whenSynced(l, SYNC_MS)));
		addCard(traveller.doc, 'offline-base', {
			title: '南门临时岗',
			status: 'todo',
			priority: 'routine',
			agency: 'station',
			createdBy: demoUserId('member.station'),
			createdAt: isoWithOffset(new Date(), 480)
		});
		await waitConverged([traveller.doc, ...others.map((o) => o.doc)], 20_000, 'the base card to reach everyone');

		traveller.provider.disconnect();
		// Offline: a new card, typing and a status change on the shared card.
		addCard(traveller.doc, 'offline-new', {
			title: '离线时发现：东侧护栏松动',
			status: 'todo',
			priority: 'urgent',
			agency: 'station',
			createdBy: demoUserId('member.station'),
			createdAt: isoWithOffset(new Date(), 480)
		});
		notesOf(traveller.doc, 'offline-base')!.insert(0, '离线记录；');
		updateCard(traveller.doc, 'offline-base', { status: 'doing' });
		// Meanwhile the others go on editing the same card.
		const rnd = seededRandom(SEED);
		for (let n = 0; n < 15; n++) {
			const o = others[n % others.length];
			const notes = notesOf(o.doc, 'offline-base')!;
			notes.insert(notes.length, `在线${n} `);
			updateCard(o.doc, 'offline-base', { priority: pick(rnd, CARD_PRIORITIES) });
			await sleep(5);
		}
		await waitConverged(others.map((o) => o.doc), 20_000, 'the online clients to converge');
		expect(cardsOf(others[0].doc).has('offline-new')).toBe(false);
		expect(sameState(traveller.doc, others[0].doc)).toBe(false);

		traveller.provider.connect();
		await waitConverged([traveller.doc, ...others.map((o) => o.doc)], 30_000, 'the traveller to converge');
		for (const o of others) {
			const base = readCard('offline-base', cardsOf(o.doc).get('offline-base')!);
			expect(readCard('offline-new', cardsOf(o.doc).get('offline-new')!).title).toBe('离线时发现：东侧护栏松动');
			expect(base.notes).toContain('离线记录；');
			expect(base.notes).toContain('在线14 ');
			expect(base.status).toBe('doing');
		}
		expect(cardsOf(traveller.doc).toJSON()).toEqual(cardsOf(others[0].doc).toJSON());

		// What the server stored agrees: a client joining now sees the same.
		const fresh = connect('reviewer');
		await whenSynced(fresh, SYNC_MS);
		await waitConverged([traveller.doc, fresh.doc], 20_000, 'a fresh client to load the merged state');
		expect(traveller.closes).toEqual([]);
	});

	it('holds the edits a client sends before its sync answer, however many, and stores them once the answer arrives', { timeout: 60_000 }, async () => {
		// A phone back from offline types on while the server is slow to start the conversation: every keystroke
		// is sent at once and builds on the offline edits that only its sync answer carries.
		const phone = new Y.Doc();
		addCard(phone, 'typed-before-answer', {
			title: '重连后继续输入',
			status: 'todo',
			priority: 'routine',
			agency: 'station',
			createdBy: demoUserId('member.station'),
			createdAt: isoWithOffset(new Date(), 480)
		});
		const offline = Y.encodeStateAsUpdate(phone);
		const keystrokes: Uint8Array[] = [];
		phone.on('update', (u: Uint8Array) => keystrokes.push(u));
		const KEYSTROKES = 300;
		for (let n = 0; n < KEYSTROKES; n++) notesOf(phone, 'typed-before-answer')!.insert(n, '字');
		expect(keystrokes.length).toBe(KEYSTROKES);

		const ws = await openRawSocket(server.url, STATION, cookies['member.station']);
		let closed: { code: number; reason: string } | null = null;
		ws.on('close', (code: number, reason: Buffer) => (closed = { code, reason: reason.toString() }));
		for (const k of keystrokes) ws.send(syncMessage(2, k));
		ws.send(syncMessage(1, offline));

		const reader = connect('reviewer');
		await whenSynced(reader, SYNC_MS);
		const typed = () => notesOf(reader.doc, 'typed-before-answer')?.toString();
		await eventually(() => typed() === '字'.repeat(KEYSTROKES), 30_000, 'the offline card and every keystroke to be stored');
		expect(readCard('typed-before-answer', cardsOf(reader.doc).get('typed-before-answer')!).title).toBe('重连后继续输入');
		expect(closed).toBeNull();
		ws.close();
		release(reader);
		phone.destroy();
	});
});

