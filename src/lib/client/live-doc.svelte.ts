/**
 * One live Yjs document in the browser: the stock y-websocket provider, an IndexedDB copy for offline work,
 * jittered reconnects, and rune state the page can show (connection, synced, changes not yet saved).
 */
import * as Y from 'yjs';
import { WebsocketProvider, messageAwareness, messageSync } from 'y-websocket';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';
import { IndexeddbPersistence } from 'y-indexeddb';
import { CLOSE_CODES, shouldReconnect } from '$lib/domain/wire';

export type LiveStatus = 'connecting' | 'online' | 'offline' | 'stopped';

export interface LiveDocOptions {
	/** The document name, e.g. `event/<id>/agency/station`. */
	name: string;
	access: 'read' | 'write';
	/** Keep a copy in IndexedDB under this key prefix (the user's id), so offline edits survive a reload. */
	persistAs?: string | null;
	/** A wall display's token instead of the session cookie. */
	displayToken?: string;
	/** Reconnect forever with this cap on the wait (walls); phones cap lower. */
	maxBackoffMs?: number;
	/** The document as the server held it when it sent the page (base64 of a Yjs update), shown before syncing. */
	initialState?: string | null;
}

/** The origin of the page's own copy of a document, applied before connecting: never sent back to the server. */
const FROM_PAGE = Symbol('from-page');

function fromBase64(text: string): Uint8Array {
	const raw = atob(text);
	const out = new Uint8Array(raw.length);
	for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
	return out;
}

/**
 * Makes a reader's provider only listen. The hub closes a read-only connection that sends any document content
 * (4405), and the stock provider sends some once there is a local copy: its answer to the server's sync step 1
 * carries the copy's whole delete set (Yjs always includes it), and updates loaded from IndexedDB are forwarded
 * like typed ones. Without this, every reader's documents stopped on the first reload after anyone deleted
 * anything (a changed field is a deletion).
 */
function listenOnly(provider: WebsocketProvider): void {
	provider.doc.off('update', provider._updateHandler);
	provider.messageHandlers[messageSync] = (_reply, decoder, p, emitSynced) => {
		const type = decoding.readVarUint(decoder);
		const update = decoding.readVarUint8Array(decoder);
		// The server's sync step 1 asks what this copy holds that it lacks: a reader answers nothing, so the answer
		// (an encoding of the copy's whole delete set, as the stock handler makes it) is not made at all.
		if (type === syncProtocol.messageYjsSyncStep1) return;
		if (type !== syncProtocol.messageYjsSyncStep2 && type !== syncProtocol.messageYjsUpdate) throw new Error(`unknown sync message ${type}`);
		try {
			Y.applyUpdate(p.doc, update, p);
		} catch (err) {
			console.error('a document update could not be applied', err);
		}
		if (emitSynced && type === syncProtocol.messageYjsSyncStep2 && !p.synced) p.synced = true;
	};
}

/**
 * Makes the provider send this page's own presence and nobody else's. The stock provider forwards every awareness
 * change it hears, other people's included (their renewals every 15 s, their leaving), and the hub closes a
 * connection that speaks for a client id it does not own: every board stopped soon after a second person opened it.
 */
function sendOwnPresenceOnly(provider: WebsocketProvider): void {
	const { awareness } = provider;
	awareness.off('update', provider._awarenessUpdateHandler);
	provider._awarenessUpdateHandler = ({ added, updated, removed }: Record<'added' | 'updated' | 'removed', number[]>) => {
		const own = awareness.clientID;
		if (!added.includes(own) && !updated.includes(own) && !removed.includes(own)) return;
		if (!provider.wsconnected || !provider.ws) return;
		const encoder = encoding.createEncoder();
		encoding.writeVarUint(encoder, messageAwareness);
		encoding.writeVarUint8Array(encoder, awarenessProtocol.encodeAwarenessUpdate(awareness, [own]));
		provider.ws.send(encoding.toUint8Array(encoder));
	};
	awareness.on('update', provider._awarenessUpdateHandler);
}

/** How long the first connection waits for the IndexedDB copy to load. */
const LOCAL_COPY_WAIT_MS = 3_000;

