import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import * as syncProtocol from 'y-protocols/sync';
import { messageSync } from 'y-websocket';
import { startServer, type TestServer } from '../helpers/server.ts';
import { CJK_FONT, fontsUsedFor, launchBrowser, loginAs, newContext, screenshot, VIEWPORTS } from '../helpers/browser.ts';
import { connectDoc, DEMO_EVENT, DEMO_PASSWORD, sessionCookie, whenSynced } from '../helpers/live.ts';
import { cardsOf } from '../../src/lib/domain/board.ts';
import { agencyDocName } from '../../src/lib/domain/documents.ts';
import { CLOSE_CODES } from '../../src/lib/domain/wire.ts';

const BOARD = `/events/${DEMO_EVENT}/board`;
const ALL_SAVED = '所有修改已保存';

/** One person at the board: their own browser context (cookies, IndexedDB) and page. */
interface Seat {
	/** Names the seat's screenshots. */
	slug: string;
	context: BrowserContext;
	page: Page;
}

/** The board's tiles whose text includes `title`. */
function tiles(page: Page, title: string): Locator {
	return page.getByTestId('card-tile').filter({ hasText: title });
}

/** Opens the board (optionally with query parameters) and waits until every document is synced. */
async function openBoard(page: Page, base: string, query = ''): Promise<void> {
	await page.goto(`${base}${BOARD}${query}`);
	await page.getByTestId('save-state').filter({ hasText: ALL_SAVED }).waitFor({ timeout: 15_000 });
}

/** Marks the page's window, so a test can tell later that the page was never reloaded. */
async function markWindow(page: Page): Promise<void> {
	await page.evaluate(() => ((window as unknown as { boardTestMark: number }).boardTestMark = 1));
}

async function stillSameWindow(page: Page): Promise<boolean> {
	return page.evaluate(() => (window as unknown as { boardTestMark?: number }).boardTestMark === 1);
}

/**
 * Three people work the demo lantern-festival board at once, each in their own browser context: the
 * commander (周国栋), the police station's lead (刘卫东) and the traffic police lead (马骏).
 */
