/**
 * A laptop serving phones over the venue's Wi-Fi serves HTTPS itself (a secure context: service worker, camera,
 * notifications): pages, the sync hub over wss and socket.io all answer on TLS with the certificate from TLS_CERT
 * and TLS_KEY, and plain HTTP on HTTP_REDIRECT_PORT is sent to the secure address.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import https from 'node:https';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import { generate } from 'selfsigned';
import { freePort, httpsGet, startServer, type TestServer } from '../helpers/server.ts';
import { DEMO_EVENT } from '../helpers/live.ts';
import { commandDocName } from '../../src/lib/domain/documents.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('serving HTTPS at the venue', () => {
	let dir: string;
	let server: TestServer;
	let cert: string;
	let redirectPort: number;

	beforeAll(async () => {
		dir = mkdtempSync(join(tmpdir(), 'liandong-tls-'));
		// What the README's steps make for a laptop: a certificate naming its address (here the loopback one).
		const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
			keySize: 2048,
			extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }, { type: 2, value: 'localhost' }] }]
		});
		cert = pems.cert;
		writeFileSync(join(dir, 'cert.pem'), pems.cert);
		writeFileSync(join(dir, 'key.pem'), pems.private);
		redirectPort = await freePort();
		server = await startServer({
			demo: true,
			tlsCa: cert,
			env: { TLS_CERT: join(dir, 'cert.pem'), TLS_KEY: join(dir, 'key.pem'), HTTP_REDIRECT_PORT: String(redirectPort) }
		});
	});
	afterAll(async () => {
		await server?.dispose();
		if (dir) rmSync(dir, { recursive: true, force: true });
	});

	it('serves the pages over TLS with the configured certificate', async () => {
		expect(server.url.startsWith('https://')).toBe(true);
		const login = await httpsGet(`${server.url}/login`, cert);
		expect(login.status).toBe(200);
		expect(login.body).toContain('<html lang="zh-CN"');
		// Served over https, browsers are told to keep to it.
		expect(login.headers['strict-transport-security']).toBe('max-age=15552000');
	});

	it('sends plain HTTP on the redirect port to the same path over HTTPS', async () => {
		const res = await fetch(`http://127.0.0.1:${redirectPort}/events/${DEMO_EVENT}/board?col=doing`, { redirect: 'manual' });
		expect(res.status).toBe(308);
		expect(res.headers.get('location')).toBe(`https://127.0.0.1:${server.port}/events/${DEMO_EVENT}/board?col=doing`);
	});

	it('syncs a document with a stock y-websocket provider over wss', async () => {
		const signIn = await new Promise<string>((resolve, reject) => {
			const body = new URLSearchParams({ username: 'commander', password: 'liandong-demo' }).toString();
			const req = https.request(
				`${server.url}/login`,
				{ method: 'POST', ca: cert, headers: { 'content-type': 'application/x-www-form-urlencoded', origin: server.url, 'x-sveltekit-action': 'true', accept: 'application/json' } },
				(res) => {
					const cookie = (res.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]).join('; ');
					res.resume();
					res.on('end', () => resolve(cookie));
				}
			);
			req.on('error', reject);
			req.end(body);
		});
		expect(signIn).toMatch(/=/);
		const doc = new Y.Doc();
		class TrustingWebSocket extends WebSocket {
			constructor(url: string, protocols?: string | string[]) {
				super(url, protocols, { ca: cert, headers: { cookie: signIn } });
			}
		}
		const provider = new WebsocketProvider(server.url.replace(/^https/, 'wss') + '/yjs', commandDocName(DEMO_EVENT), doc, {
			WebSocketPolyfill: TrustingWebSocket as unknown as typeof globalThis.WebSocket,
			disableBc: true
		});
		try {
			await new Promise<void>((resolve) => provider.once('sync', (synced: boolean) => synced && resolve()));
			expect(doc.getMap('posts').size).toBeGreaterThan(0);
		} finally {
			provider.destroy();
			doc.destroy();
		}
	});

	it('refuses to start with a key that is not the certificate’s, in one line naming TLS_KEY', async () => {
		const other = await generate([{ name: 'commonName', value: 'other' }], { keySize: 2048 });
		writeFileSync(join(dir, 'other-key.pem'), other.private);
		const out = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
			const child = spawn(process.execPath, ['server/main.ts'], {
				cwd: ROOT,
				env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: join(dir, 'data2'), TLS_CERT: join(dir, 'cert.pem'), TLS_KEY: join(dir, 'other-key.pem') },
				stdio: ['ignore', 'ignore', 'pipe']
			});
			let stderr = '';
			child.stderr.on('data', (d) => (stderr += d));
			child.on('exit', (code) => resolve({ code, stderr }));
		});
		expect(out.code).toBe(1);
		expect(out.stderr.trim().split('\n')).toHaveLength(1);
		expect(out.stderr).toContain('TLS_KEY');
	});
});
