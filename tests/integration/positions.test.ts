/**
 * Shared positions of people on duty (issue: venue map): only from someone checked in, at most every ten seconds,
 * and only to the commander and the person's own agency's lead — never to another agency, a reviewer or a wall.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.ts';
import { connectDoc, DEMO_EVENT, eventually, whenSynced, type LiveDoc } from '../helpers/live.ts';
import { command, createDisplayToken, demoClient, joinAs, listen, type Listener } from '../helpers/commands.ts';
import { connectCommands } from '../helpers/live.ts';
import type { HttpClient } from '../helpers/http.ts';
import { agencyDocName } from '../../src/lib/domain/documents.ts';
import { readShifts } from '../../src/lib/domain/roster.ts';
import { addShift } from '../../src/lib/domain/roster-write.ts';
import { newId } from '../../src/lib/domain/ids.ts';
import { DEMO_USERS } from '../../src/lib/server/demo/demo-data.ts';

const id = (username: string) => DEMO_USERS.find((u) => u.username === username)!.id;
const HERE = { eventId: DEMO_EVENT, lng: 108.946, lat: 34.256, accuracy: 8 };

describe('shared positions', () => {
	let server: TestServer;
	const clients: Record<string, HttpClient> = {};
	const l: Record<string, Listener> = {};
	let wall: Listener;
	let station: LiveDoc;
	const shiftId = `pos-${newId(6)}`;

	beforeAll(async () => {
		server = await startServer({ demo: true });
		for (const u of ['commander', 'lead.station', 'lead.traffic', 'member.station', 'reviewer']) {
			clients[u] = await demoClient(server.url, u);
			l[u] = await joinAs(clients[u]);
		}
		const token = await createDisplayToken(clients.commander, '位置测试大屏');
		wall = listen(await connectCommands(server.url, { displayToken: token }));
		station = connectDoc(server.url, agencyDocName(DEMO_EVENT, 'station'), { cookie: clients['lead.station'].cookieHeader() });
		await whenSynced(station);
		const now = Date.now();
		addShift(station.doc, {
			id: shiftId,
			postId: readShifts(station.doc, 'station')[0].postId,
			periodId: null,
			startsAt: new Date(now - 10 * 60_000).toISOString(),
			endsAt: new Date(now + 3_600_000).toISOString(),
			notes: null,
			people: [{ id: 'm', userId: id('member.station'), name: '站队员', role: null }]
		});
		await eventually(() => readShifts(station.doc, 'station').some((s) => s.id === shiftId), 10_000, 'the shift');
	});
	afterAll(async () => {
		station?.destroy();
		for (const x of [...Object.values(l), wall]) x?.socket.disconnect();
		await server?.dispose();
	});

	it('refuses a position from someone not checked in', async () => {
		expect(await command(l['member.station'].socket, 'position:share', HERE)).toMatchObject({ ok: false, error: 'forbidden' });
	});

	it('passes a checked-in member’s position to the commander and their own lead only', async () => {
		const checked = await command(l['member.station'].socket, 'roster:check', { eventId: DEMO_EVENT, agency: 'station', shiftId, personId: 'm', kind: 'in' });
		expect(checked.ok).toBe(true);
		expect(await command(l['member.station'].socket, 'position:share', HERE)).toEqual({ ok: true });
		await eventually(() => l.commander.heard['position:update'].length === 1 && l['lead.station'].heard['position:update'].length === 1, 5_000, 'the commander and the station lead to hear it');
		expect(l.commander.heard['position:update'][0]).toMatchObject({ userId: id('member.station'), lng: 108.946, lat: 34.256, agencyCode: 'station' });
		await new Promise((r) => setTimeout(r, 300));
		for (const other of [l['lead.traffic'], l.reviewer, l['member.station'], wall]) expect(other.heard['position:update']).toEqual([]);
		// Listed for those who may see it, and no one else.
		const forCommander = await command(l.commander.socket, 'position:list', DEMO_EVENT);
		expect(forCommander.ok && forCommander.positions.map((p) => p.userId)).toEqual([id('member.station')]);
		const forTraffic = await command(l['lead.traffic'].socket, 'position:list', DEMO_EVENT);
		expect(forTraffic.ok && forTraffic.positions).toEqual([]);
		expect(await command(l.reviewer.socket, 'position:list', DEMO_EVENT)).toMatchObject({ ok: false, error: 'forbidden' });
	});

	it('takes at most one position every ten seconds, and none out of range', async () => {
		expect(await command(l['member.station'].socket, 'position:share', HERE)).toMatchObject({ ok: false, error: 'rateLimited' });
		expect(await command(l['lead.station'].socket, 'position:share', { ...HERE, lat: 91 })).toMatchObject({ ok: false, error: 'invalid' });
		expect(await command(l['lead.station'].socket, 'position:share', { ...HERE, lng: Number.NaN })).toMatchObject({ ok: false, error: 'invalid' });
	});

	it('stops taking positions at check-out', async () => {
		const out = await command(l['member.station'].socket, 'roster:check', { eventId: DEMO_EVENT, agency: 'station', shiftId, personId: 'm', kind: 'out' });
		expect(out.ok).toBe(true);
		await new Promise((r) => setTimeout(r, 10_100));
		expect(await command(l['member.station'].socket, 'position:share', HERE)).toMatchObject({ ok: false, error: 'forbidden' });
	});
});
