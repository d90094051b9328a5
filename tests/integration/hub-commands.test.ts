/**
 * Issue 3, "saved acknowledgement" and "cross-boundary commands": what the server stored comes back to the
 * editing client on its own connection; a help request and a reassignment are authorised on the server and
 * written into the documents on the user's behalf, in one database transaction.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as Y from 'yjs';
import { sql } from 'kysely';
import { startServer, type TestServer } from '../helpers/server.ts';
import { connectCommands, connectDoc, eventually, onStored, whenSynced, type CommandSocketClient, type LiveDoc } from '../helpers/live.ts';
import { activityOf, DEMO_EVENT, demoUserId, signInDemo, SYNC_MS } from '../helpers/hub.ts';
import { agencyDocName } from '../../src/lib/domain/documents.ts';
import type { CommandResult, ReassignCardInput, RequestHelpInput } from '../../src/lib/domain/wire.ts';
import { addCard, cardsOf, notesOf, readCard, updateCard } from '../../src/lib/domain/board.ts';
import { openDatabase } from '../../src/lib/server/db/database.ts';

const STATION = agencyDocName(DEMO_EVENT, 'station');
const TRAFFIC = agencyDocName(DEMO_EVENT, 'traffic');

function requestHelp(socket: CommandSocketClient, input: RequestHelpInput): Promise<CommandResult<{ cardId: string }>> {
	return new Promise((resolve) => socket.emit('card:requestHelp', input, resolve));
}

function reassign(socket: CommandSocketClient, input: ReassignCardInput): Promise<CommandResult<{ cardId: string }>> {
	return new Promise((resolve) => socket.emit('card:reassign', input, resolve));
}

describe('the command channel (socket.io)', () => {
	let server: TestServer;
	let cookies: Record<string, string>;
	const docs: LiveDoc[] = [];
	const sockets: CommandSocketClient[] = [];
	const connect = (doc: string, username: string) => {
		const live = connectDoc(server.url, doc, { cookie: cookies[username] });
		docs.push(live);
		return live;
	};
	const commands = async (username: string) => {
		const socket = await connectCommands(server.url, { cookie: cookies[username] });
		sockets.push(socket);
		return socket;
	};

	beforeAll(async () => {
		server = await startServer({ demo: true });
		cookies = await signInDemo(server.url, ['commander', 'lead.station', 'lead.traffic', 'member.traffic', 'reviewer']);
	});
	afterAll(async () => {
		// Disposed even if closing a client throws: no test server may outlive its file.
		try {
			for (const s of sockets) s.disconnect();
			for (const live of docs) live.destroy();
		} finally {
			await server?.dispose();
		}
	});

	it('sends every stored update back to its writer on the connection it came from, in the order stored: its acknowledgement', async () => {
		const lead = connect(STATION, 'lead.station');
		const other = connect(STATION, 'commander');
		await Promise.all([whenSynced(lead, SYNC_MS), whenSynced(other, SYNC_MS)]);
		const mine: number[] = [];
		const heardByOther: number[] = [];
		onStored(lead, (clock) => mine.push(clock));
		onStored(other, (clock) => heardByOther.push(clock));

		addCard(lead.doc, 'saved-card', { title: '保存确认', status: 'todo', priority: 'routine', agency: 'station' });
		updateCard(lead.doc, 'saved-card', { status: 'doing' });
		notesOf(lead.doc, 'saved-card')!.insert(0, '已保存');
		const clock = Y.getState(lead.doc.store, lead.doc.clientID);
		await eventually(() => mine.includes(clock), 15_000, 'the echo of the last edit');
		// One echo per edit, each saying more is stored than the one before.
		expect(mine).toHaveLength(3);
		expect(mine).toEqual([...mine].sort((a, b) => a - b));
		// The echo holds nothing of anyone else's client: another page's own count is not touched by it.
		expect(heardByOther).toEqual([]);
		// Stored before it came back: a client that holds nothing reads it from the server.
		const fresh = connect(STATION, 'reviewer');
		await whenSynced(fresh, SYNC_MS);
		expect(cardsOf(fresh.doc).get('saved-card')?.get('status')).toBe('doing');
	});

	it("writes a traffic lead's help request into the station's document as a card that says who asked", async () => {
		const station = connect(STATION, 'lead.station');
		const traffic = connect(TRAFFIC, 'lead.traffic');
		await Promise.all([whenSynced(station, SYNC_MS), whenSynced(traffic, SYNC_MS)]);
		const socket = await commands('lead.traffic');
		const result = await requestHelp(socket, {
			eventId: DEMO_EVENT,
			fromAgency: 'traffic',
			toAgency: 'station',
			title: '请派出所协助南门散场分流',
			notes: '地铁口人流超过警戒线',
			priority: 'critical',
			location: '永宁门地铁站'
		});
		expect(result).toEqual({ ok: true, cardId: expect.any(String) });
		const cardId = (result as { cardId: string }).cardId;
		await eventually(() => cardsOf(station.doc).has(cardId), 15_000, 'the help card at the station');
		expect(readCard(cardId, cardsOf(station.doc).get(cardId)!)).toMatchObject({
			title: '请派出所协助南门散场分流',
			notes: '地铁口人流超过警戒线',
			status: 'todo',
			priority: 'critical',
			agency: 'station',
			location: '永宁门地铁站',
			requestedBy: 'traffic',
			createdBy: demoUserId('lead.traffic')
		});
		expect(cardsOf(traffic.doc).has(cardId)).toBe(false);
		// The server wrote it on the traffic lead's behalf: the history says so.
		const rows = await activityOf(server.url, cookies.commander, DEMO_EVENT, cardId);
		expect(rows.map((r) => [r.doc, r.userId, r.action])).toEqual([[STATION, demoUserId('lead.traffic'), 'created']]);
	});

	it('refuses a help request from a member, or asked in the name of another agency, and writes nothing', async () => {
		const station = connect(STATION, 'reviewer');
		await whenSynced(station, SYNC_MS);
		const before = cardsOf(station.doc).size;
		const member = await commands('member.traffic');
		const lead = await commands('lead.traffic');
		const ask = { eventId: DEMO_EVENT, toAgency: 'station', title: '不应出现的卡片' };
		expect(await requestHelp(member, { ...ask, fromAgency: 'traffic' })).toMatchObject({ ok: false, error: 'forbidden' });
		expect(await requestHelp(lead, { ...ask, fromAgency: 'patrol' })).toMatchObject({ ok: false, error: 'forbidden' });
		expect(await requestHelp(lead, { ...ask, fromAgency: 'traffic', title: '' })).toMatchObject({ ok: false, error: 'invalid' });
		// A later write is visible, so anything written before it would be too.
		const marker = await requestHelp(lead, { ...ask, fromAgency: 'traffic', title: '之后的请求' });
		const markerId = (marker as { cardId: string }).cardId;
		await eventually(() => cardsOf(station.doc).has(markerId), 15_000, 'the later request');
		expect(cardsOf(station.doc).size).toBe(before + 1);
		expect([...cardsOf(station.doc).values()].some((c) => c.get('title') === '不应出现的卡片')).toBe(false);
	});

	it("moves a card from the station's document to traffic's in one transaction when the commander reassigns it, and refuses a lead", async () => {
		const station = connect(STATION, 'lead.station');
		const traffic = connect(TRAFFIC, 'lead.traffic');
		await Promise.all([whenSynced(station, SYNC_MS), whenSynced(traffic, SYNC_MS)]);
		addCard(station.doc, 'moving-card', {
			title: '环城南路临时停车疏导',
			notes: '原由派出所负责',
			status: 'doing',
			priority: 'urgent',
			agency: 'station',
			location: '环城南路',
			createdBy: demoUserId('lead.station'),
			checklist: [{ id: 'moving-k1', text: '设置锥桶' }]
		});
		await eventually(() => cardsOf(traffic.doc).size > 0 && cardsOf(station.doc).has('moving-card'), 15_000, 'the card');
		const input = { eventId: DEMO_EVENT, cardId: 'moving-card', fromAgency: 'station', toAgency: 'traffic' };

		const leadSocket = await commands('lead.station');
		expect(await reassign(leadSocket, input)).toMatchObject({ ok: false, error: 'forbidden' });
		const commander = await commands('commander');
		expect(await reassign(commander, { ...input, cardId: 'no-such-card' })).toMatchObject({ ok: false, error: 'notFound' });
		expect(cardsOf(station.doc).has('moving-card')).toBe(true);

		expect(await reassign(commander, input)).toEqual({ ok: true, cardId: 'moving-card' });
		await eventually(() => !cardsOf(station.doc).has('moving-card') && cardsOf(traffic.doc).has('moving-card'), 15_000, 'the card to move');
		expect(readCard('moving-card', cardsOf(traffic.doc).get('moving-card')!)).toMatchObject({
			title: '环城南路临时停车疏导',
			notes: '原由派出所负责',
			status: 'doing',
			priority: 'urgent',
			agency: 'traffic',
			location: '环城南路',
			createdBy: demoUserId('lead.station'),
			checklist: [{ id: 'moving-k1', text: '设置锥桶', done: false }]
		});

		const rows = await activityOf(server.url, cookies.commander, DEMO_EVENT, 'moving-card');
		const moved = rows.filter((r) => r.userId === demoUserId('commander'));
		expect(moved.map((r) => [r.doc, r.action])).toEqual([
			[STATION, 'deleted'],
			[TRAFFIC, 'created']
		]);
		// One transaction: both logged updates carry the id of the same PostgreSQL transaction. (Embedded: the data
		// folder has one owner at a time, so the server is stopped to read it.)
		if (!server.env.DATABASE_URL) await server.stop();
		const database = await openDatabase({ databaseUrl: server.env.DATABASE_URL, dataDir: server.env.DATA_DIR ?? '' });
		try {
			const xmins = await Promise.all(
				moved.map(async (r) => {
					const q = sql<{ xmin: string }>`select xmin::text as xmin from doc_updates where doc = ${r.doc} and seq = ${r.seq}`;
					return (await q.execute(database.db)).rows[0]?.xmin;
				})
			);
			expect(xmins[0]).toBeDefined();
			expect(xmins[1]).toBe(xmins[0]);
		} finally {
			await database.close();
		}
	});
});
