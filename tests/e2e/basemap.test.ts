/**
 * The offline basemap (底图) in Chromium: the demo's PMTiles basemap lies under its georeferenced plan on the map
 * page, a phone and the wall (one picture painted from tiles Liandong serves itself); the plan can be switched off to show the basemap
 * instead; the commander chooses the basemap and nobody else is offered the choice.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startServer, type TestServer } from '../helpers/server.ts';
import { launchBrowser, loginAs, newContext, screenshot, visit, type VIEWPORTS } from '../helpers/browser.ts';
import { DEMO_EVENT, DEMO_PASSWORD } from '../helpers/live.ts';
import { createDisplayToken, demoClient } from '../helpers/commands.ts';

const MAP = `/events/${DEMO_EVENT}/map`;

/** Collects the basemap tiles a page was answered with, and every request that left for another host. */
function watch(page: Page, origin: string): { tiles: Array<{ status: number; type: string }>; foreign: string[] } {
	const seen = { tiles: [] as Array<{ status: number; type: string }>, foreign: [] as string[] };
	page.on('request', (r) => {
		if (!r.url().startsWith(origin) && !r.url().startsWith('data:') && !r.url().startsWith('blob:')) seen.foreign.push(r.url());
	});
	page.on('response', (r) => {
		if (/\/basemap\/\d+\/\d+\/\d+$/.test(new URL(r.url()).pathname)) seen.tiles.push({ status: r.status(), type: r.headers()['content-type'] ?? '' });
	});
	return seen;
}

/** Waits until the basemap's picture is on the map, and says how many sampled pixels of it are not blank. */
async function paintedTiles(page: Page, scope = ''): Promise<number> {
	const sel = `${scope} canvas.leaflet-image-layer.basemap`;
	await page.waitForFunction((s) => [...document.querySelectorAll<HTMLCanvasElement>(s)].some((c) => c.width > 0 && c.isConnected), sel, { timeout: 20_000 });
	return page.evaluate((s) => {
		let painted = 0;
		for (const c of document.querySelectorAll<HTMLCanvasElement>(s)) {
			if (!c.width) continue;
			const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
			for (let i = 3; i < data.length; i += 4 * 997) if (data[i] > 0) painted++;
		}
		return painted;
	}, sel);
}

/** The plan's image (the basemap's picture is placed as an image layer too, a canvas). */
const PLAN = '.leaflet-image-layer:not(.basemap)';

describe('the offline basemap', () => {
	let server: TestServer;
	let browser: Browser;

	beforeAll(async () => {
		server = await startServer({ demo: true });
		browser = await launchBrowser();
	});
	afterAll(async () => {
		await browser?.close();
		await server?.dispose();
	});

	it('lies under the demo plan on the commander’s map, painted from tiles Liandong serves, painted again when zoomed in, and shows alone when the plan is switched off', async () => {
		const context = await newContext(browser, 'desktop');
		try {
			const page = await context.newPage();
			const seen = watch(page, server.url);
			await loginAs(page, server.url, 'commander', DEMO_PASSWORD);
			await visit(page, server.url + MAP);
			expect(await paintedTiles(page)).toBeGreaterThan(100);
			expect(seen.tiles.length).toBeGreaterThan(0);
			expect(seen.tiles.filter((t) => t.status === 200).every((t) => t.type === 'image/png')).toBe(true);
			await page.locator(PLAN).waitFor();
			await expect.poll(() => page.locator('.map-label.post').count()).toBe(4);
			// The commander is offered the basemaps of the data folder, the demo's chosen.
			expect(await page.getByTestId('basemap-select').inputValue()).toBe('demo-lantern');
			await screenshot(page, 'basemap-desktop');
			// Zoomed in past its detail, the picture is painted again for the closer view, and replaces the first.
			const first = await page.locator('canvas.basemap').first().getAttribute('data-painting');
			await page.locator('.leaflet-control-zoom-in').click();
			await page.locator('.leaflet-control-zoom-in').click();
			await expect.poll(() => page.locator('canvas.basemap').evaluateAll((pictures) => pictures.map((c) => c.getAttribute('data-painting')))).not.toContain(first);
			expect(await paintedTiles(page)).toBeGreaterThan(100);
			await expect.poll(() => page.locator('canvas.basemap').count()).toBe(1);

			await page.getByTestId('layer-plan').uncheck();
			await expect.poll(() => page.locator(PLAN).count()).toBe(0);
			expect(await paintedTiles(page)).toBeGreaterThan(100);
			// Posts and zones stay where they were: they are in plan coordinates, and the basemap is tied to the plan.
			expect(await page.locator('.map-label.zone').count()).toBe(6);
			await screenshot(page, 'basemap-desktop-no-plan');
			expect(seen.foreign).toEqual([]);
		} finally {
			await context.close();
		}
	});

	it('shows on a phone, where a member has no choice of basemap', async () => {
		const context = await newContext(browser, 'phone', { touch: true });
		try {
			const page = await context.newPage();
			await loginAs(page, server.url, 'member.station', DEMO_PASSWORD);
			await visit(page, server.url + MAP);
			expect(await paintedTiles(page)).toBeGreaterThan(100);
			expect(await page.getByTestId('basemap-select').count()).toBe(0);
			await screenshot(page, 'basemap-phone');
			// The tiles are the event's: a signed-out request gets none.
			const anonymous = await fetch(`${server.url}${MAP}/basemap/16/53416/26097`);
			expect(anonymous.status).toBe(401);
		} finally {
			await context.close();
		}
	});

	for (const size of ['wall', 'wall4k'] as Array<keyof typeof VIEWPORTS>) {
		it(`fills the wall's map panel at ${size === 'wall' ? '1920×1080' : '3840×2160'}`, async () => {
			const token = await createDisplayToken(await demoClient(server.url, 'commander'), `底图大屏 ${size}`);
			const context = await newContext(browser, size);
			try {
				const wall = await context.newPage();
				const seen = watch(wall, server.url);
				await wall.goto(`${server.url}/wall/${token}`);
				await wall.getByTestId('wall-map').locator(PLAN).waitFor({ timeout: 20_000 });
				expect(await paintedTiles(wall, '[data-testid="wall-map"]')).toBeGreaterThan(50);
				expect(seen.tiles.some((t) => t.status === 200)).toBe(true);
				expect(seen.foreign).toEqual([]);
				await screenshot(wall, `basemap-${size}`);
			} finally {
				await context.close();
			}
		});
	}
});
