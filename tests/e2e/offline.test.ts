/**
 * The phone in a crowd (issue: field-ready phone): the app shell and the pages of an event opened before open with
 * no network, their data from the local copies; a page never opened says so plainly; signing out on a shared phone
 * warns of unsent changes and leaves no local copy or cached page behind.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startServer, type TestServer } from '../helpers/server.ts';
import { launchBrowser, loginAs, newContext, screenshot } from '../helpers/browser.ts';
import { DEMO_EVENT, DEMO_PASSWORD } from '../helpers/live.ts';

const BOARD = `/events/${DEMO_EVENT}/board`;
const ALL_SAVED = '所有修改已保存';

/** Resolves once the service worker controls the page (it then keeps the pages opened from here on). */
async function controlled(page: Page): Promise<void> {
	await page.evaluate(async () => {
		await navigator.serviceWorker.ready;
		if (!navigator.serviceWorker.controller) await new Promise((r) => navigator.serviceWorker.addEventListener('controllerchange', r, { once: true }));
	});
}

async function localState(page: Page): Promise<{ docs: string[]; caches: string[]; pages: number }> {
	return page.evaluate(async () => {
		const docs = (await indexedDB.databases()).map((d) => d.name ?? '').filter((n) => n.startsWith('liandong:'));
		const names = await caches.keys();
		const pages = names.includes('pages') ? (await (await caches.open('pages')).keys()).length : 0;
		return { docs, caches: names, pages };
	});
}

describe('the phone with no network', () => {
	let server: TestServer;
	let browser: Browser;
	let context: BrowserContext;
	let page: Page;
	const cspViolations: string[] = [];

	beforeAll(async () => {
		server = await startServer({ demo: true });
		browser = await launchBrowser();
		context = await newContext(browser, 'phone');
		page = await context.newPage();
		page.on('console', (msg) => {
			if (/Content Security Policy/i.test(msg.text())) cspViolations.push(msg.text());
		});
		await loginAs(page, server.url, 'lead.station', DEMO_PASSWORD);
		await page.goto(server.url + BOARD);
		await controlled(page);
		// Opened once under the worker's control, so that its page and data are kept.
		await page.goto(server.url + BOARD);
		await page.getByTestId('save-state').filter({ hasText: ALL_SAVED }).waitFor({ timeout: 20_000 });
	});
	afterAll(async () => {
		await context?.close();
		await browser?.close();
		await server?.dispose();
	});

	it('runs the board under its Content-Security-Policy without a single violation', async () => {
		await page.getByTestId('card-tile').first().click();
		await page.getByTestId('card-editor').waitFor();
		await page.keyboard.press('Escape');
		expect(cspViolations).toEqual([]);
	});

	it('reopens the board after a reload offline, with its cards from the local copies, and says it is offline', async () => {
		await context.setOffline(true);
		try {
			await page.reload();
			await page.getByTestId('card-tile').first().waitFor({ timeout: 15_000 });
			expect(await page.getByTestId('card-tile').count()).toBeGreaterThan(3);
			await expect.poll(() => page.getByTestId('save-state').textContent()).toMatch(/^离线/);
			await screenshot(page, 'offline-board-phone');
		} finally {
			await context.setOffline(false);
		}
	});

	it('says plainly that a page never opened on this device cannot be shown offline', async () => {
		await context.setOffline(true);
		try {
			await page.goto(`${server.url}/events/${DEMO_EVENT}/disputes/never-opened-here`).catch(() => {});
			await expect.poll(() => page.locator('h1').first().textContent()).toBe('离线：此页面无法打开');
			expect(await page.textContent('body')).toContain('Offline: this page cannot open');
		} finally {
			await context.setOffline(false);
		}
	});

	it('warns before signing out with unsent changes, and leaves no local copy or cached page behind', async () => {
		await page.goto(server.url + BOARD);
		await page.getByTestId('save-state').filter({ hasText: ALL_SAVED }).waitFor({ timeout: 20_000 });
		const before = await localState(page);
		expect(before.docs.length).toBeGreaterThan(0);
		expect(before.pages).toBeGreaterThan(0);

		// An edit made offline is unsent: signing out asks first, and "cancel" keeps the user signed in.
		await context.setOffline(true);
		await page.getByTestId('card-tile').filter({ hasText: '核查灯会周边出租屋流动人口登记' }).click();
		await page.getByTestId('card-editor').getByTestId('card-title').fill('核查灯会周边出租屋流动人口登记（离线补记）');
		await page.keyboard.press('Tab');
		await expect.poll(() => page.getByTestId('save-state').textContent()).toMatch(/待发送/);
		await page.keyboard.press('Escape');
		let asked = '';
		page.once('dialog', (d) => {
			asked = d.message();
			void d.dismiss();
		});
		await page.click('header form[action="/logout"] button');
		await expect.poll(() => asked).toContain('修改没有发送到服务器');
		expect(new URL(page.url()).pathname).toBe(BOARD);
		await context.setOffline(false);
		await page.getByTestId('save-state').filter({ hasText: ALL_SAVED }).waitFor({ timeout: 20_000 });

		// Everything sent: signing out asks nothing and clears this device.
		await page.click('header form[action="/logout"] button');
		await page.waitForURL((u) => u.pathname === '/login');
		await expect.poll(async () => (await localState(page)).docs).toEqual([]);
		const after = await localState(page);
		expect(after.pages).toBe(0);
	});
});
