/**
 * The live side of one event page: the socket.io client and one LiveDoc per document the user may read.
 * Created in the browser by the event layout and shared with its pages through context.
 */
import { getContext, setContext } from 'svelte';
import { agencyDocName, commandDocName, restrictedDocName } from '$lib/domain/documents';
import type { Access } from '$lib/domain/permissions';
import { CommandClient } from './command-client.svelte';
import { LiveDoc, type LiveStatus } from './live-doc.svelte';
import { InstructionsState } from './instructions.svelte';
import { ActionQueue } from './action-queue.svelte';
import { LocalStore } from './local-store';
import { ReportQueue } from './report-queue.svelte';
import { RollCallState } from './roll-call-state.svelte';

/** How often the page notes that it is online, so that a page opened offline can say since when. */
const ONLINE_MARK_MS = 10_000;

export interface SessionOptions {
	eventId: string;
	/** The user's id: the IndexedDB copies are kept per user, so a shared phone never mixes two people's data. */
	userId: string | null;
	displayToken?: string;
	access: { command: Access; agencies: Record<string, Access>; restricted: Access };
	maxBackoffMs?: number;
	/** Follow who is online (commanders and walls). */
	presence?: boolean;
	/** The event's time zone, in which the page tells times (offline since, taps). */
	timezone?: string;
	/** Documents as the server sent them with the page (base64 Yjs updates by name): shown before syncing. */
	snapshots?: Record<string, string>;
}

export class EventSession {
	readonly eventId: string;
	readonly timezone: string;
	readonly commands: CommandClient;
	readonly command: LiveDoc | null;
	readonly agencies = new Map<string, LiveDoc>();
	readonly restricted: LiveDoc | null;
	readonly instructions: InstructionsState;
	/** Actions tapped here that wait to reach the server (offline, or not yet answered). */
	readonly actions: ActionQueue;
	readonly store: LocalStore | null;
	/** The event's roll calls as this reader may follow them, and this user's answers. */
	readonly rollCalls: RollCallState;
	/** Field reports made here that wait to reach the server, with their photos (signed-in users only). */
	readonly reports: ReportQueue | null;
	/** The last moment this device knew itself online (kept on the device, so it survives a reload offline). */
	lastOnlineAt = $state<number | null>(null);
	#onlineMark: ReturnType<typeof setInterval> | null = null;

	constructor(opts: SessionOptions) {
		this.eventId = opts.eventId;
		this.timezone = opts.timezone ?? 'Asia/Shanghai';
		this.commands = new CommandClient({ displayToken: opts.displayToken, eventId: opts.eventId });
		const open = (name: string, access: Access, persist: boolean): LiveDoc | null => {
			if (access === 'none') return null;
			const doc = new LiveDoc({
				name,
				access,
				// Personal data never rests in the browser's storage.
				persistAs: persist && opts.userId ? opts.userId : null,
				displayToken: opts.displayToken,
				maxBackoffMs: opts.maxBackoffMs,
				initialState: opts.snapshots?.[name] ?? null
			});
			return doc;
		};
		this.command = open(commandDocName(opts.eventId), opts.access.command, true);
		for (const [code, access] of Object.entries(opts.access.agencies)) {
			const doc = open(agencyDocName(opts.eventId, code), access, true);
			if (doc) this.agencies.set(code, doc);
		}
		this.restricted = open(restrictedDocName(opts.eventId), opts.access.restricted, false);
		this.store = opts.userId && !opts.displayToken ? new LocalStore(opts.userId) : null;
		this.actions = new ActionQueue(this.commands, this.store);
		this.reports = opts.displayToken ? null : new ReportQueue(opts.eventId, this.store);
		this.rollCalls = new RollCallState(this.commands, opts.eventId, opts.displayToken ? null : this.actions);
		this.commands.socket.on('connect', () => void this.reports?.drain());
		this.instructions = new InstructionsState(this.commands, opts.eventId, { presence: opts.presence, queue: this.actions, store: this.store });
		void this.store?.get<number>('lastOnlineAt').then((t) => {
			if (typeof t === 'number' && this.lastOnlineAt === null) this.lastOnlineAt = t;
		});
		const mark = () => {
			if (this.status !== 'online' || !this.commands.connected) return;
			this.lastOnlineAt = Date.now();
			void this.store?.set('lastOnlineAt', this.lastOnlineAt);
		};
		this.#onlineMark = setInterval(mark, ONLINE_MARK_MS);
		this.commands.socket.on('connect', mark);
		this.commands.socket.on('disconnect', () => {
			this.lastOnlineAt = Date.now();
			void this.store?.set('lastOnlineAt', this.lastOnlineAt);
		});
	}

	/** Offline (a document lost its connection, or the browser says so): since when, as far as this device knows. */
	get offlineSince(): number | null {
		return this.status === 'offline' ? this.lastOnlineAt : null;
	}

	/** Edits and actions still to reach the server. */
	get unsent(): { changes: number; actions: number } {
		return { changes: this.pending, actions: this.actions.waiting + (this.reports?.waiting ?? 0) };
	}

	get docs(): LiveDoc[] {
		return [this.command, ...this.agencies.values(), this.restricted].filter((d): d is LiveDoc => d !== null);
	}

	/** The worst state of any document: one stopped or offline document makes the page say so. */
	get status(): LiveStatus {
		const states = this.docs.map((d) => d.status);
		if (states.includes('stopped')) return 'stopped';
		if (states.includes('offline')) return 'offline';
		if (states.includes('connecting')) return 'connecting';
		return 'online';
	}

	get synced(): boolean {
		return this.docs.every((d) => d.synced);
	}

	get pending(): number {
		return this.docs.reduce((n, d) => n + d.pending, 0);
	}

	get stoppedDoc(): LiveDoc | null {
		return this.docs.find((d) => d.stopped) ?? null;
	}

	get mergedOffline(): number {
		return this.docs.reduce((n, d) => n + d.mergedOffline, 0);
	}

	/** Milliseconds since the server was last heard from on every document (for walls' "data age"). */
	get lastHeardAt(): number | null {
		const times = this.docs.map((d) => d.lastHeardAt);
		if (times.some((t) => t === null)) return null;
		return Math.min(...(times as number[]));
	}

	clearMergedNotice(): void {
		for (const d of this.docs) d.mergedOffline = 0;
	}

	destroy(): void {
		if (this.#onlineMark) clearInterval(this.#onlineMark);
		this.actions.destroy();
		this.reports?.destroy();
		void this.store?.close();
		for (const d of this.docs) d.destroy();
		this.commands.destroy();
	}
}

const KEY = Symbol('event-session');

export interface EventSessionRef {
	readonly current: EventSession | null;
}

export function setEventSession(ref: EventSessionRef): void {
	setContext(KEY, ref);
}

export function getEventSession(): EventSessionRef {
	return getContext<EventSessionRef>(KEY);
}
