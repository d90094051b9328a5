import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Browser } from 'playwright-core';
import { startServer, type TestServer } from '../helpers/server.ts';
import { HttpClient } from '../helpers/http.ts';
import { launchBrowser, loginAs, newContext } from '../helpers/browser.ts';
import { setupAdmin } from '../helpers/accounts.ts';
import { addMemberAsAdmin, createEventAsAdmin, createUserAsAdmin } from '../helpers/admin-forms.ts';

const PASSWORD = 'member-password-1';

describe('signing in with a browser', () => {
	let server: TestServer;
	let browser: Browser;

	beforeAll(async () => {
		server = await startServer();
		const admin = await setupAdmin(new HttpClient(server.url));
		const wang = await createUserAsAdmin(admin, { username: 'wang', displayName: '王队长', password: PASSWORD, agencyCode: 'traffic' });
		const eventId = await createEventAsAdmin(admin, {
			name: '元宵灯会',
			venue: '人民广场',
			startsAt: '2026-02-12T18:00',
			endsAt: '2026-02-12T23:00'
		});
		await addMemberAsAdmin(admin, eventId, { userId: wang, role: 'lead', agencyCode: 'traffic' });
		browser = await launchBrowser();
	});
	afterAll(async () => {
		await browser?.close();
		await server?.dispose();
	});

	it('shows the error in place and keeps the username after a wrong password', async () => {
		const context = await newContext(browser, 'phone');
		const page = await context.newPage();
		await page.goto(`${server.url}/login`, { waitUntil: 'networkidle' });
		await page.fill('input[name=username]', 'wang');
		await page.fill('input[name=password]', 'not-the-password');
		await page.click('form:has(input[name=password]) button[type=submit]');
		await expect.poll(() => page.locator('[role=alert]').textContent()).toContain('用户名或密码不正确');
		expect(new URL(page.url()).pathname).toBe('/login');
		expect(await page.inputValue('input[name=username]')).toBe('wang');
		await context.close();
	});

	it('takes a lead to their events with their role and the event’s local times, and signs them out', async () => {
		const context = await newContext(browser, 'phone');
		const page = await context.newPage();
		await loginAs(page, server.url, 'wang', PASSWORD);
		expect(new URL(page.url()).pathname).toBe('/');
		await expect.poll(() => page.locator('h1').textContent()).toBe('我的活动');
		const card = page.locator('.events li', { hasText: '元宵灯会' });
		expect(await card.count()).toBe(1);
		const text = await card.textContent();
		expect(text).toContain('带班领导');
		expect(text).toContain('2026-02-12 18:00');

		await page.click('header form[action="/logout"] button');
		await page.waitForURL((u) => u.pathname === '/login');
		const cookies = await context.cookies(server.url);
		expect(cookies.some((c) => c.name === 'session')).toBe(false);
		await context.close();
	});
});
