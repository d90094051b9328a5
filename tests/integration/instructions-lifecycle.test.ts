/**
 * The command channel's lifecycle pushes, against a real server on the demo installation: a revoked display link
 * and a signed-out session lose their live connections (socket.io and y-websocket) at once, an event's status
 * change reaches every open page, and the commander sees who is online per agency.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as Y from 'yjs';
import { postgresBaseUrl, runCli, startServer, type TestServer } from '../helpers/server.ts';
import { io } from 'socket.io-client';
import { connectCommands, connectDoc, DEMO_EVENT, eventually, nextClose, whenSynced, type CommandSocketClient, type LiveDoc } from '../helpers/live.ts';
import { command, createDisplayToken, demoClient, joinAs, listen, revokeDisplayToken, settled, type Listener } from '../helpers/commands.ts';
import { HttpClient } from '../helpers/http.ts';
import { agencyDocName, commandDocName } from '../../src/lib/domain/documents.ts';
import { CLOSE_CODES } from '../../src/lib/domain/wire.ts';
import { sessionIdFromToken } from '../../src/lib/server/auth/session.ts';
import { SOCKET_SWEEP_MS } from '../../server/command-channel.ts';

/**
 * The issue asks for revoked connections to close within two seconds. The sweep that would also catch them runs
 * every 15 s, so a close inside this bound comes from the revoke itself.
 */
const CLOSE_BOUND_MS = 2000;

/** Resolves once the server has ended this socket's session: the notice arrived and the server dropped it. */
function sessionEnded(l: Listener): Promise<void> {
	return eventually(() => l.heard['session:ended'].length > 0 && l.droppedByServer() && !l.socket.connected, CLOSE_BOUND_MS, 'the socket to be ended');
}

