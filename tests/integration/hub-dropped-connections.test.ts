/**
 * Phones lose their network in a crowd without closing anything. The hub pings every connection and drops one
 * that answers nothing, its presence with it; and a page that comes back before that keeps its own presence:
 * its new connection takes the awareness id over from its old one (same sign-in only), instead of being refused
 * as if it spoke for someone else, which stopped the page's document ("sync stopped") after a dead zone.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import WebSocket from 'ws';
import { startServer, type TestServer } from '../helpers/server.ts';
import { connectDoc, eventually, sessionCookie, whenSynced, type LiveDoc } from '../helpers/live.ts';
import { awarenessMessage, DEMO_EVENT, demoUserId, openRawSocket, signInDemo, SYNC_MS } from '../helpers/hub.ts';
import { agencyDocName } from '../../src/lib/domain/documents.ts';
import { CLOSE_CODES } from '../../src/lib/domain/wire.ts';

const STATION = agencyDocName(DEMO_EVENT, 'station');
// Short, but long enough that a test process busy for a moment still answers in time.
const HEARTBEAT_MS = 1_000;

/** Resolves with the close code and reason, or 'open' if the socket is still open after `ms`. */
function closedWithin(ws: WebSocket, ms: number): Promise<string> {
	return new Promise((resolve) => {
		if (ws.readyState === ws.CLOSED) return resolve('closed');
		const timer = setTimeout(() => resolve('open'), ms);
		ws.once('close', (code, reason) => {
			clearTimeout(timer);
			resolve(`${code} ${reason.toString()}`);
		});
	});
}

describe('dropped connections and pages that come back', () => {
	let server: TestServer;
	let cookies: Record<string, string>;
	let watcher: LiveDoc;
	const sockets: WebSocket[] = [];

	beforeAll(async () => {
		server = await startServer({ demo: true, env: { LIVE_HEARTBEAT_MS: String(HEARTBEAT_MS) } });
		cookies = await signInDemo(server.url, ['lead.station', 'member.station', 'commander']);
		watcher = connectDoc(server.url, STATION, { cookie: cookies['member.station'] });
		await whenSynced(watcher, SYNC_MS);
	});
	afterAll(async () => {
		try {
			for (const ws of sockets) ws.terminate();
			watcher?.destroy();
		} finally {
			await server?.dispose();
		}
	});

	const presence = (id: number) => watcher.provider.awareness.getStates().get(id) as { at?: string; user?: { id?: string } } | undefined;
	const raw = async (cookie: string, options?: { autoPong: boolean }) => {
		const ws = options ? new WebSocket(`${server.url.replace(/^http/, 'ws')}/yjs/${STATION}`, { headers: { cookie }, ...options }) : await openRawSocket(server.url, STATION, cookie);
		if (ws.readyState !== ws.OPEN) await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
		sockets.push(ws);
		return ws;
	};

	it('hands a page its own presence back on a new connection while the old one still looks open, and to nobody else', async () => {
		const id = 424_242;
		const before = await raw(cookies['lead.station']);
		before.send(awarenessMessage(id, { at: 'card-1' }, 1));
		await eventually(() => presence(id)?.at === 'card-1', 10_000, 'the first presence');

		// The page reconnects (same sign-in, same awareness id, a newer state) while its old socket is still open here.
		const after = await raw(cookies['lead.station']);
		after.send(awarenessMessage(id, { at: 'card-2' }, 2));
		await eventually(() => presence(id)?.at === 'card-2', 10_000, 'the presence from the new connection');
		expect(presence(id)?.user?.id).toBe(demoUserId('lead.station'));
		expect(await closedWithin(after, 3 * HEARTBEAT_MS)).toBe('open');

		// The old socket closing at last does not take the presence away: it is the new connection's.
		before.close();
		await closedWithin(before, 5_000);
		await new Promise((r) => setTimeout(r, 3 * HEARTBEAT_MS));
		expect(presence(id)?.at).toBe('card-2');

		// Another sign-in of the same person, or another person, may not speak for it.
		for (const cookie of [await sessionCookie(server.url, 'lead.station'), cookies.commander]) {
			const other = await raw(cookie);
			other.send(awarenessMessage(id, { at: 'elsewhere' }, 3));
			expect(await closedWithin(other, 5_000)).toBe(`${CLOSE_CODES.refused} awareness client ${id} belongs to another connection`);
		}
		expect(presence(id)?.at).toBe('card-2');

		after.close();
		await eventually(() => presence(id) === undefined, 10_000, 'the presence removed when its connection closed');
	});

	it('drops a connection that stops answering pings, and its presence, while answering ones stay', async () => {
		const id = 515_151;
		const silent = await raw(cookies['lead.station'], { autoPong: false });
		silent.send(awarenessMessage(id, { at: 'card-3' }, 1));
		await eventually(() => presence(id)?.at === 'card-3', 10_000, 'the silent one’s presence');

		const closed = await closedWithin(silent, 20 * HEARTBEAT_MS);
		expect(closed).toMatch(/^1006 /);
		await eventually(() => presence(id) === undefined, 10_000, 'the dropped connection’s presence removed');
		// The stock client answers pings by itself: it stayed connected through all those beats.
		expect(watcher.provider.wsconnected).toBe(true);
	});
});
