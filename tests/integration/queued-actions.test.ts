/**
 * Actions from a phone's offline queue (issue: field-ready phone), against a real server with real socket.io and
 * y-websocket clients: each action id is done once however often it is sent, the server keeps the tap time and the
 * time it received the action, the roster flags a check-in that arrived more than ten minutes after its tap, and a
 * tap from the future or from days ago is refused with the problem named.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as Y from 'yjs';
import { startServer, type TestServer } from '../helpers/server.ts';
import { connectDoc, DEMO_EVENT, eventually, nextClose, whenSynced, type LiveDoc } from '../helpers/live.ts';
import { command, demoClient, joinAs, type Listener } from '../helpers/commands.ts';
import type { HttpClient } from '../helpers/http.ts';
import { agencyDocName } from '../../src/lib/domain/documents.ts';
import { attendanceOf, readShifts } from '../../src/lib/domain/roster.ts';
import { addShift, recordCheck } from '../../src/lib/domain/roster-write.ts';
import { cardsOf } from '../../src/lib/domain/board.ts';
import { newId } from '../../src/lib/domain/ids.ts';
import { CLOSE_CODES } from '../../src/lib/domain/wire.ts';
import { DEMO_USERS } from '../../src/lib/server/demo/demo-data.ts';

const id = (username: string) => DEMO_USERS.find((u) => u.username === username)!.id;
const MINUTE = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();
const envelope = (tappedAt: number) => ({ actionId: newId(), tappedAt: iso(tappedAt) });

describe('actions sent from an offline queue', () => {
	let server: TestServer;
	const clients: Record<string, HttpClient> = {};
	let commander: Listener;
	let member: Listener;
	let lead: Listener;
	let station: LiveDoc;
	const shiftId = `queued-${newId(6)}`;

	beforeAll(async () => {
		server = await startServer({ demo: true });
		for (const u of ['commander', 'lead.station', 'member.station']) clients[u] = await demoClient(server.url, u);
		commander = await joinAs(clients.commander);
		member = await joinAs(clients['member.station']);
		lead = await joinAs(clients['lead.station']);
		// A shift of the station's member that started half an hour ago, planned by the station's lead.
		station = connectDoc(server.url, agencyDocName(DEMO_EVENT, 'station'), { cookie: clients['lead.station'].cookieHeader() });
		await whenSynced(station);
		const postId = readShifts(station.doc, 'station')[0].postId;
		const now = Date.now();
		addShift(station.doc, {
			id: shiftId,
			postId,
			periodId: null,
			startsAt: iso(now - 30 * MINUTE),
			endsAt: iso(now + 4 * 60 * MINUTE),
			notes: null,
			people: [{ id: 'm1', userId: id('member.station'), name: '站队员', role: null }]
		});
		await eventually(() => readShifts(station.doc, 'station').some((s) => s.id === shiftId && s.people.length === 1), 10_000, 'the shift to be stored');
	});
	afterAll(async () => {
		station?.destroy();
		for (const l of [commander, member, lead]) l?.socket.disconnect();
		await server?.dispose();
	});

	it('counts an acknowledgement once when the queue sends it twice, and keeps its tap and arrival times', async () => {
		const sent = await command(commander.socket, 'instruction:send', { eventId: DEMO_EVENT, scope: 'agencies', targets: ['station'], priority: 'urgent', body: '北门人流加大，注意疏导', ackBy: null });
		if (!sent.ok) throw new Error(JSON.stringify(sent));
		const tap = Date.now() - 2_000;
		const queued = envelope(tap);
		const first = await command(member.socket, 'instruction:ack', { instructionId: sent.instruction.id, queued });
		const second = await command(member.socket, 'instruction:ack', { instructionId: sent.instruction.id, queued });
		expect(first.ok && second.ok).toBe(true);
		expect(second).toEqual(first);
		await eventually(() => commander.heard['instruction:acked'].some((a) => a.instructionId === sent.instruction.id), 5_000, 'the commander to hear the acknowledgement');
		// A moment for a second push, were there one.
		await new Promise((r) => setTimeout(r, 300));
		expect(commander.heard['instruction:acked'].filter((a) => a.instructionId === sent.instruction.id)).toHaveLength(1);
		const list = await command(commander.socket, 'instruction:list', DEMO_EVENT);
		if (!list.ok) throw new Error(JSON.stringify(list));
		const line = list.instructions.find((i) => i.id === sent.instruction.id)!.recipients.find((r) => r.userId === id('member.station'))!;
		expect(Date.parse(line.ackedAt!)).toBe(Math.max(tap, Date.parse(sent.instruction.createdAt)));
		expect(Date.parse(line.ackReceivedAt!)).toBeGreaterThanOrEqual(Date.parse(line.ackedAt!));
		expect(list.instructions.find((i) => i.id === sent.instruction.id)!.recipients.filter((r) => r.ackedAt)).toHaveLength(1);
	});

	it('records a check-in tapped offline at its tap time, with when it arrived, and the roster flags the late arrival', async () => {
		// Stored to the second, as every time in the roster.
		const tap = Math.floor((Date.now() - 25 * MINUTE) / 1000) * 1000;
		const queued = envelope(tap);
		const input = { eventId: DEMO_EVENT, agency: 'station', shiftId, personId: 'm1', kind: 'in' as const, queued };
		const first = await command(member.socket, 'roster:check', input);
		if (!first.ok) throw new Error(JSON.stringify(first));
		expect(Date.parse(first.at)).toBe(tap);
		expect(Date.parse(first.receivedAt) - tap).toBeGreaterThan(24 * MINUTE);
		// Replayed: the same answer, and nothing written again.
		const replay = await command(member.socket, 'roster:check', input);
		expect(replay).toEqual(first);
		await eventually(() => !!readShifts(station.doc, 'station').find((s) => s.id === shiftId)?.checkins.m1?.inReceivedAt, 5_000, 'the check-in to reach the lead');
		const shift = readShifts(station.doc, 'station').find((s) => s.id === shiftId)!;
		expect(Date.parse(shift.checkins.m1.inAt!)).toBe(tap);
		expect(shift.checkins.m1.recordedBy).toBe(id('member.station'));
		const attendance = attendanceOf(shift, 'm1', Date.now(), 10);
		expect(attendance.state).toBe('onDuty');
		expect(attendance.arrivedAfterMinutes).toBeGreaterThanOrEqual(24);
		// A second tap under another id (another phone) keeps the first time.
		const again = await command(member.socket, 'roster:check', { ...input, queued: envelope(Date.now()) });
		expect(again.ok && Date.parse(again.at)).toBe(tap);
	});

	it('does not flag a check-in that reached the server at once', async () => {
		const out = await command(member.socket, 'roster:check', { eventId: DEMO_EVENT, agency: 'station', shiftId, personId: 'm1', kind: 'out', queued: envelope(Date.now() - 1_000) });
		if (!out.ok) throw new Error(JSON.stringify(out));
		await eventually(() => !!readShifts(station.doc, 'station').find((s) => s.id === shiftId)?.checkins.m1?.outAt, 5_000, 'the check-out to arrive');
		const c = readShifts(station.doc, 'station').find((s) => s.id === shiftId)!.checkins.m1;
		expect(Date.parse(c.outReceivedAt!) - Date.parse(c.outAt!)).toBeLessThan(MINUTE);
	});

	it('refuses a member checking in someone else, and keeps that refusal for the replay', async () => {
		const other = connectDoc(server.url, agencyDocName(DEMO_EVENT, 'station'), { cookie: clients['lead.station'].cookieHeader() });
		await whenSynced(other);
		const someone = readShifts(other.doc, 'station').find((s) => s.people.some((p) => p.userId !== id('member.station')))!;
		other.destroy();
		const input = { eventId: DEMO_EVENT, agency: 'station', shiftId: someone.id, personId: someone.people.find((p) => p.userId !== id('member.station'))!.id, kind: 'in' as const, queued: envelope(Date.now()) };
		const refused = await command(member.socket, 'roster:check', input);
		expect(refused).toMatchObject({ ok: false, error: 'invalid', problem: 'notSelf' });
		expect(await command(member.socket, 'roster:check', input)).toEqual(refused);
	});

	it('refuses taps from the future and from more than a day ago, naming the problem', async () => {
		const base = { eventId: DEMO_EVENT, agency: 'station', shiftId, personId: 'm1', kind: 'in' as const };
		expect(await command(member.socket, 'roster:check', { ...base, queued: envelope(Date.now() + 10 * MINUTE) })).toMatchObject({ ok: false, problem: 'tapInFuture' });
		expect(await command(member.socket, 'roster:check', { ...base, queued: envelope(Date.now() - 25 * 60 * MINUTE) })).toMatchObject({ ok: false, problem: 'tapTooOld' });
		expect(await command(member.socket, 'roster:check', { ...base, queued: { actionId: 'x', tappedAt: 'yesterday' } })).toMatchObject({ ok: false, problem: 'badEnvelope' });
	});

	it('makes one help card when the same request is sent twice at once', async () => {
		const title = `求助-${newId(6)}`;
		const input = { eventId: DEMO_EVENT, fromAgency: 'station', toAgency: 'traffic', title, queued: envelope(Date.now()) };
		const [a, b] = await Promise.all([command(lead.socket, 'card:requestHelp', input), command(lead.socket, 'card:requestHelp', input)]);
		// One of the two may be told to try again while the other is being done; neither makes a second card.
		const answers = [a, b].filter((r) => r.ok);
		expect(answers.length).toBeGreaterThanOrEqual(1);
		const retry = await command(lead.socket, 'card:requestHelp', input);
		expect(retry.ok).toBe(true);
		const cardId = retry.ok ? retry.cardId : '';
		for (const r of answers) expect(r.ok && r.cardId).toBe(cardId);
		const traffic = connectDoc(server.url, agencyDocName(DEMO_EVENT, 'traffic'), { cookie: clients.commander.cookieHeader() });
		try {
			await whenSynced(traffic);
			const same = [...cardsOf(traffic.doc).values()].filter((c) => c instanceof Y.Map && c.get('title') === title);
			expect(same).toHaveLength(1);
		} finally {
			traffic.destroy();
		}
	});

	it('closes a stock Yjs client that writes the arrival time of a check-in itself', async () => {
		const forger = connectDoc(server.url, agencyDocName(DEMO_EVENT, 'station'), { cookie: clients['member.station'].cookieHeader() });
		try {
			await whenSynced(forger);
			const closed = nextClose(forger);
			// The member's own check-in, but with the server's stamp made up on the phone.
			const s = readShifts(forger.doc, 'station').find((x) => x.people.some((p) => p.userId === id('member.station')) && x.id !== shiftId);
			const target = s ?? readShifts(forger.doc, 'station').find((x) => x.id === shiftId)!;
			const person = target.people.find((p) => p.userId === id('member.station'))!;
			recordCheck(forger.doc, target.id, person.id, target.checkins[person.id]?.inAt ? 'out' : 'in', new Date().toISOString(), id('member.station'), new Date().toISOString());
			expect((await closed).code).toBe(CLOSE_CODES.refused);
		} finally {
			forger.destroy();
		}
	});
});
