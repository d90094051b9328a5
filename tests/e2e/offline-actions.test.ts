/**
 * A phone's work with no network (issue: field-ready phone), in Chromium at 390×844 with touch: offline, the lead
 * edits a card, adds a checklist item, checks in and acknowledges an instruction; the page closed and opened again
 * offline still holds all of it, shown as waiting; back online, the commander sees every edit, the check-in carries
 * the tap time, and the acknowledgement counts once even when the queue is sent a second time.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startServer, type TestServer } from '../helpers/server.ts';
import { launchBrowser, loginAs, newContext, screenshot } from '../helpers/browser.ts';
import { connectCommands, connectDoc, DEMO_EVENT, DEMO_PASSWORD, eventually, sessionCookie, whenSynced, type CommandSocketClient, type LiveDoc } from '../helpers/live.ts';
import { command, listen, type Listener } from '../helpers/commands.ts';
import { agencyDocName } from '../../src/lib/domain/documents.ts';
import { readShifts } from '../../src/lib/domain/roster.ts';
import { addShift } from '../../src/lib/domain/roster-write.ts';
import { cardsOf, readCard } from '../../src/lib/domain/board.ts';
import { DEMO_USERS } from '../../src/lib/server/demo/demo-data.ts';

const BOARD = `/events/${DEMO_EVENT}/board`;
const MINE = `/events/${DEMO_EVENT}/roster/mine`;
const INSTRUCTIONS = `/events/${DEMO_EVENT}/instructions`;
const DISPUTES = `/events/${DEMO_EVENT}/disputes`;
const ON_DUTY = `/events/${DEMO_EVENT}/roster`;
const ALL_SAVED = '所有修改已保存';
const CARD = '核查灯会周边出租屋流动人口登记';
const LEAD = DEMO_USERS.find((u) => u.username === 'lead.station')!.id;
const SHIFT = 'offline-lead-shift';

async function controlled(page: Page): Promise<void> {
	await page.evaluate(async () => {
		await navigator.serviceWorker.ready;
		if (!navigator.serviceWorker.controller) await new Promise((r) => navigator.serviceWorker.addEventListener('controllerchange', r, { once: true }));
	});
}

/** The queue as this device keeps it (the lead's own store in IndexedDB). */
function storedQueue(page: Page): Promise<unknown[]> {
	return page.evaluate(
		(userId) =>
			new Promise<unknown[]>((resolve) => {
				const req = indexedDB.open(`liandong:${userId}:device`);
				req.onsuccess = () => {
					const get = req.result.transaction('kv').objectStore('kv').get('queue');
					get.onsuccess = () => {
						resolve((get.result as unknown[]) ?? []);
						req.result.close();
					};
				};
			}),
		LEAD
	);
}

function putQueue(page: Page, items: unknown[]): Promise<void> {
	return page.evaluate(
		([userId, value]) =>
			new Promise<void>((resolve) => {
				const req = indexedDB.open(`liandong:${userId}:device`);
				req.onsuccess = () => {
					const tx = req.result.transaction('kv', 'readwrite');
					tx.objectStore('kv').put(value, 'queue');
					tx.oncomplete = () => {
						req.result.close();
						resolve();
					};
				};
			}),
		[LEAD, items] as const
	);
}

