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

export interface SessionOptions {
	eventId: string;
	/** The user's id: the IndexedDB copies are kept per user, so a shared phone never mixes two people's data. */
	userId: string | null;
	displayToken?: string;
	access: { command: Access; agencies: Record<string, Access>; restricted: Access };
	maxBackoffMs?: number;
	/** Follow who is online (commanders and walls). */
	presence?: boolean;
}

export class EventSession {
	readonly eventId: string;
	readonly commands: CommandClient;
	readonly command: LiveDoc | null;
	readonly agencies = new Map<string, LiveDoc>();
	readonly restricted: LiveDoc | null;
	readonly instructions: InstructionsState;
	#untrack: Array<() => void> = [];

	constructor(opts: SessionOptions) {
		this.eventId = opts.eventId;
		this.commands = new CommandClient({ displayToken: opts.displayToken, eventId: opts.eventId });
		const open = (name: string, access: Access, persist: boolean): LiveDoc | null => {
			if (access === 'none') return null;
			const doc = new LiveDoc({
				name,
				access,
				// Personal data never rests in the browser's storage.
				persistAs: persist && opts.userId ? opts.userId : null,
				displayToken: opts.displayToken,
				maxBackoffMs: opts.maxBackoffMs
			});
			this.#untrack.push(this.commands.track(doc));
			return doc;
		};
		this.command = open(commandDocName(opts.eventId), opts.access.command, true);
		for (const [code, access] of Object.entries(opts.access.agencies)) {
			const doc = open(agencyDocName(opts.eventId, code), access, true);
			if (doc) this.agencies.set(code, doc);
		}
		this.restricted = open(restrictedDocName(opts.eventId), opts.access.restricted, false);
		this.instructions = new InstructionsState(this.commands, opts.eventId, { presence: opts.presence });
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
		this.#untrack.forEach((u) => u());
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
