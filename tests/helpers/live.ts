/**
 * Real live clients for tests and benchmarks: the stock y-websocket WebsocketProvider (with the session cookie
 * sent the way a browser would) and socket.io-client.
 */
import * as Y from 'yjs';
import { WebsocketProvider, messageSync } from 'y-websocket';
import WebSocket from 'ws';
import * as decoding from 'lib0/decoding';
import { messageYjsSyncStep1 } from 'y-protocols/sync';
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../src/lib/domain/wire.ts';

export const DEMO_PASSWORD = 'liandong-demo';
export const DEMO_EVENT = 'demo-lantern-2026';

/** Signs in through the login form and returns the `session=...` cookie pair. */
export async function sessionCookie(base: string, username: string, password = DEMO_PASSWORD): Promise<string> {
	const res = await fetch(`${base}/login`, {
		method: 'POST',
		redirect: 'manual',
		headers: { origin: base, 'content-type': 'application/x-www-form-urlencoded', 'x-sveltekit-action': 'true' },
		body: new URLSearchParams({ username, password })
	});
	const cookie = res.headers.getSetCookie().find((c) => c.startsWith('session='));
	if (!cookie) throw new Error(`login as ${username} failed: ${res.status} ${await res.text()}`);
	return cookie.split(';')[0];
}

/** A WebSocket class for y-websocket that sends a Cookie header (Node has no cookie jar). */
export function webSocketWithCookie(cookie: string | null): typeof WebSocket {
	return class extends WebSocket {
		constructor(url: string, protocols?: string | string[]) {
			super(url, protocols, cookie ? { headers: { cookie } } : {});
		}
	} as typeof WebSocket;
}

export interface LiveDoc {
	doc: Y.Doc;
	provider: WebsocketProvider;
	/** Close events seen, newest last. */
	closes: Array<{ code: number; reason: string }>;
	destroy(): void;
}

/**
 * Calls `stored` with the clock up to which the server has stored this client's changes, each time an update it
 * sends back holds some of them: the hub sends every stored update to all of the document's connections, its
 * writer's included, and that echo is the writer's acknowledgement (the page counts its edits saved the same way).
 */
export function onStored(live: LiveDoc, stored: (clock: number) => void): void {
	const handle = live.provider.messageHandlers[messageSync];
	live.provider.messageHandlers[messageSync] = (reply, decoder, provider, emitSynced, type) => {
		const peek = decoding.clone(decoder);
		// A state vector (sync's first step) holds nothing stored; an answer or an update may.
		if (decoding.readVarUint(peek) !== messageYjsSyncStep1) {
			const to = Y.parseUpdateMeta(decoding.readVarUint8Array(peek)).to.get(live.doc.clientID);
			if (to !== undefined) stored(to);
		}
		handle(reply, decoder, provider, emitSynced, type);
	};
}

/**
 * Each stock provider listens for the process's exit (y-websocket adds one listener per provider, and takes it off
 * when destroyed); tests and the bench hold hundreds at once, which Node would report as a leak.
 */
process.setMaxListeners(Math.max(process.getMaxListeners(), 5_000));

/**
 * Connects a stock WebsocketProvider to a document. BroadcastChannel is off so that clients in one test
 * process only ever talk through the server.
 */
export function connectDoc(
	base: string,
	docName: string,
	opts: { cookie?: string | null; displayToken?: string; connect?: boolean; doc?: Y.Doc; resyncInterval?: number; path?: string } = {}
): LiveDoc {
	const doc = opts.doc ?? new Y.Doc();
	// `path`: where the server takes documents ('/yjs' here; '' on the reference server the bench compares with).
	const provider = new WebsocketProvider(base.replace(/^http/, 'ws') + (opts.path ?? '/yjs'), docName, doc, {
		WebSocketPolyfill: webSocketWithCookie(opts.cookie ?? null) as unknown as typeof globalThis.WebSocket,
		params: opts.displayToken ? { token: opts.displayToken } : {},
		disableBc: true,
		connect: opts.connect ?? true,
		resyncInterval: opts.resyncInterval ?? -1
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

/** Resolves once the provider has synced with the server. */
export function whenSynced(live: LiveDoc, timeoutMs = 10_000): Promise<void> {
	if (live.provider.synced) return Promise.resolve();
	return new Promise((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error('not synced in time')), timeoutMs);
		live.provider.once('sync', (synced: boolean) => {
			if (synced) {
				clearTimeout(timer);
				resolve();
			}
		});
	});
}

/** Resolves with the first close event (code and reason) of a provider's connection. */
export function nextClose(live: LiveDoc, timeoutMs = 10_000): Promise<{ code: number; reason: string }> {
	return new Promise((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error('no close in time')), timeoutMs);
		live.provider.once('connection-close', (event: CloseEvent | null) => {
			clearTimeout(timer);
			resolve({ code: event?.code ?? 0, reason: event?.reason ?? '' });
		});
	});
}

/** Polls until `check` is true. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
	const until = Date.now() + timeoutMs;
	while (Date.now() < until) {
		if (await check()) return;
		await new Promise((r) => setTimeout(r, 25));
	}
	throw new Error(`timed out waiting for ${what}`);
}

export type CommandSocketClient = Socket<ServerToClientEvents, ClientToServerEvents>;

/** Connects socket.io-client with a session cookie or a display token. */
export function connectCommands(base: string, opts: { cookie?: string; displayToken?: string } = {}): Promise<CommandSocketClient> {
	const socket: CommandSocketClient = io(base, {
		path: '/socket.io',
		transports: ['websocket'],
		extraHeaders: opts.cookie ? { cookie: opts.cookie } : {},
		auth: opts.displayToken ? { token: opts.displayToken } : {},
		reconnection: false
	});
	return new Promise((resolve, reject) => {
		socket.once('connect', () => resolve(socket));
		socket.once('connect_error', (err) => reject(err));
	});
}
