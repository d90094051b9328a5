/**
 * Issue 9, point 4, on the server side: cross-origin posts, WebSocket upgrades and socket.io handshakes refused;
 * no session fixation and no forged session; cookie flags, with Secure behind a TLS proxy; sign-in throttling and
 * the command rate limit; and sign-in and the language switch returning only to this site. SQL in every input is
 * tried in web-security-sql.test.ts; stored XSS in real Chromium in tests/e2e/xss.test.ts.
 *
 * Two servers: the demo, and a fresh one configured as behind a TLS-terminating reverse proxy (ORIGIN=https://…,
 * PROTOCOL_HEADER, ADDRESS_HEADER) where each test can speak from addresses of its own.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createHash } from 'node:crypto';
import * as Y from 'yjs';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import { io } from 'socket.io-client';
import { startServer, type TestServer } from '../helpers/server.ts';
import { HttpClient } from '../helpers/http.ts';
import { postPlainForm, signIn } from '../helpers/accounts.ts';
import { createUserAsAdmin } from '../helpers/admin-forms.ts';
import { command } from '../helpers/commands.ts';
import { connectCommands, connectDoc, DEMO_EVENT, DEMO_PASSWORD, whenSynced, type LiveDoc } from '../helpers/live.ts';
import { createDisplayTokenAsAdmin, SYNC_MS } from '../helpers/hub.ts';
import { addressBook, demoState as demoStateOf, firstClose, FOREIGN, PROXY_ADMIN, PROXY_ENV, ProxiedClient, sessionSetCookie } from '../helpers/web-security.ts';
import { concreteRoute, formActionRoutes, intruderAdminFields, postEndpointRoutes } from '../helpers/form-actions.ts';
import { LOGIN_MAX_FAILURES_PER_ADDRESS, LOGIN_MAX_FAILURES_PER_USERNAME } from '../../src/lib/server/auth/login.ts';
import { commandDocName } from '../../src/lib/domain/documents.ts';
import { CLOSE_CODES } from '../../src/lib/domain/wire.ts';

/** A stock y-websocket provider whose WebSocket sends the given headers (cookie, Origin) as a browser's would. */
function connectDocWith(base: string, name: string, headers: Record<string, string>): LiveDoc {
	class WithHeaders extends WebSocket {
		constructor(url: string, protocols?: string | string[]) {
			super(url, protocols, { headers });
		}
	}
	const doc = new Y.Doc();
	const provider = new WebsocketProvider(base.replace(/^http/, 'ws') + '/yjs', name, doc, {
		WebSocketPolyfill: WithHeaders as unknown as typeof globalThis.WebSocket,
		disableBc: true
	});
	const closes: LiveDoc['closes'] = [];
	provider.on('connection-close', (event: CloseEvent | null) => {
		if (event) closes.push({ code: event.code, reason: event.reason });
	});
	return {
		doc,
		provider,
		closes,
		destroy() {
			provider.destroy();
			doc.destroy();
		}
	};
}

/** Tries a socket.io handshake over WebSocket; resolves with the refusal's message or 'connected'. */
function handshake(base: string, headers: Record<string, string>): Promise<string> {
	const socket = io(base, { path: '/socket.io', transports: ['websocket'], extraHeaders: headers, reconnection: false });
	return new Promise((resolve) => {
		socket.once('connect', () => {
			socket.disconnect();
			resolve('connected');
		});
		socket.once('connect_error', (err) => {
			socket.disconnect();
			resolve(`refused: ${err.message}`);
		});
	});
}

