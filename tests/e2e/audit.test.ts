/**
 * The audit pages as people see them: the administrator's whole log with its filter at 1440×900, and the
 * commander's tab with the event's own lines (who opened the parties), names and times, never ids.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startServer, type TestServer } from '../helpers/server.ts';
import { launchBrowser, loginAs, newContext, screenshot, visit } from '../helpers/browser.ts';
import { connectDoc, DEMO_EVENT, DEMO_PASSWORD, whenSynced } from '../helpers/live.ts';
import { createDisplayToken, demoClient } from '../helpers/commands.ts';
import { restrictedDocName } from '../../src/lib/domain/documents.ts';

describe('the audit pages', () => {
	let server: TestServer;
	let browser: Browser;
	let page: Page;

	beforeAll(async () => {
		server = await startServer({ demo: true });
		const commander = await demoClient(server.url, 'commander');
		await createDisplayToken(commander, '指挥大厅大屏');
		const live = connectDoc(server.url, restrictedDocName(DEMO_EVENT), { cookie: commander.cookieHeader() });
		await whenSynced(live);
		live.destroy();
		browser = await launchBrowser();
		page = await (await newContext(browser, 'desktop')).newPage();
	}, 120_000);

	afterAll(async () => {
		await browser?.close();
		await server?.dispose();
	});

	it("shows the administrator every line with names, and filters by action", async () => {
		await loginAs(page, server.url, 'admin', DEMO_PASSWORD);
		await visit(page, `${server.url}/admin/audit`);
		const table = page.locator('table.audit');
		await table.locator('tbody tr').first().waitFor();
		const text = await table.innerText();
		expect(text).toContain('周国栋');
		expect(text).toContain('查看当事人信息');
		expect(text).toContain('新建大屏令牌');
		expect(text).not.toContain('demo-user-');
		await screenshot(page, 'audit-admin-desktop');
		await page.selectOption('select[name=action]', 'parties.open');
		await Promise.all([page.waitForURL((u) => u.searchParams.get('action') === 'parties.open'), page.click('form.audit-filter button[type=submit]')]);
		const rows = await page.locator('table.audit tbody tr').allInnerTexts();
		expect(rows.length).toBeGreaterThan(0);
		for (const row of rows) expect(row).toContain('查看当事人信息');
	});

	it("shows the commander the event's audit tab", async () => {
		const commander = await (await newContext(browser, 'desktop')).newPage();
		await loginAs(commander, server.url, 'commander', DEMO_PASSWORD);
		// Reached from the review page, beside the record's sections.
		await visit(commander, `${server.url}/events/${DEMO_EVENT}/review`);
		await Promise.all([commander.waitForURL((u) => u.pathname.endsWith('/audit')), commander.getByRole('link', { name: '审计', exact: true }).click()]);
		await commander.locator('table.audit').waitFor();
		const text = await commander.locator('table.audit').innerText();
		expect(text).toContain('查看当事人信息');
		expect(text).toContain('指挥大厅大屏');
		await screenshot(commander, 'audit-event-desktop');
	});
});
