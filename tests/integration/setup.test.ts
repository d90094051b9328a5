import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.ts';
import { HttpClient } from '../helpers/http.ts';
import { ADMIN, postPlainForm } from '../helpers/accounts.ts';

describe('first-time setup', () => {
	let server: TestServer;
	beforeAll(async () => {
		server = await startServer();
	});
	afterAll(async () => {
		await server?.dispose();
	});

	it('sends every visitor to /setup while no administrator exists', async () => {
		const visitor = new HttpClient(server.url);
		for (const path of ['/', '/login']) {
			const res = await visitor.request(path);
			expect(res.status).toBe(303);
			expect(res.headers.get('location')).toBe('/setup');
		}
		const page = await visitor.request('/setup');
		expect(page.status).toBe(200);
		expect(await page.text()).toContain('name="username"');
	});

	it('refuses an invalid first administrator, naming the field, and stays open', async () => {
		const visitor = new HttpClient(server.url);
		const res = await visitor.postForm('/setup', { username: 'admin', displayName: '管理员', password: 'short' });
		const body = await res.json();
		expect(body.type).toBe('failure');
		expect(body.status).toBe(400);
		expect(body.data).toContain('tooShort');
		expect(visitor.cookies.has('session')).toBe(false);
		expect((await visitor.request('/setup')).status).toBe(200);
	});

	it('creates the first administrator, signs them in and sends them to /admin', async () => {
		const first = new HttpClient(server.url);
		const res = await first.postForm('/setup', { ...ADMIN });
		expect(await res.json()).toMatchObject({ type: 'redirect', status: 303, location: '/admin' });
		expect(first.cookies.get('session')).toMatch(/^[a-z2-7]{32}$/);
		const events = await first.request('/api/events');
		expect(events.status).toBe(200);
	});

	it('closes for good once the administrator exists: GET redirects away', async () => {
		const visitor = new HttpClient(server.url);
		const res = await visitor.request('/setup');
		expect(res.status).toBe(303);
		expect(res.headers.get('location')).toBe('/login');

		const admin = new HttpClient(server.url);
		await admin.login(ADMIN.username, ADMIN.password);
		const signedIn = await admin.request('/setup');
		expect(signedIn.status).toBe(303);
		expect(signedIn.headers.get('location')).toBe('/');
	});

	it('refuses a second setup POST (403) without creating or signing in a second administrator', async () => {
		const intruder = new HttpClient(server.url);
		const second = { username: 'second', displayName: '第二', password: 'second-password-1' };
		const json = await intruder.postForm('/setup', second);
		expect(await json.json()).toMatchObject({ type: 'failure', status: 403 });
		expect(intruder.cookies.has('session')).toBe(false);

		// Without JavaScript the refused action is followed by the page's load, which sends the visitor to sign in.
		const plain = await postPlainForm(intruder, '/setup', second);
		expect(plain.status).toBe(303);
		expect(plain.headers.get('location')).toBe('/login');
		expect(intruder.cookies.has('session')).toBe(false);

		const login = await intruder.login(second.username, second.password);
		expect(await login.json()).toMatchObject({ type: 'failure', status: 400 });
	});

	it('stays closed after a restart', async () => {
		await server.stop();
		await server.restart();
		const res = await new HttpClient(server.url).request('/setup');
		expect(res.status).toBe(303);
		expect(res.headers.get('location')).toBe('/login');
	});
});

describe('first-time setup raced by several browsers', () => {
	let server: TestServer;
	beforeAll(async () => {
		server = await startServer();
	});
	afterAll(async () => {
		await server?.dispose();
	});

	it('lets exactly one of several simultaneous setups create an administrator', async () => {
		const racers = Array.from({ length: 5 }, (_, i) => ({
			client: new HttpClient(server.url),
			fields: { username: `racer${i}`, displayName: `Racer ${i}`, password: `racer-password-${i}` }
		}));
		const answers = await Promise.all(
			racers.map(async (r) => (await r.client.postForm('/setup', r.fields)).json() as Promise<{ type: string; status: number }>)
		);
		expect(answers.filter((a) => a.type === 'redirect')).toHaveLength(1);
		expect(answers.filter((a) => a.type === 'failure').map((a) => a.status)).toEqual([403, 403, 403, 403]);

		const winner = racers[answers.findIndex((a) => a.type === 'redirect')];
		expect(winner.client.cookies.has('session')).toBe(true);
		const signIns = await Promise.all(
			racers.map(async (r) => ((await new HttpClient(server.url).login(r.fields.username, r.fields.password)).json() as Promise<{ type: string }>))
		);
		expect(signIns.map((s) => s.type === 'redirect')).toEqual(racers.map((r) => r === winner));
	});
});
