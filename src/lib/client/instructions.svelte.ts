/**
 * Instructions on a page: the list this user (or wall) may see, kept current by socket.io pushes and
 * reloaded whole after every reconnect so nothing sent while away is missed.
 */
import type { InstructionInput } from '$lib/domain/instructions';
import type { CommandResult, InstructionReminder, InstructionView, PresenceView } from '$lib/domain/wire';
import type { CommandClient } from './command-client.svelte';

export class InstructionsState {
	readonly eventId: string;
	readonly commands: CommandClient;
	list = $state<InstructionView[]>([]);
	loaded = $state(false);
	presence = $state<PresenceView | null>(null);
	/** Reminders this user received for instructions they have not acknowledged, newest first. */
	reminders = $state<InstructionReminder[]>([]);
	#wantPresence: boolean;

	constructor(commands: CommandClient, eventId: string, opts: { presence?: boolean } = {}) {
		this.commands = commands;
		this.eventId = eventId;
		this.#wantPresence = opts.presence ?? false;
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
		}
		if (this.#wantPresence) await this.reloadPresence();
	}

	async reloadPresence(): Promise<void> {
		const result = await this.commands.send('presence:list', this.eventId);
		if (result.ok) this.presence = result.presence;
	}

	/** Alarms this user has received and not yet acknowledged, oldest first. */
	pendingAlarms(userId: string): InstructionView[] {
		return this.list
			.filter((i) => i.priority === 'alarm' && i.recipients.some((r) => r.userId === userId && !r.ackedAt))
			.reverse();
	}

	/** Instructions this user received and has not acknowledged (the badge on the 指令 tab). */
	unacknowledged(userId: string): InstructionView[] {
		return this.list.filter((i) => i.recipients.some((r) => r.userId === userId && !r.ackedAt));
	}

	/** Reminds everyone who has not acknowledged an instruction (its sender or the commander). */
	remind(instructionId: string): Promise<CommandResult<{ reminded: number }>> {
		return this.commands.send('instruction:remind', { instructionId });
	}

	send(input: InstructionInput): Promise<CommandResult<{ instruction: InstructionView }>> {
		return this.commands.send('instruction:send', input);
	}

	async acknowledge(id: string, userId: string): Promise<CommandResult<{ ackedAt: string }>> {
		const result = await this.commands.send('instruction:ack', { instructionId: id });
		if (result.ok) {
			this.list = this.list.map((i) =>
				i.id !== id ? i : { ...i, recipients: i.recipients.map((r) => (r.userId === userId && !r.ackedAt ? { ...r, ackedAt: result.ackedAt } : r)) }
			);
			this.reminders = this.reminders.filter((r) => r.instructionId !== id);
		}
		return result;
	}
}

/** Acknowledged / total, and whether the acknowledge-by time passed with some still missing. */
export function ackProgress(i: InstructionView, now: number): { acked: number; total: number; overdue: boolean } {
	const total = i.recipients.length;
	const acked = i.recipients.filter((r) => r.ackedAt).length;
	return { acked, total, overdue: !!i.ackBy && Date.parse(i.ackBy) < now && acked < total };
}
