/**
 * Issue 9, point 3: the permission matrix, every row × every document and every action, with each expected cell
 * computed by the permission functions (tests/helpers/matrix.ts over documentAccess, mayPerform and
 * EVENT_ACTIONS) and checked against the running server through the same doors a browser or a stock client uses:
 * y-websocket providers for documents, the socket.io commands that implement the actions, the review and
 * displays form actions, the exports and activity APIs, and the admin pages.
 *
 * Every allowed cell changes something of its own (a card, a dispute, a swap made for that cell), and every
 * refused cell has an object of its own that must stay as it was, so a cell's answer never depends on another's.
 * The event is closed near the end (refused closes first), and the matrix of a closed event is checked after it.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as Y from 'yjs';
import { startServer, type TestServer } from '../helpers/server.ts';
import { HttpClient } from '../helpers/http.ts';
import { signIn } from '../helpers/accounts.ts';
import { addMemberAsAdmin, createUserAsAdmin, pageData } from '../helpers/admin-forms.ts';
import { command, createDisplayToken } from '../helpers/commands.ts';
import { connectCommands, connectDoc, DEMO_PASSWORD, eventually, whenSynced, type LiveDoc } from '../helpers/live.ts';
import { SYNC_MS } from '../helpers/hub.ts';
import { concreteRoute, formActionRoutes, intruderAdminFields, pageRoutes } from '../helpers/form-actions.ts';
import {
	ACTORS,
	AGENCIES,
	DOCUMENTS,
	MATRIX_EVENT as EVENT,
	OBSERVER,
	actor,
	documentLabel,
	expectedAccess,
	expectedAction,
	expectedActivity,
	matrixMarkdown,
	type Actor
} from '../helpers/matrix.ts';
import { EVENT_ACTIONS, type EventAction } from '../../src/lib/domain/permissions.ts';
import type { EventStatus } from '../../src/lib/domain/roles.ts';
import { docName, type DocAddress } from '../../src/lib/domain/documents.ts';
import { CLOSE_CODES, type ClientToServerEvents } from '../../src/lib/domain/wire.ts';
import { cardsOf } from '../../src/lib/domain/board.ts';
import { disputesOf } from '../../src/lib/domain/dispute-doc.ts';
import { builtinPlaybook } from '../../src/lib/domain/playbooks.ts';
import {
	actionCells,
	cellName,
	demoUser,
	fixtureId,
	formOutcome,
	hasMarker,
	nextAgency,
	outcomeOf,
	slug,
	SWAP_PAIRS,
	verdict,
	writeActionFixtures,
	writeMarker,
	type Answer,
	type Cell
} from '../helpers/matrix-cells.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TIMEOUT = { timeout: 120_000 };

/** The socket.io command and the agency-scoped fixtures of each action the command channel implements. */
const SOCKET_ACTIONS = ['card.requestHelp', 'card.reassign', 'dispute.escalate', 'instruction.send', 'roster.approveSwap', 'event.setStatus', 'playbook.run'] as const;
/** Actions done through pages: closing and reviewing on the review page, wall links on the displays page. */
const PAGE_ACTIONS = ['event.close', 'record.review', 'displayToken.manage'] as const;

