/**
 * The event's roll calls on this page: the list as the server lets this reader see it (followers every line, a
 * person their own), refreshed whenever one starts or is answered; and this user's answer, which goes through the
 * phone's queue so an answer tapped offline keeps its moment.
 */
import type { RollCallView } from '$lib/domain/roll-calls';
import { isOpen } from '$lib/domain/roll-calls';
import type { CommandClient } from './command-client.svelte';
import type { ActionQueue } from './action-queue.svelte';
import { playAlarmTone, vibrateAlarm } from './alerting';

export class RollCallState {
	readonly #commands: CommandClient;
	readonly #queue: ActionQueue | null;
	readonly eventId: string;
	list = $state<RollCallView[]>([]);
	/** Calls this user was prompted for during this page's life (a prompt arrives before the list does). */
	#prompted = new Set<string>();

	constructor(commands: CommandClient, eventId: string, queue: ActionQueue | null) {
		this.#commands = commands;
		this.#queue = queue;
		this.eventId = eventId;
		const socket = commands.socket;
		socket.on('rollcall:changed', (n) => {
			if (n.eventId === eventId) void this.refresh();
		});
		socket.on('rollcall:prompt', (p) => {
			if (p.eventId !== eventId) return;
			this.#prompted.add(p.rollCallId);
			playAlarmTone();
			vibrateAlarm();
			void this.refresh();
		});
		socket.on('connect', () => void this.refresh());
		if (commands.connected) void this.refresh();
	}

	async refresh(): Promise<void> {
		const result = await this.#commands.send('rollcall:list', this.eventId).catch(() => null);
		if (result?.ok) this.list = result.rollCalls;
	}

	/** Open roll calls asking this user that they have not answered (nor queued an answer to). */
	waitingFor(userId: string, now: number): RollCallView[] {
		const queued = new Set((this.#queue?.items ?? []).filter((i) => i.command === 'rollcall:answer').map((i) => i.subject.id));
		return this.list.filter((c) => isOpen(c, now) && !queued.has(c.id) && c.targets.some((t) => t.userId === userId && !t.answeredAt));
	}

	/** 在岗: queued with the tap time; resolves when the server answered, or at once when it must wait. */
	answer(call: RollCallView, label: string) {
		if (!this.#queue) return Promise.resolve({ sent: false } as const);
		return this.#queue.enqueue('rollcall:answer', this.eventId, { eventId: this.eventId, rollCallId: call.id }, { kind: 'rollcall', id: call.id }, label).then((outcome) => {
			void this.refresh();
			return outcome;
		});
	}
}