/** The first wait before reconnecting, doubled per failure up to the cap, then scattered by ±50 %. */
const BASE_BACKOFF_MS = 500;

export class LiveDoc {
	readonly doc = new Y.Doc();
	readonly name: string;
	readonly access: 'read' | 'write';
	readonly provider: WebsocketProvider;
	readonly persistence: IndexeddbPersistence | null;

	status = $state<LiveStatus>('connecting');
	synced = $state(false);
	/** Local edits the server has not confirmed as stored. */
	pending = $state(0);
	/** When the server last confirmed something (a sync, an update or a save). */
	lastHeardAt = $state<number | null>(null);
	/** Why the server stopped this document, when it did. */
	stopped = $state<{ code: number; reason: string } | null>(null);
	/** Edits made while offline that have since reached the server. */
	mergedOffline = $state(0);

	#pendingClocks: number[] = [];
	#offlineEdits = 0;
	/**
	 * Edits made on this device by an earlier page (before a reload or a discarded tab) that the server has not
	 * confirmed: they sit in the IndexedDB copy under an earlier client id, so this page counts them apart.
	 */
	#carried = 0;
	/** Per connection: whether this page asked what is saved, and how many sync answers (step 2) came since. */
	#asked = false;
	#answers = 0;
	#attempt = 0;
	#timer: ReturnType<typeof setTimeout> | null = null;
	#maxBackoff: number;
	#wanted = true;
	#onOnline = () => this.#reconnectNow();
	#onOffline = () => this.#goOffline();

