/**
 * Keyboard only (issue: accessibility): with no mouse or touch event at all, the station lead moves a card from 待办
 * to 进行中 through its editor, and focus comes back to the card when the editor closes; a member acknowledges an
 * instruction; a patrol member checks in. Every control is reached with Tab, as a keyboard user reaches it.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startServer, type TestServer } from '../helpers/server.ts';
import { launchBrowser, loginAs, newContext, visit } from '../helpers/browser.ts';
import * as Y from 'yjs';
import { connectDoc, DEMO_EVENT, DEMO_PASSWORD, eventually, whenSynced } from '../helpers/live.ts';
import { agencyDocName } from '../../src/lib/domain/documents.ts';
import { cardsOf } from '../../src/lib/domain/board.ts';
import { DEMO_USERS } from '../../src/lib/server/demo/demo-data.ts';
import { command, demoClient, joinAs } from '../helpers/commands.ts';

const E = `/events/${DEMO_EVENT}`;

/** Presses Tab until the focused element matches `selector`; fails when it is not reached in `max` presses. */
async function tabTo(page: Page, selector: string, max = 200): Promise<void> {
	for (let i = 0; i < max; i++) {
		await page.keyboard.press('Tab');
		if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
	}
	throw new Error(`${selector} was not reached with ${max} presses of Tab`);
}

/** Counts pointer, mouse and touch events from here on (keyboard activation fires a click with no pointer). */
async function watchPointers(page: Page): Promise<() => Promise<number>> {
	await page.evaluate(() => {
		const w = window as unknown as { pointerEvents: number };
		w.pointerEvents = 0;
		for (const type of ['pointerdown', 'mousedown', 'touchstart'])
			window.addEventListener(type, () => w.pointerEvents++, { capture: true });
	});
	return () => page.evaluate(() => (window as unknown as { pointerEvents: number }).pointerEvents);
}

describe('keyboard only', () => {
	let server: TestServer;
	let browser: Browser;

	beforeAll(async () => {
		server = await startServer({ demo: true });
		browser = await launchBrowser();
	}, 120_000);
	afterAll(async () => {
		await browser?.close();
		await server?.dispose();
	});

	it('moves a card from 待办 to 进行中 and returns focus to it after the editor closes', async () => {
		const page = await (await newContext(browser, 'desktop')).newPage();
		await loginAs(page, server.url, 'lead.station', DEMO_PASSWORD);
		await visit(page, `${server.url}${E}/board`);
		const pointers = await watchPointers(page);
		const card = '[data-card-id="demo-card-s3"]';
		await tabTo(page, card);
		// Focus is visible: the focused card draws an outline.
		expect(await page.evaluate((s) => getComputedStyle(document.querySelector(s)!).outlineStyle, card)).not.toBe('none');
		await page.keyboard.press('Enter');
		await page.getByTestId('card-editor').waitFor();
		await tabTo(page, '[data-testid=card-status]');
		await page.keyboard.press('ArrowDown');
		await eventually(async () => (await page.getByTestId('card-status').inputValue()) === 'doing', 5_000, 'the status set to doing');
		await page.keyboard.press('Escape');
		await page.getByTestId('card-editor').waitFor({ state: 'hidden' });
		// Focus comes back once the editor's address is gone from the page's URL (a navigation, so not at once).
		await eventually(async () => (await page.evaluate(() => document.activeElement?.getAttribute('data-card-id'))) === 'demo-card-s3', 10_000, 'focus back on the card');
		await eventually(async () => (await page.locator(`.column[data-status=doing] ${card}`).count()) === 1, 10_000, 'the card in the 进行中 column');
		expect(await pointers()).toBe(0);
		await page.context().close();
	}, 120_000);

	it('hears a new instruction and a card assigned to them in the live region, acknowledges the instruction, and hears the connection drop and return', async () => {
		const context = await newContext(browser, 'phone');
		const page = await context.newPage();
		await loginAs(page, server.url, 'member.station', DEMO_PASSWORD);
		await visit(page, `${server.url}${E}/instructions`);
		const announcer = page.getByTestId('announcer');
		const commander = await joinAs(await demoClient(server.url, 'commander'));
		try {
			// Sent once this page is live, so that it arrives while the member looks elsewhere.
			await page.waitForTimeout(1_000);
			expect(await command(commander.socket, 'instruction:send', { eventId: DEMO_EVENT, scope: 'agencies', targets: ['station'], priority: 'urgent', body: '键盘确认测试：各岗位报平安', ackBy: null })).toMatchObject({ ok: true });
		} finally {
			commander.socket.disconnect();
		}
		await eventually(async () => ((await announcer.textContent()) ?? '').includes('新指令：键盘确认测试'), 15_000, 'the instruction announced');
		await page.getByTestId('instruction-ack').first().waitFor();
		const pointers = await watchPointers(page);
		const before = await page.getByTestId('instruction-ack').count();
		await tabTo(page, '[data-testid=instruction-ack]');
		await page.keyboard.press('Enter');
		await eventually(async () => (await page.getByTestId('instruction-ack').count()) < before, 10_000, 'the instruction acknowledged');
		expect(await pointers()).toBe(0);

		// A card someone else assigns to this member is announced by its title.
		const commanderClient = await demoClient(server.url, 'commander');
		const station = connectDoc(server.url, agencyDocName(DEMO_EVENT, 'station'), { cookie: commanderClient.cookieHeader() });
		try {
			await whenSynced(station);
			const assignees = cardsOf(station.doc).get('demo-card-s2')!.get('assignees') as Y.Array<string>;
			assignees.push([DEMO_USERS.find((u) => u.username === 'member.station')!.id]);
			await eventually(async () => ((await announcer.textContent()) ?? '').includes('任务「夜市警务室值守，受理群众求助」已指派给你'), 15_000, 'the assignment announced');
		} finally {
			station.destroy();
		}

		await context.setOffline(true);
		await eventually(async () => ((await announcer.textContent()) ?? '').includes('已断网'), 30_000, 'going offline announced');
		await context.setOffline(false);
		await eventually(async () => ((await announcer.textContent()) ?? '').includes('已恢复联网'), 30_000, 'coming back announced');
		await context.close();
	}, 120_000);

	it('checks in to a shift', async () => {
		const page = await (await newContext(browser, 'phone')).newPage();
		await loginAs(page, server.url, 'lin.haitao', DEMO_PASSWORD);
		await visit(page, `${server.url}${E}/roster/mine`);
		await page.getByTestId('check-in').first().waitFor();
		const pointers = await watchPointers(page);
		await tabTo(page, '[data-testid=check-in]');
		await page.keyboard.press('Enter');
		await page.getByTestId('check-out').first().waitFor({ timeout: 10_000 });
		expect(await pointers()).toBe(0);
		await page.context().close();
	}, 120_000);
});
