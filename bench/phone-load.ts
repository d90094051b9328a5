/**
 * The board's load on a phone in a crowd (issue: field-ready phone): a signed-in team lead opens the board over an
 * emulated slow 4G link (Chrome DevTools Protocol network emulation, DevTools' "Slow 4G": 562.5 ms latency,
 * 1.44 Mbit/s down, 675 kbit/s up), first on a new device, then again once the service worker holds the app.
 * Measured: time from navigation until the first card is on screen, and bytes that crossed the network.
 */
import type { Browser, CDPSession, Page } from 'playwright-core';
import { launchBrowser, newContext } from '../tests/helpers/browser.ts';
import { sessionCookie } from '../tests/helpers/live.ts';
import type { TestServer } from '../tests/helpers/server.ts';

/** DevTools' "Slow 4G" preset (the link Lighthouse's mobile runs simulate). */
export const SLOW_4G = { latency: 562.5, downloadThroughput: (1.44 * 1024 * 1024) / 8, uploadThroughput: (675 * 1024) / 8 };

export interface PhoneLoadFigures {
	link: string;
	first: { ms: number; bytes: number; requests: number };
	/** The first load on a device without a Chinese system font: the app's web font crosses the link too. */
	firstWithWebFont: { ms: number; bytes: number; requests: number };
	repeat: { ms: number; bytes: number; requests: number };
	/** The same repeat load with no network at all (the app shell and the local copies alone). */
	offline: { ms: number };
}

/** Counts what crosses the network (service worker and memory-cache answers carry no bytes). */
async function meter(cdp: CDPSession): Promise<{ reset(): void; read(): { bytes: number; requests: number } }> {
	let bytes = 0;
	let requests = 0;
	await cdp.send('Network.enable');
	cdp.on('Network.loadingFinished', (e) => {
		bytes += e.encodedDataLength;
		requests++;
	});
	cdp.on('Network.webSocketFrameReceived', (e) => (bytes += e.response.payloadData.length));
	return {
		reset: () => {
			bytes = 0;
			requests = 0;
		},
		read: () => ({ bytes, requests })
	};
}

/**
 * Applies the same link to the app's service worker: network emulation set on a page leaves the worker's own
 * fetches alone, and a repeat load's page requests go through the worker. Attached through the browser's target
 * list (a worker is not a page that Playwright opens a session on).
 */
async function throttleServiceWorker(browser: Browser, conditions: Record<string, unknown>): Promise<boolean> {
	const cdp = await browser.newBrowserCDPSession();
	const { targetInfos } = (await cdp.send('Target.getTargets')) as { targetInfos: Array<{ targetId: string; type: string }> };
	const workers = targetInfos.filter((t) => t.type === 'service_worker');
	let id = 1;
	for (const w of workers) {
		const { sessionId } = (await cdp.send('Target.attachToTarget', { targetId: w.targetId, flatten: false })) as { sessionId: string };
		for (const [method, params] of [['Network.enable', {}], ['Network.emulateNetworkConditions', conditions]] as const) {
			await cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id: id++, method, params }) });
		}
	}
	return workers.length > 0;
}

async function timeToCards(page: Page, url: string): Promise<number> {
	const t0 = performance.now();
	await page.goto(url, { waitUntil: 'commit', timeout: 60_000 }).catch(() => {});
	await page.getByTestId('card-tile').first().waitFor({ timeout: 60_000 });
	const ms = Math.round(performance.now() - t0);
	if (process.env.BENCH_DEBUG) {
		console.log(await page.evaluate(() => {
			const n = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
			const r = (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).map((e) => `${e.name.slice(-40)} ${Math.round(e.startTime)}-${Math.round(e.responseEnd)}`);
			return `nav start ${Math.round(n.startTime)} workerStart ${Math.round(n.workerStart)} fetchStart ${Math.round(n.fetchStart)} responseStart ${Math.round(n.responseStart)} responseEnd ${Math.round(n.responseEnd)} dcl ${Math.round(n.domContentLoadedEventEnd)} now ${Math.round(performance.now())}\n` + r.join('\n');
		}));
	}
	return ms;
}

