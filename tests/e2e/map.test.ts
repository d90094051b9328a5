/**
 * The venue map (一张图) in Chromium: the demo's plan with its posts, routes, zones and pins; the commander draws a
 * zone and places a post, a second person sees them live; a lead pins their own agency's card; another agency's
 * lead has no control over it and a forced write is refused; disputes stay masked.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startServer, type TestServer } from '../helpers/server.ts';
import { launchBrowser, loginAs, newContext, screenshot, visit } from '../helpers/browser.ts';
import { connectDoc, DEMO_EVENT, DEMO_PASSWORD, eventually, nextClose, sessionCookie, whenSynced } from '../helpers/live.ts';
import { agencyDocName, commandDocName } from '../../src/lib/domain/documents.ts';
import { readZones } from '../../src/lib/domain/venue-map.ts';
import { pointsOf } from '../../src/lib/domain/geometry.ts';
import { setPin } from '../../src/lib/domain/venue-map.ts';
import { CLOSE_CODES } from '../../src/lib/domain/wire.ts';
import * as Y from 'yjs';
import sharp from 'sharp';
import { createDisplayToken, demoClient } from '../helpers/commands.ts';

const MAP = `/events/${DEMO_EVENT}/map`;

interface Person {
	context: BrowserContext;
	page: Page;
}

async function open(browser: Browser, base: string, user: string, viewport: 'phone' | 'desktop' = 'desktop'): Promise<Person> {
	const context = await newContext(browser, viewport, viewport === 'phone' ? { touch: true } : {});
	const page = await context.newPage();
	await loginAs(page, base, user, DEMO_PASSWORD);
	await visit(page, base + MAP);
	// The plan has loaded and is drawn.
	await page.waitForFunction(() => [...document.querySelectorAll('.leaflet-image-layer:not(.basemap)')].some((i) => (i as HTMLImageElement).naturalWidth > 0), null, { timeout: 20_000 });
	return { context, page };
}

/**
 * Waits for what a page shows once a live update reached it; when it does not come, the error carries what the page
 * and the server said, so a failure on a loaded machine can be told apart from a lost update.
 */
async function awaitLive(page: Page, server: TestServer, what: string, action: () => Promise<unknown>): Promise<void> {
	try {
		await action();
	} catch (err) {
		const shown = (await page.locator('main').innerText().catch(() => '')).slice(0, 400);
		const said = server.output().split('\n').filter((l) => /warn|error|hub|disconnect/i.test(l)).slice(-12).join('\n');
		throw new Error(`${what}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}\npage shows: ${shown}\nserver said:\n${said}`);
	}
}

/** Clicks the plan at a fraction of the map's box. */
async function clickMap(page: Page, fx: number, fy: number): Promise<void> {
	const box = (await page.getByTestId('venue-map').boundingBox())!;
	await page.mouse.click(box.x + box.width * fx, box.y + box.height * fy);
}

