/**
 * Instructions (指令) over the command channel, against a real server on the demo installation: who receives
 * an instruction, who may send one, acknowledgements recorded once per person and seen live by the sender, and a
 * recipient who was away catching up after reconnecting.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.ts';
import { connectCommands, DEMO_EVENT, eventually } from '../helpers/live.ts';
import { command, createDisplayToken, demoClient, joinAs, listen, settled, type Listener } from '../helpers/commands.ts';
import type { HttpClient } from '../helpers/http.ts';
import type { InstructionInput } from '../../src/lib/domain/instructions.ts';
import type { InstructionView } from '../../src/lib/domain/wire.ts';
import { DEMO_USERS } from '../../src/lib/server/demo/demo-data.ts';

const id = (username: string) => DEMO_USERS.find((u) => u.username === username)!.id;
/** Demo people with a part in the event's work, by agency (reviewers watch and are never recipients). */
const acting = DEMO_USERS.filter((u) => u.role && ['commander', 'lead', 'member'].includes(u.role.role));
const actingIn = (agency: string) => acting.filter((u) => u.role!.agencyCode === agency).map((u) => u.id);

function instruction(partial: Partial<InstructionInput> & Pick<InstructionInput, 'body'>): InstructionInput {
	return { eventId: DEMO_EVENT, scope: 'agencies', targets: ['traffic'], priority: 'routine', ackBy: null, ...partial };
}

const heardNew = (l: Listener, instructionId: string) => l.heard['instruction:new'].filter((i) => i.id === instructionId);
const heardAcks = (l: Listener, instructionId: string) => l.heard['instruction:acked'].filter((a) => a.instructionId === instructionId);

async function listOf(l: Listener): Promise<InstructionView[]> {
	const result = await command(l.socket, 'instruction:list', DEMO_EVENT);
	if (!result.ok) throw new Error(`instruction:list refused: ${JSON.stringify(result)}`);
	return result.instructions;
}

async function sent(l: Listener, input: InstructionInput): Promise<InstructionView> {
	const result = await command(l.socket, 'instruction:send', input);
	if (!result.ok) throw new Error(`instruction:send refused: ${JSON.stringify(result)}`);
	return result.instruction;
}

