/**
 * Drills in Chromium: the drill mark on an event page (1440×900 and 390×844) and on the wall (1920×1080 and
 * 3840×2160, read from across the room), and the review page's exercise evaluation (HSEEP) filled in, saved and
 * read back; beside it, the comparison with last time of a real event. Screenshots go to screenshots/; the new
 * parts are checked with axe-core.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { unflatten } from 'devalue';
import { startServer, type TestServer } from '../helpers/server.ts';
import { launchBrowser, loginAs, newContext, screenshot, visit } from '../helpers/browser.ts';
import { addMemberAsAdmin, createEventAsAdmin, userIdAsAdmin } from '../helpers/admin-forms.ts';
import { PASSWORD, scriptEvent, USERNAMES, type ScriptedEvent } from '../helpers/after-action.ts';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Accessibility violations (WCAG 2 A/AA) inside the given parts of the page. */
async function axeViolations(page: Page, include: string[]): Promise<string[]> {
	// Evaluated through the browser's protocol: the pages' CSP refuses an added script tag, as it should.
	await page.evaluate(AXE);
	return page.evaluate(async (selectors) => {
		const axe = (window as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<{ violations: Array<{ id: string; nodes: Array<{ target: string[] }> }> }> } }).axe;
		const r = await axe.run({ include: selectors.map((s) => [s]) }, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] } });
		return r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
	}, include);
}

