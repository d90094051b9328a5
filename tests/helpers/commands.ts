/**
 * Command-channel test clients: demo people signed in through the login form and connected with socket.io-client
 * to the demo event, commands sent with their answer, and what each socket heard recorded. Display tokens are made
 * and revoked through the commander's displays page, as the commander's browser does.
 */
import { parse } from 'devalue';
import type { ClientToServerEvents, ServerToClientEvents } from '../../src/lib/domain/wire.ts';
import { HttpClient } from './http.ts';
import { signIn } from './accounts.ts';
import { connectCommands, DEMO_EVENT, DEMO_PASSWORD, type CommandSocketClient } from './live.ts';

type Args<E extends keyof ClientToServerEvents> = Parameters<ClientToServerEvents[E]>;
type Result<E extends keyof ClientToServerEvents> = Parameters<Args<E>[1]>[0];
type Heard = { [E in keyof ServerToClientEvents]: Array<Parameters<ServerToClientEvents[E]>[0]> };

const HEARD_EVENTS: Array<keyof ServerToClientEvents> = [
	'instruction:new',
	'instruction:reminder',
	'instruction:acked',
	'event:status',
	'session:ended',
	'presence:changed',
	'position:update'
];

/** One person's (or display's) live connection with everything it heard. */
export interface Listener {
	socket: CommandSocketClient;
	heard: Heard;
	/** Whether the server disconnected this socket (not the test). */
	droppedByServer(): boolean;
	close(): void;
}

/** Sends a command and resolves with the server's answer; rejects when none comes in time. */
export function command<E extends keyof ClientToServerEvents>(
	socket: CommandSocketClient,
	event: E,
	input: Args<E>[0],
	timeoutMs = 10_000
): Promise<Result<E>> {
	// socket.io's typings cannot follow a generic event name through timeout(); Result<E> keeps it typed here.
	const emitter = socket.timeout(timeoutMs) as unknown as {
		emit(event: string, input: unknown, ack: (err: Error | null, result: Result<E>) => void): void;
	};
	return new Promise((resolve, reject) => {
		emitter.emit(event, input, (err, result) => (err ? reject(new Error(`no answer to ${event}: ${err.message}`)) : resolve(result)));
	});
}

/** Records what a socket hears from now on. */
export function listen(socket: CommandSocketClient): Listener {
	const heard = Object.fromEntries(HEARD_EVENTS.map((e) => [e, []])) as unknown as Heard;
	for (const e of HEARD_EVENTS) socket.on(e, ((payload: never) => (heard[e] as unknown[]).push(payload)) as never);
	let dropped = false;
	socket.on('disconnect', (reason) => {
		// Only a deliberate disconnect by the server; a transport that merely closed would reconnect.
		if (reason === 'io server disconnect') dropped = true;
	});
	return {
		socket,
		heard,
		droppedByServer: () => dropped,
		close: () => socket.disconnect()
	};
}

/** Signs a demo person in and returns their cookie-keeping HTTP client. */
export async function demoClient(base: string, username: string): Promise<HttpClient> {
	return signIn(new HttpClient(base), username, DEMO_PASSWORD);
}

/** Connects a signed-in client's socket, joins the demo event (as every event page does) and starts listening. */
export async function joinAs(client: HttpClient, eventId = DEMO_EVENT): Promise<Listener> {
	const socket = await connectCommands(client.base, { cookie: client.cookieHeader() });
	const listener = listen(socket);
	const joined = await command(socket, 'event:join', eventId);
	if (!joined.ok) throw new Error(`event:join refused: ${JSON.stringify(joined)}`);
	return listener;
}

/**
 * Under the PostgreSQL adapter a push, even to a socket of the same instance, leaves only once its NOTIFY is
 * published, so it can arrive after the answer to a command sent later. A local NOTIFY takes milliseconds; this
 * leaves it ample room.
 */
const BROADCAST_GRACE_MS = 300;

/**
 * Waits until what the server pushed to this socket before now has arrived: socket.io keeps one socket's messages
 * in order, so once the answer to a later command is here, any push sent before it is too; pushes that went
 * through the adapter get a short grace on top. How a test shows that something did *not* arrive, or arrived once.
 */
export async function settled(listener: Listener, eventId = DEMO_EVENT): Promise<void> {
	await command(listener.socket, 'instruction:list', eventId);
	await new Promise((resolve) => setTimeout(resolve, BROADCAST_GRACE_MS));
}

type ActionAnswer = { type: string; status?: number; data?: string };

async function displaysAction(commander: HttpClient, action: 'create' | 'revoke', fields: Record<string, string>, eventId: string) {
	const res = await commander.postForm(`/events/${eventId}/displays?/${action}`, fields);
	if (!res.ok) throw new Error(`displays ?/${action} answered HTTP ${res.status}`);
	const answer = (await res.json()) as ActionAnswer;
	return { type: answer.type, status: answer.status, data: answer.data ? (parse(answer.data) as Record<string, unknown>) : null };
}

/** Makes a display link on the commander's displays page and returns the token from the URL it shows once. */
export async function createDisplayToken(commander: HttpClient, name: string, eventId = DEMO_EVENT): Promise<string> {
	const answer = await displaysAction(commander, 'create', { name }, eventId);
	const url = answer.data?.url;
	if (answer.type !== 'success' || typeof url !== 'string') throw new Error(`creating a display link failed: ${JSON.stringify(answer)}`);
	return new URL(url).pathname.split('/').at(-1)!;
}

/** Revokes a display link on the commander's displays page by its id (the SHA-256 hex of the token). */
export async function revokeDisplayToken(commander: HttpClient, tokenId: string, eventId = DEMO_EVENT): Promise<{ type: string }> {
	return displaysAction(commander, 'revoke', { id: tokenId }, eventId);
}
