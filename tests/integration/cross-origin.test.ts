import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.ts';
import { HttpClient } from '../helpers/http.ts';
import { ADMIN, postPlainForm } from '../helpers/accounts.ts';

const FOREIGN = 'https://evil.example';

describe('form posts from another origin', () => {
	let server: TestServer;
	beforeAll(async () => {
		server = await startServer();
	});
	afterAll(async () => {
		await server?.dispose();
	});

	it('refuses a cross-origin POST to /setup with 403 and creates no administrator', async () => {
		const attacker = new HttpClient(server.url);
		const res = await postPlainForm(attacker, '/setup', { ...ADMIN }, { origin: FOREIGN });
		expect(res.status).toBe(403);
		expect(attacker.cookies.has('session')).toBe(false);
		// Setup is still open: the refused post wrote nothing.
		expect((await new HttpClient(server.url).request('/setup')).status).toBe(200);
	});

	it('accepts the same setup POST from the board’s own origin', async () => {
		const own = new HttpClient(server.url);
		const res = await own.postForm('/setup', { ...ADMIN });
		expect(await res.json()).toMatchObject({ type: 'redirect', location: '/admin' });
	});

	it('refuses a cross-origin POST to /login with 403 and sets no session cookie, even with the right password', async () => {
		const attacker = new HttpClient(server.url);
		const res = await postPlainForm(attacker, '/login', { username: ADMIN.username, password: ADMIN.password }, { origin: FOREIGN });
		expect(res.status).toBe(403);
		expect(res.headers.getSetCookie().some((l) => l.startsWith('session='))).toBe(false);
		expect(attacker.cookies.has('session')).toBe(false);
	});

	it('refuses a cross-origin login POST sent as JSON-enhanced form too', async () => {
		const attacker = new HttpClient(server.url);
		const res = await attacker.postForm('/login', { username: ADMIN.username, password: ADMIN.password }, { origin: FOREIGN });
		expect(res.status).toBe(403);
		expect(attacker.cookies.has('session')).toBe(false);
	});

	it('accepts the login POST from the board’s own origin', async () => {
		const own = new HttpClient(server.url);
		const res = await postPlainForm(own, '/login', { username: ADMIN.username, password: ADMIN.password });
		expect(res.status).toBe(303);
		expect(own.cookies.has('session')).toBe(true);
	});
});
