/**
 * Quotas (red team, item 3): one member's flood of large updates is refused once their budget is used, with the
 * limit named, while ordinary editing goes on; a document has a byte budget, a user a number of connections and of
 * export jobs at once; and the schema's caps fit real events.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as Y from 'yjs';
import { startServer, type TestServer } from '../helpers/server.ts';
import { HttpClient } from '../helpers/http.ts';
import { signIn } from '../helpers/accounts.ts';
import { connectDoc, DEMO_EVENT, DEMO_PASSWORD, nextClose, sessionCookie, whenSynced, type LiveDoc } from '../helpers/live.ts';
import { demoUserId, sleep } from '../helpers/hub.ts';
import { agencyDocName } from '../../src/lib/domain/documents.ts';
import { addCard, notesOf } from '../../src/lib/domain/board.ts';
import { CLOSE_CODES } from '../../src/lib/domain/wire.ts';

const STATION = agencyDocName(DEMO_EVENT, 'station');

/** About 0.9 MB in one update: 180 cards with 4,900 characters of notes each (under the 5,000 cap). */
function floodUpdate(doc: Y.Doc, round: number, userId: string): void {
	doc.transact(() => {
		for (let i = 0; i < 180; i++) {
			const id = `flood-${round}-${i}`;
			addCard(doc, id, { title: `灌水 ${round}-${i}`, status: 'todo', priority: 'routine', agency: 'station', createdBy: userId });
			notesOf(doc, id)!.insert(0, 'x'.repeat(4_900));
		}
	});
}

describe('quotas', () => {
	let server: TestServer;
	const open: LiveDoc[] = [];

	beforeAll(async () => {
		server = await startServer({ demo: true, env: { QUOTA_USER_MB_PER_MINUTE: '2', QUOTA_USER_CONNECTIONS: '4' } });
	});
	afterAll(async () => {
		open.forEach((l) => l.destroy());
		await server?.dispose();
	});

	it("refuses a member's flood once their bytes per minute are used, naming the limit, while others edit on", async () => {
		const member = connectDoc(server.url, STATION, { cookie: await sessionCookie(server.url, 'member.station') });
		open.push(member);
		await whenSynced(member);
		const closing = nextClose(member, 20_000);
		for (let round = 0; round < 4; round++) floodUpdate(member.doc, round, demoUserId('member.station'));
		const closed = await closing;
		expect(closed).toEqual({ code: CLOSE_CODES.overQuota, reason: 'quota:userRate' });
		member.provider.disconnect();

		// The lead, on their own budget, still edits the same document.
		const lead = connectDoc(server.url, STATION, { cookie: await sessionCookie(server.url, 'lead.station') });
		open.push(lead);
		await whenSynced(lead);
		addCard(lead.doc, 'after-flood', { title: '正常编辑', status: 'todo', priority: 'routine', agency: 'station', createdBy: demoUserId('lead.station') });
		await sleep(500);
		expect(lead.closes).toEqual([]);
		// At most the budget's worth of the flood was stored.
		const fresh = connectDoc(server.url, STATION, { cookie: await sessionCookie(server.url, 'commander') });
		open.push(fresh);
		await whenSynced(fresh);
		const flooded = [...fresh.doc.getMap('cards').keys()].filter((k) => k.startsWith('flood-')).length;
		expect(flooded).toBeLessThanOrEqual(2 * 180);
		expect(fresh.doc.getMap('cards').has('after-flood')).toBe(true);
	});

	it('refuses a connection over the per-user limit, naming it', async () => {
		const cookie = await sessionCookie(server.url, 'member.traffic');
		const docs = ['command', 'station', 'cid', 'traffic'].map((d) => (d === 'command' ? `event/${DEMO_EVENT}/command` : agencyDocName(DEMO_EVENT, d)));
		for (const name of docs) {
			const live = connectDoc(server.url, name, { cookie });
			open.push(live);
			await whenSynced(live);
		}
		const fifth = connectDoc(server.url, agencyDocName(DEMO_EVENT, 'patrol'), { cookie });
		open.push(fifth);
		expect(await nextClose(fifth)).toEqual({ code: CLOSE_CODES.overQuota, reason: 'quota:connections' });
	});

	it('refuses notes longer than the cap of a real card', async () => {
		const lead = connectDoc(server.url, agencyDocName(DEMO_EVENT, 'cid'), { cookie: await sessionCookie(server.url, 'lead.cid') });
		open.push(lead);
		await whenSynced(lead);
		const closing = nextClose(lead);
		lead.doc.transact(() => {
			addCard(lead.doc, 'long-notes', { title: '长备注', status: 'todo', priority: 'routine', agency: 'cid', createdBy: demoUserId('lead.cid') });
			notesOf(lead.doc, 'long-notes')!.insert(0, '长'.repeat(5_001));
		});
		expect((await closing).code).toBe(CLOSE_CODES.refused);
	});

	it("refuses a fourth export while a user's three are unfinished, in the user's language", async () => {
		const commander = await signIn(new HttpClient(server.url), 'commander', DEMO_PASSWORD);
		const start = () =>
			commander.request(`/api/events/${DEMO_EVENT}/record/exports`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ format: 'pdf' }) });
		const answers = await Promise.all([start(), start(), start(), start()]);
		const statuses = answers.map((r) => r.status).sort();
		expect(statuses).toEqual([202, 202, 202, 429]);
		const refused = answers.find((r) => r.status === 429)!;
		expect(await refused.json()).toMatchObject({ error: 'tooManyJobs', message: expect.stringContaining('导出正在进行') });
	});
});

describe('the byte budget of a document', () => {
	let server: TestServer;

	beforeAll(async () => {
		server = await startServer({ demo: true, env: { QUOTA_DOC_MB: '1' } });
	});
	afterAll(async () => {
		await server?.dispose();
	});

	it('refuses an update that would take a document over its budget, as full', async () => {
		const lead = connectDoc(server.url, STATION, { cookie: await sessionCookie(server.url, 'lead.station') });
		await whenSynced(lead);
		const closing = nextClose(lead, 20_000);
		floodUpdate(lead.doc, 0, demoUserId('lead.station'));
		floodUpdate(lead.doc, 1, demoUserId('lead.station'));
		expect(await closing).toEqual({ code: CLOSE_CODES.documentFull, reason: 'quota:docBytes' });
		lead.destroy();
	});
});
