/**
 * The after-action review in Chromium, on a scripted event: the commander closes the event from the review page
 * (with its confirmation), replays the board to a moment between two moves of a card, writes a finding,
 * finalizes, and exports — each export shows its progress and then downloads, and the JSON's SHA-256 is the one
 * the page shows. Screenshots of the page (1440×900, 390×844) and of the PDF's first page go to screenshots/.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Browser, Download, Page } from 'playwright-core';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type TestServer } from '../helpers/server.ts';
import { launchBrowser, loginAs, newContext, screenshot, SCREENSHOT_DIR } from '../helpers/browser.ts';
import { pdfPages, renderPdfPage } from '../helpers/pdf.ts';
import { EVENT_NAME, PASSWORD, scriptEvent, USERNAMES, type ScriptedEvent } from '../helpers/after-action.ts';

describe('the review page in the browser', () => {
	let server: TestServer;
	let browser: Browser;
	let ev: ScriptedEvent;
	let page: Page;
	let tmp: string;
	const url = () => `${server.url}/events/${ev.eventId}/review`;

	/** Starts an export from its button and returns the download its link gives once the job is done. */
	async function exportAndDownload(format: 'pdf' | 'json'): Promise<Download> {
		await page.getByTestId(`export-${format}`).click();
		const row = page.getByTestId(`export-job-${format}`).first();
		// The job's row shows a progress bar from the moment the server accepted it, and keeps it at 100.
		await row.getByRole('progressbar').waitFor();
		const link = row.getByTestId(`download-${format}`);
		await link.waitFor({ timeout: 60_000 });
		expect(await row.getAttribute('data-state')).toBe('done');
		expect(await row.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('100');
		const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
		return download;
	}

	beforeAll(async () => {
		tmp = mkdtempSync(join(tmpdir(), 'liandong-review-'));
		server = await startServer();
		// The stepped card's moves 1.5 s apart, so a whole-second slider position falls between them.
		ev = await scriptEvent(server, { stepGapMs: 1500 });
		browser = await launchBrowser();
		const context = await newContext(browser, 'desktop');
		page = await context.newPage();
		await loginAs(page, server.url, USERNAMES.commander, PASSWORD);
		await page.goto(url(), { waitUntil: 'networkidle' });
	});
	afterAll(async () => {
		ev?.close();
		await browser?.close();
		await server?.dispose();
		if (tmp) rmSync(tmp, { recursive: true, force: true });
	});

	it('closes the event after the commander confirms; the page turns read-only and to finalizing', async () => {
		expect(await page.getByTestId('record-draft').isVisible()).toBe(true);
		await page.getByTestId('close-event').click();
		// The first press only asks.
		expect(await page.getByTestId('finalize').count()).toBe(0);
		// The commander's documents were open for writing; the page opens again with them read-only.
		await Promise.all([page.waitForEvent('load'), page.getByTestId('close-event-confirm').click()]);
		await page.waitForLoadState('networkidle');
		await page.getByTestId('finalize').waitFor();
		// The cut writing connections are not shown as an error: the page holds the final state, read-only.
		expect(await page.locator('.notice.error').count()).toBe(0);
		expect(await page.locator('.notice.warn').textContent()).toContain('活动已结束');
		expect(await page.getByTestId('close-event').count()).toBe(0);
		expect(await page.getByTestId('closed-at').textContent()).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
		expect(await page.locator('.event-head .badge.closed').textContent()).toBe('已结束');
	});

	it('replays the board to a moment between two moves of a card, showing the card as it was then', async () => {
		const from = Date.parse((await page.getByTestId('replay-slider').getAttribute('data-from'))!);
		// The first whole second at or after the card went to doing, which is before it went to done.
		const offset = Math.ceil((ev.stepped.doingAt - from) / 1000);
		expect(from + offset * 1000).toBeLessThan(ev.stepped.doneAt);
		await page.getByTestId('replay-slider').evaluate((el, v) => {
			const input = el as HTMLInputElement;
			input.value = String(v);
			input.dispatchEvent(new Event('input', { bubbles: true }));
		}, offset);
		const card = `[data-card="${ev.stepped.id}"]`;
		await page.locator(`[data-testid=replay-col-doing] ${card}`).waitFor();
		expect(await page.locator(`[data-testid=replay-col-done] ${card}`).count()).toBe(0);
		expect(await page.locator(`[data-testid=replay-col-doing] ${card}`).textContent()).toContain(ev.stepped.title);

		// At the end of the log it is done; at the start it was not there yet.
		await page.getByRole('button', { name: '最后' }).click();
		await page.locator(`[data-testid=replay-col-done] ${card}`).waitFor();
		await page.getByRole('button', { name: '最早' }).click();
		await page.locator(`[data-testid=replay-board]`).waitFor();
		await expect.poll(() => page.locator(card).count()).toBe(0);
	});

	it('saves a finding and finalizes the record', async () => {
		await page.getByTestId('add-strength').click();
		await page.getByTestId('strength').locator('textarea').fill('交警与派出所在南门的交接顺畅');
		// Unsaved findings hold finalizing back.
		expect(await page.getByTestId('finalize').isDisabled()).toBe(true);
		await page.getByTestId('save-findings').click();
		await expect.poll(() => page.getByTestId('findings-notice').textContent()).toBe('评估发现已保存。');
		await page.getByTestId('finalize').click();
		await page.getByTestId('finalize-confirm').click();
		await page.getByTestId('record-final').waitFor();
		expect(await page.getByTestId('findings-view').textContent()).toContain('交警与派出所在南门的交接顺畅');
		await screenshot(page, 'review-desktop');
	});

	it('exports JSON with progress, then a download whose SHA-256 is the page’s', async () => {
		const download = await exportAndDownload('json');
		const path = join(tmp, 'record.json');
		await download.saveAs(path);
		const shown = (await page.getByTestId('record-sha256').textContent())?.trim();
		expect(createHash('sha256').update(readFileSync(path)).digest('hex')).toBe(shown);
		expect(download.suggestedFilename()).toBe(`${EVENT_NAME}-final.json`);
	});

	it('exports a PDF that downloads and opens with the event’s name; its first page is rendered for review', async () => {
		const download = await exportAndDownload('pdf');
		const path = join(tmp, 'record.pdf');
		await download.saveAs(path);
		expect(readFileSync(path).subarray(0, 5).toString()).toBe('%PDF-');
		const bytes = readFileSync(path);
		expect((await pdfPages(bytes))[0]).toContain(EVENT_NAME);
		mkdirSync(SCREENSHOT_DIR, { recursive: true });
		await renderPdfPage(bytes, 1, join(SCREENSHOT_DIR, 'review-pdf-page1.png'));
		expect(readFileSync(join(SCREENSHOT_DIR, 'review-pdf-page1.png')).subarray(1, 4).toString()).toBe('PNG');
	});

	it('fits a phone for the uncleared reviewer, who is told the exports hold no personal data', async () => {
		const context = await newContext(browser, 'phone');
		const phone = await context.newPage();
		await loginAs(phone, server.url, USERNAMES.reviewer, PASSWORD);
		await phone.goto(url(), { waitUntil: 'networkidle' });
		expect(await phone.getByTestId('record-final').isVisible()).toBe(true);
		expect(await phone.getByTestId('record-sha256').textContent()).toBe(await page.getByTestId('record-sha256').textContent());
		expect(await phone.locator('#exports').textContent()).toContain('导出内容不含当事人个人信息');
		// Nothing wider than the screen: the page scrolls down, never sideways.
		expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
		await screenshot(phone, 'review-phone');
		await context.close();
	});
});