describe('the task board with three users at once', () => {
	let server: TestServer;
	let browser: Browser;
	let commander: Seat;
	let station: Seat;
	let traffic: Seat;
	/** The card the station lead creates, as `station:<id>`, shared by the tests that follow. */
	let newCardKey = '';
	const NEW_TITLE = '北门临时卡点增派人手';

	async function seat(slug: string, username: string, viewport: keyof typeof VIEWPORTS = 'desktop'): Promise<Seat> {
		const context = await newContext(browser, viewport);
		const page = await context.newPage();
		await loginAs(page, server.url, username, DEMO_PASSWORD);
		return { slug, context, page };
	}

	/** A card's title as the server holds it, read through a stock y-websocket client signed in as `username`. */
	async function titleOnServer(docName: string, cardId: string, username: string): Promise<unknown> {
		const reader = connectDoc(server.url, docName, { cookie: await sessionCookie(server.url, username) });
		try {
			await whenSynced(reader);
			return cardsOf(reader.doc).get(cardId)?.get('title');
		} finally {
			reader.destroy();
		}
	}

	/** A y-websocket update message that renames a card, made against the server's current copy of the document. */
	async function renameMessage(docName: string, cardId: string, title: string): Promise<Uint8Array> {
		const reader = connectDoc(server.url, docName, { cookie: await sessionCookie(server.url, 'commander') });
		const copy = new Y.Doc();
		try {
			await whenSynced(reader);
			Y.applyUpdate(copy, Y.encodeStateAsUpdate(reader.doc));
		} finally {
			reader.destroy();
		}
		let update: Uint8Array | null = null;
		copy.on('update', (u: Uint8Array) => (update = u));
		cardsOf(copy).get(cardId)!.set('title', title);
		const encoder = encoding.createEncoder();
		encoding.writeVarUint(encoder, messageSync);
		syncProtocol.writeUpdate(encoder, update!);
		return encoding.toUint8Array(encoder);
	}

	beforeAll(async () => {
		server = await startServer({ demo: true });
		browser = await launchBrowser();
		[commander, station, traffic] = await Promise.all([
			seat('commander', 'commander'),
			seat('station-lead', 'lead.station'),
			seat('traffic-lead', 'lead.traffic')
		]);
		await Promise.all([commander, station, traffic].map((s) => openBoard(s.page, server.url)));
	});
	afterAll(async () => {
		await browser?.close();
		await server?.dispose();
	});

	it('shows the seeded demo board in four status columns with their counts to the commander and the station lead', async () => {
		for (const s of [commander, station]) {
			const { page } = s;
			// The seed: 7 to do, 6 in progress, 2 blocked, 2 done across the four agencies.
			expect(await page.getByTestId('count-todo').textContent()).toBe('7');
			expect(await page.getByTestId('count-doing').textContent()).toBe('6');
			expect(await page.getByTestId('count-blocked').textContent()).toBe('2');
			expect(await page.getByTestId('count-done').textContent()).toBe('2');
			// On a desktop the four columns stand side by side.
			const tops = await Promise.all(
				['todo', 'doing', 'blocked', 'done'].map(async (c) => (await page.getByTestId(`column-${c}`).boundingBox())?.y)
			);
			expect(new Set(tops).size).toBe(1);
			expect(await page.getByTestId('switch-todo').isVisible()).toBe(false);
			// The patrol team's hand-over sits in the station's column set with who asked.
			const handover = tiles(page, '协助处置：南门社区服务站旁可疑遗留包裹');
			expect(await handover.locator('.request').textContent()).toBe('社区巡防请求协助');
			// The slices of the web font load after first paint, so the answer may take a moment to settle.
			await expect.poll(async () => (await fontsUsedFor(page, '[data-testid=column-todo] h2')).join(', ')).toMatch(CJK_FONT);
			await screenshot(page, `board-${s.slug}-desktop`);
		}

		const phones = await Promise.all([seat('commander', 'commander', 'phone'), seat('station-lead', 'lead.station', 'phone')]);
		for (const s of phones) {
			await openBoard(s.page, server.url);
			await screenshot(s.page, `board-${s.slug}-phone`);
			await s.context.close();
		}
	});

	it('shows one status column at a time with a switcher on a phone, and opens a card full-screen', async () => {
		const phone = await seat('station-lead', 'lead.station', 'phone');
		const { page } = phone;
		await openBoard(page, server.url);
		const visible = async () => {
			const out: string[] = [];
			for (const c of ['todo', 'doing', 'blocked', 'done']) if (await page.getByTestId(`column-${c}`).isVisible()) out.push(c);
			return out;
		};
		expect(await visible()).toEqual(['todo']);
		await page.getByTestId('switch-doing').click();
		await expect.poll(visible).toEqual(['doing']);
		expect(new URL(page.url()).searchParams.get('col')).toBe('doing');
		expect(await page.getByTestId('switch-doing').getAttribute('aria-selected')).toBe('true');
		// The switcher carries each column's count.
		expect(await page.getByTestId('switch-doing').textContent()).toContain('6');

		await tiles(page, '南门入口人流管控，设置单向通行').click();
		const editor = page.getByTestId('card-editor');
		await editor.waitFor();
		expect(await editor.boundingBox()).toEqual({ x: 0, y: 0, ...VIEWPORTS.phone });
		expect(await editor.getByTestId('card-title').inputValue()).toBe('南门入口人流管控，设置单向通行');
		// Checklist boxes and their remove buttons are thumb-sized.
		for (const target of [editor.locator('.checklist label').first(), editor.locator('.checklist .link').first()]) {
			const box = (await target.boundingBox())!;
			expect(Math.min(box.width, box.height)).toBeGreaterThanOrEqual(44);
		}
		await screenshot(page, 'card-open-station-lead-phone');
		// The full-screen editor covers the page's header, so it says itself that an edit made offline waits.
		const state = editor.getByTestId('card-save-state');
		await phone.context.setOffline(true);
		try {
			await expect.poll(() => state.textContent()).toMatch(/^离线( · 自 \d\d:\d\d 起)?$/);
			await editor.locator('.checklist input[type=checkbox]').first().click();
			await expect.poll(() => state.textContent()).toMatch(/^离线.* · [1-9]\d* 项待发送$/);
			await screenshot(page, 'card-editor-offline-station-lead-phone');
		} finally {
			await phone.context.setOffline(false);
		}
		await expect.poll(() => state.textContent(), { timeout: 20_000 }).toBe(ALL_SAVED);
		await phone.context.close();
	});

	it('fits every tab of the English tab bar on a phone, for the commander who has the most', async () => {
		const context = await newContext(browser, 'phone', { locale: 'en' });
		await context.addCookies([{ name: 'PARAGLIDE_LOCALE', value: 'en', url: server.url }]);
		const page = await context.newPage();
		await loginAs(page, server.url, 'commander', DEMO_PASSWORD);
		await page.goto(`${server.url}${BOARD}`);
		await page.getByTestId('save-state').filter({ hasText: 'All changes saved' }).waitFor({ timeout: 15_000 });
		const tabs = await page.locator('nav.tabs a').evaluateAll((links) => links.map((a) => [a.textContent?.trim(), a.getBoundingClientRect().right]));
		expect(tabs.map(([name]) => name)).toContain('Review');
		for (const [name, right] of tabs) expect(right as number, String(name)).toBeLessThanOrEqual(VIEWPORTS.phone.width);
		await screenshot(page, 'board-commander-english-phone');
		await context.close();
	});

	it('warns when a phone number is typed into a card everyone reads, and says where it belongs', async () => {
		const { page } = station;
		await openBoard(page, server.url);
		await tiles(page, '城墙马道临时封闭，等待园林部门确认').click();
		const editor = page.getByTestId('card-editor');
		await editor.waitFor();
		expect(await editor.getByTestId('personal-data-warning').count()).toBe(0);
		await editor.getByTestId('card-notes').click();
		await page.keyboard.type('联系人电话13812345678');
		await expect.poll(() => editor.getByTestId('personal-data-warning').textContent()).toContain('13812345678');
		expect(await editor.getByTestId('personal-data-warning').textContent()).toContain('当事人信息');
		await screenshot(page, 'card-personal-data-warning-desktop');
		// Taken out again, the warning goes.
		for (let i = 0; i < '联系人电话13812345678'.length; i++) await page.keyboard.press('Backspace');
		await expect.poll(() => editor.getByTestId('personal-data-warning').count()).toBe(0);
		await page.keyboard.press('Escape');
	});

	it('shows an open card as a dialog on a desktop', async () => {
		const { page } = station;
		await openBoard(page, server.url, '?card=station:demo-card-s1');
		const editor = page.getByTestId('card-editor');
		await editor.waitFor();
		expect(await editor.getByTestId('card-title').inputValue()).toBe('南门入口人流管控，设置单向通行');
		// A dialog over the board, not a full-screen page.
		const box = await editor.boundingBox();
		expect(box!.width).toBeLessThan(VIEWPORTS.desktop.width / 2 + 100);
		expect(box!.x).toBeGreaterThan(0);
		await screenshot(page, 'card-open-station-lead-desktop');
		await page.keyboard.press('Escape');
		await editor.waitFor({ state: 'detached' });
	});

	it('shows a card the station lead creates to the commander and the traffic lead without a reload', async () => {
		await Promise.all([commander, traffic].map((s) => markWindow(s.page)));
		for (const s of [commander, traffic]) expect(await tiles(s.page, NEW_TITLE).count()).toBe(0);

		const { page } = station;
		await page.getByTestId('new-card').click();
		await page.getByTestId('new-card-title').fill(NEW_TITLE);
		await page.getByTestId('new-card-submit').click();
		// The creator lands in the new card's editor.
		await page.getByTestId('card-editor').waitFor();
		newCardKey = new URL(page.url()).searchParams.get('card') ?? '';
		expect(newCardKey).toMatch(/^station:/);

		for (const s of [commander, traffic]) {
			const tile = s.page.getByTestId('column-todo').getByTestId('card-tile').filter({ hasText: NEW_TITLE });
			await tile.waitFor({ timeout: 10_000 });
			expect(await tile.locator('.agency').textContent()).toBe('派出所');
			expect(await s.page.getByTestId('count-todo').textContent()).toBe('8');
			expect(await stillSameWindow(s.page)).toBe(true);
		}
	});

	it('keeps both texts when the commander and the station lead type in the same note at once', async () => {
		const notesOf = (page: Page) => page.getByTestId('card-editor').getByTestId('card-notes');
		// The station lead still has the new card open; the commander opens it from its tile.
		await tiles(commander.page, NEW_TITLE).click();
		await notesOf(commander.page).waitFor();

		const BASE = '集合点：北门值班室。';
		await notesOf(station.page).click();
		await station.page.keyboard.type(BASE);
		await expect.poll(() => notesOf(commander.page).inputValue()).toBe(BASE);

		// The commander writes before the existing text and the lead after it, both typing at the same time.
		const FROM_COMMANDER = '【指挥部】增派四名特警。';
		const FROM_STATION = '【派出所】已到位两人。';
		await notesOf(commander.page).click();
		await commander.page.keyboard.press('Control+Home');
		await notesOf(station.page).click();
		await station.page.keyboard.press('Control+End');
		await Promise.all([
			notesOf(commander.page).pressSequentially(FROM_COMMANDER, { delay: 40 }),
			notesOf(station.page).pressSequentially(FROM_STATION, { delay: 40 })
		]);

		const merged = FROM_COMMANDER + BASE + FROM_STATION;
		await expect.poll(() => notesOf(commander.page).inputValue()).toBe(merged);
		await expect.poll(() => notesOf(station.page).inputValue()).toBe(merged);

		// A third page, opened fresh in a browser context of its own, loads the same note from the server.
		const fresh = await seat('traffic-lead-fresh', 'lead.traffic');
		await openBoard(fresh.page, server.url, `?card=${newCardKey}`);
		await expect.poll(() => notesOf(fresh.page).inputValue()).toBe(merged);
		await fresh.context.close();
	});

	it('offers the traffic lead no control over a station card and refuses a forced write to the station document', async () => {
		const { page } = traffic;
		const TITLE = '南门入口人流管控，设置单向通行';
		const FORCED = '已被交警改写';
		const tile = page.getByTestId('column-doing').getByTestId('card-tile').filter({ hasText: TITLE });
		expect(await tile.getAttribute('draggable')).toBe('false');
		// The arrow keys that move a card do nothing here.
		await tile.focus();
		await page.keyboard.press('ArrowRight');
		expect(await tile.count()).toBe(1);
		expect(await page.getByTestId('column-blocked').getByTestId('card-tile').filter({ hasText: TITLE }).count()).toBe(0);
		await tile.click();
		const editor = page.getByTestId('card-editor');
		await editor.waitFor();
		expect(await editor.getByTestId('card-read-only').textContent()).toBe('此任务属于派出所，您只能查看。');
		expect(await editor.getByTestId('card-title').getAttribute('readonly')).not.toBeNull();
		expect(await editor.getByTestId('card-status').isDisabled()).toBe(true);
		expect(await editor.getByTestId('card-notes').getAttribute('readonly')).not.toBeNull();
		expect(await editor.getByRole('button', { name: '归档', exact: true }).count()).toBe(0);
		expect(await editor.getByRole('button', { name: '添加', exact: true }).count()).toBe(0);
		expect(await editor.getByRole('button', { name: '发表', exact: true }).count()).toBe(0);
		await page.keyboard.press('Escape');
		await editor.waitFor({ state: 'detached' });

		// The same person's session tries to rename the card anyway, writing to the station's document over a
		// WebSocket of its own from the traffic lead's page (the browser sends the session cookie with it).
		const docName = agencyDocName(DEMO_EVENT, 'station');
		const refusal = await page.evaluate(
			({ url, message }) =>
				new Promise<{ code: number; reason: string }>((resolve) => {
					const ws = new WebSocket(url);
					ws.binaryType = 'arraybuffer';
					ws.onopen = () => ws.send(new Uint8Array(message));
					ws.onclose = (e) => resolve({ code: e.code, reason: e.reason });
				}),
			{ url: `${server.url.replace(/^http/, 'ws')}/yjs/${docName}`, message: [...(await renameMessage(docName, 'demo-card-s1', FORCED))] }
		);
		expect(refusal.code).toBe(CLOSE_CODES.readOnly);

		// The server's copy is unchanged, and so is every board.
		expect(await titleOnServer(docName, 'demo-card-s1', 'commander')).toBe(TITLE);
		for (const s of [commander, station, traffic]) expect(await tiles(s.page, FORCED).count()).toBe(0);
		expect(await tiles(station.page, TITLE).count()).toBe(1);
	});

	it('keeps an offline edit, says it is pending, and merges it with others’ edits when the page is back online', async () => {
		const notesOf = (page: Page) => page.getByTestId('card-editor').getByTestId('card-notes');
		const saveState = station.page.getByTestId('save-state');
		await openBoard(station.page, server.url, `?card=${newCardKey}`);
		await openBoard(commander.page, server.url, `?card=${newCardKey}`);
		const before = await notesOf(station.page).inputValue();
		const OFFLINE_NOTE = '【离线补记】北门铁马不足。';
		const ONLINE_NOTE = '【指挥部】已协调园林部门。';

		await station.context.setOffline(true);
		try {
			await expect.poll(() => saveState.textContent()).toMatch(/^离线( · 自 \d\d:\d\d 起)?$/);
			await station.page.getByTestId('card-editor').getByTestId('card-status').selectOption('blocked');
			await notesOf(station.page).click();
			await station.page.keyboard.press('Control+End');
			await station.page.keyboard.type(OFFLINE_NOTE);
			await expect.poll(() => saveState.textContent()).toMatch(/^离线.* · [1-9]\d* 项待发送$/);

			// Meanwhile the commander, online, adds to the same note; nothing of the offline edit reaches them.
			await notesOf(commander.page).click();
			await commander.page.keyboard.press('Control+Home');
			await commander.page.keyboard.type(ONLINE_NOTE);
			await expect.poll(() => commander.page.getByTestId('save-state').textContent()).toBe(ALL_SAVED);
			expect(await commander.page.getByTestId('card-status').inputValue()).toBe('todo');
			expect(await notesOf(commander.page).inputValue()).toBe(ONLINE_NOTE + before);
			// The offline page keeps its edit while it waits.
			expect(await notesOf(station.page).inputValue()).toBe(before + OFFLINE_NOTE);
		} finally {
			await station.context.setOffline(false);
		}

		const merged = ONLINE_NOTE + before + OFFLINE_NOTE;
		await expect.poll(() => saveState.textContent(), { timeout: 15_000 }).toBe(ALL_SAVED);
		expect(await station.page.locator('.notice.error').allTextContents()).toEqual([]);
		await expect.poll(() => notesOf(station.page).inputValue()).toBe(merged);
		await expect.poll(() => station.page.locator('.notice.ok[role=status]').textContent()).toMatch(/离线期间的 [1-9]\d* 项修改已合并到服务器/);
		await expect.poll(() => notesOf(commander.page).inputValue()).toBe(merged);
		await expect.poll(() => commander.page.getByTestId('card-status').inputValue()).toBe('blocked');
		await expect.poll(() => traffic.page.getByTestId('column-blocked').getByTestId('card-tile').filter({ hasText: NEW_TITLE }).count()).toBe(1);

		for (const { page } of [station, commander]) {
			await page.keyboard.press('Escape');
			await page.getByTestId('card-editor').waitFor({ state: 'detached' });
		}
	});

	it('puts a help request from traffic in the station’s cards, marked with who asked', async () => {
		const TITLE = '开放临时停车场 P3，设置指引牌';
		const { page } = traffic;
		await markWindow(station.page);
		await openBoard(page, server.url, '?card=traffic:demo-card-t2');
		const editor = page.getByTestId('card-editor');
		await editor.getByLabel('请求协助的单位').selectOption('station');
		await editor.getByTestId('card-request-help').click();
		await expect.poll(() => editor.locator('.notice.ok').textContent()).toContain('已向派出所发出协助请求');

		// The station lead, showing only the station's cards, finds the request with who asked.
		await station.page.getByTestId('filter-agency').selectOption('station');
		const request = tiles(station.page, TITLE);
		await request.waitFor({ timeout: 10_000 });
		expect(await request.locator('.agency').textContent()).toBe('派出所');
		expect(await request.locator('.request').textContent()).toBe('交警请求协助');
		expect(await stillSameWindow(station.page)).toBe(true);
		await request.click();
		expect(await station.page.getByTestId('card-editor').locator('header').textContent()).toContain('交警请求协助');
		// The station lead may work the request: it is in their own document.
		expect(await station.page.getByTestId('card-editor').getByTestId('card-title').getAttribute('readonly')).toBeNull();
	});

	it('keeps a help request asked with no network, and says it went once the network is back', async () => {
		const { page, context } = traffic;
		await openBoard(page, server.url, '?card=traffic:demo-card-t3');
		const editor = page.getByTestId('card-editor');
		const note = editor.locator('.notice.ok');
		await context.setOffline(true);
		try {
			await editor.getByLabel('请求协助的单位').selectOption('patrol');
			await editor.getByTestId('card-request-help').click();
			await expect.poll(() => note.textContent()).toContain('已保存在本机，联网后发送');
		} finally {
			await context.setOffline(false);
		}
		await expect.poll(() => note.textContent(), { timeout: 30_000 }).toMatch(/已向.+发出协助请求/);
		await page.keyboard.press('Escape');
	});
});
