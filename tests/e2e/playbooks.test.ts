/**
 * Playbooks (预案) in Chromium: the commander goes from the board's 启动预案 to the playbook list, adds one of the
 * event's own, and runs a built-in one after a confirmation that names every card and agency; a lead on a phone sees
 * the list and the same confirmation with one thumb, keyboard included. Screenshots at 1440×900 and 390×844.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startServer, type TestServer } from '../helpers/server.ts';
import { launchBrowser, loginAs, newContext, screenshot, visit } from '../helpers/browser.ts';
import { connectDoc, DEMO_EVENT, DEMO_PASSWORD, eventually, whenSynced, type LiveDoc } from '../helpers/live.ts';
import { demoClient } from '../helpers/commands.ts';
import { agencyDocName } from '../../src/lib/domain/documents.ts';
import { cardsOf, readCard } from '../../src/lib/domain/board.ts';

describe('playbooks in the browser', () => {
	let server: TestServer;
	let browser: Browser;
	const docs: LiveDoc[] = [];

	beforeAll(async () => {
		server = await startServer({ demo: true });
		browser = await launchBrowser();
		const commander = await demoClient(server.url, 'commander');
		for (const agency of ['station', 'cid', 'traffic', 'patrol']) {
			const live = connectDoc(server.url, agencyDocName(DEMO_EVENT, agency), { cookie: commander.cookieHeader() });
			docs.push(live);
			await whenSynced(live);
		}
	});
	afterAll(async () => {
		for (const d of docs) d.destroy();
		await browser?.close();
		await server?.dispose();
	});

	const titled = (prefix: string) => docs.flatMap((d) => [...cardsOf(d.doc).entries()].map(([id, m]) => readCard(id, m))).filter((c) => c.title.startsWith(prefix));

	it('takes the commander from the board to a confirmed run, and adds a playbook of the event’s own', async () => {
		const context = await newContext(browser, 'desktop');
		const page = await context.newPage();
		await loginAs(page, server.url, 'commander', DEMO_PASSWORD);
		await visit(page, `${server.url}/events/${DEMO_EVENT}/board`);
		await page.getByTestId('board-playbooks').click();
		await page.waitForURL(/\/playbooks$/);
		await page.waitForSelector('html[data-ready]', { state: 'attached' });
		expect(await page.getByTestId('playbook').count()).toBe(5);
		await screenshot(page, 'playbooks-list-desktop');

		// A playbook of the event's own: the form names the error, then saves.
		await page.getByTestId('playbook-new').click();
		await page.fill('input[name=name]', '大风天气');
		await page.selectOption('select[name="cards.0.agency"]', 'traffic');
		await page.getByTestId('playbook-save').click();
		await expect.poll(() => page.locator('.field-error').first().textContent()).toContain('标题');
		// The save button sits below every card row: the reader is taken to the first field with an error.
		await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('cards.0.title');
		await screenshot(page, 'playbooks-editor-desktop');
		await page.fill('input[name="cards.0.title"]', '大风：高架限速与绕行提示');
		await page.fill('textarea[name="cards.0.checklist"]', '发布绕行提示\n检查临时围挡');
		await page.selectOption('select[name="cards.1.agency"]', 'patrol');
		await page.fill('input[name="cards.1.title"]', '大风：巡查广告牌和围挡');
		await page.getByTestId('playbook-save').click();
		await expect.poll(() => page.locator('[data-testid=playbook]:has-text("大风天气")').count()).toBe(1);

		// Running the lost-child playbook: the confirmation names the cards and agencies; then all four arrive.
		await page.locator('[data-playbook=builtin-lost-child] [data-testid=playbook-run]').click();
		const dialog = page.getByTestId('playbook-confirm');
		await dialog.waitFor({ state: 'visible' });
		const text = (await dialog.textContent()) ?? '';
		for (const word of ['派出所', '刑侦', '交警', '社区巡防', '走失儿童：调取监控研判去向']) expect(text).toContain(word);
		await screenshot(page, 'playbooks-confirm-desktop');
		await page.getByTestId('playbook-confirm-run').click();
		await expect.poll(() => page.getByTestId('playbook-outcome').textContent()).toContain('4');
		await eventually(() => titled('走失儿童：').length === 4, 10_000, 'the four cards to arrive');
		await screenshot(page, 'playbooks-run-done-desktop');
		await context.close();
	});

	it('lets a lead run one on a phone with the keyboard alone, and cancel first', async () => {
		const context = await newContext(browser, 'phone', { touch: true });
		const page: Page = await context.newPage();
		await loginAs(page, server.url, 'lead.traffic', DEMO_PASSWORD);
		await visit(page, `${server.url}/events/${DEMO_EVENT}/board`);
		await screenshot(page, 'playbooks-board-phone');
		await page.getByTestId('board-playbooks').click();
		await page.waitForURL(/\/playbooks$/);
		await page.waitForSelector('html[data-ready]', { state: 'attached' });
		// The traffic lead may run the fire playbook (it has a traffic card) but not edit the event's own.
		expect(await page.getByTestId('playbook-new').count()).toBe(0);
		await screenshot(page, 'playbooks-list-phone');
		const run = page.locator('[data-playbook=builtin-fire] [data-testid=playbook-run]');
		await run.focus();
		await page.keyboard.press('Enter');
		await page.getByTestId('playbook-confirm').waitFor({ state: 'visible' });
		await screenshot(page, 'playbooks-confirm-phone');
		await page.keyboard.press('Escape');
		await page.getByTestId('playbook-confirm').waitFor({ state: 'hidden' });
		expect(titled('火情：').length).toBe(0);
		await run.focus();
		await page.keyboard.press('Enter');
		await page.getByTestId('playbook-confirm-run').waitFor();
		// Cancelled and asked again in one moment: the dialog's close event then comes after it opened again, and
		// what it confirms stays.
		await page.evaluate(() => {
			document.querySelector<HTMLDialogElement>('[data-testid=playbook-confirm]')!.close();
			document.querySelector<HTMLButtonElement>('[data-playbook=builtin-fire] [data-testid=playbook-run]')!.click();
		});
		await page.waitForTimeout(300);
		expect(await page.getByTestId('playbook-confirm-run').isVisible()).toBe(true);
		await page.getByTestId('playbook-confirm-run').focus();
		await page.keyboard.press('Enter');
		await eventually(() => titled('火情：').length === 4, 10_000, 'the fire playbook’s cards');
		await context.close();
	});
});
