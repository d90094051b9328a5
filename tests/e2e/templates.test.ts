import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startServer, type TestServer } from '../helpers/server.ts';
import { launchBrowser, newContext, screenshot, visit } from '../helpers/browser.ts';

const DEMO_PASSWORD = 'liandong-demo';

/**
 * Next year's festival from this year's, as an administrator does it in the browser: sign in, open the events,
 * choose "new event" from a previous one (the demo), check what the page proposes (next year's name and dates,
 * everything but what is never carried ticked) and create it, in fewer than 20 actions — each click, fill or choice
 * counted. Then the same on a phone, and a template saved from the new event on the templates page.
 */
describe('next year from the demo, in the browser', () => {
	let server: TestServer;
	let browser: Browser;

	beforeAll(async () => {
		server = await startServer({ demo: true });
		browser = await launchBrowser();
	});
	afterAll(async () => {
		await browser?.close();
		await server?.dispose();
	});

	/** Counts what the user does: every click, fill and choice goes through here. */
	function counted(page: Page) {
		let n = 0;
		return {
			get count() {
				return n;
			},
			async click(selector: string) {
				n++;
				await page.click(selector);
			},
			async choose(selector: string, label: string) {
				n++;
				await page.selectOption(selector, { label });
			},
			async fill(selector: string, value: string) {
				n++;
				await page.fill(selector, value);
			}
		};
	}

	async function makeNextYear(page: Page, act: ReturnType<typeof counted>, shot: string): Promise<void> {
		await visit(page, `${server.url}/login`);
		await act.fill('input[name=username]', 'admin');
		await act.fill('input[name=password]', DEMO_PASSWORD);
		await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login')), act.click('form:has(input[name=password]) button[type=submit]')]);
		// Opened by its address here; counted as the one click on 活动 in the navigation by the callers.
		await visit(page, `${server.url}/admin/events`);
		await Promise.all([page.waitForURL((u) => u.pathname === '/admin/events/new'), act.click('a[href="/admin/events/new"]')]);
		await page.waitForSelector('html[data-ready]', { state: 'attached' });
		await act.click('input[name=source][value=event]');
		await act.choose('select[name=sourceId]', '2026古城灯会开幕周安保');
		// The page proposes next year: the name's year and the dates one later, the venue and zone kept.
		await expect.poll(() => page.inputValue('input[name=name]')).toBe('2027古城灯会开幕周安保');
		const starts = await page.inputValue('input[name=startsAt]');
		expect(starts).toMatch(/^2027-/);
		expect(await page.locator('input[name=parts]:checked').count()).toBe(7);
		await expect.poll(() => page.locator('text=不会带入').count()).toBe(1);
		await screenshot(page, `${shot}-form`);
		await Promise.all([page.waitForURL((u) => /^\/admin\/events\/[^/]+$/.test(u.pathname) && u.pathname !== '/admin/events/new'), act.click('main form button.primary[type=submit]')]);
		await page.waitForSelector('html[data-ready]', { state: 'attached' });
	}

	it('makes next year’s festival from the demo in under 20 actions on a desktop', async () => {
		const context = await newContext(browser, 'desktop');
		const page = await context.newPage();
		const act = counted(page);
		await makeNextYear(page, act, 'templates-new-from-event-desktop');
		// The opening of the events page by address above stands for one click.
		const actions = act.count + 1;
		expect(actions).toBeLessThan(20);
		expect(await page.locator('h1').textContent()).toContain('2027古城灯会开幕周安保');
		const notice = await page.locator('.notice.ok').textContent();
		expect(notice).toContain('已从“2026古城灯会开幕周安保”创建活动');
		expect(notice).toMatch(/成员 \d+ 人/);
		// The members came with their roles.
		expect(await page.locator('text=周国栋').count()).toBeGreaterThan(0);
		expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1440);
		await screenshot(page, 'templates-new-from-event-created-desktop');
		console.log(`next year's festival: ${actions} actions`);

		// Save it as a template, then look at the list.
		await visit(page, `${server.url}/admin/templates`);
		await page.selectOption('select[name=eventId]', { label: '2027古城灯会开幕周安保' });
		await page.fill('input[name=name]', '古城灯会安保');
		await page.click('form[action="?/save"] button[type=submit]');
		await expect.poll(() => page.locator('.notice.ok').textContent()).toContain('已保存“古城灯会安保”第 1 版');
		await expect.poll(() => page.locator('table.data tbody tr').count()).toBe(1);
		await screenshot(page, 'templates-list-desktop');
		// A broken file is refused with its problems named.
		await page.setInputFiles('input[type=file]', { name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from('{"kind":"liandong.event-template","format":1,"name":"","durationMinutes":"x","posts":[{"key":"a"}]}') });
		await page.click('form[action="?/import"] button[type=submit]');
		await expect.poll(() => page.locator('.notice.error li').count()).toBeGreaterThan(2);
		expect(await page.locator('.notice.error').textContent()).toContain('posts[0].name：必填');
		await screenshot(page, 'templates-import-refused-desktop');
		await context.close();
	});

	it('works on a phone too', async () => {
		const context = await newContext(browser, 'phone', { touch: true });
		const page = await context.newPage();
		const act = counted(page);
		await makeNextYear(page, act, 'templates-new-from-event-phone');
		expect(act.count + 1).toBeLessThan(20);
		expect(await page.locator('.notice.ok').textContent()).toContain('创建活动');
		// Nothing wider than the screen.
		expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
		await screenshot(page, 'templates-new-from-event-created-phone');
		await visit(page, `${server.url}/admin/templates`);
		expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
		await screenshot(page, 'templates-list-phone');
		await context.close();
	});
});