describe('web security', () => {
	let demo: TestServer;
	let proxied: TestServer;
	/** Demo clients by username, signed in once. */
	const demoClients = new Map<string, HttpClient>();
	const as = (username: string) => demoClients.get(username)!;
	const proxiedClient = addressBook(() => proxied.url);
	const demoState = () => demoStateOf(as('admin'), as('commander'));

	beforeAll(async () => {
		[demo, proxied] = await Promise.all([
			startServer({ demo: true }),
			startServer({ env: PROXY_ENV })
		]);
		for (const u of ['admin', 'commander', 'reviewer', 'lead.station', 'lead.traffic', 'lead.cid', 'member.traffic']) {
			demoClients.set(u, await signIn(new HttpClient(demo.url), u, DEMO_PASSWORD));
		}
	}, 180_000);
	afterAll(async () => {
		await Promise.all([demo?.dispose(), proxied?.dispose()]);
	});

	describe('requests from another origin', () => {
		it('refuses a cross-origin POST to every form action and POST endpoint with 403, in every form encoding, and changes nothing', async () => {
			const actions = formActionRoutes();
			const endpoints = postEndpointRoutes();
			// Not vacuous: the sign-in, setup, sign-out, language, admin, displays, review and import forms are all here.
			for (const expected of ['/login', '/setup', '/logout', '/language', '/admin/users/new', '/events/[id]/displays?/create', '/events/[id]/review?/close', '/events/[id]/review?/finalize', '/events/[id]/review?/saveFindings', '/events/[id]/disputes/import', '/events/[id]/roster/csv?/import']) {
				expect(actions).toContain(expected);
			}
			expect(endpoints).toContain('/api/events/[id]/record/exports');
			const fields = {
				...intruderAdminFields('0'.repeat(64)),
				'/login': { username: 'admin', password: DEMO_PASSWORD },
				'/setup': { username: 'intruder', displayName: '越权', password: 'intruder-password-1' },
				'/events/[id]/review?/close': { confirm: 'yes' },
				'/events/[id]/review?/finalize': { confirm: 'yes' },
				'/events/[id]/review?/saveFindings': { findings: JSON.stringify({ strengths: [{ id: 's1', text: '越权' }], improvements: [], plan: [] }) },
				'/events/[id]/displays?/create': { name: '越权大屏' },
				'/language': { locale: 'en', redirectTo: '/' },
				'/api/events/[id]/record/exports': { format: 'json' }
			} as Record<string, Record<string, string>>;

			const before = await demoState();
			const answers: string[] = [];
			for (const route of [...actions, ...endpoints]) {
				const victim = route.startsWith('/admin') ? as('admin') : as('commander');
				const values = fields[route] ?? {};
				const bodies: Array<[string, () => { body: BodyInit; type?: string }]> = [
					['urlencoded', () => ({ body: new URLSearchParams(values).toString(), type: 'application/x-www-form-urlencoded' })],
					['multipart', () => {
						const form = new FormData();
						for (const [k, v] of Object.entries(values)) form.set(k, v);
						if (route.endsWith('/import')) form.set('file', new File(['纠纷概要,类别,风险等级\r\n越权,其他,低\r\n'], 'x.csv', { type: 'text/csv' }));
						return { body: form };
					}],
					// A cross-site form may send text/plain; an endpoint reading JSON from any body would take it.
					['text/plain', () => ({ body: route.startsWith('/api/') ? JSON.stringify(values) : Object.entries(values).map(([k, v]) => `${k}=${v}`).join('\r\n'), type: 'text/plain' })]
				];
				for (const origin of [FOREIGN, 'null']) {
					for (const [encoding, make] of bodies) {
						for (const accept of ['text/html', 'application/json']) {
							const { body, type } = make();
							const headers: Record<string, string> = { origin, cookie: victim.cookieHeader(), accept };
							if (type) headers['content-type'] = type;
							if (accept === 'application/json') headers['x-sveltekit-action'] = 'true';
							const res = await fetch(demo.url + concreteRoute(route), { method: 'POST', body, headers, redirect: 'manual' });
							answers.push(`${route} ${origin} ${encoding} ${accept}: ${res.status}${sessionSetCookie(res) ? ' with a session cookie' : ''}`);
						}
					}
				}
			}
			expect(answers).toEqual(answers.map((a) => a.replace(/: .*$/, ': 403')));
			// Nothing any of them asked for happened: not a setting, a membership, a wall link, a finding or a close;
			// the victims are still signed in (no sign-out went through) and the language is unchanged.
			expect(await demoState()).toBe(before);
			expect((await as('commander').request('/api/events')).status).toBe(200);
		});

		it('refuses a cross-origin POST to /setup on a fresh installation, which stays open', async () => {
			const res = await fetch(`${proxied.url}/setup`, {
				method: 'POST',
				body: new URLSearchParams({ ...PROXY_ADMIN }),
				headers: { origin: FOREIGN, 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-proto': 'https', 'x-forwarded-for': '10.99.0.1' },
				redirect: 'manual'
			});
			expect(res.status).toBe(403);
			expect(sessionSetCookie(res)).toBeNull();
			// The own origin's setup still works afterwards: nothing was created by the refused one.
			const own = proxiedClient();
			const setup = await own.postForm('/setup', { ...PROXY_ADMIN });
			expect(await setup.json()).toMatchObject({ type: 'redirect', location: '/admin' });
		});

		it('refuses a /yjs WebSocket upgrade from a foreign Origin even with a valid session (4403), and syncs from its own origin', async () => {
			const cookie = as('commander').cookieHeader();
			const name = commandDocName(DEMO_EVENT);
			for (const origin of [FOREIGN, 'null', `http://127.0.0.1.evil.example:${demo.port}`]) {
				const live = connectDocWith(demo.url, name, { cookie, origin });
				expect(await firstClose(live)).toEqual({ code: CLOSE_CODES.forbidden, reason: 'cross-origin connection refused' });
				expect(live.provider.synced).toBe(false);
				live.destroy();
			}
			const own = connectDocWith(demo.url, name, { cookie, origin: demo.url });
			await whenSynced(own, SYNC_MS);
			expect(own.doc.getMap('posts').size).toBeGreaterThan(0);
			own.destroy();
		});

		it('refuses a socket.io handshake from a foreign Origin over WebSocket and over polling, and accepts its own', async () => {
			const cookie = as('commander').cookieHeader();
			for (const origin of [FOREIGN, 'null']) {
				expect(await handshake(demo.url, { cookie, origin })).toMatch(/^refused/);
				const polling = await fetch(`${demo.url}/socket.io/?EIO=4&transport=polling`, { headers: { cookie, origin } });
				expect(polling.status).toBe(403);
			}
			expect(await handshake(demo.url, { cookie, origin: demo.url })).toBe('connected');
			const polling = await fetch(`${demo.url}/socket.io/?EIO=4&transport=polling`, { headers: { cookie, origin: demo.url } });
			expect(polling.status).toBe(200);
			expect(await polling.text()).toMatch(/^0\{"sid":/);
		});
	});

	describe('sessions and cookies', () => {
		it('never keeps a session cookie planted before sign-in: the one after is new, and the planted one signs nobody in', async () => {
			const planted = 'abcdefghijklmnopqrstuvwxyz234567';
			const victim = new HttpClient(demo.url);
			victim.cookies.set('session', planted);
			expect((await victim.request('/login')).status).toBe(200);
			victim.cookies.set('session', planted);
			const res = await postPlainForm(victim, '/login', { username: 'lead.cid', password: DEMO_PASSWORD });
			expect(res.status).toBe(303);
			const after = victim.cookies.get('session');
			expect(after).toMatch(/^[a-z2-7]{32}$/);
			expect(after).not.toBe(planted);
			const attacker = new HttpClient(demo.url);
			attacker.cookies.set('session', planted);
			expect((await attacker.request('/api/events')).status).toBe(401);
		});

		it('replaces an attacker’s own live session planted in the victim’s browser, and the attacker’s stays the attacker’s', async () => {
			const attacker = await signIn(new HttpClient(demo.url), 'member.traffic', DEMO_PASSWORD);
			const attackerToken = attacker.cookies.get('session')!;
			const victim = new HttpClient(demo.url);
			victim.cookies.set('session', attackerToken);
			const res = await postPlainForm(victim, '/login', { username: 'admin', password: DEMO_PASSWORD });
			expect(res.status).toBe(303);
			expect(victim.cookies.get('session')).not.toBe(attackerToken);
			expect((await victim.request('/admin')).status).toBe(200);
			// The token the attacker kept is still only the attacker's: no administrator rights came with the victim's sign-in.
			expect((await attacker.request('/admin')).status).toBe(403);
		});

		it('never authenticates a forged session cookie, over HTTP, /yjs or socket.io', async () => {
			const real = as('commander').cookies.get('session')!;
			const forged = [
				'a'.repeat(32),
				'abcdefghijklmnopqrstuvwxyz234567',
				// What the database stores (the token's SHA-256) is not a token.
				createHash('sha256').update(real).digest('hex'),
				real.toUpperCase(),
				`${real}a`,
				real.slice(0, -1),
				"' OR '1'='1"
			];
			for (const token of forged) {
				const c = new HttpClient(demo.url);
				c.cookies.set('session', token);
				expect(`${token}: ${(await c.request('/api/events')).status}`).toBe(`${token}: 401`);
				const page = await c.request(`/events/${DEMO_EVENT}/board`);
				expect(`${token}: ${page.status} ${page.headers.get('location')}`).toMatch(/: 303 \/login/);
				const live = connectDoc(demo.url, commandDocName(DEMO_EVENT), { cookie: `session=${token}` });
				expect(await firstClose(live)).toEqual({ code: CLOSE_CODES.unauthenticated, reason: 'sign in first' });
				live.destroy();
				await expect(connectCommands(demo.url, { cookie: `session=${token}` })).rejects.toThrow('unauthenticated');
			}
		});

		it('sets the session cookie HttpOnly, SameSite=Lax, Path=/ and, on plain http, without Secure; sign-out clears it the same way', async () => {
			const c = new HttpClient(demo.url);
			const res = await postPlainForm(c, '/login', { username: 'lead.traffic', password: DEMO_PASSWORD });
			const cookie = sessionSetCookie(res)!;
			expect(cookie).toMatch(/; HttpOnly/i);
			expect(cookie).toMatch(/; SameSite=Lax/i);
			expect(cookie).toMatch(/; Path=\//i);
			expect(cookie).not.toMatch(/; Secure/i);
			const out = await postPlainForm(c, '/logout', {});
			const cleared = sessionSetCookie(out)!;
			expect(cleared).toMatch(/^session=;/);
			expect(cleared).toMatch(/; HttpOnly/i);
			expect(cleared).toMatch(/; SameSite=Lax/i);
		});

		it('marks the session cookie Secure behind a TLS proxy (ORIGIN=https://…, PROTOCOL_HEADER): on sign-in, on use and on sign-out', async () => {
			const admin = proxiedClient();
			const res = await postPlainForm(admin, '/login', { username: PROXY_ADMIN.username, password: PROXY_ADMIN.password });
			expect(res.status).toBe(303);
			const cookie = sessionSetCookie(res)!;
			for (const flag of [/; Secure/i, /; HttpOnly/i, /; SameSite=Lax/i, /; Path=\//i]) expect(cookie).toMatch(flag);
			expect((await admin.request('/api/events')).status).toBe(200);
			const out = await postPlainForm(admin, '/logout', {});
			expect(sessionSetCookie(out)).toMatch(/^session=;.*; Secure/i);
			// A forged cookie sent to the proxied board is cleared with Secure too.
			const forged = proxiedClient();
			forged.cookies.set('session', 'a'.repeat(32));
			const cleared = await forged.request('/login', { headers: { accept: 'text/html' } });
			expect(sessionSetCookie(cleared)).toMatch(/^session=;.*; Secure/i);
		});
	});

	describe('rate limits', () => {
		it('throttles a username after repeated failures from many addresses, refusing even the right password (429)', async () => {
			const admin = await signIn(proxiedClient(), PROXY_ADMIN.username, PROXY_ADMIN.password);
			await createUserAsAdmin(admin, { username: 'throttled', displayName: '限流', password: 'throttled-password-1' });
			for (let i = 0; i < LOGIN_MAX_FAILURES_PER_USERNAME; i++) {
				expect((await postPlainForm(proxiedClient(), '/login', { username: 'throttled', password: `wrong-${i}` })).status).toBe(400);
			}
			const fresh = proxiedClient();
			const res = await postPlainForm(fresh, '/login', { username: 'throttled', password: 'throttled-password-1' });
			expect(res.status).toBe(429);
			expect(sessionSetCookie(res)).toBeNull();
			// Another user from a fresh address is not held back by it.
			expect((await postPlainForm(proxiedClient(), '/login', { username: PROXY_ADMIN.username, password: PROXY_ADMIN.password })).status).toBe(303);
		});

		it('throttles an address after repeated failures across usernames, while others still sign in', async () => {
			const address = '10.30.0.1';
			for (let i = 0; i < LOGIN_MAX_FAILURES_PER_ADDRESS; i++) {
				expect((await postPlainForm(new ProxiedClient(proxied.url, address), '/login', { username: `nobody-${i}`, password: 'wrong' })).status).toBe(400);
			}
			const blocked = await postPlainForm(new ProxiedClient(proxied.url, address), '/login', { username: PROXY_ADMIN.username, password: PROXY_ADMIN.password });
			expect(blocked.status).toBe(429);
			expect(sessionSetCookie(blocked)).toBeNull();
			expect((await postPlainForm(proxiedClient(), '/login', { username: PROXY_ADMIN.username, password: PROXY_ADMIN.password })).status).toBe(303);
		});

		it('answers rateLimited to a socket that sends commands faster than allowed, and a refused command changes nothing', async () => {
			const socket = await connectCommands(demo.url, { cookie: as('commander').cookieHeader() });
			try {
				const tag = `限流检查 ${Date.now()}`;
				// Sent at once, without waiting: far past the burst a socket may send.
				const answers = await Promise.all(
					Array.from({ length: 60 }, (_, i) =>
						command(socket, 'instruction:send', { eventId: DEMO_EVENT, scope: 'everyone', targets: [], priority: 'routine', body: `${tag} #${i}`, ackBy: null })
					)
				);
				const limited = answers.filter((a) => !a.ok && a.error === 'rateLimited').length;
				const sent = answers.filter((a) => a.ok).length;
				expect(limited).toBeGreaterThan(0);
				expect(sent + limited).toBe(60);
				// A fresh socket has its whole burst: the first twenty went through.
				expect(answers.slice(0, 20).every((a) => a.ok)).toBe(true);
				const other = await connectCommands(demo.url, { cookie: as('commander').cookieHeader() });
				const list = await command(other, 'instruction:list', DEMO_EVENT);
				other.disconnect();
				expect(list.ok && list.instructions.filter((i) => i.body.startsWith(tag)).length).toBe(sent);
			} finally {
				socket.disconnect();
			}
		});
	});

	describe('headers', () => {
		it('sends a Content-Security-Policy with a fresh script nonce, and forbids framing, on pages and walls alike', async () => {
			const token = await createDisplayTokenAsAdmin(demo.url, DEMO_EVENT, '头部检查');
			const nonces = new Set<string>();
			for (const path of ['/login', '/login', `/wall/${token}?lang-set=1`, `/events/${DEMO_EVENT}/board`]) {
				const res = await (path.startsWith('/events') ? as('commander').request(path) : fetch(demo.url + path, { redirect: 'manual' }));
				const csp = res.headers.get('content-security-policy') ?? '';
				expect(csp, path).toContain("frame-ancestors 'none'");
				expect(csp, path).toContain("object-src 'none'");
				expect(csp, path).toMatch(/script-src 'self' 'nonce-[^']+'/);
				expect(csp, path).not.toContain("script-src 'self' 'unsafe-inline'");
				nonces.add(/'nonce-([^']+)'/.exec(csp)![1]);
				expect(res.headers.get('x-frame-options'), path).toBe('DENY');
				expect(res.headers.get('permissions-policy'), path).toContain('camera=(self)');
				expect(res.headers.get('permissions-policy'), path).toContain('microphone=()');
				// Plain http here: no HSTS (the HTTPS test checks it is sent there).
				expect(res.headers.get('strict-transport-security'), path).toBeNull();
			}
			expect(nonces.size).toBe(4);
		});
	});

	describe('redirects', () => {
		const tricks = [
			'//evil.example/',
			'/\\evil.example/',
			'/\t/evil.example/',
			'/%2F/evil.example',
			'https://evil.example/',
			'\\\\evil.example',
			'javascript:alert(1)',
			// Dot segments that leave a path starting with two slashes once resolved.
			'/.//evil.example/phish',
			'/..//evil.example/',
			'/a/..//evil.example/'
		];
		const staysHome = (location: string | null, base: string) => new URL(location ?? '', base).origin === new URL(base).origin;

		it('returns only to a path of this site after sign-in, whatever redirectTo holds', async () => {
			for (const target of tricks) {
				const res = await postPlainForm(new HttpClient(demo.url), `/login?redirectTo=${encodeURIComponent(target)}`, { username: 'lead.cid', password: DEMO_PASSWORD });
				expect(`${JSON.stringify(target)}: ${res.status} ${staysHome(res.headers.get('location'), demo.url)}`).toBe(`${JSON.stringify(target)}: 303 true`);
			}
			const ok = await postPlainForm(new HttpClient(demo.url), `/login?redirectTo=${encodeURIComponent('/events?x=1')}`, { username: 'lead.cid', password: DEMO_PASSWORD });
			expect(ok.headers.get('location')).toBe('/events?x=1');
		});

		it('sends a signed-in visitor of /login only to a path of this site, whatever redirectTo holds', async () => {
			const signedIn = as('lead.cid');
			for (const target of tricks) {
				const res = await signedIn.request(`/login?redirectTo=${encodeURIComponent(target)}`);
				expect(`${JSON.stringify(target)}: ${res.status} ${staysHome(res.headers.get('location'), demo.url)}`).toBe(`${JSON.stringify(target)}: 303 true`);
			}
		});

		it('returns only to a path of this site after switching the language, whatever redirectTo holds', async () => {
			for (const target of tricks) {
				const res = await postPlainForm(as('member.traffic'), '/language', { locale: 'zh-CN', redirectTo: target });
				expect(`${JSON.stringify(target)}: ${res.status} ${staysHome(res.headers.get('location'), demo.url)}`).toBe(`${JSON.stringify(target)}: 303 true`);
			}
			const ok = await postPlainForm(as('member.traffic'), '/language', { locale: 'zh-CN', redirectTo: `/events/${DEMO_EVENT}/board?agency=station` });
			expect(ok.headers.get('location')).toBe(`/events/${DEMO_EVENT}/board?agency=station`);
		});
	});
});
