/**
 * Instructions nobody misses: the sender (or the commander) reminds everyone who has not acknowledged with one
 * command, at most once a minute; and at the acknowledge-by time the server reminds them by itself, once, even
 * with two instances on one PostgreSQL.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { postgresBaseUrl, startServer, type TestServer } from '../helpers/server.ts';
import { command, demoClient, joinAs, settled, type Listener } from '../helpers/commands.ts';
import { eventually, DEMO_EVENT } from '../helpers/live.ts';

function sendToTraffic(commander: Listener, body: string, ackBy: string | null) {
	return command(commander.socket, 'instruction:send', { eventId: DEMO_EVENT, scope: 'agencies', targets: ['traffic'], priority: 'urgent', body, ackBy });
}

describe('reminders of instructions', () => {
	let server: TestServer;
	let commander: Listener;
	let leadTraffic: Listener;
	let memberTraffic: Listener;
	let leadStation: Listener;

	beforeAll(async () => {
		server = await startServer({ demo: true });
		[commander, leadTraffic, memberTraffic, leadStation] = await Promise.all(
			['commander', 'lead.traffic', 'member.traffic', 'lead.station'].map(async (u) => joinAs(await demoClient(server.url, u)))
		);
	});
	afterAll(async () => {
		for (const l of [commander, leadTraffic, memberTraffic, leadStation]) l?.close();
		await server?.dispose();
	});

	it('reminds only those who have not acknowledged, once a minute, and only when the sender or the commander asks', async () => {
		const sent = await sendToTraffic(commander, '十分钟后报告卡点人数', null);
		if (!sent.ok) throw new Error(JSON.stringify(sent));
		const id = sent.instruction.id;
		expect((await command(leadTraffic.socket, 'instruction:ack', { instructionId: id })).ok).toBe(true);

		// A lead who did not send it may not remind for it.
		expect(await command(leadStation.socket, 'instruction:remind', { instructionId: id })).toMatchObject({ ok: false, error: 'forbidden' });
		const first = await command(commander.socket, 'instruction:remind', { instructionId: id });
		expect(first).toMatchObject({ ok: true });
		await settled(memberTraffic);
		await settled(leadTraffic);
		expect(memberTraffic.heard['instruction:reminder'].filter((r) => r.instructionId === id)).toEqual([
			expect.objectContaining({ instructionId: id, automatic: false, body: '十分钟后报告卡点人数' })
		]);
		expect(leadTraffic.heard['instruction:reminder'].filter((r) => r.instructionId === id)).toEqual([]);
		expect(await command(commander.socket, 'instruction:remind', { instructionId: id })).toMatchObject({ ok: false, error: 'rateLimited' });
	});

	it('reminds by itself at the acknowledge-by time, once', async () => {
		const sent = await sendToTraffic(commander, '散场前确认疏导方案', new Date(Date.now() + 1500).toISOString());
		if (!sent.ok) throw new Error(JSON.stringify(sent));
		const id = sent.instruction.id;
		await eventually(() => memberTraffic.heard['instruction:reminder'].some((r) => r.instructionId === id), 15_000, 'the automatic reminder');
		await new Promise((r) => setTimeout(r, 6000));
		expect(memberTraffic.heard['instruction:reminder'].filter((r) => r.instructionId === id)).toEqual([expect.objectContaining({ automatic: true })]);
	});
});

describe.skipIf(!postgresBaseUrl())('the automatic reminder with two instances', () => {
	let first: TestServer;
	let second: TestServer;

	beforeAll(async () => {
		first = await startServer({ demo: true });
		second = await startServer({ shareDatabaseOf: first });
	});
	afterAll(async () => {
		await second?.dispose();
		await first?.dispose();
	});

	it('goes out once, whichever instance sends it', async () => {
		const commander = await joinAs(await demoClient(first.url, 'commander'));
		const member = await joinAs(await demoClient(second.url, 'member.traffic'));
		try {
			const sent = await sendToTraffic(commander, '两实例提醒', new Date(Date.now() + 1500).toISOString());
			if (!sent.ok) throw new Error(JSON.stringify(sent));
			await eventually(() => member.heard['instruction:reminder'].some((r) => r.instructionId === sent.instruction.id), 15_000, 'the reminder');
			await new Promise((r) => setTimeout(r, 8000));
			expect(member.heard['instruction:reminder'].filter((r) => r.instructionId === sent.instruction.id)).toHaveLength(1);
		} finally {
			commander.close();
			member.close();
		}
	}, 40_000);
});
