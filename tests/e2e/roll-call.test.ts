/**
 * A roll call in Chromium (issue: command rhythm): the commander calls the roll from the roster; three phones on
 * duty are prompted on whatever page they have open; two answer 在岗 at once, the third taps while offline and its
 * answer reaches the server later with the moment of the tap. The commander's board shows each post as it answers.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startServer, type TestServer } from '../helpers/server.ts';
import { launchBrowser, loginAs, newContext, screenshot, visit } from '../helpers/browser.ts';
import { connectDoc, DEMO_EVENT, DEMO_PASSWORD, eventually, whenSynced, type LiveDoc } from '../helpers/live.ts';
import { command, demoClient, joinAs, type Listener } from '../helpers/commands.ts';
import { agencyDocName } from '../../src/lib/domain/documents.ts';
import { readShifts } from '../../src/lib/domain/roster.ts';
import { addShift } from '../../src/lib/domain/roster-write.ts';
import type { RollCallView } from '../../src/lib/domain/roll-calls.ts';
import { DEMO_USERS } from '../../src/lib/server/demo/demo-data.ts';

const PHONES = ['member.station', 'member.traffic', 'lead.patrol'] as const;
const AGENCY: Record<(typeof PHONES)[number], string> = { 'member.station': 'station', 'member.traffic': 'traffic', 'lead.patrol': 'patrol' };
const userId = (u: string) => DEMO_USERS.find((x) => x.username === u)!.id;

describe('a roll call with three phones', () => {
	let server: TestServer;
	let browser: Browser;
	let desk: Page;
	const phones: Record<string, { context: BrowserContext; page: Page }> = {};
	const docs: LiveDoc[] = [];
	let reviewer: Listener;

	beforeAll(async () => {
		server = await startServer({ demo: true });
		const commander = await demoClient(server.url, 'commander');
		reviewer = await joinAs(await demoClient(server.url, 'reviewer'));
		const now = Date.now();
		for (const u of PHONES) {
			const live = connectDoc(server.url, agencyDocName(DEMO_EVENT, AGENCY[u]), { cookie: commander.cookieHeader() });
			docs.push(live);
			await whenSynced(live);
			addShift(live.doc, {
				id: `rc-${u.replace('.', '-')}`,
				postId: readShifts(live.doc, AGENCY[u])[0].postId,
				periodId: null,
				startsAt: new Date(now - 15 * 60_000).toISOString(),
				endsAt: new Date(now + 3_600_000).toISOString(),
				notes: null,
				people: [{ id: `p-${u}`, userId: userId(u), name: u, role: null }]
			});
			await eventually(() => readShifts(live.doc, AGENCY[u]).some((s) => s.id === `rc-${u.replace('.', '-')}`), 10_000, `${u}'s shift`);
		}
		browser = await launchBrowser();
		const deskContext = await newContext(browser, 'desktop');
		desk = await deskContext.newPage();
		await loginAs(desk, server.url, 'commander', DEMO_PASSWORD);
		for (const u of PHONES) {
			const context = await newContext(browser, 'phone', { touch: true });
			const page = await context.newPage();
			await loginAs(page, server.url, u, DEMO_PASSWORD);
			await visit(page, `${server.url}/events/${DEMO_EVENT}/board`);
			phones[u] = { context, page };
		}
	}, 180_000);
	afterAll(async () => {
		for (const d of docs) d.destroy();
		reviewer?.socket.disconnect();
		await browser?.close();
		await server?.dispose();
	});

	it('prompts every phone on duty, takes two answers at once and the offline one later with its tap time', async () => {
		await visit(desk, `${server.url}/events/${DEMO_EVENT}/roster`);
		const board = desk.getByTestId('rollcall-board');
		await board.waitFor();
		await board.getByTestId('rollcall-scope').selectOption('*');
		await board.getByTestId('rollcall-start').click();
		await board.getByTestId('rollcall').first().waitFor();

		for (const u of PHONES) await phones[u].page.getByTestId('rollcall-prompt').waitFor({ timeout: 15_000 });
		await screenshot(phones['member.station'].page, 'rollcall-prompt-phone');

		// The third phone loses its network and taps.
		const offline = phones['lead.patrol'];
		await offline.context.setOffline(true);
		const tapped = Date.now();
		await offline.page.getByTestId('rollcall-answer').click();
		await offline.page.getByTestId('rollcall-note').waitFor();
		expect(await offline.page.getByTestId('rollcall-note').textContent()).toContain('联网后发送');

		for (const u of ['member.station', 'member.traffic']) {
			await phones[u].page.getByTestId('rollcall-answer').click();
			await phones[u].page.getByTestId('rollcall-prompt').waitFor({ state: 'detached' });
		}
		const summary = desk.getByTestId('rollcall-summary').first();
		await eventually(async () => /2\/\d+ 个岗位已应答/.test((await summary.textContent()) ?? ''), 15_000, 'two posts answered on the board');
		expect(await desk.getByTestId('rollcall-unanswered').first().textContent()).not.toContain('全部岗位已应答');
		await screenshot(desk, 'rollcall-board-desktop');

		// Some time later the network is back: the queued answer goes, with the moment of the tap.
		await new Promise((r) => setTimeout(r, 3_000));
		await offline.context.setOffline(false);
		await eventually(async () => /3\/\d+ 个岗位已应答/.test((await summary.textContent()) ?? ''), 30_000, 'the offline answer arrives');
		const listed = (await command(reviewer.socket, 'rollcall:list', DEMO_EVENT)) as { rollCalls: RollCallView[] };
		const line = listed.rollCalls[0].targets.find((t) => t.userId === userId('lead.patrol'))!;
		expect(Math.abs(Date.parse(line.answeredAt!) - tapped)).toBeLessThan(2_000);
		expect(Date.parse(line.receivedAt!) - Date.parse(line.answeredAt!)).toBeGreaterThan(2_500);
		await screenshot(desk, 'rollcall-board-answered-desktop');
	}, 180_000);
});
