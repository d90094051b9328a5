/**
 * Instructions on a page: the list this user (or wall) may see, kept current by socket.io pushes and
 * reloaded whole after every reconnect so nothing sent while away is missed.
 */
import type { InstructionInput } from '$lib/domain/instructions';
import type { CommandResult, InstructionReminder, InstructionView, PresenceView } from '$lib/domain/wire';
import type { CommandClient } from './command-client.svelte';
import type { ActionQueue, QueueOutcome } from './action-queue.svelte';
import type { LocalStore } from './local-store';
import { m } from '$lib/paraglide/messages';

export class InstructionsState {
	readonly eventId: string;
	readonly commands: CommandClient;
	list = $state<InstructionView[]>([]);
	loaded = $state(false);
	presence = $state<PresenceView | null>(null);
	/** Reminders this user received for instructions they have not acknowledged, newest first. */
	reminders = $state<InstructionReminder[]>([]);
	/** Whether the list shown is the last one kept on this device (offline), not yet the server's answer. */
	fromDevice = $state(false);
	#wantPresence: boolean;
	readonly #queue: ActionQueue | null;
	readonly #store: LocalStore | null;

	constructor(
		commands: CommandClient,
		eventId: string,
		opts: { presence?: boolean; queue?: ActionQueue | null; store?: LocalStore | null } = {}
	) {
		this.commands = commands;
		this.eventId = eventId;
		this.#wantPresence = opts.presence ?? false;
		this.#queue = opts.queue ?? null;
		this.#store = opts.store ?? null;
		// Offline, the page shows the list as the server last answered it on this device.
		void this.#store?.get<InstructionView[]>(this.#storeKey).then((kept) => {
			if (kept && !this.loaded) {
				this.list = kept;
				this.loaded = true;
				this.fromDevice = true;
			}
		});
		const socket = commands.socket;
		socket.on('connect', () => void this.reload());
		socket.on('instruction:new', (view) => {
			if (view.eventId !== this.eventId) return;
			this.list = [view, ...this.list.filter((i) => i.id !== view.id)];
		});
		socket.on('instruction:acked', ({ instructionId, userId, ackedAt }) => {
			this.list = this.list.map((i) =>
				i.id !== instructionId
					? i
					: { ...i, recipients: i.recipients.map((r) => (r.userId === userId && !r.ackedAt ? { ...r, ackedAt } : r)) }
			);
		});
		socket.on('instruction:reminder', (reminder) => {
			if (reminder.eventId !== this.eventId) return;
			this.reminders = [reminder, ...this.reminders.filter((r) => r.instructionId !== reminder.instructionId)];
		});
		socket.on('presence:changed', ({ eventId }) => {
			if (eventId === this.eventId && this.#wantPresence) void this.reloadPresence();
		});
		if (socket.connected) void this.reload();
	}

	async reload(): Promise<void> {
		const result = await this.commands.send('instruction:list', this.eventId);
		if (result.ok) {
			this.list = result.instructions;
			this.loaded = true;
			this.fromDevice = false;
			void this.#store?.set(this.#storeKey, this.list);
		}
		if (this.#wantPresence) await this.reloadPresence();
	}

	async reloadPresence(): Promise<void> {
		const result = await this.commands.send('presence:list', this.eventId);
		if (result.ok) this.presence = result.presence;
	}

	get #storeKey(): string {
		return `instructions:${this.eventId}`;
	}

	/** Whether this user's 收到 for an instruction waits in the queue (it counts as done on this phone). */
	ackQueued(id: string): boolean {
		return !!this.#queue?.about('instruction', id).some((a) => a.state === 'waiting');
	}

	/** Alarms this user has received and not yet acknowledged, oldest first. */
	pendingAlarms(userId: string): InstructionView[] {
		return this.list
			.filter((i) => i.priority === 'alarm' && i.recipients.some((r) => r.userId === userId && !r.ackedAt) && !this.ackQueued(i.id))
			.reverse();
	}

	/** Instructions this user received and has not acknowledged (the badge on the 指令 tab). */
	unacknowledged(userId: string): InstructionView[] {
		return this.list.filter((i) => i.recipients.some((r) => r.userId === userId && !r.ackedAt) && !this.ackQueued(i.id));
	}

	/** Reminds everyone who has not acknowledged an instruction (its sender or the commander). */
	remind(instructionId: string): Promise<CommandResult<{ reminded: number }>> {
		return this.commands.send('instruction:remind', { instructionId });
	}

	send(input: InstructionInput): Promise<CommandResult<{ instruction: InstructionView }>> {
		return this.commands.send('instruction:send', input);
	}

	/**
	 * 收到: queued with the moment of the tap, sent at once when connected. Resolves with the server's answer, or
	 * `{ sent: false }` when it waits for the network (the instruction then shows as acknowledged, waiting to send).
	 */
	async acknowledge(id: string, userId: string): Promise<QueueOutcome<CommandResult<{ ackedAt: string }>>> {
		const instruction = this.list.find((i) => i.id === id);
		const label = m.queue_label_ack({ body: (instruction?.body ?? '').slice(0, 40) });
		const outcome = this.#queue
			? await this.#queue.enqueue('instruction:ack', this.eventId, { instructionId: id }, { kind: 'instruction', id }, label)
			: { sent: true as const, result: await this.commands.send('instruction:ack', { instructionId: id }) };
		if (outcome.sent && outcome.result.ok) {
			const ackedAt = outcome.result.ackedAt;
			this.list = this.list.map((i) =>
				i.id !== id ? i : { ...i, recipients: i.recipients.map((r) => (r.userId === userId && !r.ackedAt ? { ...r, ackedAt } : r)) }
			);
			this.reminders = this.reminders.filter((r) => r.instructionId !== id);
			void this.#store?.set(this.#storeKey, this.list);
		}
		return outcome;
	}
}

/** Acknowledged / total, and whether the acknowledge-by time passed with some still missing. */
export function ackProgress(i: InstructionView, now: number): { acked: number; total: number; overdue: boolean } {
	const total = i.recipients.length;
	const acked = i.recipients.filter((r) => r.ackedAt).length;
	return { acked, total, overdue: !!i.ackBy && Date.parse(i.ackBy) < now && acked < total };
}
