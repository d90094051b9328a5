import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startServer, type TestServer } from '../helpers/server.ts';
import { launchBrowser, loginAs, newContext, screenshot, visit } from '../helpers/browser.ts';

const ADMIN = { username: 'admin', displayName: '系统管理员', password: 'admin-password-1' };
const MEMBER = { username: 'zhaomin', displayName: '赵敏', password: 'member-password-1' };
const EVENT = '2026 年元宵灯会安保';
const SUBMIT = (form: string) => `${form} button[type=submit]`;

/**
 * One administrator's first day, through the browser only: set up, build a team, make an account, make an event
 * and put the account in it; then that person signs in and finds the event.
 */
describe('administration in the browser', () => {
	let server: TestServer;
	let browser: Browser;
	let admin: BrowserContext;
	let page: Page;
	let eventPath = '';

	beforeAll(async () => {
		server = await startServer();
		browser = await launchBrowser();
		admin = await newContext(browser, 'desktop');
		page = await admin.newPage();
	});
	afterAll(async () => {
		await browser?.close();
		await server?.dispose();
	});

	it('creates the first administrator and lands on the administration overview', async () => {
		await visit(page, `${server.url}/`);
		expect(new URL(page.url()).pathname).toBe('/setup');
		await page.fill('input[name=username]', ADMIN.username);
		await page.fill('input[name=displayName]', ADMIN.displayName);
		await page.fill('input[name=password]', ADMIN.password);
		await Promise.all([page.waitForURL((u) => u.pathname === '/admin'), page.click(SUBMIT('main form'))]);
		expect(await page.locator('h1').textContent()).toBe('系统管理');
		// A fresh installation is told what to do first.
		expect(await page.locator('.notice.warn').textContent()).toContain('为各单位建立队伍');
	});

	it('refuses a squadron without a brigade, then builds a brigade and a squadron under it', async () => {
		await visit(page, `${server.url}/admin/teams`);
		const form = '#create form';
		await page.selectOption(`${form} select[name=agencyCode]`, 'patrol');
		await page.selectOption(`${form} select[name=level]`, 'squadron');
		await page.fill(`${form} input[name=name]`, '文化路社区中队');
		await page.click(SUBMIT(form));
		await expect.poll(() => page.locator(`${form} .field-error`).allTextContents()).toEqual(['请填写上级队伍。']);
		// The refused values stay in the form.
		expect(await page.inputValue(`${form} input[name=name]`)).toBe('文化路社区中队');
		await screenshot(page, 'admin-teams-error-desktop');

		await page.selectOption(`${form} select[name=level]`, 'brigade');
		await page.fill(`${form} input[name=name]`, '东城街道巡防大队');
		await page.click(SUBMIT(form));
		await expect.poll(() => page.locator('#create .notice.ok').textContent()).toContain('东城街道巡防大队');

		// The parent list offers only the brigades of the chosen agency.
		await page.selectOption(`${form} select[name=agencyCode]`, 'patrol');
		await page.selectOption(`${form} select[name=level]`, 'squadron');
		const parents = await page.locator(`${form} select[name=parentId] option`).allTextContents();
		expect(parents.slice(1)).toEqual(['东城街道巡防大队']);
		await page.selectOption(`${form} select[name=agencyCode]`, 'traffic');
		expect(await page.locator(`${form} select[name=parentId] option`).count()).toBe(1);

		await page.selectOption(`${form} select[name=agencyCode]`, 'patrol');
		await page.selectOption(`${form} select[name=level]`, 'squadron');
		await page.selectOption(`${form} select[name=parentId]`, { label: '东城街道巡防大队' });
		await page.fill(`${form} input[name=name]`, '文化路社区中队');
		await page.click(SUBMIT(form));
		await expect.poll(() => page.locator('#create .notice.ok').textContent()).toContain('文化路社区中队');

		// The tree shows the squadron nested under its brigade, in the patrol agency's card.
		const patrol = page.locator('section.agency', { hasText: '社区巡防' });
		const brigade = patrol.locator('.tree > li', { hasText: '东城街道巡防大队' });
		expect(await brigade.locator('ul li .name').allTextContents()).toEqual(['文化路社区中队']);
		await screenshot(page, 'admin-teams-desktop');
	});

	it('creates a user in that team and refuses the same username twice', async () => {
		const fillUser = async () => {
			await visit(page, `${server.url}/admin/users/new`);
			await page.fill('input[name=username]', MEMBER.username);
			await page.fill('input[name=displayName]', MEMBER.displayName);
			await page.fill('input[name=password]', MEMBER.password);
			await page.selectOption('select[name=agencyCode]', 'patrol');
			await page.selectOption('select[name=teamId]', { label: '东城街道巡防大队 / 文化路社区中队' });
		};
		await fillUser();
		await Promise.all([page.waitForURL((u) => u.pathname === '/admin/users'), page.click(SUBMIT('main form'))]);
		expect(await page.locator('.notice.ok').textContent()).toContain(MEMBER.username);
		const row = page.locator('tbody tr', { hasText: MEMBER.displayName });
		expect(await row.count()).toBe(1);
		expect(await row.textContent()).toContain('东城街道巡防大队 / 文化路社区中队');
		await screenshot(page, 'admin-users-desktop');

		await fillUser();
		await page.click(SUBMIT('main form'));
		await expect.poll(() => page.locator('.field-error').allTextContents()).toEqual(['用户名已被占用。']);
		expect(new URL(page.url()).pathname).toBe('/admin/users/new');
		await screenshot(page, 'admin-user-taken-desktop');
	});

	it('creates an event whose times are read in its time zone', async () => {
		await visit(page, `${server.url}/admin/events/new`);
		await page.fill('input[name=name]', EVENT);
		await page.fill('input[name=venue]', '人民公园及周边道路');
		await page.fill('input[name=startsAt]', '2026-03-03T16:00');
		await page.fill('input[name=endsAt]', '2026-03-03T23:30');
		await Promise.all([
			page.waitForURL((u) => /^\/admin\/events\/[a-z0-9]+$/.test(u.pathname) && u.searchParams.has('created')),
			page.click(SUBMIT('main form'))
		]);
		eventPath = new URL(page.url()).pathname;
		expect(await page.locator('h1').textContent()).toContain(EVENT);
		expect(await page.locator('h1 .badge').textContent()).toBe('筹备');
		expect(await page.locator('.summary').textContent()).toContain('2026-03-03 16:00 — 23:30');
	});

	it('adds the user to the event as a member of their agency', async () => {
		const form = '#members form.add';
		await page.selectOption(`${form} select[name=userId]`, { label: `${MEMBER.displayName}（${MEMBER.username}） · 社区巡防` });
		// Choosing the person proposes their own agency.
		expect(await page.inputValue(`${form} select[name=agencyCode]`)).toBe('patrol');
		await page.selectOption(`${form} select[name=role]`, 'member');
		await page.click(SUBMIT(form));
		await expect.poll(() => page.locator('#members .notice.ok').textContent()).toBe('已加入活动。');
		const row = page.locator('#members tbody tr', { hasText: MEMBER.displayName });
		expect(await row.locator('select[name=role]').inputValue()).toBe('member');
		expect(await row.locator('select[name=agencyCode]').inputValue()).toBe('patrol');
		await screenshot(page, 'admin-event-desktop');
	});

	it('shows a display link once, with its full wall address', async () => {
		await page.fill('#displays input[name=name]', '指挥部主屏');
		await page.click(SUBMIT('#displays form.create'));
		const link = page.locator('#displays .reveal input');
		await expect.poll(() => link.count()).toBe(1);
		expect(await link.inputValue()).toMatch(new RegExp(`^${server.url.replace(/[.]/g, '\\.')}/wall/[a-z2-7]{32}$`));
		await screenshot(page, 'admin-display-link-desktop');
		await page.reload();
		expect(await page.locator('#displays .reveal').count()).toBe(0);
		expect(await page.locator('#displays tbody tr', { hasText: '指挥部主屏' }).textContent()).toContain('从未使用');
	});

	it('fits the administration pages on a phone', async () => {
		const phone = await newContext(browser, 'phone');
		const p = await phone.newPage();
		await loginAs(p, server.url, ADMIN.username, ADMIN.password);
		for (const [path, name] of [
			['/admin/teams', 'admin-teams-phone'],
			['/admin/users', 'admin-users-phone'],
			[eventPath, 'admin-event-phone']
		]) {
			await visit(p, server.url + path);
			// Nothing may push the page wider than the screen.
			expect(await p.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
			await screenshot(p, name);
		}
		await phone.close();
	});

	it('lets the new member sign in and find the event, but not open the administration', async () => {
		await Promise.all([page.waitForURL((u) => u.pathname === '/login'), page.click('header form[action="/logout"] button')]);

		for (const viewport of ['phone', 'desktop'] as const) {
			const context = await newContext(browser, viewport);
			const p = await context.newPage();
			await loginAs(p, server.url, MEMBER.username, MEMBER.password);
			expect(new URL(p.url()).pathname).toBe('/');
			const card = p.locator('.events li', { hasText: EVENT });
			expect(await card.count()).toBe(1);
			expect(await card.textContent()).toContain('队员');
			await screenshot(p, `admin-member-home-${viewport}`);
			const res = await p.goto(`${server.url}/admin`);
			expect(res?.status()).toBe(403);
			await context.close();
		}
	});
});
