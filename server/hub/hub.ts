/**
 * The sync hub: y-websocket protocol at /yjs/<document>, one pipeline per message:
 * authenticate → load → check → persist → apply → derive activity → fan out.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { DocWrite } from '../../src/lib/server/services.ts';
import * as awarenessProtocol from 'y-protocols/awareness';
import type { Kysely } from 'kysely';
import type { DB } from '../../src/lib/server/db/schema.ts';
import { parseDocName, type DocAddress } from '../../src/lib/domain/documents.ts';
import { documentAccess, mayEditShifts, type Access, type Principal } from '../../src/lib/domain/permissions.ts';
import { CLOSE_CODES, HEARTBEAT_MS } from '../../src/lib/domain/wire.ts';
import { newId } from '../../src/lib/domain/ids.ts';
import { writeAudit } from '../../src/lib/server/repositories/audit.repository.ts';
import { authenticateLive, liveDisplayTokenIds, liveSessionIds, type LiveActor } from '../../src/lib/server/auth/principal.ts';
import { getEvent, getMembership, type EventSummary } from '../../src/lib/server/repositories/event.repository.ts';
import { agencyExists } from '../../src/lib/server/repositories/agency.repository.ts';
import { appendUpdates, type AppendEntry } from '../../src/lib/server/repositories/doc-log.repository.ts';
import { HubDocument, Refusal, type HubDocumentDeps } from './hub-document.ts';
import { HubConnection, type EarlyMessage } from './connection.ts';
import type { GroupCommitter } from './group-commit.ts';
import { DEFAULT_QUOTAS, UserBudgets, type QuotaLimits } from './quotas.ts';
import { NO_HUB_METRICS, type HubMetrics } from './hub-metrics.ts';
import { log } from '../../src/lib/server/log.ts';

/** A document nobody has been connected to for this long is written to a snapshot and unloaded. */
const IDLE_UNLOAD_MS = 30_000;
/** How often live connections are checked against revoked sessions and tokens. */
const SESSION_SWEEP_MS = 15_000;

export interface HubOptions {
	db: Kysely<DB>;
	committer: GroupCommitter;
	maxMessageBytes: number;
	/** The allowed browser origin for upgrades; when unset, the Origin must match the Host header. */
	origin?: string;
	onRefused(userId: string, doc: string, code: number, reason: string): void;
	/** Runs inside a server write's transaction (PostgreSQL: NOTIFY other instances). */
	inTransaction?(tx: Kysely<DB>, entries: AppendEntry[], seqs: number[]): Promise<void>;
	/** Budgets per document and per user; DEFAULT_QUOTAS when not given. */
	quotas?: QuotaLimits;
	/** Counters and timings for /metrics; none when not given. */
	metrics?: HubMetrics;
	/** How often connections are pinged (HEARTBEAT_MS when not given). */
	heartbeatMs?: number;
}

export interface LiveFilter {
	sessionId?: string;
	userId?: string;
	displayTokenId?: string;
	eventId?: string;
}

/** One change the server makes in a document on a user's behalf. */
export type ServerWrite = DocWrite;

export class SyncHub {
	readonly #wss: WebSocketServer;
	readonly #docs = new Map<string, Promise<HubDocument>>();
	readonly #conns = new Set<HubConnection>();
	readonly #timers: NodeJS.Timeout[] = [];
	#closing = false;

	readonly options: HubOptions;
	readonly quotas: QuotaLimits;
	readonly #budgets: UserBudgets;
	readonly #metrics: HubMetrics;

	constructor(options: HubOptions) {
		this.options = options;
		this.#metrics = options.metrics ?? NO_HUB_METRICS;
		this.quotas = options.quotas ?? DEFAULT_QUOTAS;
		this.#budgets = new UserBudgets(this.quotas);
		this.#timers.push(setInterval(() => this.#budgets.sweep(), 60_000).unref());
		// ws itself drops frames over twice our limit; between the two, we answer with our own close code.
		this.#wss = new WebSocketServer({ noServer: true, maxPayload: options.maxMessageBytes * 2, perMessageDeflate: false });
		this.#timers.push(setInterval(() => void this.#unloadIdle(), 10_000).unref());
		this.#timers.push(setInterval(() => void this.#sweepSessions(), SESSION_SWEEP_MS).unref());
		this.#timers.push(setInterval(() => this.#conns.forEach((c) => c.heartbeat()), options.heartbeatMs ?? HEARTBEAT_MS).unref());
	}

	get connectionCount(): number {
		return this.#conns.size;
	}

