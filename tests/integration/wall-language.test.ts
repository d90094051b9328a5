/**
 * A wall display speaks its event's language: nobody stands at a wall to pick one. An English event's wall link
 * sets the language once and shows English; a Chinese one stays Chinese whatever the browser had before.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.ts';
import { HttpClient } from '../helpers/http.ts';
import { signIn } from '../helpers/accounts.ts';
import { createEventAsAdmin } from '../helpers/admin-forms.ts';
import { createDisplayTokenAsAdmin } from '../helpers/hub.ts';
import { DEMO_EVENT, DEMO_PASSWORD } from '../helpers/live.ts';

describe("a wall in its event's language", () => {
	let server: TestServer;
	let englishWall: string;
	let chineseWall: string;

	beforeAll(async () => {
		server = await startServer({ demo: true });
		const admin = await signIn(new HttpClient(server.url), 'admin', DEMO_PASSWORD);
		const english = await createEventAsAdmin(admin, { name: 'City Marathon 2027', startsAt: '2027-03-01T06:00', endsAt: '2027-03-01T14:00', locale: 'en' });
		englishWall = `/wall/${await createDisplayTokenAsAdmin(server.url, english, 'Finish line')}`;
		chineseWall = `/wall/${await createDisplayTokenAsAdmin(server.url, DEMO_EVENT, '指挥部主屏')}`;
	});
	afterAll(async () => {
		await server?.dispose();
	});

	async function open(path: string, cookie?: string): Promise<{ status: number; location: string | null; setCookie: string | null; html: string }> {
		const res = await fetch(server.url + path, { redirect: 'manual', headers: cookie ? { cookie } : {} });
		return { status: res.status, location: res.headers.get('location'), setCookie: res.headers.get('set-cookie'), html: await res.text() };
	}

	it('sets English once for an English event and then shows the wall in English', async () => {
		const first = await open(englishWall);
		expect(first.status).toBe(303);
		expect(first.setCookie).toMatch(/PARAGLIDE_LOCALE=en/);
		const page = await open(first.location!, 'PARAGLIDE_LOCALE=en');
		expect(page.status).toBe(200);
		expect(page.html).toContain('<html lang="en"');
		expect(page.html).toContain('City Marathon 2027');
	});

	it('keeps a Chinese event’s wall Chinese on a browser left in English, and never redirects twice', async () => {
		const first = await open(chineseWall, 'PARAGLIDE_LOCALE=en');
		expect(first.status).toBe(303);
		expect(first.setCookie).toMatch(/PARAGLIDE_LOCALE=zh-CN/);
		// A browser that keeps no cookies comes back still in English: it gets the wall, not another redirect.
		const again = await open(first.location!, 'PARAGLIDE_LOCALE=en');
		expect(again.status).toBe(200);
		const page = await open(first.location!, 'PARAGLIDE_LOCALE=zh-CN');
		expect(page.html).toContain('<html lang="zh-CN"');
	});
});
