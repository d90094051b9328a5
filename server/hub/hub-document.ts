/**
 * One loaded document in the hub. It keeps two copies:
 * - `durable`: exactly the committed log up to `appliedSeq`. Sync answers and broadcasts come from it only,
 *   so nobody ever sees a change that is not stored ("durable before visible").
 * - `staging`: durable plus updates accepted but still being committed. Each new update is applied here
 *   first and checked against the schema; a refused update is dropped by rebuilding staging from durable.
 *   It is built on first need (a document only read never builds it).
 * A client that holds nothing is sent the whole document framed once for all such clients (at first the stored bytes
 * it was loaded from) and the committed updates since, merged: never an encoding of the whole document of its own.
 * Loaded from a snapshot, the durable copy itself is decoded only after that first answer can go out (`ready()`):
 * a restart's first clients wait for the database's read, not for the server decoding the whole document.
 * A committed update is sent to the peers as the turn of the event loop that committed it ends, with the others
 * committed in it (delivery.ts), but applied to the durable copy later, with others in one
 * transaction, when something reads the copy or enough have gathered (`durable`): nothing on an edit's path reads it.
 */
import * as Y from 'yjs';
import * as awarenessProtocol from 'y-protocols/awareness';
import type { Kysely } from 'kysely';
import type { DB } from '../../src/lib/server/db/schema.ts';
import type { DocAddress } from '../../src/lib/domain/documents.ts';
import { prepareRoots, collectTouched, validateTouched, type Touched } from '../../src/lib/domain/doc-validate.ts';
import { deriveActivity, type ActivityDraft } from '../../src/lib/domain/activity.ts';
import { DOC_ROOTS } from '../../src/lib/domain/doc-schema.ts';
import { disputeWriteProblem } from '../../src/lib/domain/disputes.ts';
import { agencyWriteProblem, type Writer } from '../../src/lib/domain/doc-rules.ts';
import { CLOSE_CODES } from '../../src/lib/domain/wire.ts';
import {
	clientOwner,
	loadDocumentLog,
	SERVER_OWNER,
	readUpdates,
	saveSnapshot,
	type AppendEntry
} from '../../src/lib/server/repositories/doc-log.repository.ts';
import type { GroupCommitter } from './group-commit.ts';
import { awarenessMessage, frameForAll, syncMessage, SYNC_UPDATE } from './frames.ts';
import { FreshAnswer, FRESH_TAIL_MAX } from './fresh-answer.ts';
import { deliver, Outbox, type DeliveryPeer } from './delivery.ts';
import type { HubMetrics } from './hub-metrics.ts';
import { log } from '../../src/lib/server/log.ts';

/** Take a snapshot after this many updates since the last one: loading then replays at most this many. */
const SNAPSHOT_EVERY = 500;
/** Keystrokes in one note by one user within this window make one "edited" activity row. */
const TEXT_COALESCE_MS = 60_000;
/**
 * Presence changes reach the peers in one message per document per this many ms. Every client renews its
 * presence each 15 s, and clients that connected together (after a restart) renew together: sent one by one,
 * 220 clients made 48,000 messages in a second and held edits up for 2.5 s every 15 s (npm run bench).
 */
const AWARENESS_FLUSH_MS = 100;

/** A message refused with a close code and a reason the client can show. */
export class Refusal extends Error {
	readonly code: number;
	constructor(code: number, message: string) {
		super(message);
		this.code = code;
		this.name = 'Refusal';
	}
}

/**
 * An update that builds on changes this server does not have yet. Not a refusal: on a reconnect a client may
 * send a new edit before its sync answer carries the edits it made offline. The connection holds it and tries
 * again after its next accepted update; nothing of it is staged or stored meanwhile.
 */
export class MissingDependencies extends Error {
	constructor() {
		super('update depends on changes the server does not have yet');
		this.name = 'MissingDependencies';
	}
}

