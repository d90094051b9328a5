/**
 * The dispute register in Chromium with three people at once, each in their own browser: the neighborhood lead
 * 何秀英 (lead.patrol, cleared for personal data) on a phone in the crowd, the police station's lead 刘卫东
 * (lead.station, cleared) and the traffic lead 马骏 (lead.traffic, not cleared) at desks. She screens a high-risk
 * dispute with its parties and hands it to the station; the station lead sees it arrive and takes it up; the
 * traffic lead sees it with its parties masked, and nothing more.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startServer, type TestServer } from '../helpers/server.ts';
import { launchBrowser, loginAs, newContext, screenshot, visit, VIEWPORTS } from '../helpers/browser.ts';
import { DEMO_EVENT, DEMO_PASSWORD } from '../helpers/live.ts';

const REGISTER = `/events/${DEMO_EVENT}/disputes`;
const ALL_SAVED = '所有修改已保存';
const SUMMARY = '南门广场两伙游客因拍照位置争执，险些动手';
const PARTIES = [
	{ name: '张三明', phone: '13812345678', idNumber: '110101199003071234', address: '城关街道南门巷5号' },
	{ name: '欧阳娜娜', phone: '13900001111', idNumber: '32010219850505002X', address: '' }
];
const MASKED = '张*明 138****5678、欧阳*娜 139****1111';

interface Seat {
	context: BrowserContext;
	page: Page;
}

/** Opens a page of the event and waits until every document is synced. */
async function openSynced(page: Page, base: string, path: string): Promise<void> {
	await page.goto(`${base}${path}`);
	await page.getByTestId('save-state').filter({ hasText: ALL_SAVED }).waitFor({ timeout: 15_000 });
}

