/**
 * Roll calls (issue: command rhythm): who may call the roll of which posts, who is asked (the roster's own "on duty
 * now"), answers live to the followers, an offline answer counted at its tap time, the figures per post, and the
 * reminder halfway to the close to those who have not answered. The server looks for due reminders every 200 ms
 * rather than every 5 s; the shortest roll call (two minutes) still has to reach its halfway point, so the first
 * test starts one that the last test waits for.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.ts';
import { connectDoc, connectCommands, DEMO_EVENT, eventually, whenSynced, type LiveDoc } from '../helpers/live.ts';
import { command, createDisplayToken, demoClient, joinAs, listen, type Listener } from '../helpers/commands.ts';
import type { HttpClient } from '../helpers/http.ts';
import { exportAs } from '../helpers/after-action.ts';
import { agencyDocName } from '../../src/lib/domain/documents.ts';
import { readShifts } from '../../src/lib/domain/roster.ts';
import { addShift } from '../../src/lib/domain/roster-write.ts';
import { newId } from '../../src/lib/domain/ids.ts';
import { rollCallFigures, type RollCallView } from '../../src/lib/domain/roll-calls.ts';
import type { RollCallPrompt } from '../../src/lib/domain/wire.ts';
import { DEMO_USERS } from '../../src/lib/server/demo/demo-data.ts';

const id = (username: string) => DEMO_USERS.find((u) => u.username === username)!.id;

describe('roll calls', () => {
	let server: TestServer;
	const c: Record<string, HttpClient> = {};
	const l: Record<string, Listener> = {};
	const prompts: Record<string, RollCallPrompt[]> = {};
	let station: LiveDoc;
	let traffic: LiveDoc;
	let callId = '';
	let shortCall: RollCallView;

	beforeAll(async () => {
		server = await startServer({ demo: true, env: { ROLL_CALL_CHECK_MS: '200' } });
		for (const u of ['commander', 'lead.station', 'lead.traffic', 'member.station', 'member.traffic', 'reviewer']) {
			c[u] = await demoClient(server.url, u);
			l[u] = await joinAs(c[u]);
			prompts[u] = [];
			l[u].socket.on('rollcall:prompt', (p) => prompts[u].push(p));
		}
		station = connectDoc(server.url, agencyDocName(DEMO_EVENT, 'station'), { cookie: c['lead.station'].cookieHeader() });
		traffic = connectDoc(server.url, agencyDocName(DEMO_EVENT, 'traffic'), { cookie: c['lead.traffic'].cookieHeader() });
		await Promise.all([whenSynced(station), whenSynced(traffic)]);
		const now = Date.now();
		const shift = (doc: LiveDoc, agency: string, username: string) =>
			addShift(doc.doc, {
				id: `rc-${newId(6)}`,
				postId: readShifts(doc.doc, agency)[0].postId,
				periodId: null,
				startsAt: new Date(now - 10 * 60_000).toISOString(),
				endsAt: new Date(now + 3_600_000).toISOString(),
				notes: null,
				people: [{ id: `p-${username}`, userId: id(username), name: username, role: null }]
			});
		shift(station, 'station', 'member.station');
		shift(traffic, 'traffic', 'member.traffic');
		shift(traffic, 'traffic', 'lead.traffic');
		// Seen by another client, so the server has them before any roll call reads the roster.
		const seenStation = connectDoc(server.url, agencyDocName(DEMO_EVENT, 'station'), { cookie: c.commander.cookieHeader() });
		const seenTraffic = connectDoc(server.url, agencyDocName(DEMO_EVENT, 'traffic'), { cookie: c.commander.cookieHeader() });
		try {
			await Promise.all([whenSynced(seenStation), whenSynced(seenTraffic)]);
			await eventually(() => readShifts(seenStation.doc, 'station').some((s) => s.people.some((p) => p.userId === id('member.station'))), 10_000, 'the station shift');
			for (const u of ['member.traffic', 'lead.traffic']) {
				await eventually(() => readShifts(seenTraffic.doc, 'traffic').some((s) => s.people.some((p) => p.userId === id(u))), 10_000, `the traffic shift of ${u}`);
			}
		} finally {
			seenStation.destroy();
			seenTraffic.destroy();
		}
	});
	afterAll(async () => {
		station?.destroy();
		traffic?.destroy();
		for (const x of Object.values(l)) x.socket.disconnect();
		await server?.dispose();
	});

	it('lets a lead call only their own agency’s posts, and no member at all', async () => {
		expect(await command(l['lead.traffic'].socket, 'rollcall:start', { eventId: DEMO_EVENT, scope: 'station' })).toMatchObject({ ok: false, error: 'forbidden' });
		expect(await command(l['lead.traffic'].socket, 'rollcall:start', { eventId: DEMO_EVENT, scope: '*' })).toMatchObject({ ok: false, error: 'forbidden' });
		expect(await command(l['member.station'].socket, 'rollcall:start', { eventId: DEMO_EVENT, scope: 'station' })).toMatchObject({ ok: false, error: 'forbidden' });
		expect(await command(l.commander.socket, 'rollcall:start', { eventId: DEMO_EVENT, scope: '*', minutes: 1 })).toMatchObject({ ok: false, error: 'invalid' });
		const own = await command(l['lead.traffic'].socket, 'rollcall:start', { eventId: DEMO_EVENT, scope: 'traffic', minutes: 2 });
		expect(own.ok).toBe(true);
		const call = (shortCall = (own as { rollCall: RollCallView }).rollCall);
		expect(call.targets.every((t) => t.postAgency === 'traffic')).toBe(true);
		expect(call.targets.map((t) => t.userId)).toEqual(expect.arrayContaining([id('member.traffic'), id('lead.traffic')]));
		await eventually(() => prompts['member.traffic'].some((p) => p.rollCallId === call.id && !p.reminder), 5_000, 'the traffic member is prompted');
		expect(prompts['member.station'].some((p) => p.rollCallId === call.id)).toBe(false);
		// The lead answers at once; the member does not, and is reminded in the last test.
		expect(await command(l['lead.traffic'].socket, 'rollcall:answer', { eventId: DEMO_EVENT, rollCallId: call.id })).toMatchObject({ ok: true });
	});

	it('asks everyone on duty on every post when the commander calls, and shows the answers live', async () => {
		const heard: string[] = [];
		l.reviewer.socket.on('rollcall:changed', (n) => heard.push(n.rollCallId));
		const started = await command(l.commander.socket, 'rollcall:start', { eventId: DEMO_EVENT, scope: '*', minutes: 10 });
		expect(started.ok).toBe(true);
		const call = (started as { rollCall: RollCallView }).rollCall;
		callId = call.id;
		const asked = new Set(call.targets.map((t) => t.userId));
		expect(asked.has(id('member.station')) && asked.has(id('member.traffic'))).toBe(true);
		await eventually(() => prompts['member.station'].some((p) => p.rollCallId === callId), 5_000, 'the station member is prompted');

		const answer = await command(l['member.station'].socket, 'rollcall:answer', { eventId: DEMO_EVENT, rollCallId: callId });
		expect(answer.ok).toBe(true);
		await eventually(() => heard.includes(callId), 5_000, 'the reviewer hears the answer');
		const listed = await command(l.reviewer.socket, 'rollcall:list', DEMO_EVENT);
		const now = (listed as { rollCalls: RollCallView[] }).rollCalls.find((x) => x.id === callId)!;
		const figures = rollCallFigures(now, Date.now());
		const stationPost = now.targets.find((t) => t.userId === id('member.station'))!.postName;
		expect(figures.posts.find((p) => p.postName === stationPost)!.seconds).not.toBeNull();
		expect(figures.unansweredPosts.map((p) => p.postName)).toContain(now.targets.find((t) => t.userId === id('member.traffic'))!.postName);
		expect(figures.within[2]).toBeGreaterThanOrEqual(1);
	});

	it('counts an answer tapped offline at its tap time, once, and shows a member only their own line', async () => {
		const tappedAt = new Date(Date.now() - 20_000).toISOString();
		const queued = { actionId: newId(), tappedAt };
		const first = await command(l['member.traffic'].socket, 'rollcall:answer', { eventId: DEMO_EVENT, rollCallId: callId, queued });
		expect(first).toMatchObject({ ok: true });
		expect(Date.parse((first as { answeredAt: string }).answeredAt)).toBe(Date.parse(tappedAt));
		const again = await command(l['member.traffic'].socket, 'rollcall:answer', { eventId: DEMO_EVENT, rollCallId: callId, queued });
		expect(again).toEqual(first);
		const mine = (await command(l['member.traffic'].socket, 'rollcall:list', DEMO_EVENT)) as { rollCalls: RollCallView[] };
		const seen = mine.rollCalls.find((x) => x.id === callId)!;
		expect(seen.targets.every((t) => t.userId === id('member.traffic'))).toBe(true);
		// Someone not asked cannot answer.
		expect(await command(l.reviewer.socket, 'rollcall:answer', { eventId: DEMO_EVENT, rollCallId: callId })).toMatchObject({ ok: false, error: 'forbidden' });
	});

	it('shows a wall every roll call with every line', async () => {
		const token = await createDisplayToken(c.commander, '点名测试大屏');
		const wall = listen(await connectCommands(server.url, { displayToken: token }));
		try {
			const listed = (await command(wall.socket, 'rollcall:list', DEMO_EVENT)) as { ok: boolean; rollCalls: RollCallView[] };
			expect(listed.ok).toBe(true);
			expect(listed.rollCalls.find((x) => x.id === callId)!.targets.length).toBeGreaterThanOrEqual(2);
			expect(await command(wall.socket, 'rollcall:start', { eventId: DEMO_EVENT, scope: '*' })).toMatchObject({ ok: false, error: 'forbidden' });
		} finally {
			wall.socket.disconnect();
		}
	});

	it('puts the roll calls in the record: answer times, posts not answering, and lines in the agencies’ logs', async () => {
		const exported = await exportAs(c.reviewer, DEMO_EVENT, 'json');
		const record = JSON.parse(new TextDecoder().decode(exported.bytes));
		const figures = record.figures.rhythm as { rollCalls: Array<{ id: string; answeredPosts: number; posts: number; within: Record<string, number>; unansweredPosts: string[] }> };
		const call = figures.rollCalls.find((x) => x.id === callId)!;
		// The same figure as the roll-call board's, at the record's moment.
		const listed = ((await command(l.reviewer.socket, 'rollcall:list', DEMO_EVENT)) as { rollCalls: RollCallView[] }).rollCalls.find((x) => x.id === callId)!;
		const board = rollCallFigures(listed, Date.parse(record.asOf));
		expect(call.answeredPosts).toBe(board.answeredPosts);
		expect(call.unansweredPosts).toEqual(board.unansweredPosts.map((p) => p.postName));
		expect(call.within['2']).toBe(board.within[2]);
		const started = (record.timeline as Array<{ action: string; entityId: string }>).filter((e) => e.action === 'rollCallStarted').map((e) => e.entityId);
		expect(started).toContain(callId);
		// A roll call of every post is in every agency's log; the traffic lead's own only in the traffic log.
		const logs = record.ics214 as Record<string, Array<{ action: string; entityId: string }>>;
		expect(logs.station.some((e) => e.entityId === callId)).toBe(true);
		const trafficOnly = figures.rollCalls.find((x) => x.id !== callId)!;
		expect(logs.traffic.some((e) => e.entityId === trafficOnly.id)).toBe(true);
		expect(logs.station.some((e) => e.entityId === trafficOnly.id)).toBe(false);
	});

	it('reminds once, halfway to the close, only those who have not answered', async () => {
		const half = Date.parse(shortCall.startedAt) + (Date.parse(shortCall.closesAt) - Date.parse(shortCall.startedAt)) / 2;
		const reminders = (u: string) => prompts[u].filter((p) => p.rollCallId === shortCall.id && p.reminder);
		await eventually(() => reminders('member.traffic').length > 0, Math.max(0, half - Date.now()) + 15_000, 'the reminder to the traffic member');
		expect(Date.now()).toBeGreaterThanOrEqual(half);
		const [reminder] = reminders('member.traffic');
		expect(reminder.posts).toEqual(shortCall.targets.filter((t) => t.userId === id('member.traffic')).map((t) => t.postName));
		// Ten rounds of the server's look later, still one reminder, and none to the lead who answered.
		await new Promise((r) => setTimeout(r, 2_000));
		expect(reminders('member.traffic')).toHaveLength(1);
		expect(reminders('lead.traffic')).toHaveLength(0);
		expect(prompts['member.station'].some((p) => p.rollCallId === shortCall.id)).toBe(false);
	}, 120_000);
});
