/**
 * A busy event for the chaos suite: writers on every document of the demo event (command, each agency's,
 * restricted), each making the edits its people make, and the checks every chaos test ends with — nothing any
 * client saw from the server is missing, and every client converges.
 */
import { expect } from 'vitest';
import * as Y from 'yjs';
import { connectDoc, eventually, whenSynced, type LiveDoc } from './live.ts';
import { connectRecording, containsUpdate, DEMO_EVENT, demoUserId, pick, sameState, seededRandom, sleep, SYNC_MS } from './hub.ts';
import { agencyDocName, commandDocName, restrictedDocName } from '../../src/lib/domain/documents.ts';
import { CARD_PRIORITIES, CARD_STATUSES, POST_KINDS } from '../../src/lib/domain/doc-schema.ts';
import { addCard, addChecklistItem, cardsOf, isoWithOffset, notesOf, updateCard } from '../../src/lib/domain/board.ts';
import { savePost } from '../../src/lib/domain/roster-write.ts';
import { setParties } from '../../src/lib/domain/dispute-doc.ts';
import { CLOSE_CODES } from '../../src/lib/domain/wire.ts';

type Kind = 'command' | 'agency' | 'restricted';

interface DocPlan {
	name: string;
	kind: Kind;
	agency: string | null;
	/** Demo accounts that write it, one connection each. */
	writers: string[];
	/** A demo account that may read it, for the fresh reader that checks it. */
	checker: string;
}

/** Every document of the demo event, with people who may write it. */
export const EVERY_DOCUMENT: readonly DocPlan[] = [
	{ name: commandDocName(DEMO_EVENT), kind: 'command', agency: null, writers: ['commander', 'commander'], checker: 'reviewer' },
	...(
		[
			['station', ['lead.station', 'member.station', 'chen.lei']],
			['cid', ['lead.cid', 'yang.fan', 'huang.min']],
			['traffic', ['lead.traffic', 'member.traffic', 'wu.qiang']],
			['patrol', ['lead.patrol', 'xu.guilan', 'lin.haitao']]
		] as const
	).map(([agency, writers]) => ({ name: agencyDocName(DEMO_EVENT, agency), kind: 'agency' as const, agency, writers: [...writers], checker: 'reviewer' })),
	// Only people cleared for personal data open the restricted document.
	{ name: restrictedDocName(DEMO_EVENT), kind: 'restricted', agency: null, writers: ['lead.station', 'lead.patrol'], checker: 'commander' }
];

/** Every account the busy event signs in. */
export const CHAOS_ACCOUNTS = [...new Set(EVERY_DOCUMENT.flatMap((d) => [...d.writers, d.checker]))];

/** Entity ids the writers make start with `w<index>-`, so a check can count what they made. */
const WRITTEN = /^w\d+-/;

/** One edit of the kind this document takes, as a person would make it. */
function edit(plan: DocPlan, doc: Y.Doc, rnd: () => number, tag: string, n: number, userId: string): void {
	if (plan.kind === 'command') {
		savePost(doc, `${tag}-${n % 40}`, {
			name: `临时岗 ${tag}.${n}`,
			kind: pick(rnd, POST_KINDS),
			location: `人民公园 ${n} 号口`,
			minStaff: Math.floor(rnd() * 6)
		});
		return;
	}
	if (plan.kind === 'restricted') {
		setParties(doc, `${tag}-d${n % 25}`, [
			{ name: `当事人${n}`, phone: `1380000${String(n % 10_000).padStart(4, '0')}`, idNumber: '', address: '', note: `第 ${n} 次核实` }
		]);
		return;
	}
	editCards(doc, rnd, tag, n, plan.agency!, userId);
}

/** One edit of an agency's cards: a new card, a status change, note text or a checklist item. */
export function editCards(doc: Y.Doc, rnd: () => number, tag: string, n: number, agency: string, userId: string): void {
	const ids = [...cardsOf(doc).keys()];
	const r = rnd();
	if (r < 0.25 || ids.length === 0) {
		addCard(doc, `${tag}-${n}`, {
			title: `持续写入 ${tag} #${n}`,
			status: 'todo',
			priority: pick(rnd, CARD_PRIORITIES),
			agency,
			createdBy: userId,
			createdAt: isoWithOffset(new Date(), 480)
		});
	} else if (r < 0.5) updateCard(doc, pick(rnd, ids), { status: pick(rnd, CARD_STATUSES) });
	else if (r < 0.9) {
		const notes = notesOf(doc, pick(rnd, ids))!;
		notes.insert(notes.length, `${tag}.${n} `);
	} else addChecklistItem(doc, pick(rnd, ids), { id: `${tag}-${n}-c`, text: `检查 ${n}` });
}

/** How many entities the writers made in a document (to show a check is not vacuous). */
export function writtenCount(plan: DocPlan, doc: Y.Doc): number {
	const root = plan.kind === 'command' ? 'posts' : plan.kind === 'restricted' ? 'parties' : 'cards';
	return [...doc.getMap(root).keys()].filter((id) => WRITTEN.test(id)).length;
}

export interface Writer {
	plan: DocPlan;
	username: string;
	tag: string;
	live: LiveDoc & { received: Uint8Array[] };
}

/** Connects one recording client per writer of every document, on `base`. */
export function openWriters(base: string, cookies: Record<string, string>, plans: readonly DocPlan[] = EVERY_DOCUMENT): Writer[] {
	let index = 0;
	return plans.flatMap((plan) =>
		plan.writers.map((username) => {
			const tag = `w${index++}`;
			return { plan, username, tag, live: connectRecording(base, plan.name, cookies[username]) };
		})
	);
}