/** Where an update came from. */
export interface UpdateSource {
	userId: string | null;
	connId: string | null;
	/** Whether the writer may plan and change the agency's shifts (the document rules ask). */
	mayEditShifts?: boolean;
	/** When the hub took a client's update (performance.now()), for the time it held it (HubMetrics.held). */
	received?: number;
}

export interface HubDocumentDeps {
	db: Kysely<DB>;
	committer: GroupCommitter;
	/** Counts stored updates and times their delivery to the peers (server/hub/hub-metrics.ts). */
	metrics: HubMetrics;
}

/**
 * A document loaded from its stored bytes decodes its durable copy this long after loading when nothing has asked
 * for it sooner: the first answers go out first, and their bytes leave the process before the thread is busy.
 */
const DECODE_AFTER_MS = 500;
/**
 * Committed updates gathered before they are applied to the durable copy by themselves (nothing having read it).
 * Applied one by one, each was a Yjs transaction of its own (its state vectors, its cleanup) on the edit's path,
 * before its fan-out: 30-47 µs a new card on a 506 KiB document, against 19-28 µs in batches (README, benchmarks).
 */
const DURABLE_BATCH = 64;

const STAGE = Symbol('stage');
const LOAD = Symbol('load');
const REMOTE = Symbol('remote');
const DURABLE = Symbol('durable');

