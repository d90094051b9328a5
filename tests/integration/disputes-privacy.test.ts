/**
 * Parties' personal data is need-to-know. A cleared neighborhood lead (何秀英, lead.patrol) registers disputes,
 * adds and edits their parties and escalates them, while an uncleared traffic lead (马骏, lead.traffic) and a wall
 * display are connected to everything they may open. Every byte those two receive is recorded — each y-websocket
 * frame (the stock provider on a `ws` class that records its incoming messages), each socket.io packet (the
 * engine's own events), and the pages, exports and activity they fetch — and none of the parties' names, phones,
 * ID numbers or addresses may be in it, neither as text nor anywhere in the raw bytes. They do see the masked form.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import { io, type Socket } from 'socket.io-client';
import { startServer, type TestServer } from '../helpers/server.ts';
import { HttpClient } from '../helpers/http.ts';
import { connectDoc, DEMO_EVENT, eventually, sessionCookie, whenSynced, type LiveDoc } from '../helpers/live.ts';
import { agencyDocName, commandDocName, restrictedDocName } from '../../src/lib/domain/documents.ts';
import { addDispute, disputesOf, partiesOf, readDispute, readParties, setParties, type Party } from '../../src/lib/domain/dispute-doc.ts';
import { maskParties } from '../../src/lib/domain/masking.ts';
import { CLOSE_CODES, type ClientToServerEvents, type CommandResult, type ServerToClientEvents } from '../../src/lib/domain/wire.ts';
import type { DisputeArrival } from '../../src/lib/domain/dispute-wire.ts';

const AGENCIES = ['station', 'cid', 'traffic', 'patrol'];

/** Everything one listener received, as the bytes arrived. */
class Recorder {
	readonly chunks: Buffer[] = [];
	add(data: unknown): void {
		if (typeof data === 'string') this.chunks.push(Buffer.from(data, 'utf8'));
		else if (Buffer.isBuffer(data)) this.chunks.push(Buffer.from(data));
		else if (data instanceof ArrayBuffer) this.chunks.push(Buffer.from(new Uint8Array(data)));
		else if (ArrayBuffer.isView(data)) this.chunks.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
		else if (Array.isArray(data)) data.forEach((d) => this.add(d));
		else if (data !== undefined && data !== null) this.chunks.push(Buffer.from(JSON.stringify(data), 'utf8'));
	}
	get bytes(): Buffer {
		return Buffer.concat(this.chunks);
	}
	/** Each chunk decoded as UTF-8 on its own (so a character is never split across two chunks). */
	get text(): string {
		return this.chunks.map((c) => c.toString('utf8')).join('\n');
	}
	/** Where `secret` shows up: in the decoded text or in the raw bytes. */
	finds(secret: string): boolean {
		return this.text.includes(secret) || this.bytes.includes(Buffer.from(secret, 'utf8'));
	}
}

/** The `ws` class for the stock provider: sends a cookie the way a browser would, and records every message in. */
function recordingWebSocket(recorder: Recorder, cookie: string | null): typeof WebSocket {
	return class extends WebSocket {
		constructor(url: string, protocols?: string | string[]) {
			super(url, protocols, cookie ? { headers: { cookie } } : {});
			this.on('message', (data) => recorder.add(data));
		}
	} as typeof WebSocket;
}

function recordedDoc(base: string, name: string, recorder: Recorder, auth: { cookie?: string; token?: string }): LiveDoc {
	const doc = new Y.Doc();
	const provider = new WebsocketProvider(base.replace(/^http/, 'ws') + '/yjs', name, doc, {
		WebSocketPolyfill: recordingWebSocket(recorder, auth.cookie ?? null) as unknown as typeof globalThis.WebSocket,
		params: auth.token ? { token: auth.token } : {},
		disableBc: true,
		resyncInterval: -1
	});
	const closes: LiveDoc['closes'] = [];
	provider.on('connection-close', (event: CloseEvent | null) => {
		if (event) closes.push({ code: event.code, reason: event.reason });
	});
	return { doc, provider, closes, destroy: () => (provider.destroy(), doc.destroy()) };
}

type CommandSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** socket.io-client with every engine packet recorded from the handshake on. */
function recordedSocket(base: string, recorder: Recorder | null, auth: { cookie?: string; token?: string }): CommandSocket {
	const socket: CommandSocket = io(base, {
		path: '/socket.io',
		transports: ['websocket'],
		extraHeaders: auth.cookie ? { cookie: auth.cookie } : {},
		auth: auth.token ? { token: auth.token } : {},
		reconnection: false
	});
	// The manager opened its engine synchronously; nothing has arrived yet.
	const engine = socket.io.engine as unknown as { on(event: string, fn: (arg: unknown) => void): void };
	if (recorder) {
		engine.on('packet', (packet) => recorder.add(packet));
		engine.on('data', (data) => recorder.add(data));
	}
	return socket;
}

function send<E extends keyof ClientToServerEvents>(socket: CommandSocket, event: E, input: Parameters<ClientToServerEvents[E]>[0]): Promise<CommandResult<any>> {
	const emitter = socket.timeout(10_000) as unknown as { emit(e: string, i: unknown, ack: (err: Error | null, r: CommandResult<any>) => void): void };
	return new Promise((resolve, reject) => emitter.emit(event, input, (err, r) => (err ? reject(err) : resolve(r))));
}

function connected(socket: CommandSocket): Promise<void> {
	return socket.connected ? Promise.resolve() : new Promise((resolve, reject) => (socket.once('connect', () => resolve()), socket.once('connect_error', reject)));
}

