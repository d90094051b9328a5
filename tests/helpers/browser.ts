/**
 * Launches the test browser through playwright-core for browser tests and screenshots: by default the Chromium that
 * the `@sparticuz/chromium` dev dependency ships inside its package (pinned by the lockfile, so a fresh machine and
 * CI run the same build with no system packages); `CHROMIUM_PATH` points at another one.
 */
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import packagedChromium from '@sparticuz/chromium';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { axeViolations, describeFindings } from './axe.ts';

export const VIEWPORTS = {
	phone: { width: 390, height: 844 },
	desktop: { width: 1440, height: 900 },
	wall: { width: 1920, height: 1080 },
	wall4k: { width: 3840, height: 2160 }
} as const;

export const SCREENSHOT_DIR = fileURLToPath(new URL('../../screenshots', import.meta.url));

/** The browser to drive: `CHROMIUM_PATH` when set, else the packaged build (unpacked to the temp folder once). */
export async function chromiumPath(): Promise<string> {
	return process.env.CHROMIUM_PATH || (await packagedChromium.executablePath());
}

export async function launchBrowser(): Promise<Browser> {
	// The packaged build's own default flags are for serverless use (--disable-web-security among them drops the
	// Origin header, and SvelteKit's CSRF check then refuses every form post), so it gets ours instead. It has no
	// CJK font: the pages bring their own web font for Chinese, which is what a kiosk PC without one sees too.
	return chromium.launch({
		executablePath: await chromiumPath(),
		args: [
			'--headless',
			'--no-sandbox',
			'--no-zygote',
			'--disable-gpu',
			'--disable-quic',
			'--no-first-run',
			'--disable-background-networking',
			'--disable-component-update',
			'--disable-sync'
		]
	});
}

export async function newContext(
	browser: Browser,
	viewport: keyof typeof VIEWPORTS = 'desktop',
	options: { locale?: string; touch?: boolean } = {}
): Promise<BrowserContext> {
	return browser.newContext({
		viewport: VIEWPORTS[viewport],
		// A phone in the hand: touch events and the mobile viewport meta honoured.
		...(options.touch ? { isMobile: true, hasTouch: true } : {}),
		locale: options.locale ?? 'zh-CN',
		timezoneId: 'Asia/Shanghai',
		deviceScaleFactor: 1
	});
}

/**
 * Opens a page and waits until it has hydrated (the root layout marks <html data-ready>), so that what the test
 * does next meets the live page and not the server-rendered markup that a busy machine shows a little longer.
 */
export async function visit(page: Page, url: string): Promise<void> {
	await page.goto(url);
	await page.waitForSelector('html[data-ready]', { state: 'attached' });
}

/** Signs in through the login page. */
export async function loginAs(page: Page, baseUrl: string, username: string, password: string): Promise<void> {
	// Once, on a busy machine, a sign-in clicked before hydration never navigated.
	await visit(page, `${baseUrl}/login`);
	await page.fill('input[name=username]', username);
	await page.fill('input[name=password]', password);
	// The header's language switch is a submit button too, and it comes first in the page.
	await Promise.all([
		page.waitForURL((u) => !u.pathname.startsWith('/login')),
		page.click('form:has(input[name=password]) button[type=submit]')
	]);
}

/**
 * Saves a picture of the page, and checks the page as pictured against WCAG 2.1 A/AA with axe-core: every state a
 * browser test stops to look at is one a person will see, so it must pass too (`{ axe: false }` only for a page that
 * is not the app's own, such as a rendered PDF).
 */
export async function screenshot(page: Page, name: string, options: { axe?: boolean } = {}): Promise<string> {
	mkdirSync(SCREENSHOT_DIR, { recursive: true });
	const path = `${SCREENSHOT_DIR}/${name}.png`;
	// The Chinese web font arrives a slice at a time after first paint; a picture taken before shows empty boxes.
	await page.evaluate(() => document.fonts.ready);
	await page.screenshot({ path, fullPage: false });
	if (options.axe !== false) {
		const found = await axeViolations(page);
		if (found.length) throw new Error(`accessibility violations on "${name}" (${page.url()}):\n${describeFindings(found)}`);
	}
	return path;
}

/**
 * The fonts the browser actually drew an element's text with (Chrome DevTools Protocol), after the web fonts have
 * loaded. A Chinese line drawn with no CJK font shows empty boxes, and the list then names only Latin fonts.
 */
export async function fontsUsedFor(page: Page, selector: string): Promise<string[]> {
	await page.evaluate(() => document.fonts.ready);
	const cdp = await page.context().newCDPSession(page);
	try {
		await cdp.send('DOM.enable');
		await cdp.send('CSS.enable');
		const { root } = await cdp.send('DOM.getDocument', { depth: 0 });
		const { nodeId } = await cdp.send('DOM.querySelector', { nodeId: root.nodeId, selector });
		const { fonts } = await cdp.send('CSS.getPlatformFontsForNode', { nodeId });
		return fonts.map((f) => f.familyName);
	} finally {
		await cdp.detach();
	}
}

/** A family that has Chinese glyphs: the app's own web font, or a CJK font of the system's. */
export const CJK_FONT = /Noto Sans (SC|CJK)|WenQuanYi|PingFang|YaHei|Hiragino|Source Han|Droid Sans Fallback/i;
