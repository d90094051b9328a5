/**
 * The large event: one agency document with thousands of cards and a long update log, written straight into
 * the log through the repository (as the hub would have, minus the activity rows, which loading never reads),
 * then loaded cold by a fresh client — once by replaying the whole log, once from the hub's snapshot plus a tail.
 */
import * as Y from 'yjs';
import type { Kysely } from 'kysely';
import type { DB } from '../src/lib/server/db/schema.ts';
import { appendUpdates, type AppendEntry } from '../src/lib/server/repositories/doc-log.repository.ts';
import { agencyExists, createAgency } from '../src/lib/server/repositories/agency.repository.ts';
import { DEMO_EVENT, DEMO_USERS, demoSchedule } from '../src/lib/server/demo/demo-data.ts';
import { agencyDocName, commandDocName } from '../src/lib/domain/documents.ts';
import { CARD_PRIORITIES, CARD_STATUSES } from '../src/lib/domain/doc-schema.ts';
import { addCard, addComment, cardsOf, isoWithOffset, notesOf, setAssignees, setChecklistDone, updateCard } from '../src/lib/domain/board.ts';
import { WebsocketProvider } from 'y-websocket';
import { connectDoc, webSocketWithCookie, whenSynced } from '../tests/helpers/live.ts';
import type { TestServer } from '../tests/helpers/server.ts';
import { readRssKiB } from './stats.ts';

/** An agency admins may add (DESIGN.md); its document holds nothing but the bench's cards. */
export const LARGE_AGENCY = { code: 'fire', nameZh: '消防', nameEn: 'Fire service', color: '#dc2626' };
export const LARGE_DOC = agencyDocName(DEMO_EVENT.id, LARGE_AGENCY.code);
/** Rows per transaction when writing the log. */
const WRITE_BATCH = 2_000;
/** A new Yjs client id (a reload, another phone) every this many updates, as a long event would have. */
const UPDATES_PER_CLIENT = 1_000;
const LOAD_TIMEOUT_MS = 180_000;
const MESSAGE_SYNC = 0;
const SYNC_STEP2 = 1;
const OFFSET_MIN = 8 * 60;