/** Moves a writer to another server, keeping its document and what it received (a load balancer's failover). */
export function moveWriter(w: Writer, base: string, cookie: string): void {
	w.live.provider.destroy();
	const moved = connectRecording(base, w.plan.name, cookie, { doc: w.live.doc, received: w.live.received });
	moved.closes.push(...w.live.closes);
	w.live = moved;
}

export interface Editing {
	/** Edits made so far, by every writer together. */
	made(): number;
	/** Stops every writer after its current edit. */
	stop(): Promise<void>;
}

/**
 * Starts every writer editing at a person's pace (a few edits a second each, several writers per document),
 * whether connected or not: an edit made while offline waits in the client until it reconnects.
 */
export function startEditing(writers: Writer[], seed: number, pauseMs: [number, number] = [15, 60]): Editing {
	let editing = true;
	let made = 0;
	const loops = writers.map(async (w, i) => {
		const rnd = seededRandom(seed + i);
		const userId = demoUserId(w.username);
		for (let n = 0; editing; n++) {
			edit(w.plan, w.live.doc, rnd, w.tag, n, userId);
			made++;
			await sleep(pauseMs[0] + rnd() * (pauseMs[1] - pauseMs[0]));
		}
	});
	return {
		made: () => made,
		async stop() {
			editing = false;
			await Promise.all(loops);
		}
	};
}

/** Updates received from the server, per document, across every writer. */
export function seenUpdates(writers: Writer[]): Map<string, Uint8Array[]> {
	const seen = new Map<string, Uint8Array[]>();
	for (const w of writers) seen.set(w.plan.name, [...(seen.get(w.plan.name) ?? []), ...w.live.received]);
	return seen;
}

/**
 * Opens a fresh reader of every document on `base` and checks that it holds every update in `seen`, and that
 * the writers' entities are there at all. Returns the readers (the caller destroys them).
 */
export async function expectNothingSeenMissing(
	base: string,
	cookies: Record<string, string>,
	seen: Map<string, Uint8Array[]>,
	plans: readonly DocPlan[] = EVERY_DOCUMENT
): Promise<LiveDoc[]> {
	const readers: LiveDoc[] = [];
	for (const plan of plans) {
		const fresh = connectDoc(base, plan.name, { cookie: cookies[plan.checker] });
		readers.push(fresh);
		await whenSynced(fresh, SYNC_MS);
		const updates = seen.get(plan.name) ?? [];
		const missing = updates.filter((u) => !containsUpdate(fresh.doc, u));
		expect(missing.length, `updates clients saw from the server but missing from ${plan.name}`).toBe(0);
		expect(updates.length, `clients of ${plan.name} received updates from the server`).toBeGreaterThan(0);
		expect(writtenCount(plan, fresh.doc), `the writers' entities in ${plan.name}`).toBeGreaterThan(0);
	}
	return readers;
}

/**
 * Waits until every writer of each document holds the same state as a fresh reader of it on `base`, then
 * checks that no writer was refused (a refusal would mean an edit was lost, not just a connection).
 */
export async function expectConverged(base: string, cookies: Record<string, string>, writers: Writer[], plans: readonly DocPlan[] = EVERY_DOCUMENT): Promise<LiveDoc[]> {
	const readers: LiveDoc[] = [];
	for (const plan of plans) {
		const fresh = connectDoc(base, plan.name, { cookie: cookies[plan.checker] });
		readers.push(fresh);
		await whenSynced(fresh, SYNC_MS);
		const docs = [fresh.doc, ...writers.filter((w) => w.plan === plan).map((w) => w.live.doc)];
		await eventually(() => docs.every((d) => sameState(d, docs[0])), 60_000, `the writers of ${plan.name} to converge`);
	}
	// 44xx closes say the client's own data or rights were refused; 45xx only that the server could not serve then.
	const refused = writers.flatMap((w) =>
		w.live.closes.filter((c) => c.code >= 4400 && c.code < 4500 && c.code !== CLOSE_CODES.accessChanged).map((c) => `${w.username}: ${c.code} ${c.reason}`)
	);
	expect(refused).toEqual([]);
	return readers;
}

/** Waits until every writer is connected and synced again. */
export async function whenAllSynced(writers: Writer[], timeoutMs = 60_000): Promise<void> {
	const ready = (w: Writer) => w.live.provider.wsconnected && w.live.provider.synced;
	try {
		await eventually(() => writers.every(ready), timeoutMs, 'every writer to reconnect and sync');
	} catch (error) {
		// Say who is behind and what their connection last heard, so a failure in CI can be read without a rerun.
		const behind = writers
			.filter((w) => !ready(w))
			.map((w) => {
				const p = w.live.provider;
				const last = w.live.closes.slice(-3).map((c) => `${c.code} ${c.reason}`).join(', ') || 'no close';
				return `${w.username} on ${w.plan.name} (${p.url}): connected ${p.wsconnected}, connecting ${p.wsconnecting}, synced ${p.synced}, last closes: ${last}`;
			});
		throw new Error(`${(error as Error).message}; behind:\n${behind.join('\n')}`);
	}
}

/** Waits until every writer has received at least `each` updates from the others, and `total` together. */
export async function whenBusy(writers: Writer[], each: number, total: number, timeoutMs = 90_000): Promise<void> {
	await eventually(
		() => writers.every((w) => w.live.received.length >= each) && writers.reduce((sum, w) => sum + w.live.received.length, 0) >= total,
		timeoutMs,
		'the writers to exchange updates'
	);
}

/** Closes every client, then disposes of what the test started, in order, even when closing a client throws. */
export async function releaseAll(clients: Array<{ destroy(): void }>, ...owned: Array<{ dispose(): Promise<void> } | null | undefined>): Promise<void> {
	try {
		for (const client of clients) client.destroy();
	} finally {
		for (const o of owned) await o?.dispose();
	}
}
