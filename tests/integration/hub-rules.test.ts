/**
 * The document rules are enforced in the hub, not only in the pages (red team, item 2): with a stock Yjs client,
 * every forgery the red team tried is refused (4422) and never stored, while the same kind of edit made the way the
 * pages make it goes through. And a wall display publishes no presence.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as Y from 'yjs';
import { startServer, type TestServer } from '../helpers/server.ts';
import { connectDoc, DEMO_EVENT, nextClose, sessionCookie, whenSynced, type LiveDoc } from '../helpers/live.ts';
import { createDisplayTokenAsAdmin, demoUserId, sleep } from '../helpers/hub.ts';
import { agencyDocName } from '../../src/lib/domain/documents.ts';
import { recordCheck, updateShift } from '../../src/lib/domain/roster-write.ts';
import { addComment, addCard } from '../../src/lib/domain/board.ts';
import { addDispute, addProgressNote, updateDispute } from '../../src/lib/domain/dispute-doc.ts';
import { CLOSE_CODES } from '../../src/lib/domain/wire.ts';

const STATION = agencyDocName(DEMO_EVENT, 'station');
const PATROL = agencyDocName(DEMO_EVENT, 'patrol');

describe('document rules in the hub', () => {
	let server: TestServer;
	const cookies: Record<string, string> = {};
	const open: LiveDoc[] = [];

	async function connect(username: string, doc: string): Promise<LiveDoc> {
		cookies[username] ??= await sessionCookie(server.url, username);
		const live = connectDoc(server.url, doc, { cookie: cookies[username] });
		open.push(live);
		await whenSynced(live);
		return live;
	}

	/** Applies `change` as `username` and expects the hub to refuse it; then reads the document afresh. */
	async function refused(username: string, doc: string, change: (d: Y.Doc) => void): Promise<Y.Doc> {
		const live = await connect(username, doc);
		const closing = nextClose(live);
		change(live.doc);
		expect((await closing).code).toBe(CLOSE_CODES.refused);
		live.destroy();
		return (await connect('commander', doc)).doc;
	}

	beforeAll(async () => {
		server = await startServer({ demo: true });
	});
	afterAll(async () => {
		open.forEach((l) => l.destroy());
		await server?.dispose();
	});

	it("refuses a member's rewrite of another person's shift times", async () => {
		const fresh = await refused('member.station', STATION, (d) => updateShift(d, 'demo-shift-mobile-next', { startsAt: '2030-01-01T00:00:00+08:00' }));
		expect(((fresh.getMap('shifts').get('demo-shift-mobile-next') as Y.Map<unknown>).get('startsAt') as string).startsWith('2030')).toBe(false);
	});

	it("takes the station lead's change of the same shift's times (decided at connect from the lead's membership)", async () => {
		const lead = await connect('lead.station', STATION);
		updateShift(lead.doc, 'demo-shift-mobile-next', { startsAt: '2030-01-01T00:00:00+08:00' });
		await sleep(500);
		expect(lead.closes).toEqual([]);
		const fresh = await connect('commander', STATION);
		expect((fresh.doc.getMap('shifts').get('demo-shift-mobile-next') as Y.Map<unknown>).get('startsAt')).toBe('2030-01-01T00:00:00+08:00');
	});

	it("refuses a member's check-in of someone else, recorded as by a lead", async () => {
		const fresh = await refused('member.station', STATION, (d) =>
			recordCheck(d, 'demo-shift-mobile-next', 'p1', 'in', new Date().toISOString(), demoUserId('lead.station'))
		);
		const checkins = (fresh.getMap('shifts').get('demo-shift-mobile-next') as Y.Map<unknown>).get('checkins') as Y.Map<unknown> | undefined;
		expect(checkins?.has('p1') ?? false).toBe(false);
	});

	it('takes a member’s check-in of themselves, recorded by themselves', async () => {
		const member = await connect('member.station', STATION);
		recordCheck(member.doc, 'demo-shift-gate-now', 'p1', 'in', new Date().toISOString(), demoUserId('member.station'));
		await sleep(500);
		expect(member.closes).toEqual([]);
		const fresh = await connect('commander', STATION);
		const rec = ((fresh.doc.getMap('shifts').get('demo-shift-gate-now') as Y.Map<unknown>).get('checkins') as Y.Map<Y.Map<unknown>>).get('p1')!;
		expect(rec.get('recordedBy')).toBe(demoUserId('member.station'));
	});

	it('refuses moving a resolved dispute back to open, which the status transitions forbid', async () => {
		const fresh = await refused('lead.patrol', PATROL, (d) => updateDispute(d, 'demo-dispute-p3', { status: 'open' }));
		expect((fresh.getMap('disputes').get('demo-dispute-p3') as Y.Map<unknown>).get('status')).toBe('resolved');
	});

	it('refuses replacing an escalated dispute under its id with a fresh one, which would erase its trail', async () => {
		const fresh = await refused('lead.station', STATION, (d) =>
			addDispute(d, 'demo-dispute-s2', { summary: '无事', category: 'other', risk: 'low', status: 'open', level: 'community' })
		);
		const kept = fresh.getMap('disputes').get('demo-dispute-s2') as Y.Map<unknown>;
		expect(kept.get('status')).toBe('reported');
		expect((kept.get('progress') as Y.Array<unknown>).length).toBeGreaterThan(0);
	});

	it('refuses a comment "by" the commander from someone else, and a fake escalation note', async () => {
		const comments = await refused('lead.station', STATION, (d) =>
			addComment(d, 'demo-card-s1', { id: 'forged-1', by: demoUserId('commander'), at: new Date().toISOString(), text: '同意，按此执行' })
		);
		expect(JSON.stringify(comments.getMap('cards').toJSON())).not.toContain('forged-1');
		const notes = await refused('lead.station', STATION, (d) =>
			addProgressNote(d, 'demo-dispute-s1', { at: new Date().toISOString(), by: demoUserId('lead.station'), text: '已上报区里', kind: 'escalation' })
		);
		expect(JSON.stringify(notes.getMap('disputes').toJSON())).not.toContain('已上报区里');
	});

	it('refuses a card "created by" someone else, and takes one created by its writer', async () => {
		await refused('lead.station', STATION, (d) => addCard(d, 'forged-card', { title: '伪造', status: 'todo', priority: 'routine', agency: 'station', createdBy: demoUserId('commander') }));
		const lead = await connect('lead.station', STATION);
		addCard(lead.doc, 'honest-card', { title: '如实', status: 'todo', priority: 'routine', agency: 'station', createdBy: demoUserId('lead.station') });
		await sleep(500);
		expect(lead.closes).toEqual([]);
	});

	it("refuses an update that reuses the server's own client id", async () => {
		// The demo's board was written by the server: its client ids are in the document.
		const base = await connect('lead.station', STATION);
		const serverClient = [...Y.decodeStateVector(Y.encodeStateVector(base.doc)).keys()].find(
			(c) => c !== base.doc.clientID && base.doc.store.clients.get(c)?.some((s) => 'content' in s)
		)!;
		const forger = new Y.Doc();
		forger.clientID = serverClient;
		Y.applyUpdate(forger, Y.encodeStateAsUpdate(base.doc));
		await refused('lead.station', STATION, (d) => {
			forger.getMap('cards').set('server-forged', new Y.Map());
			Y.applyUpdate(d, Y.encodeStateAsUpdate(forger, Y.encodeStateVector(d)));
		});
	});

	it('publishes no presence for a wall display', async () => {
		const token = await createDisplayTokenAsAdmin(server.url, DEMO_EVENT, '规则大屏');
		const wall = connectDoc(server.url, STATION, { displayToken: token });
		open.push(wall);
		await whenSynced(wall);
		wall.provider.awareness.setLocalState({ user: { name: '大屏冒充' } });
		const commander = await connect('commander', STATION);
		await sleep(1000);
		const seen = [...commander.provider.awareness.getStates().values()].map((s) => JSON.stringify(s));
		expect(seen.join(',')).not.toContain('大屏冒充');
		expect(wall.closes).toEqual([]);
	});
});