describe('the permission matrix, cell by cell against the running server', () => {
	let server: TestServer;
	/** Each signed-in actor's cookie-keeping client; `display` and `none` get one without cookies (no session). */
	const clients = new Map<string, HttpClient>();
	let displayToken = '';
	let displayTokenId = '';
	/** The commander's connection to every document: where stored writes are looked for. */
	const watchers = new Map<string, LiveDoc>();
	const open: LiveDoc[] = [];
	let admin: HttpClient;
	/** The swap request made for each cell of roster.approveSwap, by fixture id. */
	let fixtureSwaps = new Map<string, string>();

	const watcher = (d: DocAddress | string) => watchers.get(typeof d === 'string' ? d : docName(d))!.doc;
	const agencyDoc = (agency: string) => watcher(`event/${EVENT}/agency/${agency}`);

	/** Sends one command as an actor on a socket of its own (so no cell meets another's rate limit). */
	async function commandAs<E extends keyof ClientToServerEvents>(who: Actor | string, event: E, input: Parameters<ClientToServerEvents[E]>[0]): Promise<Answer> {
		const key = typeof who === 'string' ? who : who.key;
		const opts = key === 'display' ? { displayToken } : key === 'none' ? {} : { cookie: clients.get(key)!.cookieHeader() };
		let socket;
		try {
			socket = await connectCommands(server.url, opts);
		} catch (err) {
			return { ok: false, error: err instanceof Error ? err.message : String(err) };
		}
		try {
			return (await command(socket, event, input)) as Answer;
		} finally {
			socket.disconnect();
		}
	}

	async function postAs(a: Actor, path: string, fields: Record<string, string>): Promise<string> {
		const res = await clients.get(a.key)!.postForm(path, fields);
		return formOutcome(res.status, (await res.json()) as { type: string; status?: number; location?: string });
	}

	/** A page as an actor sees it: allowed (200) or refused (401, 403, 404, or sent to sign in). */
	async function getAs(a: Actor, path: string): Promise<string> {
		const res = await clients.get(a.key)!.request(path, { headers: { accept: 'text/html' } });
		if (res.status === 200) return 'allowed';
		if ([401, 403, 404].includes(res.status)) return 'refused';
		if (res.status === 303 && res.headers.get('location')?.startsWith('/login')) return 'refused';
		return `answered ${res.status}`;
	}

	/** The event's status as the server keeps it (the events API, as the commander's home page reads it). */
	async function statusOnServer(): Promise<string | undefined> {
		const res = await clients.get('commander')!.request('/api/events');
		const { events } = (await res.json()) as { events: Array<{ id: string; status: string }> };
		return events.find((e) => e.id === EVENT)?.status;
	}

	const cardTitles = (agency: string) => [...cardsOf(agencyDoc(agency)).values()].map((c) => c.get('title'));

	beforeAll(async () => {
		server = await startServer({ demo: true });
		admin = await signIn(new HttpClient(server.url), 'admin', DEMO_PASSWORD);
		// The demo has no observer: add one the way an administrator does.
		const observerId = await createUserAsAdmin(admin, { ...OBSERVER });
		await addMemberAsAdmin(admin, EVENT, { userId: observerId, role: 'observer' });

		const swapPeople = Object.values(SWAP_PAIRS).flatMap((p) => [p.from, p.to]);
		const usernames = [...new Set([...ACTORS.filter((a) => a.principal?.kind === 'user').map((a) => a.key), ...swapPeople])];
		await Promise.all(
			usernames.map(async (u) => {
				const password = u === OBSERVER.username ? OBSERVER.password : DEMO_PASSWORD;
				clients.set(u, await signIn(new HttpClient(server.url), u, password));
			})
		);
		clients.set('display', new HttpClient(server.url));
		clients.set('none', new HttpClient(server.url));
		displayToken = await createDisplayToken(clients.get('commander')!, 'matrix wall', EVENT);
		displayTokenId = createHash('sha256').update(displayToken).digest('hex');

		for (const d of DOCUMENTS) {
			const live = connectDoc(server.url, docName(d), { cookie: clients.get('commander')!.cookieHeader() });
			watchers.set(docName(d), live);
			open.push(live);
		}
		await Promise.all([...watchers.values()].map((w) => whenSynced(w, SYNC_MS)));

		// Fixtures, one per cell of each agency-scoped action (see writeActionFixtures).
		const cells = ACTORS.flatMap((a) => AGENCIES.map((agency) => ({ actor: a, agency })));
		for (const agency of AGENCIES) writeActionFixtures(agencyDoc(agency), agency);
		// Stored before anyone acts on them: a second connection sees them all.
		await Promise.all(
			AGENCIES.map(async (agency) => {
				const check = connectDoc(server.url, `event/${EVENT}/agency/${agency}`, { cookie: clients.get('commander')!.cookieHeader() });
				open.push(check);
				await whenSynced(check, SYNC_MS);
				const count = () => [...cardsOf(check.doc).keys()].filter((k) => k.startsWith('mx-card-')).length;
				await eventually(() => count() === ACTORS.length, 20_000, `the fixtures of ${agency} to be stored`);
				check.destroy();
			})
		);
		const swapIds = new Map<string, string>();
		for (const c of cells) {
			const pair = SWAP_PAIRS[c.agency];
			const asked = (await commandAs(pair.from, 'roster:swapRequest', {
				eventId: EVENT,
				agency: c.agency,
				fromShiftId: fixtureId('shift', c),
				fromPersonId: fixtureId('p', c),
				toUserId: demoUser(pair.to).id,
				toShiftId: null,
				toPersonId: null
			})) as Answer & { swap?: { id: string } };
			if (!asked.ok || !asked.swap) throw new Error(`swap request for ${cellName(c)}: ${JSON.stringify(asked)}`);
			const accepted = await commandAs(pair.to, 'roster:swapAct', { swapId: asked.swap.id, action: 'accept' });
			if (!accepted.ok) throw new Error(`accepting the swap of ${cellName(c)}: ${JSON.stringify(accepted)}`);
			swapIds.set(fixtureId('swap', c), asked.swap.id);
		}
		fixtureSwaps = swapIds;
	}, 180_000);

	afterAll(async () => {
		for (const live of open) live.destroy();
		await server?.dispose();
	});

	it('prints the table the README carries under "Permissions"', () => {
		const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
		const section = /\n## Permissions\n\n([\s\S]*?)\n\n## /.exec(readme)?.[1];
		expect(section).toBe(matrixMarkdown());
		// Every action of the permission function has a column, and every action has a way in on the server here.
		expect([...SOCKET_ACTIONS, ...PAGE_ACTIONS].sort()).toEqual([...EVENT_ACTIONS].sort());
	});

	/** Connects every actor to every document and sorts what happened into write, read and none. */
	async function documentMatrix(status: EventStatus): Promise<void> {
		const cells = ACTORS.flatMap((a) => DOCUMENTS.map((d) => ({ a, d, expected: expectedAccess(a, d, status) })));
		const results = await Promise.all(
			cells.map(async ({ a, d, expected }) => {
				const name = docName(d);
				const marker = slug(`mx-doc-${status}-${a.key}-${documentLabel(d)}`);
				const live = connectDoc(server.url, name, a.key === 'display' ? { displayToken } : { cookie: a.key === 'none' ? null : clients.get(a.key)!.cookieHeader() });
				open.push(live);
				const firstClose = () => eventually(() => live.closes.length > 0, 15_000, `${a.key}'s connection to ${name} to close`).then(() => live.closes[0]);
				let seen: string;
				const noneCode = a.principal ? CLOSE_CODES.forbidden : CLOSE_CODES.unauthenticated;
				if (expected === 'none') {
					const close = await firstClose();
					seen = close.code === noneCode && !live.provider.synced ? 'none' : `closed ${close.code} ${close.reason}`;
				} else {
					await whenSynced(live, SYNC_MS);
					writeMarker(live.doc, d, marker);
					const outcome = await Promise.race([
						firstClose().then((c) => ({ close: c })),
						eventually(() => hasMarker(watcher(d), d, marker), 15_000, `${a.key}'s write to reach ${name}`).then(() => ({ stored: true as const }))
					]);
					if ('stored' in outcome) seen = live.closes.length === 0 ? 'write' : 'write, then closed';
					else seen = outcome.close.code === CLOSE_CODES.readOnly ? 'read' : `closed ${outcome.close.code} ${outcome.close.reason}`;
				}
				live.provider.disconnect();
				return { cell: `${a.key} on ${documentLabel(d)}`, seen, stored: () => hasMarker(watcher(d), d, marker), expected };
			})
		);
		expect(results.map((r) => `${r.cell}: ${r.seen}`)).toEqual(results.map((r) => `${r.cell}: ${r.expected}`));
		// A refused write reached nobody: only the writers' markers are in the documents.
		expect(results.map((r) => `${r.cell}: ${r.stored()}`)).toEqual(results.map((r) => `${r.cell}: ${r.expected === 'write'}`));
	}

	it('gives every actor the access documentAccess() says to every document of the active event', TIMEOUT, async () => {
		expect(await statusOnServer()).toBe('active');
		await documentMatrix('active');
	});

	it('lets card:requestHelp through exactly where mayPerform allows it, and only those cards arrive', TIMEOUT, async () => {
		const cells = actionCells('card.requestHelp', 'active', true);
		const titleOf = (c: Cell) => `矩阵协助 ${cellName(c)}`;
		const seen: string[] = [];
		for (const c of cells) {
			const answer = await commandAs(c.actor, 'card:requestHelp', { eventId: EVENT, fromAgency: c.agency!, toAgency: nextAgency(c.agency!), title: titleOf(c) });
			seen.push(`${cellName(c)}: ${outcomeOf(answer, 'active')}`);
		}
		expect(seen).toEqual(cells.map((c) => `${cellName(c)}: ${verdict(c.expected)}`));
		await eventually(() => cells.filter((c) => c.expected).every((c) => cardTitles(nextAgency(c.agency!)).includes(titleOf(c))), 15_000, 'the allowed requests to arrive');
		expect(cells.map((c) => `${cellName(c)}: ${cardTitles(nextAgency(c.agency!)).includes(titleOf(c))}`)).toEqual(cells.map((c) => `${cellName(c)}: ${c.expected}`));
	});

	/** The cards of the crowd-crush playbook (踩踏预警), one in each agency, in every agency's document. */
	const CROWD = builtinPlaybook('builtin-crowd-crush')!;
	const crowdCards = () => AGENCIES.reduce((n, a) => n + [...cardsOf(agencyDoc(a)).values()].filter((m) => CROWD.cards.some((c) => c.title === m.get('title'))).length, 0);

	it('lets playbook:run create a run’s cards exactly where mayPerform allows it', TIMEOUT, async () => {
		const cells = actionCells('playbook.run', 'active', true);
		const before = crowdCards();
		const seen: string[] = [];
		for (const c of cells) {
			const answer = await commandAs(c.actor, 'playbook:run', { eventId: EVENT, playbookId: CROWD.id, fromAgency: c.agency! });
			seen.push(`${cellName(c)}: ${outcomeOf(answer, 'active')}`);
		}
		expect(seen).toEqual(cells.map((c) => `${cellName(c)}: ${verdict(c.expected)}`));
		const want = before + cells.filter((c) => c.expected).length * CROWD.cards.length;
		await eventually(() => crowdCards() === want, 15_000, 'the allowed runs’ cards to arrive');
		expect(crowdCards()).toBe(want);
	});

	it('lets card:reassign move a card exactly where mayPerform allows it', TIMEOUT, async () => {
		const cells = actionCells('card.reassign', 'active', true);
		const seen: string[] = [];
		for (const c of cells) {
			const answer = await commandAs(c.actor, 'card:reassign', { eventId: EVENT, cardId: fixtureId('card', c), fromAgency: c.agency!, toAgency: nextAgency(c.agency!) });
			seen.push(`${cellName(c)}: ${outcomeOf(answer, 'active')}`);
		}
		expect(seen).toEqual(cells.map((c) => `${cellName(c)}: ${verdict(c.expected)}`));
		const moved = (c: Cell) => cardsOf(agencyDoc(nextAgency(c.agency!))).has(fixtureId('card', c)) && !cardsOf(agencyDoc(c.agency!)).has(fixtureId('card', c));
		await eventually(() => cells.filter((c) => c.expected).every(moved), 15_000, 'the allowed reassignments to arrive');
		expect(cells.map((c) => `${cellName(c)}: ${moved(c)}`)).toEqual(cells.map((c) => `${cellName(c)}: ${c.expected}`));
	});

	it('lets dispute:escalate report a dispute up exactly where mayPerform allows it', TIMEOUT, async () => {
		const cells = actionCells('dispute.escalate', 'active', true);
		const seen: string[] = [];
		for (const c of cells) {
			const answer = await commandAs(c.actor, 'dispute:escalate', { eventId: EVENT, disputeId: fixtureId('dispute', c), fromAgency: c.agency!, toLevel: 'street', reason: '矩阵检查：上报街道' });
			seen.push(`${cellName(c)}: ${outcomeOf(answer, 'active')}`);
		}
		expect(seen).toEqual(cells.map((c) => `${cellName(c)}: ${verdict(c.expected)}`));
		const level = (c: Cell) => disputesOf(agencyDoc(c.agency!)).get(fixtureId('dispute', c))?.get('level');
		await eventually(() => cells.filter((c) => c.expected).every((c) => level(c) === 'street'), 15_000, 'the allowed escalations to arrive');
		expect(cells.map((c) => `${cellName(c)}: ${level(c)}`)).toEqual(cells.map((c) => `${cellName(c)}: ${c.expected ? 'street' : 'community'}`));
	});

	it('lets instruction:send address an agency exactly where mayPerform allows it, and stores only those', TIMEOUT, async () => {
		const cells = actionCells('instruction.send', 'active', true);
		const bodyOf = (c: Cell) => `矩阵指令 ${cellName(c)}`;
		const seen: string[] = [];
		for (const c of cells) {
			const answer = await commandAs(c.actor, 'instruction:send', { eventId: EVENT, scope: 'agencies', targets: [c.agency!], priority: 'routine', body: bodyOf(c), ackBy: null });
			seen.push(`${cellName(c)}: ${outcomeOf(answer, 'active')}`);
		}
		expect(seen).toEqual(cells.map((c) => `${cellName(c)}: ${verdict(c.expected)}`));
		const list = (await commandAs(actor('commander'), 'instruction:list', EVENT)) as Answer & { instructions?: Array<{ body: string }> };
		const bodies = new Set(list.instructions?.map((i) => i.body));
		expect(cells.map((c) => `${cellName(c)}: ${bodies.has(bodyOf(c))}`)).toEqual(cells.map((c) => `${cellName(c)}: ${c.expected}`));
	});

	it('lets roster:swapAct approve a swap exactly where mayPerform allows it, and only approved swaps change the roster', TIMEOUT, async () => {
		const cells = actionCells('roster.approveSwap', 'active', true);
		const seen: string[] = [];
		for (const c of cells) {
			const answer = await commandAs(c.actor, 'roster:swapAct', { swapId: fixtureSwaps.get(fixtureId('swap', c))!, action: 'approve' });
			seen.push(`${cellName(c)}: ${outcomeOf(answer, 'active')}`);
		}
		expect(seen).toEqual(cells.map((c) => `${cellName(c)}: ${verdict(c.expected)}`));
		const onShift = (c: Cell) => {
			const people = agencyDoc(c.agency!).getMap('shifts').get(fixtureId('shift', c)) as Y.Map<unknown> | undefined;
			const person = (people?.get('people') as Y.Array<Y.Map<unknown>> | undefined)?.get(0);
			return person?.get('userId');
		};
		const colleague = (c: Cell) => demoUser(SWAP_PAIRS[c.agency!].to).id;
		await eventually(() => cells.filter((c) => c.expected).every((c) => onShift(c) === colleague(c)), 15_000, 'the approved swaps to reach the roster');
		expect(cells.map((c) => `${cellName(c)}: ${onShift(c) === colleague(c)}`)).toEqual(cells.map((c) => `${cellName(c)}: ${c.expected}`));
	});

	it('lets event:setStatus change the status only for those mayPerform allows', TIMEOUT, async () => {
		const cells = actionCells('event.setStatus', 'active', false);
		const seen: string[] = [];
		for (const c of cells) {
			const answer = await commandAs(c.actor, 'event:setStatus', { eventId: EVENT, status: 'planning' });
			const outcome = outcomeOf(answer, 'active');
			seen.push(`${cellName(c)}: ${outcome}`);
			if (outcome === 'allowed') {
				expect(await statusOnServer()).toBe('planning');
				expect((await commandAs(c.actor, 'event:setStatus', { eventId: EVENT, status: 'active' })).ok).toBe(true);
			}
			// Whoever it was, the event is active again (or never stopped being) before the next cell.
			expect(await statusOnServer()).toBe('active');
		}
		expect(seen).toEqual(cells.map((c) => `${cellName(c)}: ${verdict(c.expected)}`));
	});

	it('refuses every command without a session at the socket.io handshake', async () => {
		await expect(connectCommands(server.url)).rejects.toThrow('unauthenticated');
		await expect(connectCommands(server.url, { cookie: `session=${'a'.repeat(32)}` })).rejects.toThrow('unauthenticated');
	});

	it('opens the review page, saves findings, starts exports and replays exactly for those allowed record.review', TIMEOUT, async () => {
		const cells = actionCells('record.review', 'active', false);
		const page: string[] = [];
		const findings: string[] = [];
		const exports: string[] = [];
		const replays: string[] = [];
		let last: string | null = null;
		for (const c of cells) {
			page.push(`${cellName(c)}: ${await getAs(c.actor, `/events/${EVENT}/review`)}`);
			const text = `矩阵复盘 ${cellName(c)}`;
			const outcome = await postAs(c.actor, `/events/${EVENT}/review?/saveFindings`, { findings: JSON.stringify({ strengths: [{ id: 's1', text }], improvements: [], plan: [] }) });
			findings.push(`${cellName(c)}: ${outcome}`);
			if (outcome === 'allowed') last = text;
			// What the record holds now: the last allowed save, whatever was refused since.
			const data = await pageData<{ record: { findings: { strengths: Array<{ text: string }> } } }>(clients.get('commander')!, `/events/${EVENT}/review`);
			expect(data.record.findings.strengths.map((s) => s.text)).toEqual(last ? [last] : []);
			const res = await clients.get(c.actor.key)!.request(`/api/events/${EVENT}/record/exports`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ format: 'json' })
			});
			exports.push(`${cellName(c)}: ${res.status === 202 ? 'allowed' : [401, 403, 404].includes(res.status) ? 'refused' : `answered ${res.status}`}`);
			const replay = await clients.get(c.actor.key)!.request(`/api/events/${EVENT}/replay?at=${encodeURIComponent(new Date().toISOString())}`);
			replays.push(`${cellName(c)}: ${replay.status === 200 ? 'allowed' : [401, 403, 404].includes(replay.status) ? 'refused' : `answered ${replay.status}`}`);
		}
		const want = cells.map((c) => `${cellName(c)}: ${verdict(c.expected)}`);
		expect(page).toEqual(want);
		expect(findings).toEqual(want);
		expect(exports).toEqual(want);
		expect(replays).toEqual(want);
	});

	it('opens the displays page and makes and revokes wall links exactly for those allowed displayToken.manage', TIMEOUT, async () => {
		const cells = actionCells('displayToken.manage', 'active', false);
		const tokens = async () => (await pageData<{ tokens: Array<{ id: string; name: string; revoked: boolean }> }>(clients.get('commander')!, `/events/${EVENT}/displays`)).tokens;
		const seen: string[] = [];
		for (const c of cells) {
			const pageOutcome = await getAs(c.actor, `/events/${EVENT}/displays`);
			const name = `矩阵 ${c.actor.key}`;
			const created = await postAs(c.actor, `/events/${EVENT}/displays?/create`, { name });
			const made = (await tokens()).find((t) => t.name === name);
			// The refused try to revoke the matrix's own wall link; the allowed revoke the link they just made.
			const revoked = await postAs(c.actor, `/events/${EVENT}/displays?/revoke`, { id: made?.id ?? displayTokenId });
			seen.push(`${cellName(c)}: ${pageOutcome}, create ${created}, revoke ${revoked}, made ${!!made}`);
		}
		expect(seen).toEqual(cells.map((c) => `${cellName(c)}: ${verdict(c.expected)}, create ${verdict(c.expected)}, revoke ${verdict(c.expected)}, made ${c.expected}`));
		expect((await tokens()).find((t) => t.id === displayTokenId)?.revoked).toBe(false);
		expect((await clients.get('none')!.request(`/wall/${displayToken}/activity`)).status).toBe(200);
	});

	/** Reads the activity as each actor, and checks it holds only documents the actor may read. */
	async function activityMatrix(status: EventStatus): Promise<void> {
		const seen: string[] = [];
		const docsSeen = new Map<string, Set<string>>();
		for (const a of ACTORS) {
			const path = a.key === 'display' ? `/wall/${displayToken}/activity` : `/api/events/${EVENT}/activity?limit=1000`;
			const res = await clients.get(a.key)!.request(path);
			if (res.status !== 200) {
				seen.push(`${a.key}: ${[401, 403, 404].includes(res.status) ? 'refused' : `answered ${res.status}`}`);
				continue;
			}
			const rows = ((await res.json()) as { activity: Array<{ doc: string }> }).activity;
			const docs = new Set(rows.map((r) => r.doc));
			docsSeen.set(a.key, docs);
			const unreadable = [...docs].filter((name) => expectedAccess(a, DOCUMENTS.find((d) => docName(d) === name)!, status) === 'none');
			seen.push(`${a.key}: ${unreadable.length ? `read ${unreadable.join(', ')}` : 'allowed'}`);
		}
		expect(seen).toEqual(ACTORS.map((a) => `${a.key}: ${verdict(expectedActivity(a, status))}`));
		// Not vacuous: the commander's view holds the restricted document's activity, which others must not get.
		expect(docsSeen.get('commander')?.has(`event/${EVENT}/restricted`)).toBe(true);
	}

	it('serves the activity of the readable documents only, to those who read any', TIMEOUT, async () => {
		await activityMatrix('active');
	});

	it('opens the admin pages to the administrator only, and refuses every admin form action to everyone else', TIMEOUT, async () => {
		const pages = pageRoutes('admin');
		const actions = formActionRoutes('admin');
		const fields = intruderAdminFields(displayTokenId);
		// A new admin action must say here what an intruder would send it.
		expect(actions).toEqual(Object.keys(fields).sort());
		expect(pages.length).toBeGreaterThanOrEqual(10);

		const snapshot = async () =>
			JSON.stringify(
				await Promise.all(
					['/admin/users', '/admin/agencies', '/admin/teams', '/admin/events', '/admin/templates', `/admin/events/${EVENT}`, `/admin/users/${demoUser('member.station').id}`].map((p) =>
						pageData(admin, p)
					)
				),
				// When a wall link was last used changes while the wall polls; it is no one's doing here.
				(key, value) => (key === 'lastUsedAt' ? undefined : value)
			);
		const before = await snapshot();
		const seen: string[] = [];
		for (const a of ACTORS) {
			const pageOutcomes = new Set(await Promise.all(pages.map((p) => getAs(a, concreteRoute(p)))));
			seen.push(`${a.key} pages: ${[...pageOutcomes].join(', ')}`);
			if (a.isAdmin) continue;
			const actionOutcomes = new Set<string>();
			for (const route of actions) actionOutcomes.add(await postAs(a, concreteRoute(route), fields[route]));
			seen.push(`${a.key} actions: ${[...actionOutcomes].join(', ')}`);
		}
		expect(seen).toEqual(ACTORS.flatMap((a) => (a.isAdmin ? [`${a.key} pages: allowed`] : [`${a.key} pages: refused`, `${a.key} actions: refused`])));
		expect(await snapshot()).toBe(before);
	});

	it('closes the event only for those allowed event.close, the refused trying first', TIMEOUT, async () => {
		const cells = actionCells('event.close', 'active', false);
		const seen: string[] = [];
		for (const c of cells) {
			seen.push(`${cellName(c)}: ${await postAs(c.actor, `/events/${EVENT}/review?/close`, { confirm: 'yes' })}`);
			// After each refused try the event is still open; after the allowed one it is closed.
			expect(`${cellName(c)}: ${await statusOnServer()}`).toBe(`${cellName(c)}: ${c.expected ? 'closed' : 'active'}`);
		}
		expect(seen).toEqual(cells.map((c) => `${cellName(c)}: ${verdict(c.expected)}`));
		expect(cells.filter((c) => c.expected).length).toBe(1);
	});

	it('gives every actor the access documentAccess() says to every document of the closed event', TIMEOUT, async () => {
		expect(await statusOnServer()).toBe('closed');
		await documentMatrix('closed');
	});

	it('refuses every command of a closed event as mayPerform says', TIMEOUT, async () => {
		const crowdBefore = crowdCards();
		const seen: string[] = [];
		const want: string[] = [];
		// Each tries on the administrator's fixtures, which no one has touched.
		const target = (agency: string) => ({ actor: actor('admin'), agency });
		for (const a of ACTORS) {
			for (const agency of AGENCIES) {
				const t = target(agency);
				const tries: Array<[EventAction, Promise<Answer>]> = [
					['card.requestHelp', commandAs(a, 'card:requestHelp', { eventId: EVENT, fromAgency: agency, toAgency: nextAgency(agency), title: '关闭后协助' })],
					['card.reassign', commandAs(a, 'card:reassign', { eventId: EVENT, cardId: fixtureId('card', t), fromAgency: agency, toAgency: nextAgency(agency) })],
					['dispute.escalate', commandAs(a, 'dispute:escalate', { eventId: EVENT, disputeId: fixtureId('dispute', t), fromAgency: agency, toLevel: 'street', reason: '关闭后上报' })],
					['instruction.send', commandAs(a, 'instruction:send', { eventId: EVENT, scope: 'agencies', targets: [agency], priority: 'routine', body: '关闭后指令', ackBy: null })],
					['roster.approveSwap', commandAs(a, 'roster:swapAct', { swapId: fixtureSwaps.get(fixtureId('swap', t))!, action: 'approve' })],
					['playbook.run', commandAs(a, 'playbook:run', { eventId: EVENT, playbookId: CROWD.id, fromAgency: agency })]
				];
				for (const [action, answer] of tries) {
					seen.push(`${a.key} ${action} from ${agency}: ${outcomeOf(await answer, 'closed')}`);
					want.push(`${a.key} ${action} from ${agency}: ${verdict(expectedAction(a, action, 'closed', agency))}`);
				}
			}
			seen.push(`${a.key} event.setStatus: ${outcomeOf(await commandAs(a, 'event:setStatus', { eventId: EVENT, status: 'active' }), 'closed')}`);
			want.push(`${a.key} event.setStatus: ${verdict(expectedAction(a, 'event.setStatus', 'closed'))}`);
		}
		expect(seen).toEqual(want);
		expect(await statusOnServer()).toBe('closed');
		for (const agency of AGENCIES) {
			expect(cardsOf(agencyDoc(agency)).has(fixtureId('card', target(agency)))).toBe(true);
			expect(disputesOf(agencyDoc(agency)).get(fixtureId('dispute', target(agency)))?.get('level')).toBe('community');
			expect(cardTitles(nextAgency(agency))).not.toContain('关闭后协助');
		}
		expect(crowdCards()).toBe(crowdBefore);
	});

	it('keeps the review open and wall links shut in the closed event as mayPerform says, and finalizes only for reviewers', TIMEOUT, async () => {
		const review = actionCells('record.review', 'closed', false);
		const seen: string[] = [];
		for (const c of review) seen.push(`${cellName(c)} review: ${await getAs(c.actor, `/events/${EVENT}/review`)}`);
		for (const c of actionCells('displayToken.manage', 'closed', false)) {
			seen.push(`${cellName(c)} displays: ${await postAs(c.actor, `/events/${EVENT}/displays?/create`, { name: '关闭后大屏' })}`);
		}
		// Finalizing is reviewing's last step: the refused first, then the first allowed freezes the record and any
		// other allowed one is told it is already final (409), not refused.
		let finalizedBy: string | null = null;
		for (const c of review) {
			const res = await clients.get(c.actor.key)!.postForm(`/events/${EVENT}/review?/finalize`, { confirm: 'yes' });
			const body = (await res.json()) as { type: string; status?: number };
			let outcome = formOutcome(res.status, body);
			if (outcome === 'allowed') finalizedBy ??= c.actor.key;
			else if (body.type === 'failure' && body.status === 409 && finalizedBy) outcome = 'allowed';
			seen.push(`${cellName(c)} finalize: ${outcome}`);
		}
		expect(seen).toEqual([
			...review.map((c) => `${cellName(c)} review: ${verdict(c.expected)}`),
			...actionCells('displayToken.manage', 'closed', false).map((c) => `${cellName(c)} displays: ${verdict(c.expected)}`),
			...review.map((c) => `${cellName(c)} finalize: ${verdict(c.expected)}`)
		]);
		expect(finalizedBy).not.toBeNull();
		const data = await pageData<{ final: boolean }>(clients.get('reviewer')!, `/events/${EVENT}/review`);
		expect(data.final).toBe(true);
	});

	it('serves the closed event\'s activity as before', TIMEOUT, async () => {
		await activityMatrix('closed');
	});
});