describe('actions on a phone with no network', () => {
	let server: TestServer;
	let browser: Browser;
	let context: BrowserContext;
	let page: Page;
	let commander: CommandSocketClient;
	let heard: Listener;
	let station: LiveDoc;
	let instructionId = '';

	beforeAll(async () => {
		server = await startServer({ demo: true });
		// The lead's own shift, started an hour ago, not yet checked in.
		const leadCookie = await sessionCookie(server.url, 'lead.station');
		station = connectDoc(server.url, agencyDocName(DEMO_EVENT, 'station'), { cookie: leadCookie });
		await whenSynced(station);
		const now = Date.now();
		addShift(station.doc, {
			id: SHIFT,
			postId: readShifts(station.doc, 'station')[0].postId,
			periodId: null,
			startsAt: new Date(now - 5 * 60_000).toISOString(),
			endsAt: new Date(now + 6 * 3_600_000).toISOString(),
			notes: null,
			people: [{ id: 'lead', userId: LEAD, name: '刘卫东', role: '带班' }]
		});
		commander = await connectCommands(server.url, { cookie: await sessionCookie(server.url, 'commander') });
		heard = listen(commander);
		await command(commander, 'event:join', DEMO_EVENT);
		const sent = await command(commander, 'instruction:send', { eventId: DEMO_EVENT, scope: 'agencies', targets: ['station'], priority: 'urgent', body: '南门出口限流，派出所加派两人', ackBy: null });
		if (!sent.ok) throw new Error(JSON.stringify(sent));
		instructionId = sent.instruction.id;

		browser = await launchBrowser();
		context = await newContext(browser, 'phone', { touch: true });
		page = await context.newPage();
		await loginAs(page, server.url, 'lead.station', DEMO_PASSWORD);
		await page.goto(server.url + BOARD);
		await controlled(page);
		// Each page opened once online under the worker's control, so that it opens again offline.
		for (const path of [INSTRUCTIONS, DISPUTES, ON_DUTY, MINE, BOARD]) {
			await page.goto(server.url + path);
			await page.getByTestId('save-state').filter({ hasText: ALL_SAVED }).waitFor({ timeout: 20_000 });
		}
		await page.goto(server.url + INSTRUCTIONS);
		await page.getByTestId('instruction-ack').first().waitFor();
	});
	afterAll(async () => {
		station?.destroy();
		commander?.disconnect();
		await context?.close();
		await browser?.close();
		await server?.dispose();
	});

	it('keeps edits and actions made offline through a closed page, sends them once online, and counts each once', async () => {
		await context.setOffline(true);
		// Offline: the board from the local copies; edit a card and add a checklist item.
		await page.goto(server.url + BOARD).catch(() => {});
		await page.getByTestId('card-tile').filter({ hasText: CARD }).tap();
		const editor = page.getByTestId('card-editor');
		await editor.getByTestId('card-title').fill(`${CARD}（离线）`);
		await page.keyboard.press('Tab');
		await editor.getByRole('textbox', { name: '添加', exact: true }).fill('离线时补的检查项');
		await editor.getByRole('button', { name: '添加', exact: true }).tap();
		await expect.poll(() => editor.getByTestId('card-save-state').textContent()).toMatch(/^离线.*待发送/);
		await screenshot(page, 'offline-card-editor-phone');

		await page.keyboard.press('Escape');
		await screenshot(page, 'offline-board-edits-phone');

		// Check in on my shift, and acknowledge the instruction.
		await page.goto(server.url + MINE).catch(() => {});
		const mine = page.locator(`[data-testid="my-shift"][data-shift-id="${SHIFT}"]`);
		const tapFrom = Date.now();
		await mine.getByTestId('check-in').tap();
		const tapTo = Date.now();
		await mine.getByTestId('queued-waiting').waitFor();
		await page.goto(server.url + INSTRUCTIONS).catch(() => {});
		await page.getByTestId('instruction-ack').first().tap();
		await page.getByTestId('queued-waiting').first().waitFor();
		await expect.poll(() => page.getByTestId('unsent-counts').textContent()).toMatch(/2 个操作待发送/);
		await page.getByTestId('connection-bar').locator('summary').tap();
		await screenshot(page, 'offline-queued-actions-phone');

		// The page closed (a discarded tab) and opened again, still offline: everything is there, waiting.
		await page.close();
		page = await context.newPage();
		await page.goto(server.url + INSTRUCTIONS).catch(() => {});
		await page.getByTestId('queued-waiting').first().waitFor({ timeout: 15_000 });
		// The card's edits, made by the closed page, are counted too (they wait in the local copy).
		await expect.poll(() => page.getByTestId('unsent-counts').textContent()).toMatch(/[1-9]\d* 项修改、2 个操作待发送/);
		expect(await page.getByTestId('instructions-badge').count()).toBe(0);
		const queued = await storedQueue(page);
		expect(queued).toHaveLength(2);

		// Online again: sent, with a note that says so.
		await context.setOffline(false);
		await page.getByTestId('queue-sent').waitFor({ timeout: 30_000 });
		expect(await page.getByTestId('queue-sent').textContent()).toMatch(/已发送离线时的 2 个操作/);
		await screenshot(page, 'offline-sent-note-phone');
		await page.getByTestId('save-state').filter({ hasText: ALL_SAVED }).waitFor({ timeout: 20_000 });

		// The commander's side: the edits, the check-in at its tap time, one acknowledgement.
		await eventually(() => {
			const card = [...cardsOf(station.doc).entries()].map(([id, map]) => readCard(id, map)).find((c) => c.title === `${CARD}（离线）`);
			return !!card && card.checklist.some((i) => i.text === '离线时补的检查项');
		}, 15_000, 'the offline edits to reach the server');
		await eventually(() => !!readShifts(station.doc, 'station').find((s) => s.id === SHIFT)?.checkins.lead?.inAt, 15_000, 'the check-in');
		const check = readShifts(station.doc, 'station').find((s) => s.id === SHIFT)!.checkins.lead;
		const tapped = Date.parse(check.inAt!);
		expect(tapped).toBeGreaterThanOrEqual(Math.floor(tapFrom / 1000) * 1000);
		expect(tapped).toBeLessThanOrEqual(tapTo);
		expect(Date.parse(check.inReceivedAt!)).toBeGreaterThan(tapped);
		await eventually(() => heard.heard['instruction:acked'].some((a) => a.instructionId === instructionId), 10_000, 'the acknowledgement');

		// The queue sent a second time (a lost answer, another tab): the server answers from memory, nothing doubles.
		await putQueue(page, queued);
		await page.reload();
		await expect.poll(async () => (await storedQueue(page)).length, { timeout: 20_000 }).toBe(0);
		const list = await command(commander, 'instruction:list', DEMO_EVENT);
		if (!list.ok) throw new Error(JSON.stringify(list));
		const acks = list.instructions.find((i) => i.id === instructionId)!.recipients.filter((r) => r.userId === LEAD && r.ackedAt);
		expect(acks).toHaveLength(1);
		expect(heard.heard['instruction:acked'].filter((a) => a.instructionId === instructionId)).toHaveLength(1);
		expect(readShifts(station.doc, 'station').find((s) => s.id === SHIFT)!.checkins.lead.inAt).toBe(check.inAt);
	});

	it('opens the disputes register (masked) and the roster’s on-duty view with no network', async () => {
		await context.setOffline(true);
		try {
			await page.goto(server.url + DISPUTES).catch(() => {});
			await page.getByTestId('dispute-row').first().waitFor({ timeout: 15_000 });
			const register = (await page.getByTestId('dispute-row').allTextContents()).join('\n');
			expect(register).toMatch(/\*/);
			expect(register).not.toMatch(/1[3-9]\d{9}/);
			await page.goto(server.url + ON_DUTY).catch(() => {});
			await page.getByTestId('post-now').first().waitFor({ timeout: 15_000 });
			expect(await page.getByTestId('post-now').count()).toBeGreaterThan(0);
			await expect.poll(() => page.getByTestId('save-state').textContent()).toMatch(/^离线/);
		} finally {
			await context.setOffline(false);
		}
	});

	it('offers a new version, but only once nothing waits to be sent', async () => {
		await page.goto(server.url + BOARD);
		await page.getByTestId('save-state').filter({ hasText: ALL_SAVED }).waitFor({ timeout: 20_000 });
		// A new deployment: the app's version file answers with another version from now on.
		await context.route('**/_app/version.json', (route) => route.fulfill({ contentType: 'application/json', body: JSON.stringify({ version: 'next-release' }) }));
		await context.setOffline(true);
		await page.getByTestId('card-tile').filter({ hasText: CARD }).tap();
		await page.getByTestId('card-editor').getByTestId('card-title').fill(`${CARD}（更新前）`);
		await page.keyboard.press('Tab');
		await page.keyboard.press('Escape');
		await page.evaluate(() => document.dispatchEvent(new Event('visibilitychange')));
		const notice = page.getByTestId('update-notice');
		await notice.waitFor({ timeout: 15_000 });
		await expect.poll(() => notice.textContent(), { timeout: 10_000 }).toMatch(/尚未发送，发送后再更新/);
		expect(await page.getByTestId('update-reload').count()).toBe(0);
		await screenshot(page, 'update-waiting-phone');
		await context.setOffline(false);
		await page.getByTestId('update-reload').waitFor({ timeout: 20_000 });
		await screenshot(page, 'update-offered-phone');
		await context.unroute('**/_app/version.json');
	});

	it('leaves nothing of the last person to the next one who signs in on the same phone without a sign-out', async () => {
		// The lead's session simply ends (expired, or the phone handed over); the next person signs in.
		await context.clearCookies();
		await loginAs(page, server.url, 'member.station', DEMO_PASSWORD);
		await page.goto(server.url + BOARD);
		await page.getByTestId('save-state').filter({ hasText: ALL_SAVED }).waitFor({ timeout: 20_000 });
		await expect
			.poll(() => page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name ?? '').filter((n) => n.startsWith('liandong:demo-user-lead-station:'))))
			.toEqual([]);
		// The lead's instructions page was kept for the lead; offline, the member is told it was never opened here.
		await context.setOffline(true);
		try {
			await page.goto(server.url + INSTRUCTIONS).catch(() => {});
			await expect.poll(() => page.locator('h1').first().textContent()).toBe('离线：此页面无法打开');
		} finally {
			await context.setOffline(false);
		}
	});
});
