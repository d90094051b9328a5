/**
 * The command post in Chromium: the commander sends an alarm that takes over a lead's screen until it is
 * acknowledged, and a wall display opened from a display link shows the event at 1920×1080 and 3840×2160, warns
 * when its data goes stale while the server is down, and recovers by itself when the server is back.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { runCli, startServer, type TestServer } from '../helpers/server.ts';
import { sessionIdFromToken } from '../../src/lib/server/auth/session.ts';
import { CJK_FONT, fontsUsedFor, launchBrowser, loginAs, newContext, screenshot, SCREENSHOT_DIR, VIEWPORTS } from '../helpers/browser.ts';
import { DEMO_EVENT, DEMO_PASSWORD } from '../helpers/live.ts';

const EVENT_NAME = '2026古城灯会开幕周安保';
const BASE = `/events/${DEMO_EVENT}`;
/** Everyone acting for traffic in the demo event: 马骏 (lead), 李晓梅 and 吴强 (members). */
const TRAFFIC_RECIPIENTS = 3;

interface Seat {
	context: BrowserContext;
	page: Page;
}

describe('the command post in the browser', () => {
	let server: TestServer;
	let browser: Browser;
	let commander: Seat;

	async function seat(username: string, viewport: keyof typeof VIEWPORTS): Promise<Seat> {
		const context = await newContext(browser, viewport);
		const page = await context.newPage();
		await loginAs(page, server.url, username, DEMO_PASSWORD);
		return { context, page };
	}

	beforeAll(async () => {
		server = await startServer({ demo: true });
		browser = await launchBrowser();
		commander = await seat('commander', 'desktop');
	});
	afterAll(async () => {
		await browser?.close();
		await server?.dispose();
	});

	describe('an alarm instruction', () => {
		let lead: Seat;
		const BODY = '北门人流超限，立即启动单向通行并封闭环城南路入口';

		beforeAll(async () => {
			lead = await seat('lead.traffic', 'phone');
			await lead.page.goto(`${server.url}${BASE}/board`, { waitUntil: 'networkidle' });
			await commander.page.goto(`${server.url}${BASE}/instructions`, { waitUntil: 'networkidle' });
		});

		it("takes over the traffic lead's board page when the commander sends it to traffic", async () => {
			const page = commander.page;
			await page.check('input[type=radio][value=agencies]');
			await page.getByTestId('target-traffic').check();
			await page.getByTestId('instruction-priority').selectOption('alarm');
			await page.getByTestId('instruction-body').fill(BODY);
			await page.getByTestId('instruction-send').click();
			// An alarm takes over screens: the sender confirms it first, and nothing goes before that.
			const confirm = page.getByTestId('alarm-confirm');
			await confirm.waitFor({ state: 'visible' });
			expect(await confirm.textContent()).toContain(BODY);
			expect(await lead.page.getByTestId('alarm-overlay').count()).toBe(0);
			await screenshot(page, 'command-alarm-confirm-desktop');
			await page.getByTestId('alarm-confirm-send').click();
			await expect.poll(() => page.locator('.compose .notice.ok').textContent()).toBe(`指令已发送给 ${TRAFFIC_RECIPIENTS} 人。`);
			// The form goes back to routine, so the next message is not an alarm by accident.
			expect(await page.getByTestId('instruction-priority').inputValue()).toBe('routine');

			const overlay = lead.page.getByTestId('alarm-overlay');
			await overlay.waitFor({ state: 'visible', timeout: 5000 });
			expect(await overlay.textContent()).toContain(BODY);
			// It covers the whole screen: whatever is tapped, the overlay is what is hit.
			const hit = await lead.page.evaluate(() => {
				const overlay = document.querySelector('[data-testid=alarm-overlay]');
				const points = [
					[5, 5],
					[innerWidth / 2, innerHeight / 2],
					[innerWidth - 5, innerHeight - 5]
				];
				return points.every(([x, y]) => overlay?.contains(document.elementFromPoint(x, y)));
			});
			expect(hit).toBe(true);
			await screenshot(lead.page, 'command-alarm-lead-phone');
		});

		it('stays over the page after a reload until the lead acknowledges it', async () => {
			await lead.page.reload({ waitUntil: 'networkidle' });
			const overlay = lead.page.getByTestId('alarm-overlay');
			await overlay.waitFor({ state: 'visible', timeout: 10_000 });
			expect(await overlay.textContent()).toContain(BODY);

			await lead.page.getByTestId('alarm-ack').click();
			await overlay.waitFor({ state: 'detached', timeout: 5000 });
			await lead.page.reload({ waitUntil: 'networkidle' });
			// After an acknowledged alarm the board is the board again, also after a reload.
			await lead.page.getByTestId('save-state').waitFor({ timeout: 10_000 });
			expect(await lead.page.getByTestId('alarm-overlay').count()).toBe(0);
		});

		it("shows the acknowledgement on the commander's page as it happens, grouped by agency and team, and reminds the rest", async () => {
			const progress = commander.page.getByTestId('instruction-progress').filter({ hasText: BODY });
			await expect.poll(() => progress.getByTestId('ack-count').textContent(), { timeout: 5000 }).toBe(`已收到 1/${TRAFFIC_RECIPIENTS}`);
			// The commander was not sent the alarm, so their own screen is never taken over.
			expect(await commander.page.getByTestId('alarm-overlay').count()).toBe(0);
			await progress.getByRole('button', { name: '查看名单' }).click();
			const groups = progress.getByTestId('ack-groups');
			await groups.waitFor();
			expect(await groups.locator('h3').first().textContent()).toContain('交警');
			expect(await groups.locator('h3').first().textContent()).toContain(`已收到 1/${TRAFFIC_RECIPIENTS}`);
			await screenshot(commander.page, 'command-instructions-commander-desktop');

			// One click reminds everyone who has not acknowledged: a traffic member's page says so.
			const member = await seat('member.traffic', 'phone');
			await member.page.goto(`${server.url}${BASE}/board`, { waitUntil: 'networkidle' });
			await member.page.getByTestId('save-state').waitFor({ timeout: 10_000 });
			await progress.getByTestId('instruction-remind').click();
			await expect.poll(() => progress.locator('.notice').textContent()).toMatch(/^已提醒 \d+ 人。$/);
			await member.page.getByTestId('instruction-reminder').waitFor({ timeout: 5000 });
			// A second click within the minute is refused, and says why.
			await progress.getByTestId('instruction-remind').click();
			await expect.poll(() => progress.locator('.notice').textContent()).toBe('一分钟内已提醒过，请稍后再提醒。');
			await member.context.close();
		});

		it('counts unacknowledged instructions on the 指令 tab and in the header, and puts what came in first on a lead’s page', async () => {
			const commanderPage = commander.page;
			await commanderPage.check('input[type=radio][value=agencies]');
			await commanderPage.getByTestId('target-traffic').check();
			await commanderPage.getByTestId('instruction-priority').selectOption('urgent');
			await commanderPage.getByTestId('instruction-body').fill('散场前十分钟全部卡点报告人员到位情况');
			await commanderPage.getByTestId('instruction-send').click();
			await commanderPage.locator('.compose .notice.ok').waitFor();

			await lead.page.goto(`${server.url}${BASE}/board`, { waitUntil: 'networkidle' });
			const badge = lead.page.getByTestId('instructions-badge');
			await expect.poll(() => badge.textContent(), { timeout: 10_000 }).toBe('1');
			expect(await badge.getAttribute('aria-label')).toBe('1 条指令待确认');
			expect(await lead.page.getByTestId('instructions-pending').textContent()).toBe('1 条指令待确认');
			await screenshot(lead.page, 'command-badge-lead-phone');

			await lead.page.getByTestId('instructions-pending').click();
			await lead.page.waitForURL(/\/instructions$/);
			// Received first, the form to send after it.
			const order = await lead.page.evaluate(() => {
				const received = document.querySelector('[data-testid=instruction-ack]');
				const compose = document.querySelector('form.compose');
				return received && compose ? received.compareDocumentPosition(compose) & Node.DOCUMENT_POSITION_FOLLOWING : 0;
			});
			expect(order).toBeTruthy();
			await screenshot(lead.page, 'command-instructions-lead-phone');
			await lead.page.getByTestId('instruction-ack').first().click();
			await expect.poll(() => badge.count()).toBe(0);
		});

		it("tells the lead's other open page why it stopped when the lead signs out", async () => {
			const other = await lead.context.newPage();
			await other.goto(`${server.url}${BASE}/board`, { waitUntil: 'networkidle' });
			await other.getByTestId('save-state').waitFor({ timeout: 10_000 });
			await Promise.all([lead.page.waitForURL((u) => u.pathname === '/login'), lead.page.click('form[action="/logout"] button[type=submit]')]);
			await other.getByRole('alert').filter({ hasText: '您的登录已失效' }).waitFor({ timeout: 5000 });
			await screenshot(other, 'command-signed-out-lead-phone');
		});
	});

	describe('the wall display', () => {
		let wallUrl = '';
		let wall: Seat;

		/** Makes a display link on the commander's displays page and returns the URL it shows once. */
		async function createWallLink(name: string): Promise<string> {
			const page = commander.page;
			await page.goto(`${server.url}${BASE}/displays`, { waitUntil: 'networkidle' });
			await page.fill('form[action="?/create"] input[name=name]', name);
			await page.click('form[action="?/create"] button[type=submit]');
			const url = page.getByTestId('display-url');
			await url.waitFor({ timeout: 5000 });
			const text = (await url.textContent())!.trim();
			expect(text).toMatch(/\/wall\/[a-z2-7]{32}$/);
			return text;
		}

		beforeAll(async () => {
			wallUrl = await createWallLink('指挥部主屏');
		});

		/** Opens the wall in a browser context with no login, as a screen in the command post would. */
		async function openWall(viewport: 'wall' | 'wall4k', url = wallUrl): Promise<Seat> {
			const context = await newContext(browser, viewport);
			const page = await context.newPage();
			await page.goto(url);
			await page.getByTestId('wall-freshness').filter({ hasText: '数据实时' }).waitFor({ timeout: 15_000 });
			return { context, page };
		}

		for (const viewport of ['wall', 'wall4k'] as const) {
			const { width, height } = VIEWPORTS[viewport];
			it(`shows the event name, the clock and the cards by agency at ${width}×${height}, filling the screen without scrolling`, async () => {
				const seat = await openWall(viewport);
				const page = seat.page;
				expect(await page.locator('h1').textContent()).toBe(EVENT_NAME);
				await expect.poll(() => page.getByTestId('wall-clock').textContent()).toMatch(/\d{2}:\d{2}:\d{2}/);
				const rows = await page.locator('.matrix tbody th').allTextContents();
				expect(rows).toEqual(['派出所', '刑侦', '交警', '社区巡防']);
				// Chinese is drawn with a Chinese font even where the machine has none (the packaged test browser).
				// The slices of the web font load after first paint, so the answer may take a moment to settle.
				await expect.poll(async () => (await fontsUsedFor(page, 'h1')).join(', '), { timeout: 20_000, interval: 500 }).toMatch(CJK_FONT);
				// The demo board has cards; at least one agency row counts some.
				await expect.poll(() => page.locator('.matrix tbody td:not(.zero)').count()).toBeGreaterThan(0);
				// A wall is never scrolled: the page is exactly the screen.
				const size = await page.evaluate(() => ({ w: document.documentElement.scrollWidth, h: document.documentElement.scrollHeight }));
				expect(size).toEqual({ w: width, h: height });
				// Read from 4–6 m away: no text on the wall is smaller than 24 px at 1080p (48 px at 4K).
				const smallest = await page.evaluate(() =>
					Math.min(
						...[...document.querySelectorAll('.wall *')]
							.filter((e) => [...e.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent!.trim()))
							.map((e) => parseFloat(getComputedStyle(e).fontSize))
					)
				);
				expect(smallest).toBeGreaterThanOrEqual((24 * width) / 1920 - 0.5);
				// Let the panels settle (instructions, presence, the first activity) before the picture.
				await page.waitForTimeout(1500);
				await screenshot(page, `wall-${width}x${height}`);
				// The top-left quarter at full resolution, to look at type and lines as the screen shows them.
				await page.screenshot({ path: `${SCREENSHOT_DIR}/wall-${width}x${height}-detail.png`, clip: { x: 0, y: 0, width: width / 2, height: height / 2 } });
				if (viewport === 'wall') wall = seat;
				else await seat.context.close();
			});
		}

		it('warns that its data is stale while the server is down and recovers by itself when it is back', { timeout: 120_000 }, async () => {
			const page = wall.page;
			expect(await page.getByTestId('wall-stale').count()).toBe(0);
			// The page's clock runs as usual and is moved on where the test would only wait (30 s before the warning,
			// the reconnection's back-off): what is shown and when follows the page's own time, as on a real wall.
			await page.clock.install();
			await server.stop();
			try {
				// The warning appears once the data is older than 30 s.
				await page.getByTestId('wall-freshness').filter({ hasNotText: '数据实时' }).waitFor({ timeout: 30_000 });
				await page.clock.fastForward('00:31');
				await page.getByTestId('wall-stale').waitFor({ state: 'visible', timeout: 10_000 });
				expect(await page.getByTestId('wall-freshness').textContent()).toMatch(/数据已 \d+ 秒未更新/);
				await screenshot(page, 'wall-1920x1080-stale');
			} finally {
				await server.restart();
			}
			// Nobody touches the wall: it reconnects on its own (backing off at most 30 s between tries).
			await expect
				.poll(
					async () => {
						if ((await page.getByTestId('wall-stale').count()) === 0) return true;
						await page.clock.fastForward('00:05');
						return false;
					},
					{ timeout: 60_000, interval: 1_000 }
				)
				.toBe(true);
			await page.getByTestId('wall-freshness').filter({ hasText: '数据实时' }).waitFor({ timeout: 30_000 });
			expect(await page.locator('h1').textContent()).toBe(EVENT_NAME);
			await screenshot(page, 'wall-1920x1080-recovered');
		});

		it('says the link was revoked when the commander revokes it', async () => {
			const page = commander.page;
			await page.goto(`${server.url}${BASE}/displays`, { waitUntil: 'networkidle' });
			const row = page.locator('tr', { hasText: '指挥部主屏' });
			await row.waitFor({ timeout: 15_000 }).catch(async () => {
				throw new Error(`the display link's row is not on the page; it says: ${(await page.locator('main').innerText()).slice(0, 600)}`);
			});
			await row.locator('form[action="?/revoke"] button[type=submit]').click();
			await wall.page.getByRole('alert').filter({ hasText: '此大屏链接已被撤销' }).waitFor({ timeout: 5000 });
			// The board is taken off the screen, and the header does not pretend the wall is reconnecting.
			expect(await wall.page.locator('.matrix').count()).toBe(0);
			expect(await wall.page.getByTestId('wall-freshness').textContent()).not.toContain('正在连接');
			await screenshot(wall.page, 'wall-1920x1080-revoked');
			await wall.context.close();
		});

		it('says its link was revoked when that happened while the server was down', async () => {
			const url = await createWallLink('指挥部副屏');
			const away = await openWall('wall', url);
			await server.stop();
			try {
				// The CLI opens the embedded database only while the server is stopped.
				const token = new URL(url).pathname.split('/').at(-1)!;
				const cli = await runCli(server, ['token', 'revoke', DEMO_EVENT, sessionIdFromToken(token).slice(0, 12)]);
				expect(cli).toMatchObject({ code: 0 });
			} finally {
				await server.restart();
			}
			await away.page.getByRole('alert').filter({ hasText: '此大屏链接已被撤销' }).waitFor({ timeout: 60_000 });
			expect(await away.page.locator('.matrix').count()).toBe(0);
			await away.context.close();
		});
	});
});
