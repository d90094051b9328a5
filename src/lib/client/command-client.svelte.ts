/**
 * The page's socket.io connection: hears "refused" notices and lifecycle pushes, and sends commands with an
 * answer that always comes (a refusal after a timeout if need be).
 */
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, CommandResult, ServerToClientEvents } from '$lib/domain/wire';

type Args<E extends keyof ClientToServerEvents> = Parameters<ClientToServerEvents[E]>;
type Input<E extends keyof ClientToServerEvents> = Args<E>[0];
type Result<E extends keyof ClientToServerEvents> = Parameters<Args<E>[1]>[0];

const COMMAND_TIMEOUT_MS = 10_000;

export class CommandClient {
	readonly socket: Socket<ServerToClientEvents, ClientToServerEvents>;
	connected = $state(false);
	/** Why the session ended, when the server said so. */
	ended = $state<string | null>(null);
	/** The last refusal of one of this user's updates. */
	refused = $state<{ doc: string; reason: string } | null>(null);
	eventStatus = $state<string | null>(null);

	constructor(opts: { displayToken?: string; eventId?: string } = {}) {
		this.socket = io({
			path: '/socket.io',
			transports: ['websocket'],
			auth: opts.displayToken ? { token: opts.displayToken } : {},
			reconnectionDelay: 1000,
			reconnectionDelayMax: 15_000,
			randomizationFactor: 0.5
		});
		this.socket.on('connect', () => {
			this.connected = true;
			if (opts.eventId) this.socket.emit('event:join', opts.eventId, () => {});
		});
		this.socket.on('disconnect', () => (this.connected = false));
		this.socket.on('doc:refused', ({ doc, reason }) => (this.refused = { doc, reason }));
		this.socket.on('session:ended', ({ reason }) => {
			this.ended = reason;
			this.socket.disconnect();
		});
		this.socket.on('event:status', ({ status }) => (this.eventStatus = status));
	}

	/** Sends a command and resolves with its answer; a refusal if no answer comes in time. */
	send<E extends keyof ClientToServerEvents>(event: E, input: Input<E>): Promise<Result<E>> {
		// socket.io's typings cannot follow a generic event name through timeout(); the map above keeps it typed.
		const emitter = this.socket.timeout(COMMAND_TIMEOUT_MS) as unknown as {
			emit(event: string, input: unknown, ack: (err: Error | null, result: Result<E>) => void): void;
		};
		return new Promise((resolve) => {
			emitter.emit(event, input, (err, result) => {
				if (err) resolve({ ok: false, error: 'unavailable', message: 'no answer from the server' } as CommandResult as Result<E>);
				else resolve(result);
			});
		});
	}

	destroy(): void {
		this.socket.disconnect();
	}
}