describe('screening a dispute, handing it to the station, and who sees its parties', () => {
	let server: TestServer;
	let browser: Browser;
	let patrol: Seat;
	let station: Seat;
	let traffic: Seat;
	let disputeUrl = '';

	async function seat(username: string, viewport: keyof typeof VIEWPORTS): Promise<Seat> {
		const context = await newContext(browser, viewport);
		const page = await context.newPage();
		await loginAs(page, server.url, username, DEMO_PASSWORD);
		return { context, page };
	}

	beforeAll(async () => {
		server = await startServer({ demo: true });
		browser = await launchBrowser();
		[patrol, station, traffic] = await Promise.all([seat('lead.patrol', 'phone'), seat('lead.station', 'desktop'), seat('lead.traffic', 'desktop')]);
		await Promise.all([patrol, station].map((s) => openSynced(s.page, server.url, REGISTER)));
	});
	afterAll(async () => {
		await browser?.close();
		await server?.dispose();
	});

	it('shows the demo register with counts by risk and status to the neighborhood lead on her phone', async () => {
		const { page } = patrol;
		await expect.poll(() => page.getByTestId('dispute-row').count()).toBe(8);
		await expect.poll(() => page.getByTestId('count-risk-critical').innerText()).toContain('2');
		await expect.poll(() => page.getByTestId('count-status-transferred').innerText()).toContain('1');
		expect(await page.getByTestId('count-overdue').innerText()).toContain('1');
		await screenshot(page, 'disputes-list-patrol-phone');
	});

	it('lets her register a high-risk dispute with two parties, and shows her what others will see', async () => {
		const { page } = patrol;
		await page.getByTestId('new-dispute').click();
		const dialog = page.getByTestId('new-dispute-dialog');
		await dialog.getByTestId('dispute-summary').fill(SUMMARY);
		await dialog.getByTestId('dispute-category').selectOption('neighbor');
		await dialog.getByTestId('dispute-risk').selectOption('high');
		await dialog.getByTestId('dispute-owner').selectOption('demo-patrol-east-nanmen');
		await dialog.getByTestId('dispute-location').fill('南门广场东侧');
		for (const [i, p] of PARTIES.entries()) {
			await dialog.getByTestId('party-add').click();
			const party = dialog.locator('fieldset.party').nth(i);
			await party.getByTestId('party-name').fill(p.name);
			await party.getByTestId('party-phone').fill(p.phone);
			await party.getByTestId('party-idNumber').fill(p.idNumber);
			await party.getByTestId('party-address').fill(p.address);
		}
		await screenshot(page, 'dispute-new-patrol-phone');
		await dialog.getByTestId('new-dispute-submit').click();

		await page.waitForURL((u) => /\/disputes\/[a-z0-9]+$/.test(u.pathname));
		disputeUrl = new URL(page.url()).pathname;
		await expect.poll(() => page.getByTestId('dispute-summary-heading').innerText()).toBe(SUMMARY);
		await expect.poll(() => page.getByTestId('party-name-shown').allInnerTexts()).toEqual(PARTIES.map((p) => p.name));
		expect(await page.getByTestId('parties-panel').innerText()).toContain(MASKED);
		expect(await page.getByTestId('dispute-risk').first().innerText()).toBe('高');
		await page.getByTestId('save-state').filter({ hasText: ALL_SAVED }).waitFor();
		await screenshot(page, 'dispute-detail-patrol-phone');
	});

	it('offers only the status changes the workflow allows', async () => {
		const { page } = patrol;
		// 待调处 → 调处中 or 已化解; never 已上报 / 已移交, which only escalation sets.
		expect(await page.locator('[data-testid^="status-to-"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')))).toEqual([
			'status-to-mediating',
			'status-to-resolved'
		]);
	});

	it('hands the dispute to the station with a reason, and the station lead sees it arrive', async () => {
		const { page } = patrol;
		await page.getByTestId('escalate-open').click();
		const dialog = page.getByTestId('escalate-dialog');
		await dialog.getByTestId('escalate-level-street').check();
		await dialog.getByTestId('escalate-agency').selectOption('station');
		await dialog.getByTestId('escalate-reason').fill('双方情绪激动，社区调解未果，涉及治安问题');
		await screenshot(page, 'dispute-escalate-patrol-phone');
		await dialog.getByTestId('escalate-submit').click();
		await expect.poll(() => page.getByTestId('escalate-done').innerText()).toContain('已移交派出所');
		await expect.poll(() => page.getByTestId('dispute-detail').getAttribute('data-agency')).toBe('station');
		// Now the station's: she may look, no longer change it.
		expect(await page.getByTestId('escalate-open').count()).toBe(0);
		expect(await page.getByTestId('parties-edit').count()).toBe(0);

		const s = station.page;
		const arrival = s.getByTestId('dispute-arrival').filter({ hasText: SUMMARY });
		await arrival.waitFor({ timeout: 15_000 });
		expect(await arrival.innerText()).toContain(MASKED);
		expect(await arrival.innerText()).toContain('社区巡防移交来一条矛盾纠纷');
		await expect.poll(() => s.getByTestId('dispute-row').filter({ hasText: SUMMARY }).count()).toBe(1);
		expect(await s.getByTestId('dispute-row').filter({ hasText: SUMMARY }).getByTestId('dispute-status').innerText()).toBe('已移交');
		await screenshot(s, 'disputes-arrival-station-desktop');
	});

	it('shows the station lead the parties and the escalation trail, and lets him take the dispute up', async () => {
		const s = station.page;
		await s.getByTestId('dispute-arrival').filter({ hasText: SUMMARY }).getByRole('link').click();
		await s.waitForURL((u) => u.pathname === disputeUrl);
		await expect.poll(() => s.getByTestId('party-name-shown').allInnerTexts()).toEqual(PARTIES.map((p) => p.name));
		expect(await s.getByTestId('parties-panel').innerText()).toContain(PARTIES[0].idNumber);
		const notes = await s.getByTestId('progress-notes').innerText();
		expect(notes).toContain('移交：社区巡防 → 派出所');
		expect(notes).toContain('上报：社区 → 街道');
		expect(notes).toContain('双方情绪激动，社区调解未果，涉及治安问题');
		await s.getByTestId('status-to-mediating').click();
		await s.getByTestId('status-note').fill('已派民警到场，约双方明早到警务室调解');
		await s.getByTestId('status-confirm').click();
		await expect.poll(() => s.getByTestId('dispute-status').first().innerText()).toBe('调处中');
		await s.getByTestId('save-state').filter({ hasText: ALL_SAVED }).waitFor();
		await screenshot(s, 'dispute-detail-station-desktop');
	});

	it('lets the station lead open a linked task card, and shows the card’s state as it changes on the board', async () => {
		const s = station.page;
		await s.getByTestId('open-card').click();
		await expect.poll(() => s.getByTestId('linked-card-status').innerText()).toBe('待办');
		await s.getByTestId('linked-card').click();
		await s.waitForURL((u) => u.pathname.endsWith('/board') && !!u.searchParams.get('card'));
		const editor = s.getByTestId('card-editor');
		await editor.waitFor();
		expect(await editor.getByTestId('card-title').inputValue()).toContain(SUMMARY.slice(0, 10));
		expect(await editor.getByTestId('card-dispute-link').count()).toBe(1);
		await editor.getByTestId('card-status').selectOption('doing');
		await editor.getByTestId('card-dispute-link').click();
		await s.waitForURL((u) => u.pathname === disputeUrl);
		await expect.poll(() => s.getByTestId('linked-card-status').innerText()).toBe('进行中');
	});

	it('shows the traffic lead the dispute with its parties masked, and nothing of them besides', async () => {
		const { page } = traffic;
		await openSynced(page, server.url, disputeUrl);
		await expect.poll(() => page.getByTestId('parties-masked').innerText()).toBe(MASKED);
		await expect.poll(() => page.getByTestId('dispute-status').first().innerText()).toBe('调处中');
		const html = await page.content();
		for (const p of PARTIES) for (const secret of [p.name, p.phone, p.idNumber, p.address].filter(Boolean)) expect(html).not.toContain(secret);
		// Controls he may not use are not offered.
		for (const id of ['parties-edit', 'escalate-open', 'status-to-resolved', 'open-card']) expect(await page.getByTestId(id).count()).toBe(0);
		await screenshot(page, 'dispute-detail-traffic-desktop');

		await openSynced(page, server.url, REGISTER);
		const row = page.getByTestId('dispute-row').filter({ hasText: SUMMARY });
		expect(await row.getByTestId('dispute-parties-masked').innerText()).toBe(MASKED);
		await screenshot(page, 'disputes-list-traffic-desktop');
	});

	it('keeps a phone’s register readable for the traffic lead too, masked', async () => {
		const context = await newContext(browser, 'phone');
		const page = await context.newPage();
		await loginAs(page, server.url, 'lead.traffic', DEMO_PASSWORD);
		await openSynced(page, server.url, `${REGISTER}?risk=high`);
		await expect.poll(() => page.getByTestId('dispute-row').filter({ hasText: SUMMARY }).count()).toBe(1);
		expect(await page.getByTestId('dispute-row').filter({ hasText: SUMMARY }).innerText()).toContain(MASKED);
		await screenshot(page, 'disputes-list-traffic-phone');
		await openSynced(page, server.url, disputeUrl);
		await expect.poll(() => page.getByTestId('parties-masked').innerText()).toBe(MASKED);
		await screenshot(page, 'dispute-detail-traffic-phone');
		await context.close();
	});

	it('lays the register out for a desk, and the entry for a cleared lead on a desk', async () => {
		const context = await newContext(browser, 'desktop');
		const page = await context.newPage();
		await loginAs(page, server.url, 'lead.patrol', DEMO_PASSWORD);
		await openSynced(page, server.url, REGISTER);
		await expect.poll(() => page.getByTestId('dispute-row').count()).toBe(9);
		await screenshot(page, 'disputes-list-patrol-desktop');
		await openSynced(page, server.url, `${REGISTER}/demo-dispute-p1`);
		await expect.poll(() => page.getByTestId('party-name-shown').count()).toBe(2);
		await screenshot(page, 'dispute-detail-patrol-desktop');
		await context.close();
	});

	it('checks an import whole and lists each bad row, registering nothing', async () => {
		const context = await newContext(browser, 'desktop');
		const page = await context.newPage();
		await loginAs(page, server.url, 'lead.patrol', DEMO_PASSWORD);
		await visit(page, `${server.url}${REGISTER}/import`);
		const csv = '纠纷概要,类别,风险等级,层级,办结期限,当事人姓名,联系电话\r\n楼道堆放杂物引发口角,邻里纠纷,中,社区,2026-11-25 18:00,孙立,13800007777\r\n,劳资纠纷,极高,乡镇,明天,,\r\n';
		await page.getByTestId('import-file').setInputFiles({ name: 'register.csv', mimeType: 'text/csv', buffer: Buffer.from(csv, 'utf8') });
		await page.getByTestId('import-submit').click();
		const table = page.getByTestId('import-errors');
		await table.waitFor();
		const rows = await table.locator('tbody tr').allInnerTexts();
		expect(rows.length).toBe(4);
		expect(rows.every((r) => r.startsWith('3'))).toBe(true);
		expect(rows.join('\n')).toContain('不是可选的值');
		await screenshot(page, 'disputes-import-errors-desktop');
		await openSynced(page, server.url, `${REGISTER}?q=${encodeURIComponent('楼道堆放杂物')}`);
		expect(await page.getByTestId('dispute-empty').count()).toBe(1);
		await context.close();
	});

	it('shows the wall display the new dispute among the hot ones, masked', async () => {
		const commander = await newContext(browser, 'desktop');
		const page = await commander.newPage();
		await loginAs(page, server.url, 'commander', DEMO_PASSWORD);
		await page.goto(`${server.url}/events/${DEMO_EVENT}/displays`, { waitUntil: 'networkidle' });
		await page.locator('form.create input[name=name]').fill('指挥部大屏');
		await page.locator('form.create button[type=submit]').click();
		const link = await page.getByTestId('display-url').innerText();
		const wall = await newContext(browser, 'desktop');
		const screen = await wall.newPage();
		await screen.goto(link);
		const hot = screen.getByTestId('wall').locator('.disputes');
		await screen.getByTestId('wall-freshness').filter({ hasText: '数据实时' }).waitFor({ timeout: 15_000 });
		await expect.poll(() => hot.innerText(), { timeout: 15_000 }).toContain(MASKED);
		// The neighborhood's own hot dispute is there too, masked the same way.
		await expect.poll(() => hot.innerText()).toContain('韩*新 138****0101');
		const html = await screen.content();
		for (const p of PARTIES) for (const secret of [p.name, p.phone, p.idNumber]) expect(html).not.toContain(secret);
		await screenshot(screen, 'disputes-wall-desktop');
		await Promise.all([commander.close(), wall.close()]);
	});
});
