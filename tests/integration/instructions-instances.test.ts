/**
 * The command channel across two instances of the server on one PostgreSQL database (behind a load balancer,
 * without sticky sessions): instructions, acknowledgements, status pushes, presence and revocations reach the
 * sockets and documents held by the other instance. PostgreSQL only: the embedded database serves one process.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { postgresBaseUrl, startServer, type TestServer } from '../helpers/server.ts';
import { connectCommands, connectDoc, DEMO_EVENT, eventually, nextClose, whenSynced } from '../helpers/live.ts';
import { command, createDisplayToken, demoClient, joinAs, listen, revokeDisplayToken, settled, type Listener } from '../helpers/commands.ts';
import { HttpClient } from '../helpers/http.ts';
import { agencyDocName } from '../../src/lib/domain/documents.ts';
import { CLOSE_CODES } from '../../src/lib/domain/wire.ts';
import { sessionIdFromToken } from '../../src/lib/server/auth/session.ts';

/** As in instructions-lifecycle.test.ts: the bound the issue sets, well under the 15 s sweep. */
const CLOSE_BOUND_MS = 2000;

describe.skipIf(!postgresBaseUrl())('the command channel across two instances', () => {
	let a: TestServer;
	let b: TestServer;
	const open: Array<{ close?(): void; destroy?(): void }> = [];
	const track = <T extends { close?(): void; destroy?(): void }>(x: T): T => (open.push(x), x);
	/** Signs in on one instance; the session (in the shared database) is valid on both. */
	const on = (server: TestServer, client: HttpClient) => {
		const c = new HttpClient(server.url);
		for (const [k, v] of client.cookies) c.cookies.set(k, v);
		return c;
	};

	beforeAll(async () => {
		a = await startServer({ demo: true });
		b = await startServer({ shareDatabaseOf: a });
	});
	afterAll(async () => {
		for (const x of open) (x.close ?? x.destroy)?.call(x);
		await b?.dispose();
		await a?.dispose();
	});

	it('delivers an instruction sent on one instance to its recipients on the other, and the acknowledgement back', async () => {
		const commander = track(await joinAs(await demoClient(a.url, 'commander')));
		const memberTraffic = track(await joinAs(on(b, await demoClient(a.url, 'member.traffic'))));
		const leadStation = track(await joinAs(on(b, await demoClient(a.url, 'lead.station'))));

		const result = await command(commander.socket, 'instruction:send', {
			eventId: DEMO_EVENT,
			scope: 'agencies',
			targets: ['traffic'],
			priority: 'alarm',
			body: '跨实例警报',
			ackBy: null
		});
		if (!result.ok) throw new Error(JSON.stringify(result));
		const id = result.instruction.id;
		await eventually(() => memberTraffic.heard['instruction:new'].some((i) => i.id === id), 5000, 'the other instance to deliver it');
		await settled(leadStation);
		expect(leadStation.heard['instruction:new'].filter((i) => i.id === id)).toEqual([]);

		expect(await command(memberTraffic.socket, 'instruction:ack', { instructionId: id })).toMatchObject({ ok: true });
		await eventually(() => commander.heard['instruction:acked'].some((x) => x.instructionId === id), 5000, 'the sender to see the acknowledgement');
		expect(commander.heard['instruction:acked'].filter((x) => x.instructionId === id)).toHaveLength(1);
	});

	it('lists for the commander on one instance the people online on the other', async () => {
		const commander = track(await joinAs(await demoClient(a.url, 'commander')));
		track(await joinAs(on(b, await demoClient(a.url, 'lead.patrol'))));
		const presence = await command(commander.socket, 'presence:list', DEMO_EVENT);
		if (!presence.ok) throw new Error(JSON.stringify(presence));
		expect((presence.presence.byAgency.patrol ?? []).map((p) => p.name)).toEqual(['何秀英']);
	});

	it("pushes a status change made on one instance to the other instance's sockets", async () => {
		const commanderHttp = await demoClient(a.url, 'commander');
		const commander = track(await joinAs(commanderHttp));
		const display = track(listen(await connectCommands(b.url, { displayToken: await createDisplayToken(commanderHttp, '乙实例屏') })));
		const lead = track(await joinAs(on(b, await demoClient(a.url, 'lead.traffic'))));
		try {
			expect(await command(commander.socket, 'event:setStatus', { eventId: DEMO_EVENT, status: 'planning' })).toEqual({ ok: true });
			await eventually(
				() => [display, lead].every((l: Listener) => l.heard['event:status'].some((s) => s.status === 'planning')),
				5000,
				'the other instance to push it'
			);
		} finally {
			await command(commander.socket, 'event:setStatus', { eventId: DEMO_EVENT, status: 'active' });
		}
	});

	it('closes a display\'s connections on the other instance when its link is revoked', async () => {
		const commanderHttp = await demoClient(a.url, 'commander');
		const token = await createDisplayToken(commanderHttp, '乙实例左屏');
		const display = track(listen(await connectCommands(b.url, { displayToken: token })));
		const doc = track(connectDoc(b.url, agencyDocName(DEMO_EVENT, 'patrol'), { displayToken: token }));
		await whenSynced(doc);
		const closed = nextClose(doc, CLOSE_BOUND_MS);
		doc.provider.on('connection-close', () => (doc.provider.shouldConnect = false));

		expect(await revokeDisplayToken(commanderHttp, sessionIdFromToken(token))).toMatchObject({ type: 'success' });
		await eventually(() => display.heard['session:ended'].length > 0 && !display.socket.connected, CLOSE_BOUND_MS, 'the socket to be ended');
		expect((await closed).code).toBe(CLOSE_CODES.sessionEnded);
	});

	it("closes a signed-out session's connections on the other instance", async () => {
		const client = await demoClient(a.url, 'member.station');
		const socket = track(await joinAs(on(b, client)));
		const doc = track(connectDoc(b.url, agencyDocName(DEMO_EVENT, 'station'), { cookie: client.cookieHeader() }));
		await whenSynced(doc);
		const closed = nextClose(doc, CLOSE_BOUND_MS);
		doc.provider.on('connection-close', () => (doc.provider.shouldConnect = false));

		await client.postForm('/logout', {});
		await eventually(() => socket.heard['session:ended'].length > 0 && !socket.socket.connected, CLOSE_BOUND_MS, 'the socket to be ended');
		expect((await closed).code).toBe(CLOSE_CODES.sessionEnded);
	});
});