	constructor(opts: LiveDocOptions) {
		this.name = opts.name;
		this.access = opts.access;
		this.#maxBackoff = opts.maxBackoffMs ?? 15_000;
		this.persistence = opts.persistAs ? new IndexeddbPersistence(`liandong:${opts.persistAs}:${opts.name}`, this.doc) : null;
		const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
		this.provider = new WebsocketProvider(`${proto}//${location.host}/yjs`, opts.name, this.doc, {
			params: opts.displayToken ? { token: opts.displayToken } : {},
			// The server's own answer decides; our close codes say which are worth retrying.
			shouldReconnect: (event) => shouldReconnect(event.code),
			resyncInterval: -1,
			// No copy between the browser's tabs: on every connection the stock provider encodes the whole document
			// for the other tabs (50 ms for a large event's document, on a wall before its map shows), and every
			// tab has its own connection to the server, which alone decides what a page may hold.
			disableBc: true,
			connect: false
		});
		sendOwnPresenceOnly(this.provider);
		if (opts.access === 'read') listenOnly(this.provider);
		else this.#learnSavesFromSync();
		this.#connectAfterLocalCopy();
		if (opts.initialState) {
			try {
				Y.applyUpdate(this.doc, fromBase64(opts.initialState), FROM_PAGE);
			} catch {
				// A copy that does not decode is only a head start lost: the connection brings the document.
			}
		}
		this.provider.on('status', ({ status }) => {
			if (status === 'connected') {
				this.status = 'online';
				this.#attempt = 0;
				this.#asked = false;
				this.#answers = 0;
			} else if (status === 'connecting') this.status = 'connecting';
			else if (this.status !== 'stopped') this.status = 'offline';
		});
		this.provider.on('sync', (synced: boolean) => {
			this.synced = synced;
			if (synced) {
				this.lastHeardAt = Date.now();
				// A reader's copy is whatever the server has; nothing of its own is pending.
				if (this.access === 'read') this.#clearPending();
			}
		});
		this.provider.on('connection-close', (event) => this.#onClose(event));
		// A reader only needs to know when the server was last heard. Listening for 'update' would make Yjs encode
		// every change it applies, a tenth of a second for a large event's document on a wall (bench, wall map).
		if (opts.access === 'read') {
			this.doc.on('afterTransaction', (tr: Y.Transaction) => {
				if (tr.origin === this.provider) this.lastHeardAt = Date.now();
			});
		} else this.doc.on('update', (update: Uint8Array, origin: unknown) => this.#onUpdate(update, origin));
		if (typeof window !== 'undefined') {
			window.addEventListener('online', this.#onOnline);
			window.addEventListener('offline', this.#onOffline);
		}
	}

	/**
	 * Loads the local copy before talking to the server. The stock provider forwards every update it did not
	 * receive itself, so a copy loaded while connected went to the hub as if typed, with everyone's changes in it,
	 * and the hub stopped the document ("client id … belongs to another user"). Loaded first, the copy's edits the
	 * server lacks (made offline before a reload) travel in the answer to the server's greeting, as they should.
	 */
	#connectAfterLocalCopy(): void {
		const persistence = this.persistence;
		// (A reader forwards nothing at all; see listenOnly.)
		if (this.access === 'write') {
			const forward = this.provider._updateHandler;
			this.doc.off('update', forward);
			this.provider._updateHandler = (update, origin) => {
				if (origin !== FROM_PAGE && (!persistence || origin !== persistence)) forward(update, origin);
			};
			this.doc.on('update', this.provider._updateHandler);
		}
		// A broken IndexedDB must not keep the page offline: connect anyway after a short wait.
		const loaded = persistence
			? Promise.race([
					persistence.whenSynced.then(async () => {
						if (this.access !== 'write') return;
						const unsent = await persistence.get('unsent').catch(() => 0);
						if (typeof unsent === 'number' && unsent > 0) {
							this.#carried = unsent;
							this.#countPending();
						}
					}),
					new Promise((resolve) => setTimeout(resolve, LOCAL_COPY_WAIT_MS))
				])
			: Promise.resolve();
		void loaded
			.catch(() => {})
			.then(() => {
				if (!this.#wanted) return;
				// Opened with no network (a reload in a crowd): say so at once; the browser's 'online' event connects.
				if (typeof navigator !== 'undefined' && navigator.onLine === false) {
					this.status = 'offline';
					return;
				}
				this.provider.connect();
			});
	}

	#onUpdate(update: Uint8Array, origin: unknown): void {
		if (origin === this.provider) {
			this.lastHeardAt = Date.now();
			return;
		}
		if (origin === this.persistence || origin === FROM_PAGE) return;
		// A local edit: remember how far our own clock reached, to match what the server sends back once stored.
		const clock = Y.parseUpdateMeta(update).to.get(this.doc.clientID);
		if (clock === undefined) return;
		this.#pendingClocks.push(clock);
		this.#countPending();
		if (this.status !== 'online') this.#offlineEdits++;
	}

	/** Sets `pending` and keeps it on the device, so a page opened after a reload still knows what waits. */
	#countPending(): void {
		const before = this.pending;
		this.pending = this.#carried + this.#pendingClocks.length;
		// Written at once, as the edit itself is (y-indexeddb stores every update): a page that is closed or
		// navigated away runs no clean-up, and a deferred write would be lost with it.
		if (this.persistence && this.access === 'write' && this.#wanted && before !== this.pending) {
			void this.persistence.set('unsent', this.pending).catch(() => {});
		}
	}

	/** The server stored this client's changes up to `clock`. */
	#markSaved(clock: number): void {
		this.lastHeardAt = Date.now();
		this.#pendingClocks = this.#pendingClocks.filter((c) => c > clock);
		this.#countPending();
		if (this.pending === 0 && this.#offlineEdits > 0) {
			this.mergedOffline = this.#offlineEdits;
			this.#offlineEdits = 0;
		}
	}

	/**
	 * Learns from the sync protocol itself which of this page's changes the server has stored. Everything the hub
	 * sends comes from its stored copy, so any of our own changes in it are saved: the hub sends each stored update
	 * to every connection of its document, the one that sent it included, and that echo is the acknowledgement.
	 * After a reconnect, once the page has answered the server's greeting with what it lacks, it also asks for its
	 * own changes back (a state vector without its own client), which the hub answers after storing what came
	 * before on this connection: that answer says the edits carried over from an earlier page are stored.
	 */
	#learnSavesFromSync(): void {
		const handle = this.provider.messageHandlers[messageSync];
		this.provider.messageHandlers[messageSync] = (reply, decoder, provider, emitSynced, type) => {
			const peek = decoding.clone(decoder);
			const sub = decoding.readVarUint(peek);
			const payload = decoding.readVarUint8Array(peek);
			if (sub === syncProtocol.messageYjsSyncStep1) {
				if (this.pending > 0) setTimeout(() => this.#askWhatIsSaved(), 0);
			} else {
				// The hub answers the greeting (one step 2), then the question, after storing what this page sent
				// before it: the second answer means the carried edits, sent with the first reply, are stored.
				if (sub === syncProtocol.messageYjsSyncStep2 && ++this.#answers >= 2 && this.#asked && this.#carried > 0) {
					this.#offlineEdits += this.#carried;
					this.#carried = 0;
					this.#countPending();
					if (this.pending === 0) {
						this.mergedOffline = this.#offlineEdits;
						this.#offlineEdits = 0;
					}
				}
				const to = Y.parseUpdateMeta(payload).to.get(this.doc.clientID);
				if (to !== undefined) this.#markSaved(to);
			}
			handle(reply, decoder, provider, emitSynced, type);
		};
	}

	#askWhatIsSaved(): void {
		const ws = this.provider.ws;
		if (!ws || !this.provider.wsconnected) return;
		this.#asked = true;
		const vector = Y.decodeStateVector(Y.encodeStateVector(this.doc));
		vector.delete(this.doc.clientID);
		const encoder = encoding.createEncoder();
		encoding.writeVarUint(encoder, messageSync);
		encoding.writeVarUint(encoder, syncProtocol.messageYjsSyncStep1);
		encoding.writeVarUint8Array(encoder, Y.encodeStateVector(vector));
		ws.send(encoding.toUint8Array(encoder));
	}