describe('drills in the browser', () => {
	let server: TestServer;
	let browser: Browser;
	let ev: ScriptedEvent;
	const ids = { drill: '', real: '' };
	let wallToken = '';

	beforeAll(async () => {
		server = await startServer();
		ev = await scriptEvent(server);
		const admin = ev.clients.admin;
		const when = { startsAt: '2027-02-10T08:00', endsAt: '2027-02-10T20:00', venue: '城隍庙广场' };
		ids.drill = await createEventAsAdmin(admin, { name: '2027春节庙会安保综合演练', ...when, drill: true, basedOn: ev.eventId });
		ids.real = await createEventAsAdmin(admin, { name: '2027春节庙会安保', ...when, basedOn: ev.eventId });
		const reviewerId = await userIdAsAdmin(admin, USERNAMES.reviewer);
		const commanderId = await userIdAsAdmin(admin, USERNAMES.commander);
		for (const id of Object.values(ids)) {
			await addMemberAsAdmin(admin, id, { userId: reviewerId, role: 'reviewer' });
			await addMemberAsAdmin(admin, id, { userId: commanderId, role: 'commander', agencyCode: 'station' });
		}
		const res = await admin.postForm(`/admin/events/${ids.drill}?/createToken`, { name: '指挥部主屏' });
		const url = (unflatten(JSON.parse(((await res.json()) as { data: string }).data)) as { created: { url: string } }).created.url;
		wallToken = /\/wall\/([^/?#]+)$/.exec(url)![1];
		browser = await launchBrowser();
	});
	afterAll(async () => {
		ev?.close();
		await browser?.close();
		await server?.dispose();
	});

	for (const viewport of ['desktop', 'phone'] as const) {
		it(`marks every page of a drill at ${viewport === 'desktop' ? '1440×900' : '390×844'}, within the screen`, async () => {
			const context = await newContext(browser, viewport, { touch: viewport === 'phone' });
			const page = await context.newPage();
			await loginAs(page, server.url, USERNAMES.commander, PASSWORD);
			for (const tab of ['roster', 'board']) {
				await visit(page, `${server.url}/events/${ids.drill}/${tab}`);
				const mark = page.locator('.event-head [data-testid=drill-mark]');
				expect(await mark.textContent()).toContain('演练 DRILL');
				const box = (await mark.boundingBox())!;
				expect(box.x).toBeGreaterThanOrEqual(0);
				expect(box.x + box.width).toBeLessThanOrEqual(viewport === 'desktop' ? 1440 : 390);
			}
			await page.waitForLoadState('networkidle');
			await screenshot(page, `drill-event-${viewport === 'desktop' ? '1440x900' : '390x844'}`);
			expect(await axeViolations(page, ['.event-head'])).toEqual([]);
			await context.close();
		});
	}

	for (const [viewport, minPx] of [['wall', 24], ['wall4k', 48]] as const) {
		it(`shows the drill mark on the wall at ${viewport === 'wall' ? '1920×1080' : '3840×2160'}, in type read from across the room`, async () => {
			const context = await newContext(browser, viewport);
			const page = await context.newPage();
			await page.goto(`${server.url}/wall/${wallToken}`);
			await page.waitForSelector('html[data-ready]', { state: 'attached' });
			const mark = page.locator('[data-testid=wall] [data-testid=drill-mark]');
			await mark.waitFor();
			expect(await mark.textContent()).toContain('演练 DRILL');
			const size = await mark.evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
			expect(size).toBeGreaterThanOrEqual(minPx);
			await page.waitForTimeout(1500);
			await screenshot(page, `drill-wall-${viewport === 'wall' ? '1920x1080' : '3840x2160'}`);
			expect(await axeViolations(page, ['[data-testid=wall] header'])).toEqual([]);
			await context.close();
		});
	}

	it('fills in the exercise evaluation on the review page, saves it and reads it back', async () => {
		const context = await newContext(browser, 'desktop');
		const page = await context.newPage();
		await loginAs(page, server.url, USERNAMES.reviewer, PASSWORD);
		await visit(page, `${server.url}/events/${ids.drill}/review`);
		const editor = page.getByTestId('exercise-editor');
		await editor.getByTestId('add-objective').click();
		await editor.getByTestId('objective-text').fill('10 分钟内完成走失儿童的跨警种协查');
		await editor.getByTestId('capability-name').fill('现场指挥协调');
		await editor.getByTestId('capability-rating').selectOption('S');
		await editor.getByTestId('add-capability').click();
		await editor.getByTestId('capability-name').nth(1).fill('跨警种信息共享');
		await editor.getByTestId('capability-rating').nth(1).selectOption('M');
		await editor.getByTestId('objective-strengths').fill('派出所 4 分钟内下达协查指令\n交警卡点 6 分钟内完成布控');
		await editor.getByTestId('objective-improvements').fill('刑侦线索晚到 12 分钟，缺少固定交接渠道');
		await editor.getByTestId('save-exercise').click();
		expect(await page.getByTestId('exercise-notice').textContent()).toBe('演练评估已保存');
		// The page's data comes back with what was saved; the form keeps showing it, and nothing is left unsaved.
		await page.waitForLoadState('networkidle');
		expect(await editor.getByTestId('objective-text').inputValue()).toBe('10 分钟内完成走失儿童的跨警种协查');
		expect(await editor.getByTestId('save-exercise').isDisabled()).toBe(true);
		await page.locator('#exercise').scrollIntoViewIfNeeded();
		await page.evaluate(() => window.scrollBy(0, -120));
		await screenshot(page, 'drill-review-hseep-1440x900');
		expect(await axeViolations(page, ['#exercise', '#compare'])).toEqual([]);

		await visit(page, `${server.url}/events/${ids.drill}/review`);
		expect(await page.getByTestId('objective-text').inputValue()).toBe('10 分钟内完成走失儿童的跨警种协查');
		expect(await page.getByTestId('capability-rating').nth(1).inputValue()).toBe('M');
		expect(await page.getByTestId('objective-strengths').inputValue()).toBe('派出所 4 分钟内下达协查指令\n交警卡点 6 分钟内完成布控');
		// A drill is not compared with the real event it was made from; the page says why.
		expect(await page.getByTestId('comparison-hidden').textContent()).toContain('演练与真实活动的数据不相互比较');
		await context.close();
	});

	it('shows a real event’s key figures beside last time’s on its review page', async () => {
		const context = await newContext(browser, 'desktop');
		const page = await context.newPage();
		await loginAs(page, server.url, USERNAMES.reviewer, PASSWORD);
		await visit(page, `${server.url}/events/${ids.real}/review`);
		const table = page.getByTestId('comparison');
		expect(await table.getByTestId('compare-noShows').locator('th').textContent()).toBe('缺勤人次');
		expect(await table.getByTestId('compare-ackMedian').getByTestId('last').textContent()).toMatch(/^\d+(\.\d)?$/);
		await page.locator('#compare').scrollIntoViewIfNeeded();
		await page.evaluate(() => window.scrollBy(0, -120));
		await screenshot(page, 'drill-review-compare-1440x900');
		await context.close();
	});
});
