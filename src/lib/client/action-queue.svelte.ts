/**
 * The phone's queue of actions (收到, 签到/签退, asking for help, escalating, approving a swap). Every such tap is
 * queued first, with its moment and an id made here, kept in IndexedDB so it survives a reload or a discarded tab,
 * and sent in order whenever the command channel is connected. The server does each id once (server/commands/
 * queued.ts), so sending again after a lost answer is safe. A final refusal stays beside its item, in words,
 * until the user dismisses it; "try later" refusals leave the item waiting.
 */
import { newId } from '$lib/domain/ids';
import { RETRYABLE_ERRORS, type QueueableCommand } from '$lib/domain/queued-actions';
import type { ClientToServerEvents, CommandResult } from '$lib/domain/wire';
import type { CommandClient } from './command-client.svelte';
import type { LocalStore } from './local-store';

/** What a queued action concerns, so the page can show its state beside that item. */
export interface ActionSubject {
	kind: 'instruction' | 'shift' | 'card' | 'dispute' | 'swap' | 'rollcall' | 'patrol';
	id: string;
	/** For check-ins: whose. */
	personId?: string;
}

export interface QueuedAction {
	id: string;
	eventId: string;
	command: QueueableCommand;
	input: Record<string, unknown>;
	tappedAt: string;
	subject: ActionSubject;
	/** What the user did, in the words of the moment they did it ("签到 · 北门卡点"). */
	label: string;
	state: 'waiting' | 'refused';
	refusal: { error: string; message: string; problem?: string } | null;
}

/**
 * The answer of a queued action: sent and answered, or still waiting (offline, or no answer in time). A waiting
 * action's `later` brings the server's answer once it goes, so a page still open can say what became of it.
 */
export type QueueOutcome<R> = { sent: true; result: R } | { sent: false; later?: Promise<R> };

/** The server's answer to a queued command, as its acknowledgement carries it. */
export type QueuedAnswer<E extends QueueableCommand> = Parameters<Parameters<ClientToServerEvents[E]>[1]>[0];

const KEY = 'queue';

/** How long a tap made while the channel is still connecting waits for its answer before it shows as waiting. */
const CONNECT_GRACE_MS = 8_000;

/** How long to wait before trying again after a "try later" answer while connected. */
const RETRY_MS = 5_000;

export class ActionQueue {
	readonly #commands: CommandClient;
	readonly #store: LocalStore | null;
	/** Every queued item of this user, in tap order (other events' too: they are sent as well). */
	items = $state<QueuedAction[]>([]);
	loaded = $state(false);
	/**
	 * Items tapped whose copy on the device is still being written. A page says an action waits only once it is
	 * stored: a page left at once (another page opened) could otherwise lose a tap it had shown as waiting.
	 */
	storing = $state<string[]>([]);
	/** The last batch sent after waiting: how many, and when (the page shows a short note). */
	sentNote = $state<{ count: number; at: number } | null>(null);
	#draining = false;
	#retry: ReturnType<typeof setTimeout> | null = null;
	#waiters = new Map<string, (outcome: QueueOutcome<unknown>) => void>();
	/** Items this page was told wait, by id: what hands over their answer when they go. */
	#later = new Map<string, (result: unknown) => void>();
	/** Items queued while this page could not send at once (they make the "sent" note when they go). */
	#waited = new Set<string>();

	constructor(commands: CommandClient, store: LocalStore | null) {
		this.#commands = commands;
		this.#store = store;
		commands.socket.on('connect', () => void this.drain());
		void this.#load();
	}

	async #load(): Promise<void> {
		const saved = (await this.#store?.get<QueuedAction[]>(KEY)) ?? [];
		// Items queued on this page before the store answered stay after the saved ones (they were tapped later).
		const fresh = this.items.filter((i) => !saved.some((s) => s.id === i.id));
		this.items = [...saved, ...fresh];
		for (const i of saved) this.#waited.add(i.id);
		this.loaded = true;
		await this.#save();
		void this.drain();
	}

