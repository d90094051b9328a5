/**
 * Helpers for the sync hub's integration tests (tests/integration/hub-*.test.ts): demo accounts and their ids,
 * a seeded random generator, state comparison of Yjs documents, raw protocol messages, display tokens made the
 * way an administrator makes them, and activity read through the board's own API.
 */
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';
import * as awarenessProtocol from 'y-protocols/awareness';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import { unflatten } from 'devalue';
import { DEMO_USERS } from '../../src/lib/server/demo/demo-data.ts';
import { HttpClient } from './http.ts';
import { DEMO_EVENT, eventually, sessionCookie, webSocketWithCookie, type LiveDoc } from './live.ts';

export { DEMO_EVENT };

/**
 * How long tests wait for a provider to sync. Generous: CI machines run these suites twice, often beside other
 * work, and a slow sync is not what they test (timings belong to the benchmark).
 */
export const SYNC_MS = 30_000;

export const MESSAGE_SYNC = 0;
export const MESSAGE_AWARENESS = 1;
export const SYNC_STEP1 = 0;
export const SYNC_STEP2 = 1;
export const SYNC_UPDATE = 2;

/** The user id of a demo account (demo-data.ts gives every account a fixed id). */
export function demoUserId(username: string): string {
	const u = DEMO_USERS.find((x) => x.username === username);
	if (!u) throw new Error(`no demo user ${username}`);
	return u.id;
}

/** Signs each demo account in once, in parallel, and returns its session cookie by username. */
export async function signInDemo(base: string, usernames: string[]): Promise<Record<string, string>> {
	const cookies = await Promise.all(usernames.map((u) => sessionCookie(base, u)));
	return Object.fromEntries(usernames.map((u, i) => [u, cookies[i]]));
}

