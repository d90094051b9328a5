/**
 * Field reports from a phone to a card on the board (issue: field reports with photos), in Chromium: a member at
 * 390×844 reports a suspicious bag with a photo set through the file input while the phone is offline; it waits on
 * the phone with its moment, and goes when the network is back. The commander's desk hears it, makes a station card
 * of it, and the photo shows on the card. A traffic lead sees the report but not a photo attached to a station
 * dispute; no session and a display token are refused the photo's bytes.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import sharp from 'sharp';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startServer, type TestServer } from '../helpers/server.ts';
import { launchBrowser, loginAs, newContext, screenshot, visit } from '../helpers/browser.ts';
import { DEMO_EVENT, DEMO_PASSWORD, eventually } from '../helpers/live.ts';
import { createDisplayToken, demoClient } from '../helpers/commands.ts';
import type { HttpClient } from '../helpers/http.ts';

const REPORTS = `/events/${DEMO_EVENT}/reports`;
const API = `/api/events/${DEMO_EVENT}`;
const TEXT = '南门东侧垃圾桶旁有无人看管的黑色双肩包';

async function photo(r: number): Promise<Buffer> {
	return sharp({ create: { width: 2000, height: 1500, channels: 3, background: { r, g: 90, b: 60 } } })
		.composite([{ input: Buffer.from('<svg width="600" height="400"><rect x="50" y="50" width="500" height="300" fill="#111"/></svg>'), top: 500, left: 700 }])
		.jpeg()
		.toBuffer();
}

async function controlled(page: Page): Promise<void> {
	await page.evaluate(async () => {
		await navigator.serviceWorker.ready;
		if (!navigator.serviceWorker.controller) await new Promise((r) => navigator.serviceWorker.addEventListener('controllerchange', r, { once: true }));
	});
}

describe('field reports on a phone and at the desk', () => {
	let server: TestServer;
	let browser: Browser;
	let phone: BrowserContext;
	let member: Page;
	let desk: BrowserContext;
	let commander: Page;
	let api: Record<string, HttpClient> = {};
	let photoId = '';
	let cardId = '';

	beforeAll(async () => {
		server = await startServer({ demo: true });
		browser = await launchBrowser();
		phone = await newContext(browser, 'phone', { touch: true });
		member = await phone.newPage();
		await loginAs(member, server.url, 'member.station', DEMO_PASSWORD);
		desk = await newContext(browser, 'desktop');
		commander = await desk.newPage();
		await loginAs(commander, server.url, 'commander', DEMO_PASSWORD);
		api = { station: await demoClient(server.url, 'lead.station'), commander: await demoClient(server.url, 'commander') };
	}, 120_000);
	afterAll(async () => {
		await browser?.close();
		await server?.dispose();
	});

	it('keeps a report made offline on the phone, shown as waiting, and sends it when the network is back', async () => {
		await visit(member, `${server.url}${REPORTS}`);
		await controlled(member);
		await visit(commander, `${server.url}${REPORTS}`);
		await commander.getByTestId('triage-desk').waitFor();
		await screenshot(commander, 'reports-desk-empty-desktop');

		await member.getByTestId('report-open').click();
		await member.getByText('可疑物品', { exact: true }).click();
		await member.fill('input[name=body]', TEXT);
		await member.setInputFiles('[data-testid=report-photos]', { name: 'IMG_2041.jpg', mimeType: 'image/jpeg', buffer: await photo(180) });
		await member.locator('.previews img').waitFor();
		await screenshot(member, 'reports-form-phone');
		// A place on the plan: one tap.
		await member.getByRole('button', { name: '在平面图上点选' }).click();
		const plan = member.locator('.pick-map .venue-map');
		await plan.waitFor();
		await member.locator('.pick-map .leaflet-image-layer:not(.basemap)').waitFor();
		const box = (await plan.boundingBox())!;
		await member.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
		expect(await member.getByTestId('report-pin-state').textContent()).toBe('已在平面图上标注');

		await phone.setOffline(true);
		await member.getByTestId('report-submit').click();
		const waiting = member.getByTestId('waiting-report');
		await waiting.waitFor();
		expect(await waiting.textContent()).toContain(TEXT);
		expect(await waiting.textContent()).toContain('尚未送达');
		await screenshot(member, 'reports-waiting-phone');

		// Reloaded offline, the report is still there, with its photo kept on the phone.
		await member.reload();
		await member.getByTestId('waiting-report').waitFor();
		expect(await commander.getByTestId('report').count()).toBe(0);

		await phone.setOffline(false);
		await member.getByTestId('waiting-reports').waitFor({ state: 'detached', timeout: 30_000 });
		const mine = member.getByTestId('my-reports').getByTestId('report');
		await mine.first().waitFor();
		expect(await mine.first().textContent()).toContain(TEXT);
		expect(await mine.first().getAttribute('data-state')).toBe('new');
	}, 120_000);

	it('brings the report to the commander’s desk live, and makes a station card of it that shows the photo', async () => {
		const item = commander.getByTestId('report').filter({ hasText: TEXT });
		await item.waitFor({ timeout: 15_000 });
		const img = item.locator('.photos img');
		await img.waitFor();
		await eventually(() => img.evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth > 0), 10_000, 'the report photo loads');
		photoId = /files\/([0-9a-f]{64})/.exec((await img.getAttribute('src')) ?? '')![1];
		// Its pin on the desk's map.
		await commander.locator('.desk-map .report-pin').first().waitFor();
		await screenshot(commander, 'reports-desk-desktop');

		await item.getByTestId('report-triage').click();
		const dialog = commander.getByTestId('triage-dialog');
		await dialog.waitFor();
		await dialog.getByTestId('triage-agency').selectOption('station');
		await dialog.getByTestId('triage-title').fill('南门可疑背包排查');
		await screenshot(commander, 'reports-triage-desktop');
		await dialog.getByTestId('triage-confirm').click();
		await dialog.waitFor({ state: 'detached' });
		// The desk shows what waits: the handled report leaves the list, and shows under "已转为任务".
		await commander.getByTestId('filter-state').selectOption('card');
		const done = commander.getByTestId('report').filter({ hasText: TEXT });
		expect(await done.getByTestId('report-outcome').textContent()).toContain('南门可疑背包排查');
		const href = await done.getByRole('link', { name: '打开任务' }).getAttribute('href');
		cardId = /card=station:([^&]+)/.exec(href ?? '')![1];

		await visit(commander, `${server.url}${href}`);
		const editor = commander.getByTestId('card-editor');
		await editor.waitFor();
		const attached = editor.getByTestId('attachment').locator('img');
		await attached.waitFor();
		await eventually(() => attached.evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth > 0), 10_000, 'the card photo loads');
		await attached.scrollIntoViewIfNeeded();
		await screenshot(commander, 'reports-card-with-photo-desktop');
	}, 120_000);

	it('tells the reporter what became of the report', async () => {
		const mine = member.getByTestId('my-reports').getByTestId('report').filter({ hasText: TEXT });
		await eventually(async () => (await mine.getAttribute('data-state')) === 'card', 15_000, 'the reporter sees the card');
		expect(await mine.getByTestId('report-outcome').textContent()).toContain('南门可疑背包排查');
		await screenshot(member, 'reports-mine-phone');
		// The card with its photo on the phone, full screen.
		await visit(member, `${server.url}/events/${DEMO_EVENT}/board?card=station:${cardId}`);
		const shown = member.getByTestId('card-editor').getByTestId('attachment').locator('img');
		await shown.waitFor();
		await shown.scrollIntoViewIfNeeded();
		await screenshot(member, 'reports-card-with-photo-phone');
	}, 60_000);

	it('shows a traffic lead the report but not a photo attached to a station dispute', async () => {
		const bytes = await photo(40);
		const upload = 'e2e-dispute-photo';
		const put = await api.station.request(`${API}/uploads/${upload}`, {
			method: 'PUT',
			body: new Uint8Array(bytes),
			headers: { 'content-type': 'application/octet-stream', 'content-range': `bytes 0-${bytes.length - 1}/${bytes.length}` }
		});
		expect(put.status).toBe(200);
		const attach = await api.station.request(`${API}/attachments`, {
			method: 'POST',
			body: JSON.stringify({ target: 'dispute', targetId: 'demo-dispute-s1', agency: 'station', files: [{ uploadId: upload, name: '现场.jpg' }] }),
			headers: { 'content-type': 'application/json' }
		});
		expect(attach.status).toBe(201);
		const disputePhoto = ((await attach.json()) as { ids: string[] }).ids[0];

		const ctx = await newContext(browser, 'phone', { touch: true });
		const lead = await ctx.newPage();
		await loginAs(lead, server.url, 'lead.traffic', DEMO_PASSWORD);
		await visit(lead, `${server.url}${REPORTS}`);
		await lead.getByTestId('filter-state').selectOption('');
		const seen = lead.getByTestId('report').filter({ hasText: TEXT });
		await seen.waitFor();
		// A lead sees the report's own photo.
		await eventually(() => seen.locator('.photos img').evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth > 0), 10_000, 'the report photo');
		await screenshot(lead, 'reports-desk-phone');
		await visit(lead, `${server.url}/events/${DEMO_EVENT}/disputes/demo-dispute-s1`);
		await lead.getByTestId('attachments-hidden').waitFor();
		expect(await lead.getByTestId('attachments').locator('img').count()).toBe(0);
		expect((await ctx.request.get(`${server.url}${API}/files/${disputePhoto}`)).status()).toBe(403);
		await ctx.close();

		// The station's own member sees it on the same page.
		await visit(member, `${server.url}/events/${DEMO_EVENT}/disputes/demo-dispute-s1`);
		await member.getByTestId('attachments').locator('img').waitFor();
	}, 120_000);

	it('refuses the photo bytes to no session and to a display token, until the commander puts the photo on the wall', async () => {
		const anonymous = await browser.newContext();
		expect((await anonymous.request.get(`${server.url}${API}/files/${photoId}`)).status()).toBe(401);
		const token = await createDisplayToken(api.commander, '上报测试大屏');
		expect((await anonymous.request.get(`${server.url}/wall/${token}/files/${photoId}`)).status()).toBe(404);
		await anonymous.close();

		// The commander puts it on the wall from the card; the wall shows it, and the report's pin by its kind.
		await visit(commander, `${server.url}/events/${DEMO_EVENT}/board?card=station:${cardId}`);
		await commander.getByTestId('card-editor').getByTestId('attachment-wall').click();
		await commander.getByTestId('card-editor').getByText('已上大屏').waitFor();
		const wallContext = await newContext(browser, 'wall');
		const wall = await wallContext.newPage();
		await visit(wall, `${server.url}/wall/${token}`);
		const shown = wall.getByTestId('wall-photos').locator('img');
		await shown.waitFor({ timeout: 20_000 });
		await eventually(() => shown.evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth > 0), 10_000, 'the wall photo loads');
		await wall.locator('[data-testid=wall-map] .report-pin').first().waitFor();
		await screenshot(wall, 'reports-wall-1080p');
		await wallContext.close();
	}, 90_000);

	it('works the same at a desk: the form and the waiting queue at 1440×900, and the desk hears a report on any page', async () => {
		await visit(commander, `${server.url}/events/${DEMO_EVENT}/board`);
		const ctx = await newContext(browser, 'desktop');
		const page = await ctx.newPage();
		await loginAs(page, server.url, 'member.traffic', DEMO_PASSWORD);
		await visit(page, `${server.url}${REPORTS}`);
		await controlled(page);
		await page.getByTestId('report-open').click();
		await page.getByText('人员密集', { exact: true }).click();
		await page.getByText('3 级', { exact: true }).click();
		await page.fill('input[name=headCount]', '1200');
		await page.fill('input[name=body]', '北广场灯组前人群聚集，出现推挤');
		await page.setInputFiles('[data-testid=report-photos]', { name: 'crowd.jpg', mimeType: 'image/jpeg', buffer: await photo(220) });
		await page.locator('.previews img').waitFor();
		await screenshot(page, 'reports-form-desktop');
		await ctx.setOffline(true);
		await page.getByTestId('report-submit').click();
		await page.getByTestId('waiting-report').waitFor();
		await screenshot(page, 'reports-waiting-desktop');
		await ctx.setOffline(false);
		await page.getByTestId('waiting-reports').waitFor({ state: 'detached', timeout: 30_000 });
		// The commander, on the board, hears it: a count on the 上报 tab.
		const badge = commander.getByTestId('reports-badge');
		await badge.waitFor({ timeout: 15_000 });
		expect(await badge.textContent()).toBe('1');
		await ctx.close();
	}, 120_000);
});