export class HubDocument {
	readonly #durable = new Y.Doc();
	/** What is still to be applied to the durable copy (the stored bytes), until it is decoded; null once it is. */
	#undecoded: { state: Uint8Array; tail: Uint8Array | null } | null = null;
	/** Committed updates (up to `appliedSeq`) not yet applied to the durable copy, in sequence order. */
	#unapplied: Uint8Array[] = [];
	#decodeTimer: NodeJS.Timeout | null = null;
	#afterReady: Array<() => void> = [];
	/**
	 * Built on first need, not as the document loads: a cold load of a large event spent half its time copying
	 * durable into staging before the first client's sync could be answered, and a document that is only read (a
	 * wall, a closed event's review) never needs it (bench, cold load).
	 */
	#staging: Y.Doc | null = null;
	/** What a client that holds nothing is sent (see freshAnswer); null until it is next asked for. */
	#fresh: FreshAnswer | null = null;
	readonly awareness: awarenessProtocol.Awareness;
	readonly peers = new Set<DeliveryPeer>();
	/** Committed updates of this turn, written to the peers together when it ends (delivery.ts). */
	readonly #outbox = new Outbox((batch) => {
		if (this.#destroyed) return;
		const started = performance.now();
		deliver(this.peers, batch);
		this.deps.metrics.fannedOut('local', (performance.now() - started) / 1000);
	});
	appliedSeq = 0;
	lastUsed = Date.now();
	/** What the document holds in storage: its snapshot and the log after it, as loaded, plus what was added since. */
	storedBytes = 0;
	/** The largest `storedBytes` a client write may bring it to (quotas.ts). */
	maxBytes = Number.POSITIVE_INFINITY;

	#pending: Uint8Array[] = [];
	#bindings: Map<number, string>;
	#stageChain: Promise<unknown> = Promise.resolve();
	#durableChain: Promise<unknown> = Promise.resolve();
	#activity: ActivityDraft[] = [];
	#touched: Touched | null = null;
	/** Whether the change being staged is the server's own, and what the register's rules found wrong with it. */
	#byServer = false;
	#writer: Writer | null = null;
	#ruleProblem: string | null = null;
	#sinceSnapshot = 0;
	#snapshotting = false;
	#lastTextEdit = new Map<string, number>();
	#awarenessPending = new Set<number>();
	#awarenessTimer: NodeJS.Timeout | null = null;
	#destroyed = false;

	readonly name: string;
	readonly address: DocAddress;
	readonly deps: HubDocumentDeps;

	private constructor(name: string, address: DocAddress, deps: HubDocumentDeps, bindings: Map<number, string>) {
		this.name = name;
		this.address = address;
		this.deps = deps;
		this.#bindings = bindings;
		prepareRoots(this.#durable, address.kind);
		this.awareness = new awarenessProtocol.Awareness(this.#durable);
		// The hub itself has no presence.
		this.awareness.setLocalState(null);
		// Every presence change (and the periodic renewals that keep it alive) goes to every peer, gathered.
		this.awareness.on('update', ({ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] }) =>
			this.#queueAwareness([...added, ...updated, ...removed])
		);
	}

	/**
	 * Loads a document from its latest snapshot and the log after it. Throws without side effects on failure. With a
	 * snapshot and a short tail, the durable copy is decoded later (see `ready()`); otherwise here.
	 */
	static async load(name: string, address: DocAddress, deps: HubDocumentDeps): Promise<HubDocument> {
		const log = await loadDocumentLog(deps.db, name);
		const doc = new HubDocument(name, address, deps, log.bindings);
		doc.appliedSeq = log.updates.at(-1)?.seq ?? log.snapshot?.uptoSeq ?? 0;
		doc.storedBytes = (log.snapshot?.state.byteLength ?? 0) + log.updates.reduce((n, u) => n + u.bytes.byteLength, 0);
		doc.#sinceSnapshot = log.updates.length;
		if (log.snapshot && log.updates.length <= FRESH_TAIL_MAX) {
			const tail = log.updates.length ? Y.mergeUpdates(log.updates.map((u) => u.bytes)) : null;
			doc.#fresh = new FreshAnswer(log.snapshot.state, tail ? [tail] : []);
			doc.#undecoded = { state: log.snapshot.state, tail };
			doc.#decodeTimer = setTimeout(() => {
				try {
					doc.ready();
				} catch {
					// Logged by ready(); whoever needs the document next is refused and retries.
				}
			}, DECODE_AFTER_MS);
			doc.#decodeTimer.unref();
			return doc;
		}
		if (log.snapshot) Y.applyUpdate(doc.#durable, log.snapshot.state, LOAD);
		for (const u of log.updates) Y.applyUpdate(doc.#durable, u.bytes, LOAD);
		if (doc.#sinceSnapshot >= SNAPSHOT_EVERY) doc.#snapshotSoon();
		return doc;
	}

	/**
	 * The committed document: exactly the log up to `appliedSeq`. Sync answers and broadcasts come from it only. Read
	 * it only once `ready()` has run (the hub's own `document()` and every write path see to that).
	 */
	get durable(): Y.Doc {
		if (this.#undecoded) throw new Error(`document ${this.name} is read before it is decoded`);
		if (this.#unapplied.length) this.#applyUnapplied();
		return this.#durable;
	}

	/** Brings the durable copy up to `appliedSeq`: the committed updates gathered since, in one transaction. */
	#applyUnapplied(): void {
		const list = this.#unapplied;
		this.#unapplied = [];
		this.#durable.transact(() => {
			for (const bytes of list) Y.applyUpdate(this.#durable, bytes, DURABLE);
		}, DURABLE);
	}

	/** Is the durable copy decoded? */
	get isReady(): boolean {
		return this.#undecoded === null;
	}

	/** Decodes the durable copy from the stored bytes, if that is still to do. Synchronous; idempotent. */
	ready(): this {
		const stored = this.#undecoded;
		if (!stored) return this;
		if (this.#decodeTimer) clearTimeout(this.#decodeTimer);
		this.#decodeTimer = null;
		this.#undecoded = null;
		if (this.#destroyed) return this;
		const started = performance.now();
		try {
			Y.applyUpdate(this.#durable, stored.state, LOAD);
			if (stored.tail) Y.applyUpdate(this.#durable, stored.tail, LOAD);
		} catch (err) {
			// The stored bytes cannot be read: nothing may be built on a copy that is not the log's.
			this.#undecoded = stored;
			log.error({ doc: this.name, reason: err instanceof Error ? err.message : String(err) }, '[hub] cannot decode a stored document');
			throw err;
		}
		log.debug({ doc: this.name, ms: Math.round(performance.now() - started) }, '[hub] document decoded');
		if (this.#sinceSnapshot >= SNAPSHOT_EVERY) this.#snapshotSoon();
		for (const fn of this.#afterReady.splice(0)) fn();
		return this;
	}

	/** Runs `fn` now if the durable copy is decoded, else as soon as it is. */
	afterReady(fn: () => void): void {
		if (this.isReady) fn();
		else this.#afterReady.push(fn);
	}

	/**
	 * The whole document for a client that holds nothing, as frames to write to its socket (see FreshAnswer): the
	 * updates after the document's bytes, then those bytes as the sync answer. The bytes are the stored ones the
	 * document was loaded from, or its last encoding (for a snapshot, or for an earlier such client); each committed
	 * update joins the tail.
	 */
	freshAnswer(): { tail: Buffer | null; state: Buffer } {
		const fresh = (this.#fresh ??= new FreshAnswer(Y.encodeStateAsUpdate(this.ready().durable), []));
		return { tail: fresh.tailFrame(), state: fresh.stateFrame };
	}

	get pendingCount(): number {
		return this.#pending.length;
	}

	/** durable with the updates accepted but not yet committed: where a new update is checked. */
	get staging(): Y.Doc {
		return this.#staging ?? this.#rebuildStaging();
	}

	/** Runs `fn` while no other staging work of this document runs. */
	withStageLock<T>(fn: () => Promise<T> | T): Promise<T> {
		const run = this.#stageChain.then(fn, fn);
		this.#stageChain = run.catch(() => {});
		return run;
	}

	#rebuildStaging(): Y.Doc {
		const staging = new Y.Doc();
		prepareRoots(staging, this.address.kind);
		Y.applyUpdate(staging, Y.encodeStateAsUpdate(this.ready().durable), LOAD);
		for (const p of this.#pending) Y.applyUpdate(staging, p, LOAD);
		for (const rootName of Object.keys(DOC_ROOTS[this.address.kind])) {
			staging.getMap(rootName).observeDeep((events, tr) => {
				// Events can only tell their changes inside the observer, so activity is derived right here.
				if (tr.origin !== STAGE) return;
				this.#activity.push(...deriveActivity(this.address.kind, rootName, events));
				// Escalation goes through the server with a reason; a client may not set what only it sets.
				if (rootName === 'disputes' && !this.#byServer) this.#ruleProblem ??= disputeWriteProblem(events);
				// The rules the pages apply, for every client write to an agency document (doc-rules.ts).
				if (this.address.kind === 'agency' && !this.#byServer && this.#writer) this.#ruleProblem ??= agencyWriteProblem(rootName, events, this.#writer);
			});
		}
		staging.on('afterTransaction', (tr: Y.Transaction) => {
			if (tr.origin === STAGE) this.#touched = collectTouched(tr);
		});
		this.#staging?.destroy();
		this.#staging = staging;
		return staging;
	}

	/**
	 * Applies `apply` to staging and checks the result. On any problem staging is rebuilt without it and a
	 * Refusal is thrown. Call only under the stage lock.
	 */
	#stage(apply: () => void, byServer: boolean): { activity: ActivityDraft[] } {
		this.#activity = [];
		this.#touched = null;
		this.#byServer = byServer;
		this.#ruleProblem = null;
		try {
			apply();
		} catch (err) {
			this.#rebuildStaging();
			throw new Refusal(CLOSE_CODES.refused, `update could not be applied (${err instanceof Error ? err.message : err})`);
		}
		const store = this.staging.store;
		if (store.pendingStructs !== null || store.pendingDs !== null) {
			// Never keep half-integrated structs: they would integrate later, checked against someone else's update.
			this.#rebuildStaging();
			throw new MissingDependencies();
		}
		const problem = this.#touched ? validateTouched(this.staging, this.address.kind, this.#touched, byServer) : null;
		if (problem) {
			this.#rebuildStaging();
			throw new Refusal(CLOSE_CODES.refused, `schema: ${problem.path} ${problem.problem}`);
		}
		if (this.#ruleProblem) {
			const rule = this.#ruleProblem;
			this.#rebuildStaging();
			throw new Refusal(CLOSE_CODES.refused, `workflow: ${rule}`);
		}
		return { activity: this.#activity };
	}

	/** Keeps one "edited" row per note, user and minute instead of one per keystroke. */
	#coalesce(activity: ActivityDraft[], userId: string | null, now: number): ActivityDraft[] {
		return activity.filter((a) => {
			if (a.action !== 'edited') return true;
			const key = `${userId}|${a.entityId}|${a.field}`;
			const last = this.#lastTextEdit.get(key);
			if (last !== undefined && now - last < TEXT_COALESCE_MS) return false;
			this.#lastTextEdit.set(key, now);
			return true;
		});
	}

	/**
	 * Takes an update from a client: checks, stages, commits, then applies it to the durable copy and
	 * broadcasts it. Resolves when it is stored and visible; rejects with a Refusal otherwise.
	 */
	async submit(bytes: Uint8Array, src: UpdateSource & { userId: string }): Promise<void> {
		const received = performance.now();
		this.lastUsed = Date.now();
		const staged = await this.withStageLock(async () => {
			this.ready();
			// Read once, for the checks below.
			let decoded: { structs: Array<{ id: { client: number; clock: number }; length: number }>; ds: { clients: Map<number, unknown> } };
			try {
				decoded = Y.decodeUpdate(bytes);
			} catch {
				throw new Refusal(CLOSE_CODES.refused, 'update could not be decoded');
			}
			if (decoded.structs.length === 0 && decoded.ds.clients.size === 0) return null;
			if (this.storedBytes + bytes.byteLength > this.maxBytes) throw new Refusal(CLOSE_CODES.documentFull, 'quota:docBytes');
			const from = firstClocks(decoded.structs);
			// A gap in a client's own clocks is the usual missing dependency: seen first, an update that waits costs
			// neither a lookup of its client ids nor a staging rebuild each time it is tried.
			if (startsPastState(this.staging, from)) throw new MissingDependencies();
			const newClients: number[] = [];
			for (const client of from.keys()) {
				let owner = this.#bindings.get(client);
				if (owner === undefined) {
					owner = (await clientOwner(this.deps.db, this.name, client)) ?? undefined;
					if (owner !== undefined) this.#bindings.set(client, owner);
				}
				if (owner === SERVER_OWNER) throw new Refusal(CLOSE_CODES.refused, `client id ${client} is the server's own`);
				if (owner !== undefined && owner !== src.userId) {
					throw new Refusal(CLOSE_CODES.refused, `client id ${client} belongs to another user`);
				}
				if (owner === undefined) newClients.push(client);
			}
			this.#writer = { userId: src.userId, mayEditShifts: src.mayEditShifts ?? false };
			const { activity } = this.#stage(() => Y.applyUpdate(this.staging, bytes, STAGE), false);
			for (const c of newClients) this.#bindings.set(c, src.userId);
			this.#pending.push(bytes);
			this.storedBytes += bytes.byteLength;
			const at = new Date();
			const entry: AppendEntry = {
				doc: this.name,
				eventId: this.address.eventId,
				userId: src.userId,
				connId: src.connId,
				at,
				bytes,
				activity: this.#coalesce(activity, src.userId, at.getTime()),
				newClients
			};
			// Queued inside the lock so that this document's updates reach the log in the order they were staged;
			// wrapped, so that the lock is not held until it is stored (an async function would wait for a promise).
			return { commit: this.deps.committer.append(entry) };
		});
		if (!staged) return;
		let seq: number;
		try {
			seq = await staged.commit;
		} catch (err) {
			await this.dropPending([bytes]);
			throw new Refusal(CLOSE_CODES.storageUnavailable, `storage unavailable (${err instanceof Error ? err.message : err})`);
		}
		this.deps.metrics.accepted('client');
		await this.applyCommitted(seq, bytes, { ...src, received });
	}

	/**
	 * Stages a change made by the server on a user's behalf (call under the stage lock). Returns the update
	 * bytes and the activity to append in the caller's transaction, or null when `fn` changed nothing.
	 */
	stageServerWrite(fn: (doc: Y.Doc) => void): { bytes: Uint8Array; activity: ActivityDraft[]; clientId: number } | null {
		this.ready();
		let bytes: Uint8Array | null = null;
		const capture = (update: Uint8Array, origin: unknown) => {
			if (origin === STAGE) bytes = bytes ? Y.mergeUpdates([bytes, update]) : update;
		};
		this.staging.on('update', capture);
		let activity: ActivityDraft[];
		try {
			({ activity } = this.#stage(() => this.staging.transact(() => fn(this.staging), STAGE), true));
		} finally {
			this.staging.off('update', capture);
		}
		if (!bytes) return null;
		this.#pending.push(bytes);
		// The server's client id is its own from now on: bound here at once, stored with the update.
		this.#bindings.set(this.staging.clientID, SERVER_OWNER);
		return { bytes, activity, clientId: this.staging.clientID };
	}

	/** Forgets staged updates whose commit failed. */
	dropPending(list: Uint8Array[]): Promise<void> {
		return this.withStageLock(() => {
			this.#pending = this.#pending.filter((p) => !list.includes(p));
			this.#rebuildStaging();
		});
	}

	/** Applies a committed update to the durable copy in sequence order, then broadcasts it. */
	applyCommitted(seq: number, bytes: Uint8Array, src: UpdateSource | null): Promise<void> {
		const run = this.#durableChain.then(async () => {
			if (this.#destroyed) return;
			if (seq <= this.appliedSeq) {
				// Another instance's notice came first, and catching up read this very update from the log (as
				// bytes of its own): it is applied and sent (its writer's acknowledgement too), but still staged here.
				this.#unstage(bytes);
				return;
			}
			if (seq > this.appliedSeq + 1) {
				// Another instance committed the sequences in between; read them from the log first.
				for (const gap of await readUpdates(this.deps.db, this.name, this.appliedSeq + 1, seq - 1)) {
					this.#integrate(gap.seq, gap.bytes, null);
				}
			}
			this.#integrate(seq, bytes, src);
		});
		this.#durableChain = run.catch((err) => log.error({ err, doc: this.name, seq }, '[hub] cannot apply a committed update'));
		return run;
	}

	/** Catches up with updates other instances committed, up to `toSeq` (or all). */
	pullRemote(toSeq?: number): Promise<void> {
		const run = this.#durableChain.then(async () => {
			if (this.#destroyed || (toSeq !== undefined && toSeq <= this.appliedSeq)) return;
			for (const u of await readUpdates(this.deps.db, this.name, this.appliedSeq + 1, toSeq)) {
				this.#integrate(u.seq, u.bytes, null);
			}
		});
		this.#durableChain = run.catch((err) => log.error({ err, doc: this.name }, '[hub] cannot catch up with the log'));
		return run;
	}

	#integrate(seq: number, bytes: Uint8Array, src: UpdateSource | null): void {
		this.#unapplied.push(bytes);
		if (this.#unapplied.length >= DURABLE_BATCH) this.ready().#applyUnapplied();
		if (this.#fresh && !this.#fresh.add(bytes)) this.#fresh = null;
		this.appliedSeq = seq;
		// Not staged here (another instance's): staging takes it too, if it is built; once built it starts from durable.
		if (!this.#unstage(bytes) && this.#staging) Y.applyUpdate(this.#staging, bytes, REMOTE);
		// To every peer, its writer included: the update coming back over the connection it was sent on is the writer's
		// acknowledgement that it is stored (the page counts its changes saved from it), as the stock server echoes.
		this.#outbox.add(frameForAll(syncMessage(SYNC_UPDATE, bytes)));
		if (src?.received !== undefined) this.deps.metrics.held((performance.now() - src.received) / 1000);
		if (++this.#sinceSnapshot >= SNAPSHOT_EVERY) this.#snapshotSoon();
	}

	/** Takes a committed update off the staged list; false when it was not staged here (another instance's). */
	#unstage(bytes: Uint8Array): boolean {
		const i = this.#pending.indexOf(bytes);
		if (i < 0) return false;
		this.#pending.splice(i, 1);
		return true;
	}

	/** Waits until every update staged so far is committed and applied (or failed). */
	async settle(): Promise<void> {
		await this.withStageLock(() => {});
		while (this.#pending.length) {
			await new Promise((r) => setTimeout(r, 5));
			if (this.#destroyed) return;
		}
		await this.#durableChain;
	}

	#snapshotSoon(): void {
		if (this.#snapshotting) return;
		this.#snapshotting = true;
		setImmediate(() => void this.snapshot().finally(() => (this.#snapshotting = false)));
	}

	/** Stores the durable state as a snapshot, so that the next load replays less of the log. */
	async snapshot(): Promise<void> {
		if (this.#sinceSnapshot === 0 || this.#destroyed) return;
		const upto = this.appliedSeq;
		const state = Y.encodeStateAsUpdate(this.ready().durable);
		this.#fresh = new FreshAnswer(state, []);
		const counted = this.#sinceSnapshot;
		try {
			await saveSnapshot(this.deps.db, this.name, upto, state);
			this.#sinceSnapshot = Math.max(0, this.#sinceSnapshot - counted);
		} catch (err) {
			log.error({ doc: this.name, reason: err instanceof Error ? err.message : String(err) }, '[hub] snapshot failed');
		}
	}

	#queueAwareness(clients: number[]): void {
		for (const c of clients) this.#awarenessPending.add(c);
		this.#awarenessTimer ??= setTimeout(() => {
			this.#awarenessTimer = null;
			const list = [...this.#awarenessPending];
			this.#awarenessPending.clear();
			// Encoded now, so each client's latest state and clock go out, removals included.
			if (!this.#destroyed) this.broadcastAwareness(list);
		}, AWARENESS_FLUSH_MS);
	}

	/** Sends an awareness update of the given clients to every peer. */
	broadcastAwareness(clients: number[]): void {
		if (!clients.length) return;
		const frame = frameForAll(awarenessMessage(this.awareness, clients));
		for (const peer of this.peers) peer.sendFramed(frame);
	}

	destroy(): void {
		this.#destroyed = true;
		if (this.#awarenessTimer) clearTimeout(this.#awarenessTimer);
		this.awareness.destroy();
		if (this.#decodeTimer) clearTimeout(this.#decodeTimer);
		this.#afterReady = [];
		this.#staging?.destroy();
		this.#durable.destroy();
	}
}

/** Each client's first clock in an update's structs. */
function firstClocks(structs: Array<{ id: { client: number; clock: number } }>): Map<number, number> {
	const from = new Map<number, number>();
	for (const { id } of structs) from.set(id.client, Math.min(from.get(id.client) ?? Infinity, id.clock));
	return from;
}

/** Does any client's first struct in an update start after what `doc` has of that client (a gap in its clocks)? */
function startsPastState(doc: Y.Doc, from: Map<number, number>): boolean {
	for (const [client, clock] of from) if (clock > Y.getState(doc.store, client)) return true;
	return false;
}