/**
 * The bench's Chromium has no Chinese font; a phone has one, and never asks for the web font (it stands after the
 * system fonts in the font list). Blocking the web font's files makes the test browser load like such a phone.
 */
async function likeAPhoneWithChineseFont(context: import('playwright-core').BrowserContext): Promise<void> {
	await context.route(/noto-sans-sc-.*\.woff2?$/, (route) => route.abort());
}

async function firstLoad(browser: Browser, server: TestServer, board: string, systemFont: boolean): Promise<{ ms: number; bytes: number; requests: number }> {
	const context = await newContext(browser, 'phone', { touch: true });
	try {
		if (systemFont) await likeAPhoneWithChineseFont(context);
		const [name, value] = (await sessionCookie(server.url, 'lead.station')).split('=');
		await context.addCookies([{ name, value, url: server.url }]);
		const page = await context.newPage();
		const cdp = await context.newCDPSession(page);
		const net = await meter(cdp);
		await cdp.send('Network.emulateNetworkConditions', { offline: false, ...SLOW_4G });
		const ms = await timeToCards(page, board);
		// Bytes still arriving for what the page started (fonts, the documents' sync) count too.
		await page.waitForTimeout(2_000);
		return { ms, ...net.read() };
	} finally {
		await context.close();
	}
}

export async function measurePhoneLoad(server: TestServer, eventId: string, log: (m: string) => void): Promise<PhoneLoadFigures> {
	const board = `${server.url}/events/${eventId}/board`;
	let browser: Browser | null = null;
	try {
		browser = await launchBrowser();
		log('phone: first load of the board on slow 4G, on a device without a Chinese font');
		const firstWithWebFont = await firstLoad(browser, server, board, false);
		const context = await newContext(browser, 'phone', { touch: true });
		await likeAPhoneWithChineseFont(context);
		const [name, value] = (await sessionCookie(server.url, 'lead.station')).split('=');
		await context.addCookies([{ name, value, url: server.url }]);
		const page = await context.newPage();
		const cdp = await context.newCDPSession(page);
		const net = await meter(cdp);
		// Emulated in the page and in its service worker alike (network conditions apply to the whole target).
		await cdp.send('Network.emulateNetworkConditions', { offline: false, ...SLOW_4G });

		log('phone: first load of the board on slow 4G');
		const firstMs = await timeToCards(page, board);
		await page.waitForTimeout(2_000);
		const first = { ms: firstMs, ...net.read() };
		// Let the service worker finish installing and take the page, and the local copies settle.
		await page.evaluate(async () => {
			await navigator.serviceWorker.ready;
			if (!navigator.serviceWorker.controller) await new Promise((r) => navigator.serviceWorker.addEventListener('controllerchange', r, { once: true }));
		});
		await page.waitForTimeout(3_000);

		log('phone: repeat load (service worker and local copies) on slow 4G');
		// The link now lies between the service worker and the server: the page's requests that the worker answers
		// never cross it, but Chrome would delay them as if they did. Throttle the worker, and the page's own
		// connections (the documents' WebSockets) apart from it.
		if (!(await throttleServiceWorker(browser, { offline: false, ...SLOW_4G }))) log('phone: no service worker to throttle');
		await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
		net.reset();
		const repeatMs = await timeToCards(page, board);
		const repeat = { ms: repeatMs, ...net.read() };

		log('phone: repeat load with no network');
		const none = { offline: true, latency: 0, downloadThroughput: -1, uploadThroughput: -1 };
		await cdp.send('Network.emulateNetworkConditions', none);
		await throttleServiceWorker(browser, none);
		await context.setOffline(true);
		const offlineMs = await timeToCards(page, board);
		await context.close();
		return { link: 'Slow 4G (562.5 ms, 1.44 Mbit/s down, 675 kbit/s up)', first, firstWithWebFont, repeat, offline: { ms: offlineMs } };
	} finally {
		await browser?.close();
	}
}
