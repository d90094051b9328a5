/**
 * Disputes escalated to this user's agency while a page of the event is open, as the server announced them
 * (masked parties only), newest first, until the user dismisses them.
 */
import type { DisputeArrival } from '$lib/domain/dispute-wire';
import type { CommandClient } from './command-client.svelte';

/** A few at a time: more would cover the page; the register lists every one of them anyway. */
const KEEP = 3;

export class DisputeArrivals {
	list = $state<DisputeArrival[]>([]);
	readonly #commands: CommandClient;
	readonly #eventId: string;
	readonly #onArrival = (arrival: DisputeArrival) => {
		if (arrival.eventId !== this.#eventId) return;
		this.list = [arrival, ...this.list.filter((a) => a.disputeId !== arrival.disputeId)].slice(0, KEEP);
	};

	constructor(commands: CommandClient, eventId: string) {
		this.#commands = commands;
		this.#eventId = eventId;
		commands.socket.on('dispute:escalated', this.#onArrival);
	}

	dismiss(disputeId: string): void {
		this.list = this.list.filter((a) => a.disputeId !== disputeId);
	}

	destroy(): void {
		this.#commands.socket.off('dispute:escalated', this.#onArrival);
	}
}
