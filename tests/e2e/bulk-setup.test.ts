import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startServer, type TestServer } from '../helpers/server.ts';
import { launchBrowser, loginAs, newContext, screenshot, visit } from '../helpers/browser.ts';
import { HttpClient } from '../helpers/http.ts';
import { signIn } from '../helpers/accounts.ts';
import { createEventAsAdmin } from '../helpers/admin-forms.ts';
import { DEMO_EVENT, DEMO_PASSWORD } from '../helpers/live.ts';

/** A list as an administrator pastes it from last year's spreadsheet: tab-separated, with a Chinese header. */
const LIST_WITH_ERROR = ['用户名\t角色\t警种', 'commander\t指挥长\t', 'lead.station\t带班领导\t派出所', 'member.station\t队员\t派出所', 'member.traffic\t队员\t消防', 'lead.traffic\t带班领导\t交警'].join('\n');

/** The administrator adds next event's people in one paste: a wrong agency is named, fixed, previewed, saved. */
describe('members in bulk in the browser', () => {
	let server: TestServer;
	let browser: Browser;
	let eventPath = '';

	beforeAll(async () => {
		server = await startServer({ demo: true });
		browser = await launchBrowser();
		const admin = await signIn(new HttpClient(server.url), 'admin', DEMO_PASSWORD);
		const id = await createEventAsAdmin(admin, { name: '2027古城灯会开幕周安保', startsAt: '2027-02-20T08:00', endsAt: '2027-02-27T08:00' });
		eventPath = `/admin/events/${id}`;
	});
	afterAll(async () => {
		await browser?.close();
		await server?.dispose();
	});

	async function pasteAndCheck(page: Page, text: string): Promise<void> {
		await page.getByLabel('名单').fill(text);
		await page.getByRole('button', { name: '检查名单' }).click();
	}

	async function showSection(page: Page): Promise<void> {
		// Clear of the sticky page header.
		await page.locator('#bulk-members').evaluate((el) => window.scrollTo(0, el.getBoundingClientRect().top + window.scrollY - 64));
	}

	for (const viewport of ['desktop', 'phone'] as const) {
		it(`names the bad line and saves nothing, then previews and saves the fixed list (${viewport})`, async () => {
			const context = await newContext(browser, viewport, { touch: viewport === 'phone' });
			const page = await context.newPage();
			try {
				await loginAs(page, server.url, 'admin', DEMO_PASSWORD);
				await visit(page, server.url + eventPath);
				await pasteAndCheck(page, LIST_WITH_ERROR);
				const errors = page.getByTestId('bulk-error');
				await expect.poll(() => errors.allTextContents()).toEqual(['5单位没有这个单位：消防']);
				expect(await page.getByTestId('bulk-errors').textContent()).toContain('名单有 1 处问题，什么也没有保存');
				// The pasted list stays in the box to be fixed.
				expect(await page.getByLabel('名单').inputValue()).toBe(LIST_WITH_ERROR);
				await showSection(page);
				await screenshot(page, `admin-bulk-members-error-${viewport}`);

				await pasteAndCheck(page, LIST_WITH_ERROR.replace('消防', '交警'));
				await expect.poll(() => page.getByTestId('bulk-row').count()).toBe(5);
				expect(await page.getByTestId('bulk-preview').textContent()).toContain(viewport === 'desktop' ? '将新增 5 人' : '将新增 0 人');
				await showSection(page);
				await screenshot(page, `admin-bulk-members-preview-${viewport}`);

				// Saved only on confirmation, then the members table lists them.
				await page.getByTestId('bulk-save').click();
				await expect.poll(() => page.getByTestId('bulk-done').textContent()).toContain(viewport === 'desktop' ? '新增 5 人' : '5 人不变');
				expect(await page.locator('#members .badge').first().textContent()).toBe('5');
			} finally {
				await context.close();
			}
		});
	}

	it('imports posts from a CSV file on the roster page, naming a bad row and then taking the fixed file', async () => {
		const context = await newContext(browser, 'desktop');
		const page = await context.newPage();
		try {
			await loginAs(page, server.url, 'commander', DEMO_PASSWORD);
			await visit(page, `${server.url}/events/${DEMO_EVENT}/roster/csv`);
			const posts = page.getByTestId('setup-posts');
			const file = (text: string) => ({ name: 'posts.csv', mimeType: 'text/csv', buffer: Buffer.from(text) });
			await posts.getByLabel('岗位 CSV 文件').setInputFiles(file('名称,类型,警种,最少人数,位置\n北广场临时卡点,卡点,交警,3,北广场入口\n东湖流动岗,岗亭,派出所,2,东湖\n'));
			await posts.getByRole('button', { name: '导入岗位' }).click();
			await expect.poll(() => posts.getByTestId('import-error').allTextContents()).toEqual(['3kind没有这种岗位类型：岗亭（可填 固定岗、卡点、巡逻线、流动岗）']);
			await posts.evaluate((el) => window.scrollTo(0, el.getBoundingClientRect().top + window.scrollY - 64));
			await screenshot(page, 'roster-posts-import-error-desktop');

			await posts.getByLabel('岗位 CSV 文件').setInputFiles(file('名称,类型,警种,最少人数,位置\n北广场临时卡点,卡点,交警,3,北广场入口\n东湖流动岗,流动岗,派出所,2,东湖\n'));
			await posts.getByRole('button', { name: '导入岗位' }).click();
			await expect.poll(() => posts.getByTestId('import-posts-done').textContent()).toContain('新增 2 个');
		} finally {
			await context.close();
		}
	});
});
