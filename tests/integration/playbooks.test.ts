/**
 * Playbooks (预案, issue 19 point 3): one command creates a playbook's cards in several agencies' documents at once,
 * each agency's lead sees theirs live, the cards name each other, and the activity names who ran which playbook.
 * A refusal by one agency's document creates none: the traffic document is filled to the card schema's limit of
 * entries — something no check of the playbook itself can know — and a run with a traffic card must leave the
 * station's and criminal investigation's documents as they were.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { parse } from 'devalue';
import { CROWD_QUOTAS, startServer, type TestServer } from '../helpers/server.ts';
import { connectDoc, DEMO_EVENT, eventually, whenSynced, type LiveDoc } from '../helpers/live.ts';
import { command, demoClient, joinAs, type Listener } from '../helpers/commands.ts';
import type { HttpClient } from '../helpers/http.ts';
import { agencyDocName } from '../../src/lib/domain/documents.ts';
import { buildCardMap, cardsOf, readCard, type Card } from '../../src/lib/domain/board.ts';
import { BUILTIN_PLAYBOOKS } from '../../src/lib/domain/playbooks.ts';
import { DOC_ROOTS } from '../../src/lib/domain/doc-schema.ts';
import type { PlaybookRunView } from '../../src/lib/domain/wire.ts';
import { DEMO_USERS } from '../../src/lib/server/demo/demo-data.ts';
import { newId } from '../../src/lib/domain/ids.ts';

const TIMEOUT = { timeout: 180_000 };
const user = (username: string) => DEMO_USERS.find((u) => u.username === username)!;
const LEADS = { station: 'lead.station', cid: 'lead.cid', traffic: 'lead.traffic', patrol: 'lead.patrol' } as const;
type Agency = keyof typeof LEADS;

function cardsIn(live: LiveDoc): Card[] {
	return [...cardsOf(live.doc).entries()].map(([id, map]) => readCard(id, map));
}

interface ActivityRow {
	userId: string | null;
	userName: string | null;
	entityId: string;
	action: string;
	subject: string | null;
	to: string | null;
}

describe('playbooks', () => {
	let server: TestServer;
	const c: Record<string, HttpClient> = {};
	const l: Record<string, Listener> = {};
	/** Each agency's document as its own lead holds it, over y-websocket. */
	const docs = {} as Record<Agency, LiveDoc>;
	const open: LiveDoc[] = [];

	async function activity(who: string, entity: string): Promise<ActivityRow[]> {
		const res = await c[who].request(`/api/events/${DEMO_EVENT}/activity?entity=${entity}`);
		expect(res.status).toBe(200);
		return ((await res.json()) as { activity: ActivityRow[] }).activity;
	}

	async function createPlaybook(fields: Record<string, string>): Promise<string> {
		const res = await c.commander.postForm(`/events/${DEMO_EVENT}/playbooks?/create`, fields);
		const answer = (await res.json()) as { type: string; data?: string };
		const data = answer.data ? (parse(answer.data) as Record<string, unknown>) : null;
		if (answer.type !== 'success' || typeof data?.id !== 'string') throw new Error(`creating a playbook failed: ${JSON.stringify(answer)} ${JSON.stringify(data)}`);
		return data.id;
	}

	beforeAll(async () => {
		server = await startServer({ demo: true, env: CROWD_QUOTAS });
		for (const u of ['commander', 'member.station', 'reviewer', ...Object.values(LEADS)]) {
			c[u] = await demoClient(server.url, u);
			l[u] = await joinAs(c[u]);
		}
		for (const [agency, lead] of Object.entries(LEADS) as Array<[Agency, string]>) {
			docs[agency] = connectDoc(server.url, agencyDocName(DEMO_EVENT, agency), { cookie: c[lead].cookieHeader() });
			open.push(docs[agency]);
		}
		await Promise.all(Object.values(docs).map((d) => whenSynced(d)));
	}, 120_000);

	afterAll(async () => {
		for (const d of open) d.destroy();
		for (const x of Object.values(l)) x.socket.disconnect();
		await server?.dispose();
	});

	it('creates the cards of a run in every agency at once, and each agency’s lead sees theirs live, linked to the others', TIMEOUT, async () => {
		const lostChild = BUILTIN_PLAYBOOKS.find((p) => p.id === 'builtin-lost-child')!;
		const before = Date.now();
		const answer = await command(l.commander.socket, 'playbook:run', { eventId: DEMO_EVENT, playbookId: lostChild.id });
		expect(answer.ok).toBe(true);
		const run = (answer as { run: PlaybookRunView }).run;
		expect(run.cards.map((x) => x.agency)).toEqual(['station', 'cid', 'traffic', 'patrol']);

		for (const created of run.cards) {
			const live = docs[created.agency as Agency];
			await eventually(() => cardsOf(live.doc).has(created.cardId), 10_000, `${created.agency}'s lead to see its card`);
			const card = readCard(created.cardId, cardsOf(live.doc).get(created.cardId)!);
			const planned = lostChild.cards.find((x) => x.agency === created.agency)!;
			expect(card).toMatchObject({ title: planned.title, priority: planned.priority, status: 'todo', agency: created.agency, createdBy: user('commander').id });
			expect(card.checklist.map((i) => i.text)).toEqual(planned.checklist);
			const dueIn = Date.parse(card.dueAt!) - before;
			expect(dueIn).toBeGreaterThanOrEqual(planned.dueMinutes * 60_000 - 1_000);
			expect(dueIn).toBeLessThan(planned.dueMinutes * 60_000 + 30_000);
			// Linked: the notes name the playbook, who ran it, and every other card of the run by agency and title.
			expect(card.notes).toContain(`【预案】走失儿童（${user('commander').displayName}`);
			for (const other of lostChild.cards.filter((x) => x !== planned)) expect(card.notes).toContain(`「${other.title}」`);
			expect(card.notes).not.toContain(created.cardId);
		}
	});

	it('names who ran which playbook in the activity of every card it made', TIMEOUT, async () => {
		const answer = await command(l['lead.traffic'].socket, 'playbook:run', { eventId: DEMO_EVENT, playbookId: 'builtin-medical' });
		expect(answer.ok).toBe(true);
		const run = (answer as { run: PlaybookRunView }).run;
		for (const created of run.cards) {
			// The station lead reads every agency's activity, as every member does.
			const rows = await activity('lead.station', created.cardId);
			expect(rows).toContainEqual(expect.objectContaining({ action: 'created', userName: user('lead.traffic').displayName }));
			expect(rows).toContainEqual(expect.objectContaining({ action: 'playbookRun', subject: run.runId, to: '医疗', userName: user('lead.traffic').displayName }));
		}
	});

	it('lets the commander run any playbook and a lead only one with a card for their own agency; no one else', TIMEOUT, async () => {
		const run = (who: string, input: { playbookId: string; fromAgency?: string }) => command(l[who].socket, 'playbook:run', { eventId: DEMO_EVENT, ...input });
		const countAll = () => Object.values(docs).reduce((n, d) => n + cardsOf(d.doc).size, 0);
		const start = countAll();
		expect(await run('member.station', { playbookId: 'builtin-fire' })).toMatchObject({ ok: false, error: 'forbidden' });
		expect(await run('reviewer', { playbookId: 'builtin-fire' })).toMatchObject({ ok: false, error: 'forbidden' });
		// The medical playbook has no card for criminal investigation.
		expect(await run('lead.cid', { playbookId: 'builtin-medical' })).toMatchObject({ ok: false, error: 'forbidden' });
		// A lead may not start one from another agency.
		expect(await run('lead.traffic', { playbookId: 'builtin-fire', fromAgency: 'station' })).toMatchObject({ ok: false, error: 'forbidden' });
		expect(await run('commander', { playbookId: 'no-such-playbook' })).toMatchObject({ ok: false, error: 'notFound' });
		expect(await run('commander', { playbookId: '../x' })).toMatchObject({ ok: false, error: 'invalid' });
		await new Promise((r) => setTimeout(r, 300));
		expect(countAll()).toBe(start);
		const allowed = await run('lead.cid', { playbookId: 'builtin-crowd-crush' });
		expect(allowed.ok).toBe(true);
		await eventually(() => countAll() === start + 4, 10_000, 'the crowd-crush cards to arrive');
	});

	it('runs a playbook from the report desk: the cards in every agency at once, the report joined to the first', TIMEOUT, async () => {
		const send = async (who: string, path: string, body: object) => {
			const res = await c[who].request(`/api/events/${DEMO_EVENT}${path}`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
			return { status: res.status, json: (await res.json()) as { report?: { state: string; cardAgency: string | null; cardId: string | null }; error?: string } };
		};
		const ofTheRun = (agency: Agency) => cardsIn(docs[agency]).filter((x) => x.notes.includes('【预案】走失儿童')).length;
		const before = { cid: ofTheRun('cid'), traffic: ofTheRun('traffic'), patrol: ofTheRun('patrol') };
		const reportId = newId();
		expect((await send('member.station', '/reports', { id: reportId, kind: 'lostPerson', body: '灯组南侧一名男孩与家人走散' })).status).toBe(201);
		// A playbook that does not exist is named as the problem, and the report stays waiting.
		expect(await send('commander', `/reports/${reportId}/triage`, { action: 'playbook', playbookId: 'no-such-playbook' })).toMatchObject({ status: 404, json: { error: 'playbook' } });
		const triaged = await send('commander', `/reports/${reportId}/triage`, { action: 'playbook', playbookId: 'builtin-lost-child' });
		expect(triaged.status).toBe(200);
		expect(triaged.json.report).toMatchObject({ state: 'card', cardAgency: 'station' });
		const first = triaged.json.report!.cardId!;
		await eventually(() => cardsOf(docs.station.doc).has(first), 10_000, 'the station lead to see the first card');
		// The run's other cards are in the other agencies, each naming the playbook.
		for (const agency of ['cid', 'traffic', 'patrol'] as const) {
			await eventually(() => ofTheRun(agency) === before[agency] + 1, 10_000, `${agency}'s card of the run`);
		}
		expect((await activity('commander', first)).some((r) => r.action === 'playbookRun' && r.to === '走失儿童')).toBe(true);
	});

	it('keeps the commander’s playbooks to the commander, with each error named', TIMEOUT, async () => {
		const res = await c['lead.station'].postForm(`/events/${DEMO_EVENT}/playbooks?/create`, { name: '大风', 'cards.0.agency': 'station', 'cards.0.title': '加固围挡', 'cards.0.priority': 'urgent', 'cards.0.dueMinutes': '15' });
		expect(((await res.json()) as { status?: number }).status).toBe(403);
		const bad = await c.commander.postForm(`/events/${DEMO_EVENT}/playbooks?/create`, { name: '', 'cards.0.agency': 'fire', 'cards.0.title': '加固围挡', 'cards.0.priority': 'soon', 'cards.0.dueMinutes': '-5' });
		const answer = (await bad.json()) as { status?: number; data?: string };
		expect(answer.status).toBe(400);
		expect((parse(answer.data!) as { errors: Record<string, string> }).errors).toEqual({
			name: 'required',
			'cards.0.agency': 'unknownAgency',
			'cards.0.priority': 'invalidChoice',
			'cards.0.dueMinutes': 'outOfRange'
		});
	});

	it('creates none of a run’s cards when one agency’s document refuses its card', TIMEOUT, async () => {
		const playbookId = await createPlaybook({
			name: '演出区停电',
			'cards.0.agency': 'station',
			'cards.0.title': '停电：现场秩序维护',
			'cards.0.priority': 'critical',
			'cards.0.dueMinutes': '5',
			'cards.0.checklist': '启用应急照明\n喊话稳定情绪',
			'cards.1.agency': 'cid',
			'cards.1.title': '停电：防范趁乱作案',
			'cards.1.priority': 'urgent',
			'cards.1.dueMinutes': '15',
			'cards.2.agency': 'traffic',
			'cards.2.title': '停电：路口信号灯人工指挥',
			'cards.2.priority': 'urgent',
			'cards.2.dueMinutes': '10'
		});

		// The traffic lead fills the traffic document up to the schema's limit of cards, through their own provider.
		const limit = (DOC_ROOTS.agency.cards as { maxEntries: number }).maxEntries;
		const traffic = docs.traffic;
		let n = 0;
		while (cardsOf(traffic.doc).size < limit) {
			const batch = Math.min(1_000, limit - cardsOf(traffic.doc).size);
			traffic.doc.transact(() => {
				for (let i = 0; i < batch; i++, n++) cardsOf(traffic.doc).set(`fill-${n}`, buildCardMap({ title: `占位 ${n}`, agency: 'traffic' }));
			});
		}
		const watcher = connectDoc(server.url, agencyDocName(DEMO_EVENT, 'traffic'), { cookie: c.commander.cookieHeader() });
		open.push(watcher);
		await whenSynced(watcher, 60_000);
		await eventually(() => cardsOf(watcher.doc).size === limit, 120_000, 'the traffic document to be full');
		expect(traffic.closes).toEqual([]);

		const before = { station: cardsIn(docs.station).length, cid: cardsIn(docs.cid).length };
		const answer = await command(l.commander.socket, 'playbook:run', { eventId: DEMO_EVENT, playbookId }, 60_000);
		expect(answer).toMatchObject({ ok: false, error: 'invalid' });
		expect((answer as { message: string }).message).toMatch(/nothing was created: schema: cards more than 20000 entries/);

		// Fresh connections read what the server holds now: neither the station's nor criminal investigation's card.
		for (const agency of ['station', 'cid'] as const) {
			const fresh = connectDoc(server.url, agencyDocName(DEMO_EVENT, agency), { cookie: c.commander.cookieHeader() });
			open.push(fresh);
			await whenSynced(fresh);
			expect(cardsIn(fresh).filter((x) => x.title.startsWith('停电：'))).toEqual([]);
			expect(cardsIn(fresh).length).toBe(before[agency]);
		}
		expect(cardsIn(docs.station).filter((x) => x.title.startsWith('停电：'))).toEqual([]);
		expect(cardsIn(watcher).filter((x) => x.title.startsWith('停电：'))).toEqual([]);
		// Nor any activity row of the run.
		const res = await c.commander.request(`/api/events/${DEMO_EVENT}/activity?limit=1000`);
		const rows = ((await res.json()) as { activity: ActivityRow[] }).activity;
		expect(rows.filter((r) => r.action === 'playbookRun' && r.to === '演出区停电')).toEqual([]);

		// Once the traffic document has room again (a card leaves it for another agency), the same run creates all three.
		const moved = await command(l.commander.socket, 'card:reassign', { eventId: DEMO_EVENT, cardId: 'fill-0', fromAgency: 'traffic', toAgency: 'patrol' });
		expect(moved.ok).toBe(true);
		const again = await command(l.commander.socket, 'playbook:run', { eventId: DEMO_EVENT, playbookId }, 60_000);
		expect(again.ok).toBe(true);
		const run = (again as { run: PlaybookRunView }).run;
		expect(run.cards.map((x) => x.agency)).toEqual(['station', 'cid', 'traffic']);
		for (const created of run.cards) {
			await eventually(() => cardsOf(docs[created.agency as Agency].doc).has(created.cardId), 20_000, `${created.agency}'s card of the second run`);
		}
	});
});
