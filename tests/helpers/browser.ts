/** Launches Debian's Chromium through playwright-core for browser tests and screenshots. */
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const VIEWPORTS = {
	phone: { width: 390, height: 844 },
	desktop: { width: 1440, height: 900 },
	wall: { width: 1920, height: 1080 },
	wall4k: { width: 3840, height: 2160 }
} as const;

export const SCREENSHOT_DIR = fileURLToPath(new URL('../../screenshots', import.meta.url));

export async function launchBrowser(): Promise<Browser> {
	return chromium.launch({
		executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
		args: [
			'--headless',
			'--no-sandbox',
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
	options: { locale?: string } = {}
): Promise<BrowserContext> {
	return browser.newContext({
		viewport: VIEWPORTS[viewport],
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

export async function screenshot(page: Page, name: string): Promise<string> {
	mkdirSync(SCREENSHOT_DIR, { recursive: true });
	const path = `${SCREENSHOT_DIR}/${name}.png`;
	await page.screenshot({ path, fullPage: false });
	return path;
}
