/**
 * One WebSocket speaking the y-websocket protocol for one document. Messages of a connection are handled one
 * at a time, in order; any problem with a message closes this connection with a close code and a reason and
 * never affects anyone else.
 */
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import * as Y from 'yjs';
import * as decoding from 'lib0/decoding';
import * as awarenessProtocol from 'y-protocols/awareness';
import { CLOSE_CODES } from '../../src/lib/domain/wire.ts';
import type { Access } from '../../src/lib/domain/permissions.ts';
import { MissingDependencies, Refusal, type HubDocument } from './hub-document.ts';
import { awarenessMessage, MESSAGE_AWARENESS, MESSAGE_SYNC, SYNC_STEP1, SYNC_STEP2, SYNC_UPDATE, syncMessage } from './frames.ts';
import { guardAwareness, RateLimiter, type AwarenessIdentity } from './awareness-guard.ts';
import { log } from '../../src/lib/server/log.ts';

const MESSAGE_QUERY_AWARENESS = 3;

/** Updates a connection may have waiting for what they build on (see MissingDependencies), once it has answered. */
const MAX_WAITING = 50;
/**
 * The same before the client's first sync answer: a client back from offline goes on editing (every keystroke an
 * update) while its answer, which carries what those edits build on, waits for the server's first message. On a
 * busy server that can take seconds; the bytes are still bounded by one message's limit.
 */
const MAX_WAITING_UNANSWERED = 2_000;

/** Presence updates a connection may send: 10 a second on average, bursts of 20; more are dropped. */
const AWARENESS_RATE = 10;
const AWARENESS_BURST = 20;

export interface ConnectionIdentity {
	connId: string;
	userId: string | null;
	sessionId: string | null;
	displayTokenId: string | null;
	eventId: string;
	presence: AwarenessIdentity;
	/** May this user plan and change the shifts of the document's agency (decided at connect, like access)? */
	mayEditShifts: boolean;
}

/** A message that arrived while the connection was being authenticated and its document loaded. */
export interface EarlyMessage {
	data: Buffer;
	isBinary: boolean;
}

export interface ConnectionEvents {
	onRefused(conn: HubConnection, code: number, reason: string): void;
	onClosed(conn: HubConnection): void;
	/**
	 * Whether another connection of this document owns an awareness client id. An id held by an older connection of
	 * the same sign-in passes to `conn` instead (the hub says how).
	 */
	awarenessOwnedElsewhere(conn: HubConnection, clientId: number): boolean;
}

export class HubConnection {
	readonly awarenessIds = new Set<number>();
	#chain: Promise<void> = Promise.resolve();
	#closed = false;
	/** Heard from since the last ping (a message or the pong)? */
	#heard = true;
	#awarenessLimit = new RateLimiter(AWARENESS_RATE, AWARENESS_BURST);

	readonly ws: WebSocket;
	/** The socket under `ws`, for messages framed once for every peer (frameForAll). */
	readonly #socket: Duplex;
	readonly doc: HubDocument;
	readonly identity: ConnectionIdentity;
	access: Access;
	readonly maxMessageBytes: number;
	readonly events: ConnectionEvents;
	/** Counts an update against its user's budget (quotas.ts); false when it would go over. */
	readonly #takeBudget: (userId: string, bytes: number) => boolean;

	constructor(
		ws: WebSocket,
		socket: Duplex,
		doc: HubDocument,
		identity: ConnectionIdentity,
		access: Access,
		limits: { maxMessageBytes: number; takeBudget: (userId: string, bytes: number) => boolean },
		events: ConnectionEvents
	) {
		this.ws = ws;
		this.#socket = socket;
		this.doc = doc;
		this.identity = identity;
		this.access = access;
		this.maxMessageBytes = limits.maxMessageBytes;
		this.#takeBudget = limits.takeBudget;
		this.events = events;
	}

	get closed(): boolean {
		return this.#closed;
	}

