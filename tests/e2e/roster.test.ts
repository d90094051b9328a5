import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { startServer, type TestServer } from '../helpers/server.ts';
import { launchBrowser, loginAs, newContext, screenshot, VIEWPORTS } from '../helpers/browser.ts';
import { DEMO_EVENT, DEMO_PASSWORD } from '../helpers/live.ts';
import { toLocalInputValue } from '../../src/lib/domain/validation.ts';

const ROSTER = `/events/${DEMO_EVENT}/roster`;
const ALL_SAVED = '所有修改已保存';
const TZ = 'Asia/Shanghai';

interface Seat {
	context: BrowserContext;
	page: Page;
}

/** A `datetime-local` value `minutes` from now, in the event's zone. */
const inMinutes = (minutes: number) => toLocalInputValue(new Date(Date.now() + minutes * 60_000), TZ);

/** Opens a roster page and waits until every document is synced and nothing is pending. */
async function open(page: Page, base: string, path = ''): Promise<void> {
	await page.goto(`${base}${ROSTER}${path}`);
	await page.getByTestId('save-state').filter({ hasText: ALL_SAVED }).waitFor({ timeout: 15_000 });
}

function postNow(page: Page, postId: string): Locator {
	return page.locator(`[data-testid="post-now"][data-post-id="${postId}"]`);
}

/**
 * The roster of the demo lantern fair in real Chromium: the station's members 王建国 and 陈磊 on phones, their lead
 * 刘卫东 and the commander 周国栋 at desks, each in their own browser context.
 */