	#clearPending(): void {
		this.#pendingClocks = [];
		this.#carried = 0;
		this.#countPending();
	}

	#onClose(event: CloseEvent | null): void {
		if (event && !shouldReconnect(event.code)) {
			this.status = 'stopped';
			this.stopped = { code: event.code, reason: event.reason };
			return;
		}
		if (event?.code === CLOSE_CODES.accessChanged) {
			// Rights changed (the event closed, a role changed): the page reloads to offer the right controls.
			this.status = 'stopped';
			this.stopped = { code: event.code, reason: event.reason };
			return;
		}
		// Take reconnecting over from the provider so that a venue's phones do not all come back at once.
		this.provider.shouldConnect = false;
		this.#scheduleReconnect();
	}

	#scheduleReconnect(): void {
		if (!this.#wanted || this.#timer) return;
		// While the browser knows there is no network, retrying is pointless; its 'online' event reconnects.
		if (typeof navigator !== 'undefined' && navigator.onLine === false) return;
		const cap = Math.min(this.#maxBackoff, BASE_BACKOFF_MS * 2 ** this.#attempt++);
		const wait = cap * (0.5 + Math.random());
		this.#timer = setTimeout(() => {
			this.#timer = null;
			if (this.#wanted) this.provider.connect();
		}, Math.min(wait, this.#maxBackoff));
	}

	/**
	 * The browser says the network is gone. An open socket can take minutes to notice (a phone keeps a dead one),
	 * and until then the page would claim to be online while edits go nowhere: drop it, so the page says offline
	 * and counts what waits, and reconnect on 'online'.
	 */
	#goOffline(): void {
		if (!this.#wanted || this.status === 'stopped') return;
		this.provider.disconnect();
	}

	#reconnectNow(): void {
		if (!this.#wanted || this.status === 'online' || this.status === 'stopped') return;
		if (this.#timer) clearTimeout(this.#timer);
		this.#timer = null;
		this.provider.connect();
	}

	/** Drops the local copy (after a refusal) so that the next load starts from the server's state. */
	async discardLocalCopy(): Promise<void> {
		await this.persistence?.clearData();
	}

	destroy(): void {
		this.#wanted = false;
		if (this.#timer) clearTimeout(this.#timer);
		if (typeof window !== 'undefined') {
			window.removeEventListener('online', this.#onOnline);
			window.removeEventListener('offline', this.#onOffline);
		}
		this.provider.destroy();
		void this.persistence?.destroy();
		this.doc.destroy();
	}
}