describe('the venue map', () => {
	let server: TestServer;
	let browser: Browser;
	let commander: Person;
	let lead: Person;

	beforeAll(async () => {
		server = await startServer({ demo: true });
		browser = await launchBrowser();
		commander = await open(browser, server.url, 'commander');
		lead = await open(browser, server.url, 'lead.station');
	});
	afterAll(async () => {
		await browser?.close();
		await server?.dispose();
	});

	it('shows the demo plan with its posts and staffing, zones and pins', async () => {
		const { page } = commander;
		await expect.poll(() => page.locator('.map-label.post').count()).toBe(4);
		expect(await page.locator('.map-label.zone').count()).toBe(6);
		expect((await page.locator('.map-label.post').allTextContents()).some((t) => /^南门入口固定岗 · 在岗 \d+\/4$/.test(t))).toBe(true);
		expect(await page.locator('.map-label.zone').allTextContents()).toContain('主灯区');
		await screenshot(page, 'map-desktop');
	});

	it('fits a phone, with the member’s own post marked', async () => {
		const phone = await open(browser, server.url, 'member.station', 'phone');
		try {
			await expect.poll(() => phone.page.locator('.map-label.post').count()).toBeGreaterThan(0);
			await screenshot(phone.page, 'map-phone');
		} finally {
			await phone.context.close();
		}
	});

	it('replays the map as it stood, on the review page', async () => {
		const review = await commander.context.newPage();
		try {
			await visit(review, `${server.url}/events/${DEMO_EVENT}/review`);
			const map = review.getByTestId('replay-map');
			await map.locator('.leaflet-image-layer:not(.basemap)').waitFor({ timeout: 20_000 });
			await expect.poll(() => map.locator('.map-label.post').count()).toBe(4);
			expect(await map.locator('.map-label.zone').allTextContents()).toContain('主灯区');
		} finally {
			await review.close();
		}
	});

	it('lets the commander draw a zone, which the lead sees at once', async () => {
		const { page } = commander;
		await page.getByTestId('zone-name').fill('北侧临时观灯区');
		await page.getByTestId('zone-kind').selectOption('crowd');
		await page.getByTestId('draw-zone').click();
		for (const [x, y] of [[0.2, 0.2], [0.35, 0.2], [0.35, 0.3], [0.2, 0.3]]) await clickMap(page, x, y);
		await page.getByTestId('map-finish').click();
		await expect.poll(() => lead.page.locator('.map-label.zone').allTextContents()).toContain('北侧临时观灯区');
		// As stored: a polygon of four points in plan coordinates.
		const doc = connectDoc(server.url, commandDocName(DEMO_EVENT), { cookie: await sessionCookie(server.url, 'reviewer') });
		try {
			await whenSynced(doc);
			const zone = readZones(doc.doc).find((z) => z.name === '北侧临时观灯区')!;
			expect(zone.points).toHaveLength(4);
		} finally {
			doc.destroy();
		}
	});

	it('refuses a zone whose edges cross, and says why', async () => {
		const { page } = commander;
		await page.getByTestId('draw-zone').click();
		for (const [x, y] of [[0.5, 0.5], [0.6, 0.6], [0.6, 0.5], [0.5, 0.6]]) await clickMap(page, x, y);
		await page.getByTestId('map-finish').click();
		expect(await page.getByTestId('map-picking').locator('.notice.error').textContent()).toContain('边不能交叉');
		await page.getByRole('button', { name: '取消' }).click();
	});

	it('lets a lead pin their own agency’s card, and gives another agency’s lead no control over it', async () => {
		const card = lead.page.getByTestId('map-card').filter({ hasText: '夜市警务室值守' });
		await card.getByTestId('pin-card').click();
		await clickMap(lead.page, 0.55, 0.55);
		const station = connectDoc(server.url, agencyDocName(DEMO_EVENT, 'station'), { cookie: await sessionCookie(server.url, 'reviewer') });
		try {
			await whenSynced(station);
			await eventually(() => {
				const m = station.doc.getMap('cards').get('demo-card-s2');
				return m instanceof Y.Map && pointsOf(m.get('pin'), 'point') !== null;
			}, 10_000, 'the pin to be stored');
		} finally {
			station.destroy();
		}
		const traffic = await open(browser, server.url, 'lead.traffic');
		try {
			const theirs = traffic.page.getByTestId('map-card').filter({ hasText: '夜市警务室值守' });
			await theirs.waitFor();
			expect(await theirs.getByTestId('pin-card').count()).toBe(0);
		} finally {
			await traffic.context.close();
		}
		// Forced: the traffic lead reads the station's document only; a member of the station may not place pins.
		const forced = connectDoc(server.url, agencyDocName(DEMO_EVENT, 'station'), { cookie: await sessionCookie(server.url, 'lead.traffic') });
		try {
			await whenSynced(forced);
			const closed = nextClose(forced);
			forced.provider.doc.off('update', () => {});
			setPin(forced.doc, 'cards', 'demo-card-s2', [10, 10]);
			expect([CLOSE_CODES.readOnly, CLOSE_CODES.refused]).toContain((await closed).code);
		} finally {
			forced.destroy();
		}
		const member = connectDoc(server.url, agencyDocName(DEMO_EVENT, 'station'), { cookie: await sessionCookie(server.url, 'member.station') });
		try {
			await whenSynced(member);
			const closed = nextClose(member);
			setPin(member.doc, 'cards', 'demo-card-s3', [10, 10]);
			expect((await closed).code).toBe(CLOSE_CODES.refused);
		} finally {
			member.destroy();
		}
	});

	it('lets a keyboard place a pin: arrow keys move the plan under the cross, Enter places it', async () => {
		const page = lead.page;
		const card = page.getByTestId('map-card').filter({ hasText: '灯会开幕式安保复盘' }).or(page.getByTestId('map-card').filter({ hasText: '城墙马道临时封闭' }));
		await card.first().getByTestId('pin-card').focus();
		await page.keyboard.press('Enter');
		await page.getByTestId('venue-map').focus();
		for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');
		await page.keyboard.press('Enter');
		await page.getByTestId('map-picking').waitFor({ state: 'detached' });
		const station = connectDoc(server.url, agencyDocName(DEMO_EVENT, 'station'), { cookie: await sessionCookie(server.url, 'reviewer') });
		try {
			await whenSynced(station);
			await eventually(() => {
				const m = station.doc.getMap('cards').get('demo-card-s6');
				return m instanceof Y.Map && pointsOf(m.get('pin'), 'point') !== null && JSON.stringify(m.get('pin')) !== JSON.stringify([230 * 2, 560 * 2]);
			}, 10_000, 'the pin placed from the keyboard');
		} finally {
			station.destroy();
		}
	});

	it('keeps disputes masked on the map for everyone not cleared', async () => {
		const member = await open(browser, server.url, 'member.traffic');
		try {
			await member.page.getByText('高风险纠纷').first().click();
			const text = await member.page.getByTestId('map-page').textContent();
			expect(text).toMatch(/\*/);
			expect(text).not.toMatch(/1[3-9]\d{9}/);
		} finally {
			await member.context.close();
		}
	});

	it('shows the commander’s new zone on the wall as well, live', async () => {
		const token = await createDisplayToken(await demoClient(server.url, 'commander'), '地图大屏');
		const context = await newContext(browser, 'wall');
		try {
			const wall = await context.newPage();
			await wall.goto(`${server.url}/wall/${token}`);
			await wall.getByTestId('wall-map').locator('.leaflet-image-layer:not(.basemap)').waitFor({ timeout: 20_000 });
			await expect.poll(() => wall.locator('[data-testid="wall-map"] .map-label.zone').allTextContents()).toContain('北侧临时观灯区');
		} finally {
			await context.close();
		}
	});

	it('takes a new plan from the commander, and refuses a file that is not an image, saying so', async () => {
		const { page } = commander;
		const before = await page.locator('.leaflet-image-layer:not(.basemap)').getAttribute('src');
		await page.getByTestId('plan-file').setInputFiles({ name: 'notes.png', mimeType: 'image/png', buffer: Buffer.from('这不是图片') });
		await page.getByTestId('plan-upload').click();
		await expect.poll(() => page.locator('.notice.error').first().textContent()).toContain('无法识别为 PNG、JPEG 或 SVG 图片');
		expect(await page.locator('.leaflet-image-layer:not(.basemap)').getAttribute('src')).toBe(before);
		const png = await sharp({ create: { width: 1200, height: 800, channels: 3, background: '#dfe8f1' } }).png().toBuffer();
		await page.getByTestId('plan-file').setInputFiles({ name: 'plan.png', mimeType: 'image/png', buffer: png });
		await page.getByTestId('plan-upload').click();
		await expect.poll(() => page.locator('.leaflet-image-layer:not(.basemap)').getAttribute('src')).not.toBe(before);
		// The lead's open map follows.
		await expect.poll(() => lead.page.locator('.leaflet-image-layer:not(.basemap)').getAttribute('src')).toBe(await page.locator('.leaflet-image-layer:not(.basemap)').getAttribute('src'));
	});

	it('ties the plan to GPS with control points, so a lead pins a card at their phone’s position', async () => {
		const { page } = commander;
		// Three corners of the 1200×800 plan uploaded above, in WGS-84.
		await page.getByTestId('map-controls').fill('0, 0, 108.940, 34.260\n1200, 0, 108.952, 34.260\n0, 800, 108.940, 34.252');
		await page.getByTestId('map-controls-save').click();
		await expect.poll(() => page.locator('.notice.ok').allTextContents()).toContain('控制点已保存。');
		await lead.context.grantPermissions(['geolocation'], { origin: server.url });
		await lead.context.setGeolocation({ longitude: 108.946, latitude: 34.256 });
		const card = lead.page.getByTestId('map-card').filter({ hasText: '核查灯会周边出租屋流动人口登记' });
		await awaitLive(lead.page, server, 'the lead’s map knows the control points', () => card.getByTestId('pin-card-here').click());
		const station = connectDoc(server.url, agencyDocName(DEMO_EVENT, 'station'), { cookie: await sessionCookie(server.url, 'reviewer') });
		try {
			await whenSynced(station);
			await eventually(() => {
				const m = station.doc.getMap('cards').get('demo-card-s3');
				const pin = m instanceof Y.Map ? pointsOf(m.get('pin'), 'point')?.[0] : null;
				return !!pin && Math.abs(pin[0] - 600) < 1 && Math.abs(pin[1] - 400) < 1;
			}, 10_000, 'the pin at the plan point of the phone’s position (600, 400)');
		} finally {
			station.destroy();
		}
		// Three points on one line are refused, by name.
		await page.getByTestId('map-controls').fill('0, 0, 108.940, 34.260\n600, 0, 108.946, 34.260\n1200, 0, 108.952, 34.260');
		await page.getByTestId('map-controls-save').click();
		await expect.poll(() => page.locator('.notice.error').allTextContents()).toContain('控制点不能在一条直线上。');
	});

	it('lets a member on duty share their position, which the commander sees on the plan', async () => {
		const member = await open(browser, server.url, 'member.station', 'phone');
		try {
			await member.context.grantPermissions(['geolocation'], { origin: server.url });
			await member.context.setGeolocation({ longitude: 108.943, latitude: 34.258 });
			// Not checked in: nothing to share.
			expect(await member.page.getByTestId('share-position').count()).toBe(0);
			await visit(member.page, `${server.url}/events/${DEMO_EVENT}/roster/mine`);
			await member.page.locator('[data-testid="my-shift"][data-shift-id="demo-shift-gate-now"]').getByTestId('check-in').click();
			await visit(member.page, server.url + MAP);
			await awaitLive(member.page, server, 'the member’s map offers sharing (control points and on duty)', () => member.page.getByTestId('share-toggle').check());
			await expect.poll(() => commander.page.getByTestId('positions-count').textContent(), { timeout: 15_000 }).toBe('人员位置（1）');
			expect(await commander.page.locator('.map-label.person').allTextContents()).toEqual(['王建国']);
			await screenshot(member.page, 'map-phone-sharing');
		} finally {
			await member.context.close();
		}
	});
});
