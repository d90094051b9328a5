/**
 * Refusals read by people: an error page's message comes from the message catalog, in the reader's language,
 * and names what went wrong (not an English developer's sentence, not a stack).
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.ts';
import { HttpClient } from '../helpers/http.ts';
import { signIn } from '../helpers/accounts.ts';
import { DEMO_EVENT, DEMO_PASSWORD } from '../helpers/live.ts';

describe('error pages speak the reader’s language', () => {
	let server: TestServer;
	let admin: HttpClient;

	beforeAll(async () => {
		server = await startServer({ demo: true });
		// The administrator is not a member of the demo event.
		admin = await signIn(new HttpClient(server.url), 'admin', DEMO_PASSWORD);
	});
	afterAll(async () => {
		await server?.dispose();
	});

	/** A page as a browser asks for it, with the client's session and, if given, the language it chose. */
	const page = (client: HttpClient, path: string, locale?: string) => {
		const cookies = [client.cookieHeader(), locale ? `PARAGLIDE_LOCALE=${locale}` : ''].filter(Boolean).join('; ');
		return fetch(server.url + path, { headers: { accept: 'text/html', ...(cookies ? { cookie: cookies } : {}) } });
	};

	it('tells a non-member the event is not theirs to open, in Chinese by default and in English when chosen', async () => {
		const zh = await page(admin, `/events/${DEMO_EVENT}/board`);
		expect(zh.status).toBe(404);
		const zhHtml = await zh.text();
		expect(zhHtml).toContain('找不到这个活动，或您不是它的成员。');
		expect(zhHtml).not.toContain('No such event');

		const en = await page(admin, `/events/${DEMO_EVENT}/board`, 'en');
		expect(en.status).toBe(404);
		expect(await en.text()).toContain('No such event, or you are not a member of it.');
	});

	it('tells a wall screen its link is unknown, and what to do', async () => {
		const res = await page(new HttpClient(server.url), '/wall/unknowntokenunknowntokenunknownt');
		expect(res.status).toBe(404);
		expect(await res.text()).toContain('这个大屏链接无效或已被撤销');
	});

	it('answers an unknown page with the catalog’s not-found message', async () => {
		const res = await page(admin, '/no-such-page');
		expect(res.status).toBe(404);
		expect(await res.text()).toContain('找不到这个页面。');
	});
});
