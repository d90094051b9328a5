/**
 * 巡更 in Chromium (issue: command rhythm): the commander sets up a patrol route's checkpoints; a patrol member at
 * 390×844 scans a checkpoint from a photo of its printed label (the label sheet rendered, its QR cut out, and set
 * through the scanner's photo input, decoded in the page); another scan made offline waits and counts at its moment
 * once back online; the route's round fills in on the commander's page. A route whose last round was missed is
 * flagged on the roster and the wall (the route's start moved an hour back in the database, as if it had been set up
 * then).
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import sharp from 'sharp';
import { sql } from 'kysely';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startServer, type TestServer } from '../helpers/server.ts';
import { launchBrowser, loginAs, newContext, screenshot, visit } from '../helpers/browser.ts';
import { connectDoc, DEMO_EVENT, DEMO_PASSWORD, eventually, whenSynced } from '../helpers/live.ts';
import { createDisplayToken, demoClient } from '../helpers/commands.ts';
import type { HttpClient } from '../helpers/http.ts';
import { openDatabase } from '../../src/lib/server/db/database.ts';
import { renderPdfPage } from '../helpers/pdf.ts';
import { commandDocName } from '../../src/lib/domain/documents.ts';
import { readPosts } from '../../src/lib/domain/roster.ts';
import { tmpdir } from 'node:os';

const PATROL = `/events/${DEMO_EVENT}/patrol`;

describe('patrol checks on a phone', () => {
	let server: TestServer;
	let browser: Browser;
	let desk: Page;
	let phone: BrowserContext;
	let member: Page;
	let postId = '';
	let commander: HttpClient;

	beforeAll(async () => {
		server = await startServer({ demo: true });
		commander = await demoClient(server.url, 'commander');
		const live = connectDoc(server.url, commandDocName(DEMO_EVENT), { cookie: commander.cookieHeader() });
		await whenSynced(live);
		postId = readPosts(live.doc).find((p) => p.kind === 'patrol' && p.agency === 'patrol')!.id;
		live.destroy();
		browser = await launchBrowser();
		desk = await (await newContext(browser, 'desktop')).newPage();
		await loginAs(desk, server.url, 'commander', DEMO_PASSWORD);
		phone = await newContext(browser, 'phone', { touch: true });
		member = await phone.newPage();
		await loginAs(member, server.url, 'member.station', DEMO_PASSWORD);
	}, 120_000);
	afterAll(async () => {
		await browser?.close();
		await server?.dispose();
	});

	it('sets up checkpoints, scans one from a photo of its label, and one offline that counts when back', async () => {
		await visit(desk, `${server.url}${PATROL}`);
		const route = desk.getByTestId('patrol-route').filter({ hasText: '东街巡逻线' });
		for (const name of ['北门岗亭', '灯组西侧']) {
			await route.getByTestId('patrol-new-name').fill(name);
			await route.getByTestId('patrol-add').click();
			await route.getByTestId('patrol-checkpoint').filter({ hasText: name }).waitFor();
		}
		// The label sheet as printed, one label cut out as a phone would photograph it.
		const pdf = await (await desk.request.get(`${server.url}${PATROL}/labels/${postId}`)).body();
		const page = await renderPdfPage(new Uint8Array(pdf), 1, `${tmpdir()}/patrol-sheet.png`, 2);
		const { width, height } = await sharp(Buffer.from(page)).metadata();
		const cell = (col: number) => sharp(Buffer.from(page)).extract({ left: Math.floor((col * width!) / 2), top: Math.floor(height! * 0.08), width: Math.floor(width! / 2), height: Math.floor(height! * 0.29) }).png().toBuffer();

		await visit(member, `${server.url}${PATROL}`);
		await member.getByTestId('patrol-scanner').waitFor();
		await member.setInputFiles('[data-testid=patrol-photo]', { name: 'label.png', mimeType: 'image/png', buffer: await cell(0) });
		const result = member.getByTestId('patrol-result');
		await result.waitFor();
		// A page just opened may still be connecting (on a loaded machine, longer than the queue's grace): the scan
		// then shows as waiting, and its answer replaces that once it goes.
		const said = () => result.textContent().then((t) => t ?? '');
		const answered = '已打卡：北门岗亭（东街巡逻线）';
		await eventually(async () => (await said()).includes(answered), 30_000).catch(async () => expect(await said()).toContain(answered));
		await screenshot(member, 'patrol-scanner-phone');

		await phone.setOffline(true);
		await member.setInputFiles('[data-testid=patrol-photo]', { name: 'label2.png', mimeType: 'image/png', buffer: await cell(1) });
		await eventually(async () => (await said()).includes('联网后发送'), 10_000, 'the offline scan waits');
		await phone.setOffline(false);
		await eventually(async () => (await said()).includes('已打卡：灯组西侧（东街巡逻线）'), 30_000, 'the waiting scan says it was counted once sent');
		await eventually(async () => /本圈 2\/2/.test((await route.textContent()) ?? ''), 30_000, 'both checkpoints counted on the commander’s page');
		await screenshot(desk, 'patrol-routes-desktop');
	}, 180_000);

	it('flags on the roster and the wall a route whose last round was not walked', async () => {
		// Before: the route's rounds are on time, so the roster (once it has the routes) flags nothing.
		const routesLoaded = desk.waitForResponse((r) => r.url().endsWith(`/api/events/${DEMO_EVENT}/patrol`) && r.ok());
		await visit(desk, `${server.url}/events/${DEMO_EVENT}/roster`);
		await routesLoaded;
		await desk.getByTestId('on-duty-total').waitFor();
		expect(await desk.getByTestId('patrol-overdue').count()).toBe(0);
		const token = await createDisplayToken(commander, '巡更测试大屏');

		// The checkpoints were set up 61 minutes ago: the first hourly round ended a minute ago with nothing scanned
		// (the scans above fall in the second round). The embedded database has one owner, so the server steps aside.
		const embedded = !server.env.DATABASE_URL;
		if (embedded) await server.stop();
		const database = await openDatabase({ databaseUrl: server.env.DATABASE_URL, dataDir: server.env.DATA_DIR ?? '' });
		try {
			// A checkpoint's creation time is never updated by the app (the schema's type says so); the test does it in SQL.
			const moved = await sql`update patrol_checkpoints set created_at = ${new Date(Date.now() - 61 * 60_000)} where event_id = ${DEMO_EVENT} and post_id = ${postId}`.execute(database.db);
			expect(Number(moved.numAffectedRows)).toBe(2);
		} finally {
			await database.close();
		}
		if (embedded) await server.restart();

		await visit(desk, `${server.url}/events/${DEMO_EVENT}/roster`);
		const flag = desk.getByTestId('patrol-overdue');
		await flag.waitFor({ timeout: 20_000 });
		expect(await flag.textContent()).toContain('东街巡逻线');
		await screenshot(desk, 'patrol-overdue-roster-desktop');

		const wallContext = await newContext(browser, 'wall');
		try {
			const wall = await wallContext.newPage();
			await visit(wall, `${server.url}/wall/${token}`);
			const onWall = wall.getByTestId('wall-patrol-overdue');
			await onWall.waitFor({ timeout: 20_000 });
			expect(await onWall.textContent()).toContain('东街巡逻线');
			await screenshot(wall, 'patrol-overdue-wall-1080p');
		} finally {
			await wallContext.close();
		}

		// The patrol page says the same of the route: its last round missed.
		await visit(desk, `${server.url}${PATROL}`);
		const route = desk.getByTestId('patrol-route').filter({ hasText: '东街巡逻线' });
		await eventually(async () => ((await route.textContent()) ?? '').includes('巡更超时'), 20_000, 'the route overdue on the patrol page');
	}, 180_000);
});