	#save(): Promise<void> {
		return this.#store?.set(KEY, this.items) ?? Promise.resolve();
	}

	/** Items still to send (not refused). */
	get waiting(): number {
		return this.items.filter((i) => i.state === 'waiting').length;
	}

	get refused(): QueuedAction[] {
		return this.items.filter((i) => i.state === 'refused');
	}

	/** This subject's queued items, oldest first. */
	about(kind: ActionSubject['kind'], id: string, personId?: string): QueuedAction[] {
		return this.items.filter((i) => i.subject.kind === kind && i.subject.id === id && (personId === undefined || i.subject.personId === personId));
	}

	/**
	 * Queues an action and sends it at once if the channel is up. Resolves with the server's answer when it comes,
	 * or `{ sent: false }` when the action must wait (offline, or no answer in time): it stays queued either way.
	 */
	enqueue<E extends QueueableCommand>(
		command: E,
		eventId: string,
		input: Omit<Parameters<ClientToServerEvents[E]>[0], 'queued'>,
		subject: ActionSubject,
		label: string
	): Promise<QueueOutcome<QueuedAnswer<E>>> {
		const item: QueuedAction = {
			id: newId(),
			eventId,
			command,
			input: input as Record<string, unknown>,
			tappedAt: new Date().toISOString(),
			subject,
			label,
			state: 'waiting',
			refusal: null
		};
		this.items = [...this.items, item];
		const answered = new Promise<QueueOutcome<QueuedAnswer<E>>>((resolve) => this.#waiters.set(item.id, resolve as (o: QueueOutcome<unknown>) => void));
		if (!this.#commands.connected) {
			// No network: say at once that it waits. Online but still connecting (a page just opened): give the
			// channel a few seconds, so the page can show the answer rather than "waiting".
			const offline = typeof navigator !== 'undefined' && navigator.onLine === false;
			setTimeout(() => this.#settle(item.id, { sent: false }), offline ? 0 : CONNECT_GRACE_MS);
		}
		this.storing = [...this.storing, item.id];
		void this.#save()
			.catch(() => {
				// The device would not store it: it waits in this page alone, and is shown so.
			})
			.then(() => {
				this.storing = this.storing.filter((id) => id !== item.id);
				void this.drain();
			});
		return answered;
	}

	/** Takes a refused item off the list once the user has read why. */
	dismiss(id: string): void {
		this.items = this.items.filter((i) => i.id !== id);
		void this.#save();
	}

	#settle(id: string, outcome: QueueOutcome<unknown>): void {
		if (outcome.sent) {
			this.#later.get(id)?.(outcome.result);
			this.#later.delete(id);
		}
		const resolve = this.#waiters.get(id);
		if (!resolve) return;
		this.#waiters.delete(id);
		if (outcome.sent) return resolve(outcome);
		// Told "it waits": when it goes, the note after sending counts it, and `later` gets its answer.
		this.#waited.add(id);
		resolve({ sent: false, later: new Promise((done) => this.#later.set(id, done)) });
	}

	/** Sends waiting items in order until one must wait; safe to call at any time (one drain runs at once). */
	async drain(): Promise<void> {
		if (this.#draining || !this.loaded || !this.#commands.connected) return;
		this.#draining = true;
		let sent = 0;
		try {
			for (;;) {
				const item = this.items.find((i) => i.state === 'waiting');
				if (!item || !this.#commands.connected) break;
				const send = this.#commands.send as (e: string, input: unknown) => Promise<CommandResult<Record<string, unknown>>>;
				const result = await send.call(this.#commands, item.command, { ...item.input, queued: { actionId: item.id, tappedAt: item.tappedAt } });
				if (!result.ok && RETRYABLE_ERRORS.has(result.error)) {
					this.#settle(item.id, { sent: false });
					this.#scheduleRetry();
					break;
				}
				if (result.ok) {
					this.items = this.items.filter((i) => i.id !== item.id);
					if (this.#waited.delete(item.id)) sent++;
				} else {
					const refusal = { error: result.error, message: result.message, ...(result.problem ? { problem: result.problem } : {}) };
					this.items = this.items.map((i) => (i.id === item.id ? { ...i, state: 'refused' as const, refusal } : i));
					this.#waited.delete(item.id);
				}
				await this.#save();
				this.#settle(item.id, { sent: true, result });
			}
		} finally {
			this.#draining = false;
			if (sent > 0) this.sentNote = { count: sent, at: Date.now() };
		}
	}

	#scheduleRetry(): void {
		if (this.#retry) return;
		this.#retry = setTimeout(() => {
			this.#retry = null;
			void this.drain();
		}, RETRY_MS);
	}

	clearSentNote(): void {
		this.sentNote = null;
	}

	destroy(): void {
		if (this.#retry) clearTimeout(this.#retry);
		for (const id of [...this.#waiters.keys()]) this.#settle(id, { sent: false });
	}
}