/** A small deterministic generator, so every run writes the same log. */
function mulberry32(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/**
 * Makes a realistic update log: first one update per new card, then edits of random cards — status and
 * priority changes, typing in notes, checklist ticks, comments, reassignments — each one Yjs update, as a
 * client sends it. Kept alive between batches so the tail continues the same document.
 */
export class LargeEventLog {
	readonly doc = new Y.Doc();
	readonly cards: number;
	#rand = mulberry32(20261123);
	#captured: Uint8Array[] = [];
	#made = 0;
	#clientUses = 0;
	#clientUser = new Map<number, string>();
	#userIds = DEMO_USERS.filter((u) => u.role).map((u) => u.id);
	#startsAt = Date.parse(demoSchedule(Date.parse('2026-11-24T12:00:00+08:00')).startsAt);

	constructor(cards: number) {
		this.cards = cards;
		this.doc.on('update', (u: Uint8Array) => this.#captured.push(u));
	}

	#pick<T>(list: readonly T[]): T {
		return list[Math.floor(this.#rand() * list.length)];
	}

	#time(minutes: number): string {
		return isoWithOffset(new Date(this.#startsAt + minutes * 60_000), OFFSET_MIN);
	}

	/** One change; may change nothing (a value set to what it was), in which case no update is captured. */
	#change(n: number): void {
		const doc = this.doc;
		if (n < this.cards) {
			addCard(doc, `fire-card-${n}`, {
				title: `消防巡查点位 ${n + 1}：灯组电气线路检查`,
				status: 'todo',
				priority: this.#pick(CARD_PRIORITIES),
				agency: LARGE_AGENCY.code,
				location: `灯会核心区 ${1 + (n % 40)} 号灯组`,
				dueAt: this.#time(60 + (n % 600)),
				createdBy: this.#pick(this.#userIds),
				createdAt: this.#time(n % 60),
				order: n,
				checklist: [
					{ id: 'c1', text: '配电箱接地' },
					{ id: 'c2', text: '灭火器到位' },
					{ id: 'c3', text: '疏散通道畅通' }
				]
			});
			return;
		}
		const id = `fire-card-${Math.floor(this.#rand() * this.cards)}`;
		const r = this.#rand();
		if (r < 0.3) updateCard(doc, id, { status: this.#pick(CARD_STATUSES) });
		else if (r < 0.4) updateCard(doc, id, { priority: this.#pick(CARD_PRIORITIES) });
		else if (r < 0.5) updateCard(doc, id, { order: Math.floor(this.#rand() * 1_000_000) });
		else if (r < 0.75) {
			const notes = notesOf(doc, id)!;
			if (notes.length < 19_000) notes.insert(notes.length, `${this.#time(n / 50).slice(11, 16)} 已复查。`);
		} else if (r < 0.87) setChecklistDone(doc, id, this.#pick(['c1', 'c2', 'c3']), this.#rand() < 0.7);
		else if (r < 0.95) addComment(doc, id, { id: `m${n}`, by: this.#pick(this.#userIds), at: this.#time(n / 50), text: '现场情况已核实，继续关注。' });
		else setAssignees(doc, id, [this.#pick(this.#userIds), this.#pick(this.#userIds)]);
	}

	/** The next `count` updates as log entries of the large document. */
	next(count: number): AppendEntry[] {
		const entries: AppendEntry[] = [];
		while (entries.length < count) {
			if (this.#clientUses >= UPDATES_PER_CLIENT || !this.#clientUser.has(this.doc.clientID)) {
				// A fresh client id for the next changes, bound to one of the event's people.
				if (this.#clientUses >= UPDATES_PER_CLIENT) this.doc.clientID = Math.floor(this.#rand() * 2 ** 31);
				this.#clientUser.set(this.doc.clientID, this.#pick(this.#userIds));
				this.#clientUses = 0;
			}
			const client = this.doc.clientID;
			this.#change(this.#made);
			const bytes = this.#captured.splice(0);
			if (bytes.length === 0) continue;
			for (const b of bytes) {
				entries.push({
					doc: LARGE_DOC,
					eventId: DEMO_EVENT.id,
					userId: this.#clientUser.get(client)!,
					connId: null,
					at: new Date(this.#startsAt + this.#made * 1_500),
					bytes: b,
					activity: [],
					newClients: this.#clientUses === 0 ? [client] : []
				});
				this.#clientUses++;
				this.#made++;
			}
		}
		return entries;
	}
}

/** Adds the large event's agency when missing, so its document is a known one. */
export async function ensureLargeAgency(db: Kysely<DB>): Promise<void> {
	if (!(await agencyExists(db, LARGE_AGENCY.code))) await createAgency(db, LARGE_AGENCY);
}

/** Appends `entries` to the log in transactions of WRITE_BATCH rows. */
export async function writeLog(db: Kysely<DB>, entries: AppendEntry[]): Promise<void> {
	for (let i = 0; i < entries.length; i += WRITE_BATCH) {
		const batch = entries.slice(i, i + WRITE_BATCH);
		await db.transaction().execute((tx) => appendUpdates(tx, batch));
	}
}

export interface ColdLoad {
	/** From a fresh client's connect to its 'synced'. */
	loadMs: number;
	/** From the same connect to the whole sync answer received, before the client decodes it: the server's share. */
	answerMs: number;
	/** The same for a second fresh client right after, when the document is in memory: the sync alone. */
	warmMs: number;
	cardsSeen: number;
	/** Server memory after the document is loaded. */
	serverRssMiB: number | null;
}

/**
 * Times a fresh client's connect-to-synced on the large document, right after a restart, so the document is
 * not in the hub's memory. The server's own code paths are warmed on the small command document first: this
 * times loading a document, not starting a process.
 */
export async function timeColdLoad(server: TestServer, cookie: string): Promise<ColdLoad> {
	const warm = connectDoc(server.url, commandDocName(DEMO_EVENT.id), { cookie });
	await whenSynced(warm, 30_000);
	warm.destroy();

	const first = await timeSync(server.url, cookie);
	const pid = server.pid();
	const rss = pid ? readRssKiB(pid) : null;
	const second = await timeSync(server.url, cookie);
	return { loadMs: first.ms, answerMs: first.answerMs, warmMs: second.ms, cardsSeen: first.cards, serverRssMiB: rss === null ? null : Math.round(rss / 1024) };
}

/**
 * Connects a fresh stock client to the large document and times it until synced, and until the sync answer
 * (step 2) has arrived, seen by its socket before the provider decodes it.
 */
async function timeSync(base: string, cookie: string): Promise<{ ms: number; answerMs: number; cards: number }> {
	let answeredAt = 0;
	const WithCookie = webSocketWithCookie(cookie);
	class Timed extends WithCookie {
		constructor(url: string, protocols?: string | string[]) {
			super(url, protocols);
			// Registered before the provider's own handler, so it runs first.
			this.on('message', (data: ArrayBuffer | Buffer) => {
				const head = data instanceof ArrayBuffer ? new Uint8Array(data, 0, 2) : data;
				if (!answeredAt && head[0] === MESSAGE_SYNC && head[1] === SYNC_STEP2) answeredAt = performance.now();
			});
		}
	}
	const t0 = performance.now();
	const doc = new Y.Doc();
	const provider = new WebsocketProvider(base.replace(/^http/, 'ws') + '/yjs', LARGE_DOC, doc, {
		WebSocketPolyfill: Timed as unknown as typeof globalThis.WebSocket,
		disableBc: true
	});
	const live = { doc, provider, closes: [], destroy: () => (provider.destroy(), doc.destroy()) };
	try {
		await whenSynced(live, LOAD_TIMEOUT_MS);
		const ms = performance.now() - t0;
		return { ms: Math.round(ms), answerMs: Math.round((answeredAt || performance.now()) - t0), cards: cardsOf(live.doc).size };
	} finally {
		live.destroy();
	}
}