/** mulberry32: a small seeded generator, so a failing run can be repeated exactly. */
export function seededRandom(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

export function pick<T>(rnd: () => number, list: readonly T[]): T {
	return list[Math.floor(rnd() * list.length)];
}

/** Same structs and same deletions: the documents hold the same state. */
export function sameState(a: Y.Doc, b: Y.Doc): boolean {
	return Y.equalSnapshots(Y.snapshot(a), Y.snapshot(b));
}

/** A document's state vector as sorted [client, clock] pairs, for readable comparison. */
export function stateVectorOf(doc: Y.Doc): Array<[number, number]> {
	return [...Y.decodeStateVector(Y.encodeStateVector(doc))].sort((x, y) => x[0] - y[0]);
}

/** Waits until every document holds the same state as the first. */
export async function waitConverged(docs: Y.Doc[], timeoutMs = 30_000, what = 'documents to converge'): Promise<void> {
	await eventually(() => docs.every((d) => sameState(d, docs[0])), timeoutMs, what);
}

/** The update a sync step 2 or update message carries, or null for any other message. */
export function syncPayloadOf(message: Uint8Array): Uint8Array | null {
	try {
		const d = decoding.createDecoder(message);
		if (decoding.readVarUint(d) !== MESSAGE_SYNC) return null;
		const sub = decoding.readVarUint(d);
		return sub === SYNC_STEP2 || sub === SYNC_UPDATE ? decoding.readVarUint8Array(d) : null;
	} catch {
		return null;
	}
}

/**
 * Like connectDoc (live.ts), and also keeps every update exactly as the server sent it. (A document's own
 * 'update' event is no substitute: it reports what the update did locally, which includes deleting the
 * client's own unsent changes that lost a conflict, something the server never had.)
 */
export function connectRecording(
	base: string,
	docName: string,
	cookie: string,
	/** Carry on with this document and record (a client that moves to another server keeps what it holds). */
	carry?: { doc: Y.Doc; received: Uint8Array[] }
): LiveDoc & { received: Uint8Array[] } {
	const received: Uint8Array[] = carry?.received ?? [];
	const WithCookie = webSocketWithCookie(cookie);
	class Recording extends WithCookie {
		constructor(url: string, protocols?: string | string[]) {
			super(url, protocols);
			this.on('message', (data: Buffer | ArrayBuffer) => {
				const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
				const payload = syncPayloadOf(bytes);
				if (payload) received.push(payload.slice());
			});
		}
	}
	const doc = carry?.doc ?? new Y.Doc();
	const provider = new WebsocketProvider(base.replace(/^http/, 'ws') + '/yjs', docName, doc, {
		WebSocketPolyfill: Recording as unknown as typeof globalThis.WebSocket,
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
		received,
		destroy() {
			provider.destroy();
			doc.destroy();
		}
	};
}

/** Does `doc` already hold everything in `update` (applying it would change nothing)? */
export function containsUpdate(doc: Y.Doc, update: Uint8Array): boolean {
	return Y.snapshotContainsUpdate(Y.snapshot(doc), update);
}

/** The update a change makes when applied to a document that holds `base`, built with the given client id. */
export function updateFrom(base: Uint8Array | null, change: (doc: Y.Doc) => void, clientId?: number): Uint8Array {
	const doc = new Y.Doc();
	if (base) Y.applyUpdate(doc, base);
	// Set after loading: Yjs gives a document a new id when an update it loads already uses its own.
	if (clientId !== undefined) doc.clientID = clientId;
	const before = Y.encodeStateVector(doc);
	change(doc);
	const update = Y.encodeStateAsUpdate(doc, before);
	doc.destroy();
	return update;
}

export function syncMessage(sub: number, payload: Uint8Array): Uint8Array {
	const e = encoding.createEncoder();
	encoding.writeVarUint(e, MESSAGE_SYNC);
	encoding.writeVarUint(e, sub);
	encoding.writeVarUint8Array(e, payload);
	return encoding.toUint8Array(e);
}

/** An awareness message claiming to speak for `clientId`. */
export function awarenessMessage(clientId: number, state: Record<string, unknown> | null, clock = 1): Uint8Array {
	const inner = encoding.createEncoder();
	encoding.writeVarUint(inner, 1);
	encoding.writeVarUint(inner, clientId);
	encoding.writeVarUint(inner, clock);
	encoding.writeVarString(inner, JSON.stringify(state));
	const e = encoding.createEncoder();
	encoding.writeVarUint(e, MESSAGE_AWARENESS);
	encoding.writeVarUint8Array(e, encoding.toUint8Array(inner));
	return encoding.toUint8Array(e);
}

/** The awareness client id a provider speaks for (its document's client id). */
export function awarenessIdOf(live: LiveDoc): number {
	return (live.provider.awareness as awarenessProtocol.Awareness).clientID;
}

/** Opens a raw WebSocket to a hub document with a session cookie; resolves once it is open. */
export function openRawSocket(base: string, docName: string, cookie: string): Promise<WebSocket> {
	const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/yjs/${docName}`, { headers: { cookie } });
	ws.binaryType = 'nodebuffer';
	return new Promise((resolve, reject) => {
		ws.once('open', () => resolve(ws));
		ws.once('error', reject);
	});
}

/** Makes a display token for an event with the "createToken" action of /admin/events/[id], as an administrator. */
export async function createDisplayTokenAsAdmin(base: string, eventId: string, name: string): Promise<string> {
	const admin = new HttpClient(base);
	const login = (await (await admin.login('admin', 'liandong-demo')).json()) as { type: string };
	if (login.type !== 'redirect') throw new Error(`admin sign-in failed: ${JSON.stringify(login)}`);
	const res = await admin.postForm(`/admin/events/${eventId}?/createToken`, { name });
	const answer = (await res.json()) as { type: string; data?: string };
	if (answer.type !== 'success' || !answer.data) throw new Error(`createToken answered ${JSON.stringify(answer)}`);
	const data = unflatten(JSON.parse(answer.data)) as { created?: { url: string } };
	const token = /\/wall\/([^/?#]+)$/.exec(data.created?.url ?? '')?.[1];
	if (!token) throw new Error(`createToken gave no wall address: ${answer.data}`);
	return token;
}

export interface ActivityItem {
	id: string;
	doc: string;
	seq: number | null;
	userId: string | null;
	userName: string | null;
	at: string;
	entityType: string;
	entityId: string;
	action: string;
	field: string | null;
	subject: string | null;
	from: string | null;
	to: string | null;
}

/** An entity's activity as a signed-in user reads it through GET /api/events/<id>/activity, oldest first. */
export async function activityOf(base: string, cookie: string, eventId: string, entityId: string): Promise<ActivityItem[]> {
	const res = await fetch(`${base}/api/events/${eventId}/activity?entity=${encodeURIComponent(entityId)}`, { headers: { cookie } });
	if (!res.ok) throw new Error(`activity answered ${res.status}: ${await res.text()}`);
	return ((await res.json()) as { activity: ActivityItem[] }).activity.reverse();
}

export function sleep(ms: number): Promise<void> {
	return new Promise((r) => setTimeout(r, ms));
}