/** Makes a wall display link as the commander does on the displays page; returns its token. */
async function displayToken(base: string): Promise<string> {
	const commander = new HttpClient(base);
	await commander.login('commander', 'liandong-demo');
	const res = await commander.postForm(`/events/${DEMO_EVENT}/displays?/create`, { name: '指挥部大屏（隐私测试）' });
	const token = /\/wall\/([^"\\/?#\s]+)/.exec(await res.text())?.[1];
	if (!token) throw new Error('no display link was made');
	return token;
}

const blank = (p: Partial<Party> & { name: string }): Party => ({ phone: '', idNumber: '', address: '', note: '', ...p });

describe('dispute parties reach neither an uncleared user nor a wall display', () => {
	let server: TestServer;
	const uncleared = new Recorder();
	const wall = new Recorder();
	const control = new Recorder();
	const open: Array<{ destroy(): void } | { disconnect(): void }> = [];
	/** Every personal value written during the session, including ones later overwritten. */
	const secrets: string[] = [];
	let arrivals: DisputeArrival[] = [];
	let finalMasked = { d1: '', d2: '' };

	beforeAll(async () => {
		server = await startServer({ demo: true });
		const base = server.url;
		const [patrolCookie, trafficCookie, stationCookie] = await Promise.all(['lead.patrol', 'lead.traffic', 'lead.station'].map((u) => sessionCookie(base, u)));
		const token = await displayToken(base);

		// The listeners: the uncleared lead and the wall on every document they may open, and on socket.io.
		const listen = (recorder: Recorder, auth: { cookie?: string; token?: string }) => {
			const docs = [commandDocName(DEMO_EVENT), ...AGENCIES.map((a) => agencyDocName(DEMO_EVENT, a)), restrictedDocName(DEMO_EVENT)].map((name) =>
				recordedDoc(base, name, recorder, auth)
			);
			open.push(...docs);
			return docs;
		};
		const trafficDocs = listen(uncleared, { cookie: trafficCookie });
		const wallDocs = listen(wall, { token });
		const trafficSocket = recordedSocket(base, uncleared, { cookie: trafficCookie });
		const wallSocket = recordedSocket(base, wall, { token });
		open.push(trafficSocket, wallSocket);
		trafficSocket.on('dispute:escalated', (a) => arrivals.push(a));
		await Promise.all([connected(trafficSocket), connected(wallSocket)]);
		expect((await send(trafficSocket, 'event:join', DEMO_EVENT as never)).ok).toBe(true);
		expect((await send(wallSocket, 'event:join', DEMO_EVENT as never)).ok).toBe(true);

		// A cleared station lead on the restricted document: the control that proves the recording finds parties.
		const stationRestricted = recordedDoc(base, restrictedDocName(DEMO_EVENT), control, { cookie: stationCookie });
		open.push(stationRestricted);

		// The cleared neighborhood lead works the way the register page does, through the same domain helpers.
		const patrolDoc = connectDoc(base, agencyDocName(DEMO_EVENT, 'patrol'), { cookie: patrolCookie });
		const restricted = connectDoc(base, restrictedDocName(DEMO_EVENT), { cookie: patrolCookie });
		const patrolSocket = recordedSocket(base, null, { cookie: patrolCookie });
		open.push(patrolDoc, restricted, patrolSocket);
		await Promise.all([whenSynced(patrolDoc), whenSynced(restricted), connected(patrolSocket), ...trafficDocs.slice(0, 5).map((d) => whenSynced(d)), ...wallDocs.slice(0, 5).map((d) => whenSynced(d))]);
		await send(patrolSocket, 'event:join', DEMO_EVENT as never);

		const writeParties = (id: string, parties: Party[]) => {
			secrets.push(...parties.flatMap((p) => [p.name, p.phone, p.idNumber, p.address].filter(Boolean)));
			setParties(restricted.doc, id, parties);
			patrolDoc.doc.transact(() => disputesOf(patrolDoc.doc).get(id)!.set('partiesMasked', maskParties(parties)));
		};
		const register = (id: string, summary: string, parties: Party[]) => {
			addDispute(patrolDoc.doc, id, { summary, category: 'neighbor', risk: 'high', status: 'open', level: 'community', partiesMasked: maskParties(parties) });
			writeParties(id, parties);
		};

		// Registered with parties, then corrected and extended: each step reaches the server as its own update.
		register('privacy-d1', '隐私测试：楼道堆物引发推搡', [blank({ name: '张山明', phone: '13812345678', idNumber: '110101199003071234', address: '隐私路一号' })]);
		await eventually(() => readParties(stationRestricted.doc, 'privacy-d1').length === 1, 15_000, 'the first party to reach the control');
		writeParties('privacy-d1', [
			blank({ name: '张三明', phone: '13912349876', idNumber: '110101199003071234', address: '隐私路一号' }),
			blank({ name: '欧阳娜娜', phone: '13700001111', idNumber: '32010219850505002X', address: '隐私巷七号' })
		]);
		register('privacy-d2', '隐私测试：游客与摊主争执', [blank({ name: 'John Smith', phone: '+86 135 0000 2222', idNumber: 'E98765432', address: 'Privacy Road 9' })]);
		writeParties('privacy-d2', [blank({ name: 'John Smith', phone: '+86 135 0000 3333', idNumber: 'E98765432', address: 'Privacy Road 9' }), blank({ name: '诸葛明远', phone: '13600004444', idNumber: '440301197712120033' })]);

		// Escalation: one to the station, one to the uncleared lead's own agency, whose lead is told.
		await eventually(() => readParties(stationRestricted.doc, 'privacy-d2').length === 2, 15_000, 'the edited parties to reach the control');
		expect(await send(patrolSocket, 'dispute:escalate', { eventId: DEMO_EVENT, disputeId: 'privacy-d1', fromAgency: 'patrol', toAgency: 'station', toLevel: 'street', reason: '社区调解未果，移交派出所' })).toMatchObject({ ok: true });
		expect(await send(patrolSocket, 'dispute:escalate', { eventId: DEMO_EVENT, disputeId: 'privacy-d2', fromAgency: 'patrol', toAgency: 'traffic', toLevel: null, reason: '涉及占道经营与交通秩序' })).toMatchObject({ ok: true });

		finalMasked = { d1: maskParties(readParties(restricted.doc, 'privacy-d1')), d2: maskParties(readParties(restricted.doc, 'privacy-d2')) };
		// Both listeners have the final state of both disputes in their new agencies, and the lead heard of the one sent to them.
		const arrived = (docs: LiveDoc[]) => {
			const station = disputesOf(docs[1].doc).get('privacy-d1');
			const traffic = disputesOf(docs[3].doc).get('privacy-d2');
			return station instanceof Y.Map && traffic instanceof Y.Map && readDispute('privacy-d1', station).partiesMasked === finalMasked.d1 && readDispute('privacy-d2', traffic).partiesMasked === finalMasked.d2;
		};
		await eventually(() => arrived(trafficDocs) && arrived(wallDocs) && arrivals.length === 1, 20_000, 'the listeners to see both escalated disputes');

		// What else they would fetch: the register page, its export, the activity, the wall page and its feed.
		const fetchInto = async (recorder: Recorder, path: string, headers: Record<string, string>) => {
			const res = await fetch(base + path, { headers });
			recorder.add(Buffer.from(await res.arrayBuffer()));
			return res.status;
		};
		for (const path of [`/events/${DEMO_EVENT}/disputes`, `/events/${DEMO_EVENT}/disputes/privacy-d1`, `/events/${DEMO_EVENT}/disputes/export`, `/api/events/${DEMO_EVENT}/activity?limit=1000`]) {
			expect(await fetchInto(uncleared, path, { cookie: trafficCookie })).toBe(200);
		}
		for (const path of [`/wall/${token}`, `/wall/${token}/activity`]) expect(await fetchInto(wall, path, {})).toBe(200);
		// The restricted document was never theirs: both connections to it were refused.
		await eventually(() => trafficDocs[5].closes.length > 0 && wallDocs[5].closes.length > 0, 10_000, 'the restricted document to be refused');
		expect(trafficDocs[5].closes[0].code).toBe(CLOSE_CODES.forbidden);
		expect(wallDocs[5].closes[0].code).toBe(CLOSE_CODES.forbidden);
		expect(partiesOf(trafficDocs[5].doc).size).toBe(0);
	});

	afterAll(async () => {
		for (const o of open) 'destroy' in o ? o.destroy() : o.disconnect();
		await server?.dispose();
	});

	it('records a real amount of traffic for each listener, with the masked parties in it', () => {
		expect(uncleared.chunks.length).toBeGreaterThan(20);
		expect(wall.chunks.length).toBeGreaterThan(20);
		for (const recorder of [uncleared, wall]) {
			expect(recorder.finds(finalMasked.d1)).toBe(true);
			expect(recorder.finds('张*明 139****9876')).toBe(true);
			expect(recorder.finds('欧阳*娜 137****1111')).toBe(true);
			expect(recorder.finds('J. S. 135****3333')).toBe(true);
		}
	});

	it('finds the parties themselves in what a cleared user received, so the search would see them', () => {
		expect(secrets.length).toBeGreaterThan(10);
		for (const secret of secrets) expect(control.finds(secret), secret).toBe(true);
	});

	it('sends an uncleared lead none of the parties’ names, phones, ID numbers or addresses', () => {
		for (const secret of secrets) expect(uncleared.finds(secret), secret).toBe(false);
	});

	it('sends a wall display none of the parties’ names, phones, ID numbers or addresses', () => {
		for (const secret of secrets) expect(wall.finds(secret), secret).toBe(false);
	});

	it('tells the receiving lead of an escalation with the masked parties only', () => {
		expect(arrivals).toHaveLength(1);
		expect(arrivals[0]).toMatchObject({ disputeId: 'privacy-d2', agency: 'traffic', fromAgency: 'patrol', status: 'transferred', partiesMasked: finalMasked.d2 });
		for (const secret of secrets) expect(JSON.stringify(arrivals[0])).not.toContain(secret);
	});

	it('writes none of the personal data to the server’s log', () => {
		for (const secret of secrets) expect(server.output(), secret).not.toContain(secret);
	});
});
