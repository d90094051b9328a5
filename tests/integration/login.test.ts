import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.ts';
import { AddressedClient, postPlainForm, setupAdmin } from '../helpers/accounts.ts';
import { createUserAsAdmin, disableUserAsAdmin } from '../helpers/admin-forms.ts';
import { LOGIN_MAX_FAILURES_PER_ADDRESS, LOGIN_MAX_FAILURES_PER_USERNAME } from '../../src/lib/server/auth/login.ts';

const INVALID = '用户名或密码不正确';
const THROTTLED = '登录失败次数过多';
const DISABLED = '此账号已停用';
const MISSING = '请输入用户名和密码';
const PASSWORD = 'right-password-1';

// The server trusts X-Forwarded-For as a reverse proxy's would, so that each test can come from addresses of its
// own: the per-address limit then never couples one test to another, and the per-username limit can be shown
// to hold across addresses.
describe('signing in', () => {
	let server: TestServer;
	let admin: AddressedClient;
	const ids: Record<string, string> = {};
	let nextAddress = 1;
	const client = (address = `10.0.0.${nextAddress++}`) => new AddressedClient(server.url, address);
	const login = (c: AddressedClient, username: string, password: string) =>
		postPlainForm(c, '/login', { username, password });

	beforeAll(async () => {
		server = await startServer({ env: { ADDRESS_HEADER: 'x-forwarded-for', XFF_DEPTH: '1' } });
		admin = client('10.255.0.1');
		await setupAdmin(admin);
		for (const username of ['alice', 'bob', 'carol', 'dave', 'erin', 'frank']) {
			ids[username] = await createUserAsAdmin(admin, { username, displayName: username, password: PASSWORD });
		}
	});
	afterAll(async () => {
		await server?.dispose();
	});

	it('signs in with the right password: a 303 home and an HttpOnly, SameSite=Lax session cookie that works', async () => {
		const c = client();
		const res = await login(c, 'alice', PASSWORD);
		expect(res.status).toBe(303);
		expect(res.headers.get('location')).toBe('/');
		const cookie = res.headers.getSetCookie().find((l) => l.startsWith('session='));
		expect(cookie).toMatch(/HttpOnly/i);
		expect(cookie).toMatch(/SameSite=Lax/i);
		expect(cookie).toMatch(/Path=\//i);
		const events = await c.request('/api/events');
		expect(events.status).toBe(200);
	});

	it('accepts the username in any letter case and with surrounding spaces', async () => {
		const res = await login(client(), '  ALICE ', PASSWORD);
		expect(res.status).toBe(303);
	});

	it('refuses a wrong password with 400 and says the username or password is wrong, setting no cookie', async () => {
		const c = client();
		const res = await login(c, 'alice', 'wrong-password');
		expect(res.status).toBe(400);
		expect(await res.text()).toContain(INVALID);
		expect(c.cookies.has('session')).toBe(false);
	});

	it('answers an unknown username exactly as a wrong password, so usernames cannot be probed', async () => {
		const res = await login(client(), 'nobody-here', 'wrong-password');
		expect(res.status).toBe(400);
		expect(await res.text()).toContain(INVALID);
	});

	it('asks for both fields when one is empty', async () => {
		const res = await login(client(), 'alice', '');
		expect(res.status).toBe(400);
		expect(await res.text()).toContain(MISSING);
	});

	it('returns only to a same-site path after signing in', async () => {
		const c = client();
		const res = await postPlainForm(c, '/login?redirectTo=//evil.example/steal', { username: 'alice', password: PASSWORD });
		expect(res.status).toBe(303);
		expect(res.headers.get('location')).toBe('/');
		const ok = await postPlainForm(client(), '/login?redirectTo=/admin', { username: 'alice', password: PASSWORD });
		expect(ok.headers.get('location')).toBe('/admin');
	});

	it('throttles a username after 10 failures from 10 different addresses, with 429 even for the right password', async () => {
		expect(LOGIN_MAX_FAILURES_PER_USERNAME).toBe(10);
		// Letter case and spaces do not make a new username for the count.
		for (let i = 0; i < LOGIN_MAX_FAILURES_PER_USERNAME; i++) {
			const res = await login(client(), i % 2 ? 'CAROL' : ' carol', `wrong-${i}`);
			expect(res.status).toBe(400);
		}
		const fresh = client();
		const res = await login(fresh, 'carol', PASSWORD);
		expect(res.status).toBe(429);
		expect(await res.text()).toContain(THROTTLED);
		expect(fresh.cookies.has('session')).toBe(false);

		const json = await fresh.login('carol', PASSWORD);
		expect(await json.json()).toMatchObject({ type: 'failure', status: 429 });
	});

	it('keeps the username limit to that username: another user at the same address still signs in', async () => {
		const address = '10.9.0.1';
		for (let i = 0; i < LOGIN_MAX_FAILURES_PER_USERNAME; i++) await login(client(address), 'dave', `wrong-${i}`);
		expect((await login(client(address), 'dave', PASSWORD)).status).toBe(429);
		expect((await login(client(address), 'frank', PASSWORD)).status).toBe(303);
	});

	it('throttles an address after 30 failures across usernames, while the same users sign in from elsewhere', async () => {
		expect(LOGIN_MAX_FAILURES_PER_ADDRESS).toBe(30);
		const address = '10.9.0.2';
		for (let i = 0; i < LOGIN_MAX_FAILURES_PER_ADDRESS; i++) {
			expect((await login(client(address), `typo-${i}`, 'wrong')).status).toBe(400);
		}
		const blocked = await login(client(address), 'bob', PASSWORD);
		expect(blocked.status).toBe(429);
		expect(await blocked.text()).toContain(THROTTLED);
		expect((await login(client(), 'bob', PASSWORD)).status).toBe(303);
	});

	it('forgets a username’s failures once it signs in successfully', async () => {
		for (let round = 0; round < 2; round++) {
			for (let i = 0; i < LOGIN_MAX_FAILURES_PER_USERNAME - 1; i++) {
				expect((await login(client(), 'erin', 'wrong')).status).toBe(400);
			}
			expect((await login(client(), 'erin', PASSWORD)).status).toBe(303);
		}
	});

	it('ends a session on sign-out, so its cookie no longer works', async () => {
		const c = client();
		await login(c, 'alice', PASSWORD);
		const token = c.cookies.get('session')!;
		const res = await postPlainForm(c, '/logout', {});
		expect(res.status).toBe(303);
		expect(res.headers.get('location')).toBe('/login');
		expect(c.cookies.has('session')).toBe(false);

		const replay = client();
		replay.cookies.set('session', token);
		expect((await replay.request('/api/events')).status).toBe(401);
	});

	it('stops a disabled user’s existing session and refuses their sign-in with the disabled message', async () => {
		const c = client();
		const signedIn = await login(c, 'frank', PASSWORD);
		expect(signedIn.status).toBe(303);
		expect((await c.request('/api/events')).status).toBe(200);

		await disableUserAsAdmin(admin, ids.frank);

		const after = await c.request('/api/events');
		expect(after.status).toBe(401);
		const home = await c.request('/');
		expect(home.status).toBe(303);
		expect(home.headers.get('location')).toMatch(/^\/login/);

		const again = await login(client(), 'frank', PASSWORD);
		expect(again.status).toBe(400);
		expect(await again.text()).toContain(DISABLED);
	});
});
