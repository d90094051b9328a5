/**
 * Situation reports in Chromium on the demo: the commander drafts the day period's report from the 通报 tab, edits
 * a section beside its figures, saves and issues it; the report is frozen with its hash, a lead follows the link in
 * the instruction to it, and its PDF's first page is rendered. Screenshots of the editor at 1440×900 and 390×844 and
 * of the PDF go to screenshots/.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { createHash } from 'node:crypto';
import { startServer, type TestServer } from '../helpers/server.ts';
import { launchBrowser, loginAs, newContext, screenshot, SCREENSHOT_DIR, visit } from '../helpers/browser.ts';
import { DEMO_EVENT, DEMO_PASSWORD } from '../helpers/live.ts';
import { pdfText, renderPdfPage } from '../helpers/pdf.ts';

const ADDED = '东门巡逻线人手不足，已要求社区巡防增派两人。';

describe('situation reports in the browser', () => {
	let server: TestServer;
	let browser: Browser;
	let page: Page;
	let reportUrl = '';
	let hash = '';

	beforeAll(async () => {
		server = await startServer({ demo: true });
		browser = await launchBrowser();
		page = await (await newContext(browser, 'desktop')).newPage();
		await loginAs(page, server.url, 'commander', DEMO_PASSWORD);
	});
	afterAll(async () => {
		await browser?.close();
		await server?.dispose();
	});

	it('drafts the day period’s report from the 通报 tab and shows each section beside its figures', async () => {
		await visit(page, `${server.url}/events/${DEMO_EVENT}/board`);
		await Promise.all([page.waitForURL(/\/sitreps$/), page.locator('nav.tabs a', { hasText: '通报' }).click()]);
		await page.getByTestId('sitrep-new-period').selectOption('demo-period-day');
		await Promise.all([page.waitForURL(/\/sitreps\/[a-z0-9]+$/), page.getByTestId('sitrep-new').click()]);
		reportUrl = page.url();
		await page.waitForSelector('html[data-ready]', { state: 'attached' });
		expect(await page.getByTestId('sitrep-status').textContent()).toBe('草稿');
		expect(await page.getByTestId('sitrep-field-title').inputValue()).toMatch(/警情通报（\d+月\d+日白班）$/);
		expect(await page.getByTestId('sitrep-field-overview').inputValue()).toMatch(/^截至\d\d:\d\d，在岗\d+人/);
		expect(await page.getByTestId('sitrep-figures').textContent()).toContain('在岗人数');
	});

	it('saves an edited section, marks it edited, and keeps the words', async () => {
		const problems = page.getByTestId('sitrep-field-problems');
		await problems.fill(`${await problems.inputValue()}\n${ADDED}`);
		await page.getByTestId('sitrep-save').click();
		await page.getByText('草稿已保存。').waitFor();
		expect(await page.getByTestId('sitrep-field-problems').inputValue()).toContain(ADDED);
		expect(await page.locator('label:has([data-testid="sitrep-field-problems"]) .edited').count()).toBe(1);
		await page.evaluate(() => window.scrollTo(0, 0));
		await screenshot(page, 'sitrep-editor-desktop');
	});

	it('issues it after the confirmation: the page shows it frozen with its hash and the exports', async () => {
		await page.getByTestId('sitrep-issue').click();
		await page.getByTestId('sitrep-ack-minutes').fill('10');
		await page.getByTestId('sitrep-issue-confirm').click();
		await page.getByTestId('sitrep-issued-notice').waitFor();
		await page.getByTestId('sitrep-hash').waitFor();
		expect(await page.getByTestId('sitrep-status').textContent()).toBe('已签发');
		hash = (await page.getByTestId('sitrep-hash').textContent())!.trim();
		expect(hash).toMatch(/^[0-9a-f]{64}$/);
		expect(await page.getByTestId('sitrep-field-problems').count()).toBe(0);
		expect(await page.getByTestId('sitrep-text-issued').textContent()).toContain(ADDED);
		// What the API serves hashes to what the page shows.
		const reportId = reportUrl.split('/').at(-1)!;
		const body = await (await page.request.get(`${server.url}/api/events/${DEMO_EVENT}/situation-reports/${reportId}`)).text();
		expect(createHash('sha256').update(body).digest('hex')).toBe(hash);
		// The English rendering: generated English where untouched, the commander's words where edited.
		await page.getByTestId('sitrep-view-ics').click();
		const ics = await page.getByTestId('sitrep-text-ics').textContent();
		expect(ics).toContain('Incident Status Summary (ICS 209)');
		expect(ics).toContain(ADDED);
	});

	it('reaches a lead as an instruction whose link opens the issued report', async () => {
		const lead = await (await newContext(browser, 'phone', { touch: true })).newPage();
		await loginAs(lead, server.url, 'lead.station', DEMO_PASSWORD);
		await visit(lead, `${server.url}/events/${DEMO_EVENT}/instructions`);
		const link = lead.locator('.body a', { hasText: '/sitreps/' }).first();
		await link.waitFor();
		await Promise.all([lead.waitForURL(reportUrl), link.click()]);
		expect(await lead.getByTestId('sitrep-hash').textContent()).toBe(hash);
		expect(await lead.getByTestId('sitrep-issue').count()).toBe(0);
		await lead.context().close();
		// The list as every member reads it: the issued report with its hash.
		await visit(page, `${server.url}/events/${DEMO_EVENT}/sitreps`);
		expect(await page.getByTestId('sitreps-issued').textContent()).toContain(hash.slice(0, 16));
		await screenshot(page, 'sitreps-list');
	});

	it('renders the issued report’s PDF, its first page saved as a picture', async () => {
		const res = await page.request.get(`${reportUrl}/export?format=pdf&layout=zh-CN`);
		expect(res.status()).toBe(200);
		const bytes = new Uint8Array(await res.body());
		expect(await pdfText(bytes)).toContain(hash);
		const png = await renderPdfPage(bytes, 1, `${SCREENSHOT_DIR}/sitrep-pdf-page1.png`);
		expect(png.byteLength).toBeGreaterThan(20_000);
		const ics = new Uint8Array(await (await page.request.get(`${reportUrl}/export?format=pdf&layout=en`)).body());
		await renderPdfPage(ics, 1, `${SCREENSHOT_DIR}/sitrep-ics209-pdf-page1.png`);
	});

	it('fits the editor on a phone', async () => {
		const phone = await (await newContext(browser, 'phone', { touch: true })).newPage();
		await loginAs(phone, server.url, 'commander', DEMO_PASSWORD);
		await visit(phone, `${server.url}/events/${DEMO_EVENT}/sitreps`);
		await Promise.all([phone.waitForURL(/\/sitreps\/[a-z0-9]+$/), phone.getByTestId('sitrep-new').click()]);
		await phone.waitForSelector('html[data-ready]', { state: 'attached' });
		await phone.getByTestId('sitrep-field-overview').waitFor();
		// Nothing wider than the screen: the page does not scroll sideways.
		expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
		await screenshot(phone, 'sitrep-editor-phone');
		await phone.context().close();
	});
});