describe('command channel lifecycle', () => {
	let server: TestServer;
	let commanderHttp: HttpClient;
	const cleanup: Array<{ close?(): void; destroy?(): void }> = [];
	const track = <T extends { close?(): void; destroy?(): void }>(x: T): T => (cleanup.push(x), x);

	beforeAll(async () => {
		server = await startServer({ demo: true });
		commanderHttp = await demoClient(server.url, 'commander');
	});
	afterAll(async () => {
		for (const x of cleanup) (x.close ?? x.destroy)?.call(x);
		await server?.dispose();
	});

	describe('revoking a display link', () => {
		it("closes the display's socket.io and y-websocket connections, and leaves other displays connected", async () => {
			const token = await createDisplayToken(commanderHttp, '指挥部左屏');
			const other = await createDisplayToken(commanderHttp, '指挥部右屏');
			const display = track(listen(await connectCommands(server.url, { displayToken: token })));
			const stays = track(listen(await connectCommands(server.url, { displayToken: other })));
			const docs: LiveDoc[] = [commandDocName(DEMO_EVENT), agencyDocName(DEMO_EVENT, 'traffic')].map((name) =>
				track(connectDoc(server.url, name, { displayToken: token }))
			);
			const otherDoc = track(connectDoc(server.url, commandDocName(DEMO_EVENT), { displayToken: other }));
			await Promise.all([...docs, otherDoc].map((d) => whenSynced(d)));

			const closes = docs.map((d) => nextClose(d, CLOSE_BOUND_MS));
			// Stop the stock providers from reconnecting, so the close seen is the server's and nothing follows it.
			for (const d of docs) d.provider.on('connection-close', () => (d.provider.shouldConnect = false));
			expect(await revokeDisplayToken(commanderHttp, sessionIdFromToken(token))).toMatchObject({ type: 'success' });

			await sessionEnded(display);
			expect(display.heard['session:ended']).toEqual([{ reason: 'revoked' }]);
			for (const close of await Promise.all(closes)) expect(close.code).toBe(CLOSE_CODES.sessionEnded);

			// The other display is untouched.
			expect(stays.socket.connected).toBe(true);
			expect(stays.heard['session:ended']).toEqual([]);
			expect(otherDoc.provider.wsconnected).toBe(true);
			expect(otherDoc.closes).toEqual([]);
		});

		it('refuses the revoked link from then on: its page, its socket and its documents', async () => {
			const token = await createDisplayToken(commanderHttp, '临时屏');
			expect((await fetch(`${server.url}/wall/${token}`)).status).toBe(200);
			await revokeDisplayToken(commanderHttp, sessionIdFromToken(token));

			expect((await fetch(`${server.url}/wall/${token}`)).status).toBe(404);
			await expect(connectCommands(server.url, { displayToken: token })).rejects.toThrow('unauthenticated');
			const doc = track(connectDoc(server.url, commandDocName(DEMO_EVENT), { displayToken: token }));
			doc.provider.on('connection-close', () => (doc.provider.shouldConnect = false));
			expect((await nextClose(doc)).code).toBe(CLOSE_CODES.unauthenticated);
		});

		// The CLI shares a running server's database only on PostgreSQL (the embedded one admits one process).
		it.skipIf(!postgresBaseUrl())('ends the socket of a link revoked from the CLI, at the next sweep', { timeout: 60_000 }, async () => {
			const token = await createDisplayToken(commanderHttp, '命令行撤销屏');
			const display = track(listen(await connectCommands(server.url, { displayToken: token })));
			const cli = await runCli(server, ['token', 'revoke', DEMO_EVENT, sessionIdFromToken(token).slice(0, 12)]);
			expect(cli).toMatchObject({ code: 0 });
			// The CLI cannot reach the server's sockets; the sweep finds the revoked token within its interval.
			await eventually(() => display.heard['session:ended'].length > 0 && display.droppedByServer(), SOCKET_SWEEP_MS + 5000, 'the sweep');
			expect(await command(display.socket, 'instruction:list', DEMO_EVENT, 500).catch(() => 'no answer')).toBe('no answer');
		});

		it('refuses a revoke of a link that is already revoked or unknown', async () => {
			const token = await createDisplayToken(commanderHttp, '一次性屏');
			expect(await revokeDisplayToken(commanderHttp, sessionIdFromToken(token))).toMatchObject({ type: 'success' });
			expect(await revokeDisplayToken(commanderHttp, sessionIdFromToken(token))).toMatchObject({ type: 'failure', status: 404 });
			expect(await revokeDisplayToken(commanderHttp, 'f'.repeat(64))).toMatchObject({ type: 'failure', status: 404 });
		});

		it("refuses a lead's attempt to make or revoke display links", async () => {
			const lead = await demoClient(server.url, 'lead.traffic');
			await expect(createDisplayToken(lead, '越权屏')).rejects.toThrow('HTTP 403');
			const token = await createDisplayToken(commanderHttp, '保留屏');
			await expect(revokeDisplayToken(lead, sessionIdFromToken(token))).rejects.toThrow('HTTP 403');
			expect((await fetch(`${server.url}/wall/${token}`)).status).toBe(200);
		});
	});

	describe('signing out', () => {
		it("closes that session's socket.io and y-websocket connections and no other session's", async () => {
			const phone = await demoClient(server.url, 'member.station');
			const desk = await demoClient(server.url, 'member.station');
			const phoneSocket = track(await joinAs(phone));
			const deskSocket = track(await joinAs(desk));
			const phoneDoc = track(connectDoc(server.url, agencyDocName(DEMO_EVENT, 'station'), { cookie: phone.cookieHeader() }));
			const deskDoc = track(connectDoc(server.url, agencyDocName(DEMO_EVENT, 'station'), { cookie: desk.cookieHeader() }));
			await Promise.all([whenSynced(phoneDoc), whenSynced(deskDoc)]);
			const closed = nextClose(phoneDoc, CLOSE_BOUND_MS);
			phoneDoc.provider.on('connection-close', () => (phoneDoc.provider.shouldConnect = false));

			const res = await phone.postForm('/logout', {});
			expect(res.status).toBe(200);
			expect(await res.json()).toMatchObject({ type: 'redirect', location: '/login' });

			await sessionEnded(phoneSocket);
			expect(phoneSocket.heard['session:ended']).toEqual([{ reason: 'signedOut' }]);
			expect((await closed).code).toBe(CLOSE_CODES.sessionEnded);

			// The same person's other session keeps working.
			await settled(deskSocket);
			expect(deskSocket.socket.connected).toBe(true);
			expect(deskSocket.heard['session:ended']).toEqual([]);
			expect(deskDoc.provider.wsconnected).toBe(true);
			expect(deskDoc.closes).toEqual([]);
		});
	});

	describe('event status', () => {
		it("pushes the commander's status change to every open socket of the event, walls included", async () => {
			const commander = track(await joinAs(commanderHttp));
			const others = [
				track(await joinAs(await demoClient(server.url, 'lead.traffic'))),
				track(await joinAs(await demoClient(server.url, 'member.station'))),
				track(await joinAs(await demoClient(server.url, 'reviewer'))),
				track(listen(await connectCommands(server.url, { displayToken: await createDisplayToken(commanderHttp, '状态屏') })))
			];
			const commandDoc = track(connectDoc(server.url, commandDocName(DEMO_EVENT), { cookie: commanderHttp.cookieHeader() }));
			await whenSynced(commandDoc);
			const meta = commandDoc.doc.getMap('meta') as Y.Map<unknown>;
			expect(meta.get('status')).toBe('active');

			try {
				expect(await command(commander.socket, 'event:setStatus', { eventId: DEMO_EVENT, status: 'planning' })).toEqual({ ok: true });
				const pushed = { eventId: DEMO_EVENT, status: 'planning' };
				await eventually(() => [commander, ...others].every((l) => l.heard['event:status'].length === 1), 5000, 'every socket to hear it');
				for (const l of [commander, ...others]) expect(l.heard['event:status']).toEqual([pushed]);
				// The command document's meta follows, for stock Yjs readers.
				await eventually(() => meta.get('status') === 'planning', 5000, 'meta.status to follow');
			} finally {
				expect(await command(commander.socket, 'event:setStatus', { eventId: DEMO_EVENT, status: 'active' })).toEqual({ ok: true });
			}
			await eventually(() => others.every((l) => l.heard['event:status'].at(-1)?.status === 'active'), 5000, 'the status to come back');
		});

		it("refuses a lead's, a reviewer's and a display's status change and pushes nothing", async () => {
			const commander = track(await joinAs(commanderHttp));
			const lead = track(await joinAs(await demoClient(server.url, 'lead.traffic')));
			const reviewer = track(await joinAs(await demoClient(server.url, 'reviewer')));
			const display = track(listen(await connectCommands(server.url, { displayToken: await createDisplayToken(commanderHttp, '只读屏') })));
			for (const l of [lead, reviewer, display]) {
				expect(await command(l.socket, 'event:setStatus', { eventId: DEMO_EVENT, status: 'planning' })).toMatchObject({
					ok: false,
					error: 'forbidden'
				});
			}
			await settled(commander);
			expect(commander.heard['event:status']).toEqual([]);
			const page = await commanderHttp.request(`/api/events`);
			expect(((await page.json()) as { events: Array<{ id: string; status: string }> }).events.find((e) => e.id === DEMO_EVENT)?.status).toBe('active');
		});
	});

	describe('presence', () => {
		it('lists for the commander who is online per agency, and drops who leaves', async () => {
			const commander = track(await joinAs(commanderHttp));
			const leadTraffic = track(await joinAs(await demoClient(server.url, 'lead.traffic')));
			const memberTraffic = await joinAs(await demoClient(server.url, 'member.traffic'));
			track(await joinAs(await demoClient(server.url, 'lead.station')));
			const names = (byAgency: Record<string, Array<{ name: string }>>, agency: string) => (byAgency[agency] ?? []).map((p) => p.name).sort();

			const first = await command(commander.socket, 'presence:list', DEMO_EVENT);
			if (!first.ok) throw new Error(JSON.stringify(first));
			expect(names(first.presence.byAgency, 'traffic')).toEqual(['李晓梅', '马骏'].sort());
			// Command staff are listed as command, not under their account's agency.
			expect(names(first.presence.byAgency, 'command')).toEqual(['周国栋']);
			expect(names(first.presence.byAgency, 'station')).toEqual(expect.arrayContaining(['刘卫东']));
			expect(names(first.presence.byAgency, 'station')).not.toContain('周国栋');
			expect(first.presence.byAgency.traffic.find((p) => p.name === '马骏')?.role).toBe('lead');
			// Several sockets of one person count once.
			expect(new Set(first.presence.byAgency.traffic.map((p) => p.userId)).size).toBe(first.presence.byAgency.traffic.length);
			expect(first.presence.byAgency.cid).toBeUndefined();

			// Joining was announced to the commander (at most once a second); leaving is announced again.
			await eventually(() => commander.heard['presence:changed'].length > 0, 5000, 'the joins to be announced');
			const announced = commander.heard['presence:changed'].length;
			memberTraffic.close();
			await eventually(() => commander.heard['presence:changed'].length > announced, 5000, 'the leave to be announced');
			await eventually(
				async () => {
					const now = await command(commander.socket, 'presence:list', DEMO_EVENT);
					return now.ok && names(now.presence.byAgency, 'traffic').join() === '马骏';
				},
				5000,
				'李晓梅 to leave the list'
			);

			expect(await command(leadTraffic.socket, 'presence:list', DEMO_EVENT)).toMatchObject({ ok: false, error: 'forbidden' });
		});
	});

	// Last: it restarts the server.
	describe('a server restart', () => {
		it('is not an ending: socket.io clients reconnect by themselves and catch up', async () => {
			const member = await demoClient(server.url, 'member.traffic');
			// Reconnecting as the pages' own client does (command-client.svelte.ts), unlike the test helper's sockets.
			const socket: CommandSocketClient = io(server.url, {
				path: '/socket.io',
				transports: ['websocket'],
				extraHeaders: { cookie: member.cookieHeader() },
				reconnectionDelay: 200,
				reconnectionDelayMax: 1000
			});
			const heard = track(listen(socket));
			await eventually(() => socket.connected, 5000, 'the first connection');
			const firstId = socket.id;

			await server.stop();
			await eventually(() => !socket.connected, 5000, 'the socket to notice');
			await server.restart();
			await eventually(() => socket.connected && socket.id !== firstId, 15_000, 'the socket to reconnect by itself');
			expect(heard.heard['session:ended']).toEqual([]);
			expect(await command(socket, 'instruction:list', DEMO_EVENT)).toMatchObject({ ok: true });
		});
	});
});