	get loadedDocuments(): string[] {
		return [...this.#docs.keys()];
	}

	/** How many documents are loaded (or loading) on this instance. */
	get loadedDocumentCount(): number {
		return this.#docs.size;
	}

	/** Takes an HTTP upgrade for /yjs/<document>. */
	handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
		this.#wss.handleUpgrade(req, socket, head, (ws) => void this.#accept(ws, req, socket));
	}

	async #accept(ws: WebSocket, req: IncomingMessage, socket: Duplex): Promise<void> {
		// Messages that arrive while we authenticate and load are kept and handled in order afterwards.
		// Each with its frame type: a text frame that arrives this early must be refused as one, like any later.
		const early: EarlyMessage[] = [];
		const keep = (data: Buffer, isBinary: boolean) => early.push({ data, isBinary });
		ws.on('message', keep);
		ws.on('error', () => {});
		const refuse = (code: number, reason: string) => {
			this.#metrics.connectionRefused(code);
			ws.close(code, reason);
		};
		try {
			if (this.#closing) return refuse(CLOSE_CODES.shuttingDown, 'server is shutting down');
			const url = new URL(req.url ?? '/', 'http://hub');
			// A name that is no valid percent-encoding names no document: refused below as unknown (4404), where a
			// throw here answered "retry later" (4500) and the client retried for ever.
			let name = '';
			try {
				name = decodeURIComponent(url.pathname.replace(/^\/yjs\//, ''));
			} catch {
				// '' is no document name
			}
			if (!this.#originAllowed(req)) return refuse(CLOSE_CODES.forbidden, 'cross-origin connection refused');
			const actor = await authenticateLive(this.options.db, {
				cookieHeader: req.headers.cookie,
				displayToken: url.searchParams.get('token')
			});
			if (!actor) return refuse(CLOSE_CODES.unauthenticated, 'sign in first');
			const address = parseDocName(name);
			if (!address) return refuse(CLOSE_CODES.unknownDocument, 'unknown document');
			const decided = await this.#accessFor(actor, address);
			if (decided === 'unknown') return refuse(CLOSE_CODES.unknownDocument, 'unknown document');
			const { access, event, principal } = decided;
			if (access === 'none') return refuse(CLOSE_CODES.forbidden, 'no access to this document');
			if (actor.kind === 'user') {
				let open = 0;
				for (const c of this.#conns) if (c.identity.userId === actor.user.id) open++;
				if (open >= this.quotas.userConnections) return refuse(CLOSE_CODES.overQuota, 'quota:connections');
			}
			let doc: HubDocument;
			try {
				doc = await this.#getDoc(name, address);
			} catch (err) {
				log.error({ doc: name, reason: err instanceof Error ? err.message : String(err) }, '[hub] cannot load a document');
				return refuse(CLOSE_CODES.loadFailed, 'document could not be loaded; retry later');
			}
			// Everything that waits is done before the early-message listener is taken off: a message that arrived
			// between the two would be lost, and the client would wait for an answer that never comes.
			// Decided from the same reads as the access (a second read of the event and the membership here was a third
			// of a connection's queries).
			const editsShifts = address.kind === 'agency' && principal.kind === 'user' ? mayEditShifts(principal, address.eventId, address.agency, event.status) : false;
			// Who opened a dispute list's parties is audited once per connection (never per message), before the
			// first byte of the document is sent.
			if (address.kind === 'restricted' && actor.kind === 'user') {
				await writeAudit(this.options.db, {
					actor: { kind: 'user', id: actor.user.id, name: actor.user.displayName },
					action: 'parties.open',
					target: { kind: 'restrictedDocument', id: name, name: event.name },
					eventId: address.eventId,
					details: { access },
					ip: req.socket.remoteAddress ?? null
				});
			}
			if (ws.readyState !== ws.OPEN) return;
			ws.off('message', keep);
			const conn = new HubConnection(
				ws,
				socket,
				doc,
				{
					connId: newId(12),
					userId: actor.kind === 'user' ? actor.user.id : null,
					sessionId: actor.kind === 'user' ? actor.sessionId : null,
					displayTokenId: actor.kind === 'display' ? actor.tokenId : null,
					eventId: address.eventId,
					mayEditShifts: editsShifts,
					presence:
						actor.kind === 'user'
							? { id: actor.user.id, name: actor.user.displayName, agency: actor.user.agencyCode, kind: 'user' }
							: { id: `display:${actor.tokenId.slice(0, 8)}`, name: actor.name, agency: null, kind: 'display' }
				},
				access,
				{ maxMessageBytes: this.options.maxMessageBytes, takeBudget: (userId, bytes) => this.#budgets.take(userId, bytes) },
				{
					onRefused: (c, code, reason) => {
						this.#metrics.refused(code, reason);
						if (c.identity.userId) this.options.onRefused(c.identity.userId, c.doc.name, code, reason);
					},
					onClosed: (c) => this.#onClosed(c),
					awarenessOwnedElsewhere: (c, id) => {
						for (const other of this.#conns) {
							if (other === c || other.doc !== c.doc || !other.awarenessIds.has(id)) continue;
							// The same page back after losing its network, before the heartbeat noticed its old socket was
							// gone: the presence is this connection's now, and the old one's close will not remove it.
							if (sameSignIn(other, c)) other.awarenessIds.delete(id);
							else return true;
						}
						return false;
					}
				}
			);
			this.#conns.add(conn);
			doc.peers.add(conn);
			doc.lastUsed = Date.now();
			conn.start(early);
		} catch (err) {
			log.error({ err }, '[hub] connection setup failed');
			refuse(CLOSE_CODES.loadFailed, 'connection could not be set up; retry later');
		}
	}

	#originAllowed(req: IncomingMessage): boolean {
		const origin = req.headers.origin;
		// Non-browser clients send no Origin; browsers always do, and a foreign page must not ride a cookie in.
		if (!origin) return true;
		if (this.options.origin) return origin === this.options.origin;
		try {
			return new URL(origin).host === req.headers.host;
		} catch {
			return false;
		}
	}

	/** What an actor may do with a document, with the event and the principal it was decided from. */
	async #accessFor(actor: LiveActor, address: DocAddress): Promise<{ access: Access; event: EventSummary; principal: Principal } | 'unknown'> {
		const event = await getEvent(this.options.db, address.eventId);
		if (!event) return 'unknown';
		if (address.kind === 'agency' && !(await agencyExists(this.options.db, address.agency))) return 'unknown';
		const principal = await this.principalFor(actor, address.eventId);
		return { access: documentAccess(principal, address, event.status), event, principal };
	}

	/** The principal of an actor within one event. */
	async principalFor(actor: LiveActor, eventId: string): Promise<Principal> {
		if (actor.kind === 'display') return { kind: 'display', eventId: actor.eventId };
		return {
			kind: 'user',
			userId: actor.user.id,
			isAdmin: actor.user.isAdmin,
			clearedPersonalData: actor.user.clearedPersonalData,
			membership: await getMembership(this.options.db, eventId, actor.user.id)
		};
	}

	/** The loaded document, loading it once however many connections ask at the same time. */
	#getDoc(name: string, address: DocAddress): Promise<HubDocument> {
		let p = this.#docs.get(name);
		if (!p) {
			const deps: HubDocumentDeps = { db: this.options.db, committer: this.options.committer, metrics: this.#metrics };
			p = HubDocument.load(name, address, deps).then((doc) => {
				doc.maxBytes = this.quotas.docBytes;
				return doc;
			});
			this.#docs.set(name, p);
			// A failed load is forgotten so that the next connection tries again; nothing was written.
			p.catch(() => this.#docs.delete(name));
		}
		return p;
	}

	/** Loads a document for the server's own use (commands, tests), its durable copy decoded. */
	async document(name: string): Promise<HubDocument> {
		const address = parseDocName(name);
		if (!address) throw new Error(`not a document name: ${name}`);
		return (await this.#getDoc(name, address)).ready();
	}

	#onClosed(conn: HubConnection): void {
		this.#conns.delete(conn);
		conn.doc.peers.delete(conn);
		conn.doc.lastUsed = Date.now();
		// The document fans the removal out to the remaining peers.
		if (conn.awarenessIds.size) awarenessProtocol.removeAwarenessStates(conn.doc.awareness, [...conn.awarenessIds], null);
	}

	/**
	 * Writes changes into one or more documents on a user's behalf, in one database transaction together with
	 * `alsoInTransaction`. Either everything is stored and broadcast, or nothing is and staging is restored.
	 * `firstInTransaction` runs before the updates are appended: what the log's rows refer to (a new event's row).
	 */
	async serverWrite(
		userId: string | null,
		writes: ServerWrite[],
		alsoInTransaction?: (tx: Kysely<DB>) => Promise<void>,
		firstInTransaction?: (tx: Kysely<DB>) => Promise<void>
	): Promise<void> {
		const docs = new Map<string, HubDocument>();
		for (const w of writes) if (!docs.has(w.doc)) docs.set(w.doc, await this.document(w.doc));
		const ordered = [...docs.keys()].sort();
		// Take the stage locks of all documents, always in name order, so two commands cannot deadlock.
		const release: Array<() => void> = [];
		for (const name of ordered) {
			await new Promise<void>((acquired) => {
				void docs.get(name)!.withStageLock(() => new Promise<void>((done) => {
					release.push(done);
					acquired();
				}));
			});
		}
		const staged: Array<{ doc: HubDocument; bytes: Uint8Array; entry: AppendEntry }> = [];
		try {
			const at = new Date();
			for (const w of writes) {
				const doc = docs.get(w.doc)!;
				const result = doc.stageServerWrite(w.change);
				if (!result) continue;
				staged.push({
					doc,
					bytes: result.bytes,
					entry: {
						doc: w.doc,
						eventId: doc.address.eventId,
						userId,
						connId: null,
						at,
						bytes: result.bytes,
						activity: w.quiet ? [] : result.activity,
						newClients: [],
						serverClients: [result.clientId]
					}
				});
			}
			let seqs: number[] = [];
			try {
				seqs = await this.options.db.transaction().execute(async (tx) => {
					await firstInTransaction?.(tx);
					const seqs = staged.length ? await appendUpdates(tx, staged.map((s) => s.entry)) : [];
					await alsoInTransaction?.(tx);
					if (staged.length) await this.options.inTransaction?.(tx, staged.map((s) => s.entry), seqs);
					return seqs;
				});
			} catch (err) {
				release.splice(0).forEach((r) => r());
				for (const s of staged) await s.doc.dropPending([s.bytes]);
				throw err;
			}
			release.splice(0).forEach((r) => r());
			if (staged.length) this.#metrics.accepted('server', staged.length);
			await Promise.all(staged.map((s, i) => s.doc.applyCommitted(seqs[i], s.bytes, { userId: null, connId: null })));
		} catch (err) {
			release.splice(0).forEach((r) => r());
			if (err instanceof Refusal) {
				for (const s of staged) await s.doc.dropPending([s.bytes]);
			}
			throw err;
		}
	}

	/** Another instance committed updates of a document; catch up if it is loaded here. */
	applyRemote(doc: string, toSeq: number): void {
		const p = this.#docs.get(doc);
		if (!p) return;
		const started = performance.now();
		void p
			.then((d) => d.pullRemote(toSeq))
			.then(() => this.#metrics.fannedOut('remote', (performance.now() - started) / 1000))
			.catch(() => {});
	}

	/** After a lost notification channel: read whatever the log has beyond what each loaded document holds. */
	catchUpAll(): void {
		for (const p of this.#docs.values()) void p.then((d) => d.pullRemote()).catch(() => {});
	}

	/**
	 * Forgets a loaded document without storing it (its stored state was rewritten under it: a purge of personal
	 * data) and closes its connections, which reconnect to the stored state.
	 */
	async dropDocument(name: string, code: number, reason: string): Promise<void> {
		for (const c of [...this.#conns]) if (c.doc.name === name) c.close(code, reason);
		const p = this.#docs.get(name);
		if (!p) return;
		this.#docs.delete(name);
		const doc = await p.catch(() => null);
		doc?.destroy();
	}

	/** Closes the live connections that match, with a code and a reason. */
	closeWhere(filter: LiveFilter, code: number, reason: string): number {
		let n = 0;
		for (const c of [...this.#conns]) {
			const id = c.identity;
			if (filter.sessionId && id.sessionId !== filter.sessionId) continue;
			if (filter.userId && id.userId !== filter.userId) continue;
			if (filter.displayTokenId && id.displayTokenId !== filter.displayTokenId) continue;
			if (filter.eventId && id.eventId !== filter.eventId) continue;
			c.close(code, reason);
			n++;
		}
		return n;
	}

	/** Re-checks the access of every connection of an event (after a status or membership change). */
	refreshAccess(eventId: string): Promise<number> {
		return this.recheckAccess((c) => c.identity.eventId === eventId);
	}

	/** Re-checks the access of every connection of one user (clearance, agency, role or account changed). */
	refreshUserAccess(userId: string): Promise<number> {
		return this.recheckAccess((c) => c.identity.userId === userId);
	}

	/**
	 * Asks the one permission function again, with the user's rights as the database holds them now, for each
	 * matching connection, and closes those whose access changed: a narrowed right ends at once, and a widened one
	 * reconnects to use it. A disabled account's connections end. Returns how many were closed.
	 */
	async recheckAccess(match: (c: HubConnection) => boolean): Promise<number> {
		const conns = [...this.#conns].filter(match);
		if (!conns.length) return 0;
		const userIds = [...new Set(conns.flatMap((c) => (c.identity.userId ? [c.identity.userId] : [])))];
		const users = new Map(
			(userIds.length
				? await this.options.db.selectFrom('users').select(['id', 'is_admin', 'cleared_personal_data', 'disabled_at']).where('id', 'in', userIds).execute()
				: []
			).map((u) => [u.id, u])
		);
		const events = new Map<string, Awaited<ReturnType<typeof getEvent>>>();
		const memberships = new Map<string, Principal & { kind: 'user' }>();
		let closed = 0;
		for (const c of conns) {
			const { eventId, userId, displayTokenId } = c.identity;
			if (!events.has(eventId)) events.set(eventId, await getEvent(this.options.db, eventId));
			const event = events.get(eventId);
			let principal: Principal;
			if (displayTokenId) principal = { kind: 'display', eventId };
			else {
				const user = users.get(userId!);
				if (!user || user.disabled_at !== null) {
					c.close(CLOSE_CODES.sessionEnded, 'account disabled; sign in again');
					closed++;
					continue;
				}
				const key = `${userId}|${eventId}`;
				if (!memberships.has(key)) {
					memberships.set(key, {
						kind: 'user',
						userId: userId!,
						isAdmin: user.is_admin,
						clearedPersonalData: user.cleared_personal_data,
						membership: await getMembership(this.options.db, eventId, userId!)
					});
				}
				principal = memberships.get(key)!;
			}
			const now = event ? documentAccess(principal, c.doc.address, event.status) : 'none';
			if (now !== c.access) {
				c.close(CLOSE_CODES.accessChanged, 'your access to this document changed; reconnect');
				closed++;
			}
		}
		return closed;
	}

	async #sweepSessions(): Promise<void> {
		try {
			// Only the connections asked about: one that opened while the database answered was checked as it opened,
			// and its session is not in the answer (closing it would send a signed-in user to the sign-in page).
			const asked = [...this.#conns];
			const sessions = [...new Set(asked.map((c) => c.identity.sessionId).filter((s): s is string => !!s))];
			const tokens = [...new Set(asked.map((c) => c.identity.displayTokenId).filter((s): s is string => !!s))];
			const [liveS, liveT] = await Promise.all([liveSessionIds(this.options.db, sessions), liveDisplayTokenIds(this.options.db, tokens)]);
			for (const c of asked) {
				if (c.closed) continue;
				const { sessionId, displayTokenId } = c.identity;
				if ((sessionId && !liveS.has(sessionId)) || (displayTokenId && !liveT.has(displayTokenId))) {
					c.close(CLOSE_CODES.sessionEnded, 'session ended; sign in again');
				}
			}
			// A live session is not enough: rights may have narrowed by a way no notice reached (a change made
			// directly in the database, a lost notification); each connection's access is asked again.
			await this.recheckAccess(() => true);
		} catch {
			// The database is unreachable; try again at the next sweep.
		}
	}

	async #unloadIdle(): Promise<void> {
		const now = Date.now();
		for (const [name, p] of this.#docs) {
			const doc = await p.catch(() => null);
			if (!doc || doc.peers.size > 0 || doc.pendingCount > 0 || now - doc.lastUsed < IDLE_UNLOAD_MS) continue;
			this.#docs.delete(name);
			await doc.snapshot();
			doc.destroy();
		}
	}

	/** Stops taking connections, closes the open ones, and snapshots what is loaded. */
	async close(): Promise<void> {
		this.#closing = true;
		this.#timers.forEach(clearInterval);
		for (const c of [...this.#conns]) c.close(CLOSE_CODES.shuttingDown, 'server is restarting; reconnecting');
		for (const p of this.#docs.values()) {
			const doc = await p.catch(() => null);
			if (!doc) continue;
			await doc.settle().catch(() => {});
			await doc.snapshot();
			doc.destroy();
		}
		this.#docs.clear();
		this.#wss.close();
	}
}

/**
 * Two connections of one sign-in: the same user's same session. A page's awareness id is random and its own, so
 * the only other connection that can speak for it is that page's earlier one.
 */
function sameSignIn(a: HubConnection, b: HubConnection): boolean {
	return a.identity.sessionId !== null && a.identity.sessionId === b.identity.sessionId && a.identity.userId === b.identity.userId;
}
