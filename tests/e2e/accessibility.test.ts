/**
 * WCAG 2.1 AA on every page (issue: accessibility): axe-core runs on each page a role can open, at the sizes it is
 * used at — the commander at a desk (1440×900) in Chinese and in English, a team lead on a phone (390×844), the
 * signed-out pages, and the wall at 1080p and 4K — with dialogs and menus opened where a page has them. Any
 * violation fails the test, named with its elements (and, for contrast, its colours).
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startServer, type TestServer } from '../helpers/server.ts';
import { launchBrowser, loginAs, newContext, screenshot, visit, VIEWPORTS } from '../helpers/browser.ts';
import { DEMO_EVENT, DEMO_PASSWORD } from '../helpers/live.ts';
import { command, createDisplayToken, demoClient, joinAs } from '../helpers/commands.ts';
import { axeViolations, describeFindings, type AxeFinding } from '../helpers/axe.ts';

const E = `/events/${DEMO_EVENT}`;
const COMMANDER_PAGES = [
	'/events',
	`${E}/board`,
	`${E}/map`,
	`${E}/reports`,
	`${E}/roster`,
	`${E}/roster/mine`,
	`${E}/roster/timeline`,
	`${E}/roster/shifts`,
	`${E}/roster/setup`,
	`${E}/roster/csv`,
	`${E}/patrol`,
	`${E}/disputes`,
	`${E}/instructions`,
	`${E}/sitreps`,
	`${E}/displays`,
	`${E}/review`
];
const ADMIN_PAGES = ['/admin', '/admin/events', '/admin/users', '/admin/teams', '/admin/agencies'];
const LEAD_PAGES = ['/events', `${E}/board`, `${E}/reports`, `${E}/roster`, `${E}/roster/mine`, `${E}/patrol`, `${E}/disputes`, `${E}/instructions`];

describe('accessibility (WCAG 2.1 A/AA, axe-core)', () => {
	let server: TestServer;
	let browser: Browser;
	const summary: string[] = [];
	const failures: string[] = [];

	async function check(page: Page, label: string, options: { exclude?: string[] } = {}): Promise<AxeFinding[]> {
		const found = await axeViolations(page, options);
		const count = found.reduce((n, f) => n + f.targets.length, 0);
		summary.push(`${label}: ${count}`);
		if (found.length) failures.push(`${label}\n${describeFindings(found)}`);
		return found;
	}

	async function signedIn(username: string, size: keyof typeof VIEWPORTS, locale = 'zh-CN'): Promise<{ context: BrowserContext; page: Page }> {
		const context = await newContext(browser, size, { locale, touch: size === 'phone' });
		const page = await context.newPage();
		await loginAs(page, server.url, username, DEMO_PASSWORD);
		// Always chosen: the language is kept on the account, and an earlier test may have chosen the other one.
		await page.request.post(`${server.url}/language`, { form: { locale, redirectTo: '/' }, headers: { origin: server.url } });
		await visit(page, `${server.url}/events`);
		expect(await page.getAttribute('html', 'lang')).toBe(locale);
		return { context, page };
	}

	beforeAll(async () => {
		server = await startServer({ demo: true });
		browser = await launchBrowser();
	}, 120_000);
	afterAll(async () => {
		console.log(`[axe] pages × roles × sizes checked:\n  ${summary.join('\n  ')}`);
		await browser?.close();
		await server?.dispose();
	});

	it('finds nothing on the signed-out pages', async () => {
		const context = await newContext(browser, 'phone', { touch: true });
		const page = await context.newPage();
		await visit(page, `${server.url}/login`);
		await check(page, 'login · phone');
		await context.close();
	});

	for (const locale of ['zh-CN', 'en']) {
		it(`finds nothing on the commander's pages at a desk (${locale})`, async () => {
			const { context, page } = await signedIn('commander', 'desktop', locale);
			for (const path of COMMANDER_PAGES) {
				await visit(page, `${server.url}${path}`);
				await check(page, `commander · desktop · ${locale} · ${path}`);
			}
			await context.close();
		}, 300_000);
	}

	it("finds nothing on the administrator's pages", async () => {
		const { context, page } = await signedIn('admin', 'desktop');
		for (const path of ADMIN_PAGES) {
			await visit(page, `${server.url}${path}`);
			await check(page, `admin · desktop · ${path}`);
		}
		await context.close();
	}, 180_000);

	it("finds nothing on a lead's pages on a phone", async () => {
		const { context, page } = await signedIn('lead.station', 'phone');
		for (const path of LEAD_PAGES) {
			await visit(page, `${server.url}${path}`);
			await check(page, `lead · phone · ${path}`);
		}
		await context.close();
	}, 240_000);

	it('finds nothing with the dialogs open: the card editor, a new card, and an alarm taking over a phone', async () => {
		const { context, page } = await signedIn('commander', 'desktop');
		await visit(page, `${server.url}${E}/board`);
		await page.locator('[data-card-id]').first().click();
		await page.getByTestId('card-editor').waitFor();
		await check(page, 'commander · desktop · card editor');
		await page.keyboard.press('Escape');
		await page.getByTestId('new-card').click();
		await page.getByTestId('new-card-title').waitFor();
		await check(page, 'commander · desktop · new card');
		await context.close();

		const lead = await signedIn('lead.station', 'phone');
		await visit(lead.page, `${server.url}${E}/board`);
		const commander = await joinAs(await demoClient(server.url, 'commander'));
		try {
			const sent = await command(commander.socket, 'instruction:send', { eventId: DEMO_EVENT, scope: 'agencies', targets: ['station'], priority: 'alarm', body: '南门人流过密，立即疏导', ackBy: null });
			expect(sent).toMatchObject({ ok: true });
		} finally {
			commander.socket.disconnect();
		}
		await lead.page.getByTestId('alarm-overlay').waitFor({ timeout: 20_000 });
		await check(lead.page, 'lead · phone · alarm overlay');
		await lead.context.close();
	}, 180_000);

	it('finds nothing on the wall at 1080p and 4K', async () => {
		const token = await createDisplayToken(await demoClient(server.url, 'commander'), '无障碍检查大屏');
		for (const size of ['wall', 'wall4k'] as const) {
			const context = await newContext(browser, size);
			const page = await context.newPage();
			await visit(page, `${server.url}/wall/${token}`);
			await check(page, `wall · ${size}`);
			await context.close();
		}
	}, 120_000);

	it("keeps to the reader's settings: more contrast, a high-contrast wall, and no motion when asked", async () => {
		const { context, page } = await signedIn('commander', 'desktop');
		await page.emulateMedia({ contrast: 'more' });
		await visit(page, `${server.url}${E}/board`);
		// Secondary text is as dark as the main text.
		const ink = await page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue('--ink-3').trim());
		expect(ink).toBe('#14213d');
		await check(page, 'commander · desktop · more contrast · board');
		await screenshot(page, 'a11y-board-more-contrast-desktop');
		await context.close();

		const token = await createDisplayToken(await demoClient(server.url, 'commander'), '高对比度大屏');
		for (const size of ['wall', 'wall4k'] as const) {
			const wallContext = await newContext(browser, size);
			const wall = await wallContext.newPage();
			await wall.emulateMedia({ reducedMotion: 'reduce' });
			await visit(wall, `${server.url}/wall/${token}?contrast=high`);
			await wall.getByTestId('wall-post').first().waitFor();
			expect(await wall.getByTestId('wall').getAttribute('data-contrast')).toBe('high');
			expect(await wall.evaluate(() => getComputedStyle(document.querySelector('[data-testid=wall]')!).backgroundColor)).toBe('rgb(0, 0, 0)');
			// The ticker stands still.
			expect(await wall.evaluate(() => getComputedStyle(document.querySelector('.track') ?? document.body).animationName)).toBe('none');
			await check(wall, `wall · ${size} · high contrast`);
			await screenshot(wall, `a11y-wall-high-contrast-${size}`);
			await wallContext.close();
		}
	}, 180_000);

	it('keeps every page within the window with text at 200%: nothing scrolls sideways', async () => {
		// Zoom at 200% on a 1440×900 screen is a 720×450 CSS viewport, with every size doubled on screen.
		const context = await browser.newContext({ viewport: { width: 720, height: 450 }, deviceScaleFactor: 2, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
		const page = await context.newPage();
		await loginAs(page, server.url, 'commander', DEMO_PASSWORD);
		await page.request.post(`${server.url}/language`, { form: { locale: 'zh-CN', redirectTo: '/' }, headers: { origin: server.url } });
		const wide: string[] = [];
		for (const path of COMMANDER_PAGES) {
			await visit(page, `${server.url}${path}`);
			const over = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
			if (over > 1) wide.push(`${path}: ${over}px wider than the window`);
		}
		expect(wide).toEqual([]);
		await context.close();
	}, 300_000);

	it('adds up to no violation anywhere', () => {
		expect(failures, failures.join('\n\n')).toEqual([]);
	});
});