describe('instructions over the command channel', () => {
	let server: TestServer;
	const clients: Record<string, HttpClient> = {};
	let commander: Listener;
	let leadTraffic: Listener;
	let memberTraffic: Listener;
	let leadStation: Listener;
	let memberStation: Listener;
	let reviewer: Listener;
	const extra: Listener[] = [];

	beforeAll(async () => {
		server = await startServer({ demo: true });
		for (const u of ['commander', 'lead.traffic', 'member.traffic', 'lead.station', 'member.station', 'reviewer']) {
			clients[u] = await demoClient(server.url, u);
		}
		commander = await joinAs(clients.commander);
		leadTraffic = await joinAs(clients['lead.traffic']);
		memberTraffic = await joinAs(clients['member.traffic']);
		leadStation = await joinAs(clients['lead.station']);
		memberStation = await joinAs(clients['member.station']);
		reviewer = await joinAs(clients.reviewer);
	});
	afterAll(async () => {
		for (const l of [commander, leadTraffic, memberTraffic, leadStation, memberStation, reviewer, ...extra]) l?.close();
		await server?.dispose();
	});

	describe('targeting', () => {
		it("delivers an instruction to traffic to traffic's people and not to the station's", async () => {
			const view = await sent(commander, instruction({ body: '南门车流加大，交警增派铁骑疏导', priority: 'urgent' }));
			expect(view.recipients.map((r) => r.userId).sort()).toEqual(actingIn('traffic').sort());

			await eventually(() => heardNew(leadTraffic, view.id).length === 1 && heardNew(memberTraffic, view.id).length === 1, 5000, 'traffic to hear it');
			// Each recipient's copy carries their own acknowledgement line only.
			expect(heardNew(memberTraffic, view.id)[0].recipients).toEqual([
				{ userId: id('member.traffic'), name: '李晓梅', agencyCode: 'traffic', teamName: '灯会保障分队', ackedAt: null, ackReceivedAt: null }
			]);
			await Promise.all([settled(leadStation), settled(memberStation)]);
			expect(heardNew(leadStation, view.id)).toEqual([]);
			expect(heardNew(memberStation, view.id)).toEqual([]);

			const ids = async (l: Listener) => (await listOf(l)).map((i) => i.id);
			expect(await ids(leadTraffic)).toContain(view.id);
			expect(await ids(memberTraffic)).toContain(view.id);
			expect(await ids(leadStation)).not.toContain(view.id);
			expect(await ids(memberStation)).not.toContain(view.id);
			// The commander and the reviewer oversee every instruction, with every recipient.
			expect((await listOf(commander)).find((i) => i.id === view.id)?.recipients).toHaveLength(actingIn('traffic').length);
			expect((await listOf(reviewer)).find((i) => i.id === view.id)?.recipients).toHaveLength(actingIn('traffic').length);
		});

		it('delivers an instruction to everyone to every acting member of the event, but never to the reviewer as a recipient', async () => {
			const view = await sent(commander, instruction({ scope: 'everyone', targets: [], body: '20:00 全体进入一级勤务' }));
			const expected = acting.map((u) => u.id).filter((u) => u !== id('commander'));
			expect(view.recipients.map((r) => r.userId).sort()).toEqual(expected.sort());
			expect(view.recipients.map((r) => r.userId)).not.toContain(id('reviewer'));

			const recipients = [leadTraffic, memberTraffic, leadStation, memberStation];
			await eventually(() => recipients.every((l) => heardNew(l, view.id).length === 1), 5000, 'everyone to hear it');
			for (const l of recipients) expect(await listOf(l).then((list) => list.some((i) => i.id === view.id))).toBe(true);
		});

		it('delivers an instruction to a team to that team and the teams below it only', async () => {
			const view = await sent(commander, instruction({ scope: 'teams', targets: ['demo-traffic-city'], body: '城区中队到灯会北口集合' }));
			// lead.traffic is in 城区中队, member.traffic in its 灯会保障分队; 吴强 of 机动中队 is not.
			expect(view.recipients.map((r) => r.userId).sort()).toEqual([id('lead.traffic'), id('member.traffic')].sort());
			await eventually(() => heardNew(memberTraffic, view.id).length === 1, 5000, 'the unit to hear it');
		});

		it('lets a lead send to their own agency and refuses anything wider as forbidden', async () => {
			const view = await sent(leadTraffic, instruction({ body: '交警各岗注意北口临时管制' }));
			expect(view.recipients.map((r) => r.userId).sort()).toEqual(actingIn('traffic').filter((u) => u !== id('lead.traffic')).sort());
			// The commander oversees a lead's instructions too.
			await eventually(() => heardNew(commander, view.id).length === 1, 5000, 'the commander to see it');

			const before = (await listOf(commander)).length;
			for (const wider of [
				instruction({ targets: ['station'], body: '越权' }),
				instruction({ targets: ['traffic', 'station'], body: '越权' }),
				instruction({ scope: 'everyone', targets: [], body: '越权' }),
				instruction({ scope: 'teams', targets: ['demo-traffic-city'], body: '越权' })
			]) {
				expect(await command(leadTraffic.socket, 'instruction:send', wider)).toMatchObject({ ok: false, error: 'forbidden' });
			}
			expect(await listOf(commander)).toHaveLength(before);
			await settled(leadStation);
			expect(leadStation.heard['instruction:new'].filter((i) => i.body === '越权')).toEqual([]);
		});

		it('refuses instructions from a member, a reviewer and a wall display', async () => {
			const before = (await listOf(commander)).length;
			const input = instruction({ body: '不应发出' });
			expect(await command(memberTraffic.socket, 'instruction:send', input)).toMatchObject({ ok: false, error: 'forbidden' });
			expect(await command(reviewer.socket, 'instruction:send', { ...input, scope: 'everyone', targets: [] })).toMatchObject({
				ok: false,
				error: 'forbidden'
			});
			const token = await createDisplayToken(clients.commander, '指挥部大屏');
			const display = listen(await connectCommands(server.url, { displayToken: token }));
			extra.push(display);
			expect(await command(display.socket, 'instruction:send', input)).toMatchObject({ ok: false, error: 'forbidden' });
			expect(await listOf(commander)).toHaveLength(before);
		});
	});

	describe('acknowledgements', () => {
		it('records an acknowledgement once: a second one keeps the first time and is announced once', async () => {
			const view = await sent(commander, instruction({ body: '各岗收到请回复' }));
			const first = await command(memberTraffic.socket, 'instruction:ack', { instructionId: view.id });
			expect(first).toMatchObject({ ok: true });
			const again = await command(memberTraffic.socket, 'instruction:ack', { instructionId: view.id });
			expect(again).toEqual(first);

			await Promise.all([settled(commander), settled(memberTraffic)]);
			const announced = { instructionId: view.id, userId: id('member.traffic'), ackedAt: (first as { ackedAt: string }).ackedAt };
			expect(heardAcks(commander, view.id)).toEqual([announced]);
			expect(heardAcks(memberTraffic, view.id)).toEqual([announced]);

			const stored = (await listOf(commander)).find((i) => i.id === view.id)!;
			expect(stored.recipients.filter((r) => r.ackedAt)).toEqual([
				{ userId: id('member.traffic'), name: '李晓梅', agencyCode: 'traffic', teamName: '灯会保障分队', ackedAt: announced.ackedAt, ackReceivedAt: expect.any(String) }
			]);
		});

		it('records one acknowledgement when the same person taps 收到 on two devices at once', async () => {
			const view = await sent(commander, instruction({ body: '两台设备同时确认' }));
			const phone = await joinAs(clients['lead.traffic']);
			extra.push(phone);
			const [a, b] = await Promise.all([
				command(leadTraffic.socket, 'instruction:ack', { instructionId: view.id }),
				command(phone.socket, 'instruction:ack', { instructionId: view.id })
			]);
			expect(a).toMatchObject({ ok: true });
			expect(b).toEqual(a);
			await settled(commander);
			expect(heardAcks(commander, view.id)).toHaveLength(1);
		});

		it('refuses an acknowledgement from someone the instruction was not sent to', async () => {
			const view = await sent(commander, instruction({ body: '仅交警确认' }));
			expect(await command(leadStation.socket, 'instruction:ack', { instructionId: view.id })).toMatchObject({ ok: false, error: 'forbidden' });
			expect(await command(reviewer.socket, 'instruction:ack', { instructionId: view.id })).toMatchObject({ ok: false, error: 'forbidden' });
			// The sender is not a recipient of their own instruction.
			expect(await command(commander.socket, 'instruction:ack', { instructionId: view.id })).toMatchObject({ ok: false, error: 'forbidden' });
			expect(await command(leadStation.socket, 'instruction:ack', { instructionId: 'no-such-instruction' })).toMatchObject({
				ok: false,
				error: 'notFound'
			});
			await settled(commander);
			expect(heardAcks(commander, view.id)).toEqual([]);
			expect((await listOf(commander)).find((i) => i.id === view.id)!.recipients.every((r) => r.ackedAt === null)).toBe(true);
		});

		it('shows the sender each acknowledgement as it happens', async () => {
			// A lead as sender: they oversee only what they sent, so this proves the push reaches the sender itself.
			const view = await sent(leadTraffic, instruction({ body: '灯会保障分队到位后回复' }));
			await eventually(() => heardNew(memberTraffic, view.id).length === 1, 5000, 'the member to receive it');
			const ack = await command(memberTraffic.socket, 'instruction:ack', { instructionId: view.id });
			expect(ack).toMatchObject({ ok: true });
			await eventually(() => heardAcks(leadTraffic, view.id).length === 1, 5000, 'the sender to see the acknowledgement');
			expect(heardAcks(leadTraffic, view.id)[0]).toEqual({
				instructionId: view.id,
				userId: id('member.traffic'),
				ackedAt: (ack as { ackedAt: string }).ackedAt
			});
			// Other recipients are not told about each other's acknowledgements.
			await settled(leadStation);
			expect(heardAcks(leadStation, view.id)).toEqual([]);
		});
	});

	describe('reconnecting', () => {
		it('gives a recipient who was disconnected what was sent meanwhile, still to acknowledge', async () => {
			const away = await joinAs(clients['member.traffic']);
			away.close();
			await eventually(() => !away.socket.connected, 5000, 'the socket to close');

			const view = await sent(commander, instruction({ priority: 'alarm', body: '北门发生拥挤，立即限流' }));
			const back = await joinAs(clients['member.traffic']);
			extra.push(back);
			const mine = (await listOf(back)).find((i) => i.id === view.id);
			expect(mine).toMatchObject({ priority: 'alarm', body: '北门发生拥挤，立即限流' });
			expect(mine!.recipients).toEqual([{ userId: id('member.traffic'), name: '李晓梅', agencyCode: 'traffic', teamName: '灯会保障分队', ackedAt: null, ackReceivedAt: null }]);
			expect(await command(back.socket, 'instruction:ack', { instructionId: view.id })).toMatchObject({ ok: true });
		});
	});
});