	/** Starts the conversation: the server's state vector and everyone's presence. */
	start(early: EarlyMessage[]): void {
		this.ws.on('message', (data: Buffer, isBinary: boolean) => this.#enqueue(data, isBinary));
		this.ws.on('pong', () => (this.#heard = true));
		this.ws.on('close', () => this.#onClose());
		this.ws.on('error', () => this.#onClose());
		// The server's state vector needs the decoded document: a document just loaded from its stored bytes sends it
		// once decoded, so that a fresh client's answer goes out first, without waiting for that. A client that said it
		// holds nothing and was answered meanwhile is not asked: it would answer with the whole document's deletions.
		this.doc.afterReady(() => {
			if (!this.#heldNothing) this.#sendStateVector();
		});
		const states = [...this.doc.awareness.getStates().keys()];
		if (states.length) this.#sendAwareness(states);
		for (const { data, isBinary } of early) this.#enqueue(data, isBinary);
	}

	#sendStateVector(): void {
		this.send(syncMessage(SYNC_STEP1, Y.encodeStateVector(this.doc.durable)));
	}

	send(data: Uint8Array): void {
		if (this.#closed || this.ws.readyState !== this.ws.OPEN) return;
		this.ws.send(data, this.#afterWrite);
	}

	/**
	 * Writes a frame made by frameForAll straight to the socket. Safe beside ws's own writes: with compression off
	 * and no Blob sent, ws never holds a frame back, so frames still leave in the order they were sent.
	 */
	sendFramed(frame: Buffer): void {
		if (this.#closed || this.ws.readyState !== this.ws.OPEN) return;
		this.#socket.write(frame, this.#afterWrite);
	}

	readonly #afterWrite = (err?: Error | null): void => {
		if (err) this.#onClose();
	};

	/** Closes this connection with a documented code and reason (trimmed to the 123 bytes a close frame holds). */
	close(code: number, reason: string): void {
		if (this.#closed) return;
		let r = reason;
		while (Buffer.byteLength(r) > 123) r = r.slice(0, -1);
		try {
			this.ws.close(code, r);
		} catch {
			this.ws.terminate();
		}
		this.#onClose();
	}

	/**
	 * Called on every beat of the hub's heartbeat: a connection that answered nothing since the previous beat is
	 * gone and is dropped, its presence with it. A phone that loses its network sends no close, and its socket
	 * would otherwise stay open here for many minutes, its user shown present on everyone's board.
	 */
	heartbeat(): void {
		if (this.#closed) return;
		if (!this.#heard) {
			this.ws.terminate();
			this.#onClose();
			return;
		}
		this.#heard = false;
		try {
			this.ws.ping();
		} catch {
			this.#onClose();
		}
	}

	#refuse(code: number, reason: string): void {
		this.events.onRefused(this, code, reason);
		this.close(code, reason);
	}

	#enqueue(data: Buffer, isBinary: boolean): void {
		if (this.#closed) return;
		this.#heard = true;
		this.#chain = this.#chain.then(() => this.#handle(data, isBinary)).catch((err) => {
			if (err instanceof Refusal) this.#refuse(err.code, err.message);
			else {
				const { connId, userId, eventId } = this.identity;
				log.error({ err, doc: this.doc.name, connId, userId, eventId }, '[hub] unexpected error on a connection');
				this.#refuse(CLOSE_CODES.refused, 'message could not be handled');
			}
		});
	}

	async #handle(data: Buffer, isBinary: boolean): Promise<void> {
		if (this.#closed) return;
		if (!isBinary) throw new Refusal(CLOSE_CODES.refused, 'text frames are not part of the protocol');
		if (data.byteLength > this.maxMessageBytes) {
			throw new Refusal(CLOSE_CODES.tooLarge, `message of ${data.byteLength} bytes is over the ${this.maxMessageBytes}-byte limit`);
		}
		const message = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
		const decoder = decoding.createDecoder(message);
		let type: number;
		try {
			type = decoding.readVarUint(decoder);
		} catch {
			throw new Refusal(CLOSE_CODES.refused, 'empty message');
		}
		switch (type) {
			case MESSAGE_SYNC:
				return this.#handleSync(decoder);
			case MESSAGE_AWARENESS:
				return this.#handleAwareness(decoder);
			case MESSAGE_QUERY_AWARENESS:
				this.#sendAwareness([...this.doc.awareness.getStates().keys()]);
				return;
			default:
				throw new Refusal(CLOSE_CODES.refused, `unknown message type ${type}`);
		}
	}

	async #handleSync(decoder: decoding.Decoder): Promise<void> {
		let sub: number;
		let payload: Uint8Array;
		try {
			sub = decoding.readVarUint(decoder);
			payload = decoding.readVarUint8Array(decoder);
		} catch {
			throw new Refusal(CLOSE_CODES.refused, 'sync message could not be decoded');
		}
		if (sub === SYNC_STEP1) {
			let held: Map<number, number>;
			try {
				held = Y.decodeStateVector(payload);
			} catch {
				throw new Refusal(CLOSE_CODES.refused, 'state vector could not be decoded');
			}
			if (held.size === 0) {
				const answer = this.doc.freshAnswer();
				if (answer.tail) this.sendFramed(answer.tail);
				this.sendFramed(answer.state);
				// It holds nothing the server lacks: that is its answer (what it does from now on comes as updates).
				this.#heldNothing = true;
				this.#answered = true;
				return;
			}
			this.send(syncMessage(SYNC_STEP2, Y.encodeStateAsUpdate(this.doc.ready().durable, payload)));
			return;
		}
		if (sub !== SYNC_STEP2 && sub !== SYNC_UPDATE) throw new Refusal(CLOSE_CODES.refused, `unknown sync message ${sub}`);
		if (sub === SYNC_STEP2) this.#answered = true;
		if (this.access !== 'write') {
			// A reader's step 2 holds nothing the server lacks. It is not always empty: a reader whose copy already
			// has the document (a reload with the offline copy, a reconnect) sends its whole delete set, because Yjs
			// always does; deletions the server has are not a write. Anything the server lacks is.
			if (isEmptyUpdate(payload) || holdsNothingNew(this.doc.ready().durable, payload)) return;
			throw new Refusal(CLOSE_CODES.readOnly, 'this connection may only read this document');
		}
		await this.#submit(payload);
	}

	/** Updates waiting for changes this connection has not sent yet (see MissingDependencies). */
	#waiting: Uint8Array[] = [];
	#waitingBytes = 0;
	/** Has the client sent its sync answer (step 2), which carries everything it holds that the server lacked? */
	#answered = false;
	/** Did the client's first message say it holds nothing, and was it answered from the stored bytes? */
	#heldNothing = false;

	async #submit(payload: Uint8Array): Promise<void> {
		const source = { userId: this.identity.userId!, connId: this.identity.connId, mayEditShifts: this.identity.mayEditShifts };
		// Over budget, the update is not taken now; the client keeps it and sends it again when it reconnects.
		if (!this.#takeBudget(source.userId, payload.byteLength)) throw new Refusal(CLOSE_CODES.overQuota, 'quota:userRate');
		try {
			await this.doc.submit(payload, source);
		} catch (err) {
			if (!(err instanceof MissingDependencies)) throw err;
			// Bounded: a client that never sends what its updates build on is refused, not buffered for ever.
			const most = this.#answered ? MAX_WAITING : MAX_WAITING_UNANSWERED;
			if (this.#waiting.length >= most || this.#waitingBytes + payload.byteLength > this.maxMessageBytes) {
				throw new Refusal(CLOSE_CODES.refused, 'updates depend on changes never sent; reload');
			}
			this.#waiting.push(payload);
			this.#waitingBytes += payload.byteLength;
			return;
		}
		if (this.#waiting.length > 1) {
			// Usually everything that waited builds on what just arrived: stage and commit it as one update.
			const merged = Y.mergeUpdates(this.#waiting);
			try {
				await this.doc.submit(merged, source);
				this.#waiting = [];
				this.#waitingBytes = 0;
				return;
			} catch (err) {
				if (!(err instanceof MissingDependencies)) throw err;
			}
		}
		// Something new arrived: what waited may integrate now, in the order it came.
		while (this.#waiting.length) {
			const before = this.#waiting.length;
			for (const held of [...this.#waiting]) {
				try {
					await this.doc.submit(held, source);
				} catch (err) {
					if (err instanceof MissingDependencies) continue;
					throw err;
				}
				this.#waiting.splice(this.#waiting.indexOf(held), 1);
				this.#waitingBytes -= held.byteLength;
			}
			if (this.#waiting.length === before) break;
		}
	}

	#handleAwareness(decoder: decoding.Decoder): void {
		let update: Uint8Array;
		try {
			update = decoding.readVarUint8Array(decoder);
		} catch {
			throw new Refusal(CLOSE_CODES.refused, 'awareness message could not be decoded');
		}
		// A wall display watches; it is nobody's presence. Its stock provider still sends its state now and then,
		// so the message is dropped rather than refused (a refusal would close the wall's connection).
		if (this.identity.displayTokenId) return;
		const checked = guardAwareness(
			update,
			this.awarenessIds,
			(id) => this.events.awarenessOwnedElsewhere(this, id),
			this.identity.presence,
			(id) => this.doc.awareness.meta.get(id)?.clock
		);
		if (!checked.ok) throw new Refusal(CLOSE_CODES.refused, checked.reason);
		// Only what changes presence counts against the rate: a stock client also forwards everyone else's
		// renewals (one per person per 15 s), which in a busy document would use up its budget for its own.
		if (checked.clients.length === 0 || !this.#awarenessLimit.take()) return;
		awarenessProtocol.applyAwarenessUpdate(this.doc.awareness, checked.update, this);
	}

	#sendAwareness(clients: number[]): void {
		this.send(awarenessMessage(this.doc.awareness, clients));
	}

	#onClose(): void {
		if (this.#closed) return;
		this.#closed = true;
		this.events.onClosed(this);
	}
}

function isEmptyUpdate(update: Uint8Array): boolean {
	try {
		const { structs, ds } = Y.decodeUpdate(update);
		return structs.length === 0 && ds.clients.size === 0;
	} catch {
		return false;
	}
}

/** Would applying `update` to `doc` change nothing (every struct and deletion in it is already there)? */
function holdsNothingNew(doc: Y.Doc, update: Uint8Array): boolean {
	try {
		return Y.snapshotContainsUpdate(Y.snapshot(doc), update);
	} catch {
		return false;
	}
}