describe('the roster in the browser', () => {
	let server: TestServer;
	let browser: Browser;
	let member: Seat;
	let lead: Seat;
	let commander: Seat;
	let chen: Seat;
	/** The post the commander adds for the coverage test, and the shift the lead plans on it. */
	let postId = '';
	let shiftKey = '';

	async function seat(username: string, viewport: keyof typeof VIEWPORTS): Promise<Seat> {
		const context = await newContext(browser, viewport);
		const page = await context.newPage();
		await loginAs(page, server.url, username, DEMO_PASSWORD);
		return { context, page };
	}

	beforeAll(async () => {
		server = await startServer({ demo: true });
		browser = await launchBrowser();
		[member, lead, commander, chen] = await Promise.all([
			seat('member.station', 'phone'),
			seat('lead.station', 'desktop'),
			seat('commander', 'desktop'),
			seat('chen.lei', 'phone')
		]);
	});

	afterAll(async () => {
		await browser?.close();
		await server?.dispose();
	});

	it("a member checks in with one tap on a phone and the lead's on-duty count rises live", async () => {
		await open(lead.page, server.url);
		const gate = postNow(lead.page, 'demo-post-south-gate');
		const count = gate.getByTestId('on-duty-count');
		const before = Number(await count.textContent());
		// 王建国 is planned on the south gate and has not checked in.
		const waiting = gate.getByTestId('attendance').and(lead.page.locator('[data-state="noShow"], [data-state="awaiting"]'));
		expect(await waiting.count()).toBeGreaterThan(0);

		await open(member.page, server.url);
		const card = member.page.locator('[data-testid="my-shift"][data-shift-id="demo-shift-gate-now"]');
		await screenshot(member.page, 'roster-member-before-phone');
		await card.getByTestId('check-in').click();
		await card.locator('[data-testid="attendance"][data-state="onDuty"]').waitFor();
		await card.getByTestId('check-out').waitFor();
		await member.page.getByTestId('save-state').filter({ hasText: ALL_SAVED }).waitFor();
		await screenshot(member.page, 'roster-member-checked-in-phone');

		// The lead's page was never reloaded: the count follows the member's check-in through the hub.
		await expect.poll(() => count.textContent(), { timeout: 15_000 }).toBe(String(before + 1));
		await screenshot(lead.page, 'roster-lead-now-desktop');
	});

	it('a coverage gap appears when a check-in is missing past the grace, and closes when the person checks in', async () => {
		// The commander adds a post with a minimum of one and a period around now (posts are required in periods).
		await open(commander.page, server.url, '/setup');
		await commander.page.getByTestId('new-post').click();
		await commander.page.getByTestId('post-name').fill('北门临时卡点');
		await commander.page.getByTestId('post-kind').selectOption('checkpoint');
		await commander.page.getByTestId('post-agency').selectOption('station');
		await commander.page.getByTestId('post-min').fill('1');
		await commander.page.getByTestId('post-save').click();
		await commander.page.getByTestId('new-period').click();
		await commander.page.getByTestId('period-name').fill('临时加强时段');
		await commander.page.getByTestId('period-start').fill(inMinutes(-60));
		await commander.page.getByTestId('period-end').fill(inMinutes(180));
		await commander.page.getByTestId('period-save').click();
		await commander.page.getByTestId('post-row').filter({ hasText: '北门临时卡点' }).waitFor();
		await commander.page.getByTestId('save-state').filter({ hasText: ALL_SAVED }).waitFor();
		await screenshot(commander.page, 'roster-setup-commander-desktop');

		// The lead plans a shift that started five minutes ago, with an auxiliary without an account.
		await open(lead.page, server.url, '/shifts');
		await lead.page.getByTestId('new-shift').click();
		const editor = lead.page.getByTestId('shift-editor');
		await editor.getByTestId('shift-post').selectOption({ label: '北门临时卡点 · 卡点' });
		await editor.getByTestId('shift-start').fill(inMinutes(-5));
		await editor.getByTestId('shift-end').fill(inMinutes(120));
		await editor.getByTestId('shift-save').click();
		await lead.page.waitForURL(/shift=station%3A|shift=station:/);
		shiftKey = new URL(lead.page.url()).searchParams.get('shift')!;
		await lead.page.getByTestId('add-person-name').fill('小陈');
		await lead.page.getByTestId('add-person').click();
		await lead.page.getByTestId('shift-person').filter({ hasText: '小陈' }).waitFor();
		await screenshot(lead.page, 'roster-shift-editor-desktop');

		await open(lead.page, server.url);
		const post = lead.page.locator('[data-testid="post-now"]').filter({ hasText: '北门临时卡点' });
		postId = (await post.getAttribute('data-post-id'))!;
		// Inside the grace: not checked in yet, and no gap now (the post is short after the shift, which is planned).
		await post.locator('[data-testid="attendance"][data-state="awaiting"]').waitFor();
		expect(await post.getAttribute('data-short')).toBe('false');
		const gapNow = lead.page.locator(`[data-testid="gap"][data-post-id="${postId}"][data-live="true"]`);
		expect(await gapNow.count()).toBe(0);

		// The same shift as having started fifteen minutes ago: the grace of ten minutes has run out.
		await open(lead.page, server.url, `/shifts?shift=${encodeURIComponent(shiftKey)}`);
		await lead.page.getByTestId('shift-start').fill(inMinutes(-15));
		await lead.page.getByTestId('shift-save').click();
		await open(lead.page, server.url);
		await post.locator('[data-testid="attendance"][data-state="noShow"]').waitFor();
		expect(await post.getAttribute('data-short')).toBe('true');
		await gapNow.waitFor();
		await lead.page.getByTestId('attention').and(lead.page.locator('[data-flag="noShow"]')).filter({ hasText: '小陈' }).waitFor();
		await screenshot(lead.page, 'roster-gap-desktop');

		// The lead records the late arrival for 小陈: the post is staffed again, and the check-in says who recorded it.
		await post.getByTestId('lead-check-in').click();
		await post.locator('[data-testid="attendance"][data-state="onDuty"]').waitFor();
		await expect.poll(() => post.getAttribute('data-short')).toBe('false');
		await post.locator('[data-flag="late"]').waitFor();
		expect(await gapNow.count()).toBe(0);
		await open(lead.page, server.url, `/shifts?shift=${encodeURIComponent(shiftKey)}`);
		expect(await lead.page.getByTestId('recorded-by').textContent()).toContain('刘卫东');
	});

	it('the lead approves a swap on the desk and the member who asked sees it approved on the phone', async () => {
		// The demo's request: 陈磊 asked 郭静 to swap tonight's shifts and she agreed; it waits for the station lead.
		await open(chen.page, server.url, '/mine');
		const mine = chen.page.locator('[data-testid="swap"][data-swap-id="demo-swap-1"]');
		expect(await mine.getAttribute('data-status')).toBe('accepted');
		expect(await mine.getByTestId('swap-approve').count()).toBe(0);
		await screenshot(chen.page, 'roster-swap-waiting-phone');

		await open(lead.page, server.url);
		const decision = lead.page.locator('[data-testid="swap"][data-swap-id="demo-swap-1"]');
		await decision.getByTestId('swap-approve').click();
		await decision.and(lead.page.locator('[data-status="approved"]')).waitFor();

		// Pushed to 陈磊's open page; and tonight he is on the mobile post in 郭静's place.
		await mine.and(chen.page.locator('[data-status="approved"]')).waitFor({ timeout: 15_000 });
		await chen.page.locator('[data-testid="my-shift"][data-shift-id="demo-shift-mobile-next"]').waitFor();
		expect(await chen.page.locator('[data-testid="my-shift"][data-shift-id="demo-shift-gate-next"]').count()).toBe(0);
		await screenshot(chen.page, 'roster-swap-approved-phone');

		// He asks 王建国 to take tonight's shift over: refused, as 王建国 is on the south gate until after it starts.
		const tonight = chen.page.locator('[data-testid="my-shift"][data-shift-id="demo-shift-mobile-next"]');
		await tonight.getByTestId('request-swap').click();
		await chen.page.getByTestId('swap-colleague').selectOption({ label: '王建国' });
		await chen.page.getByTestId('swap-submit').click();
		expect(await chen.page.locator('dialog .notice.error').textContent()).toContain('重叠');
		await screenshot(chen.page, 'roster-swap-refused-phone');
		// 郭静 then, for her shift: the request goes out and waits for her.
		await chen.page.getByTestId('swap-colleague').selectOption({ label: '郭静' });
		await chen.page.locator('dialog input[type="radio"]').nth(1).check();
		await chen.page.getByTestId('swap-submit').click();
		await chen.page.locator('[data-testid="swap"][data-status="proposed"]').waitFor();
		await tonight.getByTestId('request-swap').waitFor({ state: 'detached' });
	});

	it('draws the timeline with the gap on that post, on a desk and on a phone', async () => {
		await open(lead.page, server.url, '/timeline?zoom=12');
		const row = lead.page.locator(`[data-testid="timeline-row"][data-post-id="${postId}"]`);
		await row.getByTestId('timeline-shift').waitFor();
		expect(await row.getByTestId('timeline-gap').count()).toBeGreaterThan(0);
		await screenshot(lead.page, 'roster-timeline-desktop');
		await open(lead.page, server.url, '/timeline?zoom=all');
		await screenshot(lead.page, 'roster-timeline-all-desktop');

		await open(member.page, server.url, '/timeline?zoom=6');
		await member.page.getByTestId('timeline').waitFor();
		await screenshot(member.page, 'roster-timeline-phone');
		// At every zoom on a phone the hour labels stand apart: none overlaps its neighbour.
		for (const zoom of ['6', '12', '24', '48', 'all']) {
			await open(member.page, server.url, `/timeline?zoom=${zoom}`);
			await member.page.getByTestId('timeline').waitFor();
			const boxes = await member.page.locator('.tick span').evaluateAll((spans) => spans.map((s) => s.getBoundingClientRect()).map((r) => [r.left, r.right]));
			for (let i = 1; i < boxes.length; i++) expect(boxes[i][0], `zoom ${zoom}, label ${i}`).toBeGreaterThanOrEqual(boxes[i - 1][1]);
		}
		await open(member.page, server.url, '/timeline?zoom=24');
		await screenshot(member.page, 'roster-timeline-24h-phone');
	});

	it('shows a member their own shifts and swaps, and the other views, at both sizes', async () => {
		await open(member.page, server.url, '/mine');
		await member.page.getByTestId('my-shift').first().waitFor();
		await screenshot(member.page, 'roster-mine-phone');
		await open(lead.page, server.url, '/shifts');
		await lead.page.getByTestId('shift-row').first().waitFor();
		await screenshot(lead.page, 'roster-shifts-desktop');
		await open(lead.page, server.url, '/csv');
		await screenshot(lead.page, 'roster-csv-desktop');
		// A file with three bad rows: the page lists each with its row and column, and nothing is imported.
		const bad = [
			'\uFEFFshift_id,post_id,period_id,starts_at,ends_at,notes,person_id,username,name,role',
			'b1,demo-post-nowhere,,2026-11-26 08:00,2026-11-26 16:00,,p1,,张伟,辅警',
			'b2,demo-post-south-gate,,2026-11-26 16:00,2026-11-26 08:00,,p1,,李四,辅警',
			'b3,demo-post-south-gate,,2026-11-26 08:00,2026-11-26 16:00,,p1,nobody,,队员'
		].join('\r\n');
		await lead.page.getByTestId('import-file').setInputFiles({ name: '排班-有误.csv', mimeType: 'text/csv', buffer: Buffer.from(bad, 'utf8') });
		await lead.page.getByTestId('import-submit').click();
		await lead.page.getByTestId('import-errors').waitFor();
		expect(await lead.page.getByTestId('import-error').allTextContents()).toEqual([
			expect.stringMatching(/^2post_id/),
			expect.stringMatching(/^3ends_at/),
			expect.stringMatching(/^4username/)
		]);
		await screenshot(lead.page, 'roster-csv-errors-desktop');
		await open(member.page, server.url);
		await screenshot(member.page, 'roster-now-phone');
		// A member is offered no controls to edit shifts or posts.
		await open(member.page, server.url, '/shifts');
		expect(await member.page.getByTestId('new-shift').count()).toBe(0);
		await open(member.page, server.url, '/setup');
		expect(await member.page.getByTestId('new-post').count()).toBe(0);
	});
});
