import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.ts';
import { AddressedClient, postPlainForm, setupAdmin } from '../helpers/accounts.ts';
import { createUserAsAdmin, disableUserAsAdmin } from '../helpers/admin-forms.ts';
import {
	LOGIN_FREE_FAILURES,
	LOGIN_MAX_FAILURES_PER_ADDRESS,
	LOGIN_MAX_FAILURES_PER_PAIR,
	LOGIN_MAX_FAILURES_PER_USERNAME
} from '../../src/lib/server/auth/login.ts';

const INVALID = '用户名或密码不正确';
const THROTTLED = '登录失败次数过多';
const WAIT = '尝试过于频繁';
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
		for (const username of ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi']) {
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

	it('does not lock an account out over ten wrong passwords typed elsewhere: the right one still signs in', async () => {
		for (let i = 0; i < 10; i++) expect((await login(client(), 'carol', `wrong-${i}`)).status).toBe(400);
		expect((await login(client(), 'carol', PASSWORD)).status).toBe(303);
	});

	it('makes one address wait longer after each wrong password for one username, then locks that pair only', async () => {
		const address = '10.9.0.7';
		for (let i = 0; i < LOGIN_FREE_FAILURES; i++) expect((await login(client(address), 'grace', `wrong-${i}`)).status).toBe(400);
		// The next try from there comes too soon: it is refused before the password is even looked at.
		const early = await login(client(address), 'grace', PASSWORD);
		expect(early.status).toBe(429);
		expect(await early.text()).toContain(WAIT);
		// The account itself is untouched: from anywhere else the right password signs in.
		expect((await login(client(), 'grace', PASSWORD)).status).toBe(303);
	});

	it('throttles a username after 100 failures from many addresses, with 429 even for the right password', async () => {
		expect(LOGIN_MAX_FAILURES_PER_USERNAME).toBe(100);
		// Letter case and spaces do not make a new username for the count.
		for (let i = 0; i < LOGIN_MAX_FAILURES_PER_USERNAME; i++) {
			const res = await login(client(`10.20.${Math.floor(i / 200)}.${i % 200}`), i % 2 ? 'HEIDI' : ' heidi', `wrong-${i}`);
			expect(res.status).toBe(400);
		}
		const fresh = client();
		const res = await login(fresh, 'heidi', PASSWORD);
		expect(res.status).toBe(429);
		expect(await res.text()).toContain(THROTTLED);
		expect(fresh.cookies.has('session')).toBe(false);

		const json = await fresh.login('heidi', PASSWORD);
		expect(await json.json()).toMatchObject({ type: 'failure', status: 429 });
	});

	it('keeps the limit of one address for one username to that pair: another user at the same address still signs in', async () => {
		expect(LOGIN_MAX_FAILURES_PER_PAIR).toBe(10);
		const address = '10.9.0.1';
		for (let i = 0; i < LOGIN_MAX_FAILURES_PER_PAIR; i++) await login(client(address), 'dave', `wrong-${i}`);
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

	it('forgets the failures of a username at an address once it signs in from there', async () => {
		const address = '10.9.0.9';
		for (let round = 0; round < 2; round++) {
			for (let i = 0; i < LOGIN_FREE_FAILURES; i++) expect((await login(client(address), 'erin', 'wrong')).status).toBe(400);
			await new Promise((r) => setTimeout(r, 1100));
			expect((await login(client(address), 'erin', PASSWORD)).status).toBe(303);
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

	it('stops a disabled user’s existing session and answers their sign-in exactly as a wrong password', async () => {
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
		const wrong = await login(client(), 'frank', 'not-the-password');
		expect(again.status).toBe(wrong.status);
		expect(again.status).toBe(400);
		expect(await again.text()).toContain(INVALID);
		expect(await wrong.text()).toContain(INVALID);
	});
});
