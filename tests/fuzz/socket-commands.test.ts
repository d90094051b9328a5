/**
 * Issue 9: fuzzing of the socket.io command channel. Every client event of the typed map (wire.ts), and some it
 * does not have, sent by signed-in people of several roles and a wall display: valid commands with one field
 * broken, hostile values in place of the whole input, wrong argument counts, acks that are not functions, no
 * ack at all, and messages over the size limit. Anonymous sockets must not connect at all.
 *
 * Every answer must be a clear refusal or a success, never a timeout or an internal error; a socket stays
 * usable or is cleanly disconnected; the process stays up; and nothing a refused command carried is stored.
 */
import { QUEUEABLE_COMMANDS } from '../../src/lib/domain/queued-actions.ts';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { io } from 'socket.io-client';
import { startServer, type TestServer } from '../helpers/server.ts';
import { connectCommands, DEMO_EVENT, type CommandSocketClient } from '../helpers/live.ts';
import { createDisplayTokenAsAdmin, demoUserId, signInDemo } from '../helpers/hub.ts';
import { caseIndexes, caseRandom, chance, FuzzLedger, fuzzConfig, hostileValue, mutatePayload, pickOf, showInput, tagOf, type Payload, type Rnd } from '../helpers/fuzz.ts';
import { checkLiveDocuments, checkStoredData, runInBatches } from '../helpers/fuzz-storage.ts';
import { agencyDocName, commandDocName, restrictedDocName } from '../../src/lib/domain/documents.ts';
import { SEED_AGENCIES } from '../../src/lib/domain/roles.ts';
import type { CommandError } from '../../src/lib/domain/wire.ts';

const config = fuzzConfig();
const CASES = caseIndexes(config, 2000);
const BATCH = 250;
/** Commands a socket sends before the test replaces it: under the channel's burst of 20, so most are answered. */
const PER_SOCKET = 16;
const ERRORS: readonly CommandError[] = ['unauthenticated', 'forbidden', 'invalid', 'notFound', 'eventClosed', 'rateLimited', 'unavailable'];
const AGENCIES = SEED_AGENCIES.map((a) => a.code);
const USERS = ['commander', 'lead.station', 'lead.traffic', 'lead.patrol', 'member.station', 'reviewer', 'admin'] as const;
type ActorKey = (typeof USERS)[number] | 'display';

const CARDS = ['demo-card-s1', 'demo-card-s2', 'demo-card-t1', 'demo-card-c1', 'demo-card-p1', 'demo-card-p2', 'no-such-card'];
const DISPUTES = ['demo-dispute-s1', 'demo-dispute-s2', 'demo-dispute-p1', 'demo-dispute-p2', 'demo-dispute-p3', 'no-such-dispute'];
const SHIFTS = ['demo-shift-gate-next', 'demo-shift-east-next', 'demo-shift-mobile-next', 'demo-shift-gate-now'];

/** Ids the run learns from accepted commands, so later cases can act on real instructions and swaps. */
const learned = { instructions: [] as string[], swaps: [] as string[] };

/** A valid (or nearly valid) input for each command, from which the mutations start. */
const BASES: Record<string, (rnd: Rnd, tag: string) => unknown> = {
	'event:join': () => DEMO_EVENT,
	'instruction:list': () => DEMO_EVENT,
	'presence:list': () => DEMO_EVENT,
	'roster:swaps': () => DEMO_EVENT,
	'card:requestHelp': (rnd, tag) => {
		const from = pickOf(rnd, AGENCIES);
		return {
			eventId: DEMO_EVENT,
			fromAgency: from,
			toAgency: pickOf(rnd, AGENCIES.filter((a) => a !== from)),
			title: `协助 ${tag}`,
			notes: `说明 ${tag}`,
			priority: pickOf(rnd, ['routine', 'urgent', 'critical']),
			location: `南门 ${tag}`,
			dueAt: pickOf(rnd, [null, '2026-02-12T20:00:00+08:00'])
		};
	},
	'card:reassign': (rnd) => {
		const from = pickOf(rnd, AGENCIES);
		return { eventId: DEMO_EVENT, cardId: pickOf(rnd, CARDS), fromAgency: from, toAgency: pickOf(rnd, AGENCIES.filter((a) => a !== from)) };
	},
	'instruction:send': (rnd, tag) => {
		const scope = pickOf(rnd, ['everyone', 'agencies', 'teams'] as const);
		return {
			eventId: DEMO_EVENT,
			scope,
			targets: scope === 'everyone' ? [] : scope === 'agencies' ? [pickOf(rnd, AGENCIES)] : ['demo-station'],
			priority: pickOf(rnd, ['routine', 'urgent', 'alarm']),
			body: `指令 ${tag}`,
			ackBy: pickOf(rnd, [null, '2026-02-12T21:00:00+08:00'])
		};
	},
	'instruction:ack': (rnd) => ({ instructionId: learned.instructions.length ? pickOf(rnd, learned.instructions) : 'no-such-instruction' }),
	'event:setStatus': () => ({ eventId: DEMO_EVENT, status: 'active' }),
	'roster:swapRequest': (rnd, tag) => ({
		eventId: DEMO_EVENT,
		agency: pickOf(rnd, AGENCIES),
		fromShiftId: pickOf(rnd, SHIFTS),
		fromPersonId: 'p1',
		toUserId: demoUserId('member.station'),
		toShiftId: null,
		toPersonId: null,
		note: `换班 ${tag}`
	}),
	'roster:swapAct': (rnd) => ({
		swapId: learned.swaps.length ? pickOf(rnd, learned.swaps) : 'no-such-swap',
		action: pickOf(rnd, ['accept', 'decline', 'approve', 'reject', 'cancel'])
	}),
	'position:list': () => DEMO_EVENT,
	'position:share': (rnd) => ({ eventId: DEMO_EVENT, lng: 108.94 + rnd() * 0.02, lat: 34.25 + rnd() * 0.02, accuracy: pickOf(rnd, [5, 50, null]) }),
	'roster:check': (rnd) => ({
		eventId: DEMO_EVENT,
		agency: pickOf(rnd, AGENCIES),
		shiftId: pickOf(rnd, SHIFTS),
		personId: pickOf(rnd, ['p1', 'p2', 'no-such-person']),
		kind: pickOf(rnd, ['in', 'out'])
	}),
	'dispute:escalate': (rnd, tag) => {
		const from = pickOf(rnd, AGENCIES);
		return {
			eventId: DEMO_EVENT,
			disputeId: pickOf(rnd, DISPUTES),
			fromAgency: from,
			toAgency: chance(rnd, 0.5) ? pickOf(rnd, AGENCIES.filter((a) => a !== from)) : null,
			toLevel: pickOf(rnd, [null, 'street', 'district']),
			reason: `上报 ${tag}`
		};
	}
};
/** Roll calls and patrol scans (issue: command rhythm): scopes, lengths, ids and label codes, some valid. */
Object.assign(BASES, {
	'rollcall:start': (rnd: Rnd) => ({ eventId: DEMO_EVENT, scope: pickOf(rnd, ['*', 'station', 'traffic', 'nobody']), minutes: pickOf(rnd, [10, 5, 1, 61, 2.5]) }),
	'rollcall:answer': (rnd: Rnd, tag: string) => ({ eventId: DEMO_EVENT, rollCallId: pickOf(rnd, ['no-such-call', `rc${tag.length}`]) }),
	'rollcall:list': () => DEMO_EVENT,
	/** Playbooks (预案): built-in ones (some without a card for the sender's agency), unknown ids, other agencies. */
	'playbook:run': (rnd: Rnd) => ({
		eventId: DEMO_EVENT,
		playbookId: pickOf(rnd, ['builtin-lost-child', 'builtin-medical', 'builtin-fire', 'no-such-playbook']),
		...(chance(rnd, 0.3) ? { fromAgency: pickOf(rnd, [...AGENCIES, 'nobody']) } : {})
	}),
	'patrol:scan': (rnd: Rnd, tag: string) => ({
		eventId: DEMO_EVENT,
		code: pickOf(rnd, [`LD1-abcdefgh23-${'a'.repeat(24)}`, `https://x/scan/LD1-abcdefgh23-${'0'.repeat(24)}`, tag, 'LD1--'])
	})
});

/**
 * The offline queue's envelope on the commands that take one: a fresh action id and a recent tap (sometimes a tap
 * from the future or days ago, which must be refused by name).
 */
function queuedEnvelope(rnd: Rnd, tag: string): { actionId: string; tappedAt: string } {
	const offsetMin = pickOf(rnd, [0, 5, 30, 600, -10, 3000]);
	return { actionId: `q${Math.floor(rnd() * 1e12).toString(36)}${tag.length}x`, tappedAt: new Date(Date.now() - offsetMin * 60_000).toISOString() };
}

for (const command of QUEUEABLE_COMMANDS) {
	const base = BASES[command];
	if (!base) continue;
	BASES[command] = (rnd, tag) => {
		const input = base(rnd, tag) as Record<string, unknown>;
		return chance(rnd, 0.5) ? { ...input, queued: queuedEnvelope(rnd, tag) } : input;
	};
}

/** Not in the event map at all: the server must ignore them. */
const UNKNOWN_EVENTS = ['admin:dropAll', '__proto__', 'constructor', 'toString', 'hasOwnProperty'];
const COMMANDS = Object.keys(BASES);
const EVENTS = [...COMMANDS, ...COMMANDS, ...UNKNOWN_EVENTS];

/** How a case calls `emit`: the normal form and the malformed ones. */
type CallShape = 'ack' | 'noAck' | 'noArgs' | 'nonFunctionAck' | 'extraArgs' | 'onlyAck' | 'oversized';

function shapeOf(rnd: Rnd): CallShape {
	const r = rnd();
	if (r < 0.72) return 'ack';
	if (r < 0.79) return 'noAck';
	if (r < 0.83) return 'noArgs';
	if (r < 0.89) return 'nonFunctionAck';
	if (r < 0.95) return 'extraArgs';
	if (r < 0.99) return 'onlyAck';
	return 'oversized';
}

function inputFor(rnd: Rnd, event: string, tag: string): unknown {
	const base = COMMANDS.includes(event) ? BASES[event](rnd, tag) : {};
	const roll = rnd();
	if (roll < 0.12) return hostileValue(rnd, tag);
	if (roll < 0.3) return base; // valid as it is (tagged text included): most of these should be accepted
	if (base && typeof base === 'object' && !Array.isArray(base)) return mutatePayload(rnd, base as Payload, tag);
	return chance(rnd, 0.5) ? hostileValue(rnd, tag) : [base];
}

interface Pooled {
	socket: CommandSocketClient;
	used: number;
	droppedByServer: boolean;
}

describe('fuzzing the socket.io command channel', () => {
	let server: TestServer;
	let pid: number;
	let cookies: Record<string, string>;
	let displayToken: string;
	const ledger = new FuzzLedger('socket.io commands', 's', config.seed);
	const pool = new Map<ActorKey, Pooled>();
	const opened: CommandSocketClient[] = [];

	async function open(actor: ActorKey): Promise<Pooled> {
		const socket = actor === 'display' ? await connectCommands(server.url, { displayToken }) : await connectCommands(server.url, { cookie: cookies[actor] });
		opened.push(socket);
		const pooled: Pooled = { socket, used: 0, droppedByServer: false };
		socket.on('disconnect', (reason) => {
			if (reason === 'io server disconnect' || reason === 'transport close' || reason === 'transport error') pooled.droppedByServer = true;
		});
		return pooled;
	}

	async function socketFor(actor: ActorKey): Promise<Pooled> {
		let p = pool.get(actor);
		if (!p || p.used >= PER_SOCKET || !p.socket.connected) {
			p?.socket.disconnect();
			p = await open(actor);
			pool.set(actor, p);
		}
		p.used++;
		return p;
	}

	/** Sends with an ack and waits for the answer (or a timeout, which is itself a failure). */
	function withAck(socket: CommandSocketClient, event: string, args: unknown[]): Promise<unknown> {
		return new Promise((resolve) => {
			const emitter = socket.timeout(10_000) as unknown as { emit(e: string, ...a: unknown[]): void };
			emitter.emit(event, ...args, (err: Error | null, answer: unknown) => resolve(err ? { timedOut: err.message } : answer));
		});
	}

	/** Is the socket still answering? One cheap command that every actor may send. */
	async function usable(p: Pooled): Promise<boolean> {
		if (!p.socket.connected) return false;
		p.used++;
		const answer = (await withAck(p.socket, 'instruction:list', [DEMO_EVENT])) as { ok?: boolean; timedOut?: string };
		return typeof answer?.ok === 'boolean';
	}

	function judgeAnswer(index: number, event: string, input: unknown, answer: unknown): { outcome: string; accepted: boolean } {
		const a = answer as { ok?: unknown; error?: unknown; message?: unknown; timedOut?: string } | null;
		if (a && typeof a.timedOut === 'string') {
			ledger.fail(index, `${event}: no answer within 10 s`, input);
			return { outcome: 'no answer', accepted: false };
		}
		if (!a || typeof a.ok !== 'boolean') {
			ledger.fail(index, `${event}: answer is not a command result: ${showInput(answer)}`, input);
			return { outcome: 'malformed answer', accepted: false };
		}
		if (a.ok) return { outcome: 'ok', accepted: true };
		if (!ERRORS.includes(a.error as CommandError) || typeof a.message !== 'string' || !a.message) {
			ledger.fail(index, `${event}: refusal without a known code and a message: ${showInput(answer)}`, input);
		} else if (a.error === 'unavailable') {
			ledger.fail(index, `${event}: bad input made an internal error ("${a.message}")`, input);
		}
		return { outcome: String(a.error), accepted: false };
	}

	async function runCase(index: number): Promise<void> {
		const rnd = caseRandom(config.seed, 's', index);
		const tag = tagOf('s', index);
		const actor = pickOf(rnd, [...USERS, 'commander', 'commander', 'lead.station', 'display'] as ActorKey[]);
		const event = pickOf(rnd, EVENTS);
		const shape = shapeOf(rnd);
		const input = inputFor(rnd, event, tag);
		const target = `${event}`;
		const p = await socketFor(actor);
		const sent = { actor, event, shape, input };

		const emit = (...args: unknown[]) => (p.socket as unknown as { emit(e: string, ...a: unknown[]): void }).emit(event, ...args);

		if (shape === 'ack' && COMMANDS.includes(event)) {
			const answer = await withAck(p.socket, event, [input]);
			const { outcome, accepted } = judgeAnswer(index, event, sent, answer);
			ledger.record(index, target, outcome, accepted);
			const result = answer as { ok?: boolean; instruction?: { id: string }; swap?: { id: string } };
			if (result?.ok && result.instruction?.id) learned.instructions.push(result.instruction.id);
			if (result?.ok && result.swap?.id) learned.swaps.push(result.swap.id);
			return;
		}

		if (shape === 'oversized') {
			// Over the 1 MiB message limit: the server drops the connection, and nothing else happens.
			const dropped = new Promise<boolean>((resolve) => {
				p.socket.once('disconnect', () => resolve(true));
				setTimeout(() => resolve(false), 10_000);
			});
			emit({ eventId: DEMO_EVENT, body: `${tag}${'x'.repeat(1_200_000)}` }, () => {});
			const wasDropped = await dropped;
			ledger.record(index, `${target} (oversized)`, wasDropped ? 'disconnected' : 'kept', false);
			if (!wasDropped) ledger.fail(index, `${event}: a message over the size limit did not end the connection`, { ...sent, input: '<1.2 MB>' });
			return;
		}

		// Calls that get no answer: an unknown event, no ack, a non-function ack, extra arguments after the ack's
		// place, or the ack alone in the input's place. The socket keeps the order of messages, so once the probe
		// that follows is answered, any answer to this call would already have come.
		let answered: unknown = null;
		const ack = (a: unknown) => (answered = a ?? 'answered');
		if (shape === 'ack') emit(input, ack);
		else if (shape === 'noAck') emit(input);
		else if (shape === 'noArgs') emit();
		else if (shape === 'nonFunctionAck') emit(input, hostileValue(rnd, tag));
		else if (shape === 'extraArgs') emit(input, hostileValue(rnd, tag), hostileValue(rnd, tag), ack);
		else emit(ack);
		const alive = await usable(p);
		const known = COMMANDS.includes(event);
		if (answered !== null) {
			// A handler may answer a function it got in an argument's place; what it says must still be a result.
			if (!known) ledger.fail(index, `${event} is not a command, yet it was answered: ${showInput(answered)}`, sent);
			else if (answered !== 'answered') judgeAnswer(index, event, sent, answered);
		}
		const label = known ? `${target} (${shape})` : `unknown event (${shape})`;
		// What became of the command is not known without an answer, so what it carried may well be stored.
		ledger.record(index, label, alive ? 'socket fine' : p.droppedByServer ? 'disconnected' : 'socket lost', true);
		if (!alive && !p.droppedByServer) ledger.fail(index, `${event}: socket unusable after a ${shape} call`, sent);
	}

	beforeAll(async () => {
		server = await startServer({ demo: true });
		pid = server.pid()!;
		cookies = await signInDemo(server.url, [...USERS]);
		displayToken = await createDisplayTokenAsAdmin(server.url, DEMO_EVENT, '模糊测试大屏');
		// Each socket joins the event as its page does, so rooms and roles are as in real use.
		for (const u of USERS) {
			const p = await socketFor(u);
			await withAck(p.socket, 'event:join', [DEMO_EVENT]);
		}
	});

	afterAll(async () => {
		for (const s of opened) s.disconnect();
		await server?.dispose();
	});

	it('refuses anonymous sockets and sockets with forged credentials', async () => {
		const attempts = [{}, { cookie: 'session=forged' }, { cookie: `session=${'A'.repeat(5000)}` }, { displayToken: 'no-such-token' }];
		for (const opts of attempts) {
			const err = await connectCommands(server.url, opts).then(
				(s) => {
					s.disconnect();
					return null;
				},
				(e: Error) => e
			);
			ledger.record(-1, 'connect without valid credentials', err ? `refused (${err.message})` : 'connected', false);
			expect(err?.message).toBe('unauthenticated');
		}
		// A token that is not text at all.
		const raw = io(server.url, { path: '/socket.io', transports: ['websocket'], auth: { token: { $ne: null } }, reconnection: false });
		const refusedRaw = await new Promise<string>((resolve) => {
			raw.once('connect', () => resolve('connected'));
			raw.once('connect_error', (e) => resolve(e.message));
		});
		raw.disconnect();
		expect(refusedRaw).toBe('unauthenticated');
	});

	it('answers every hostile command with a result or a clean refusal, and stays up', async () => {
		await runInBatches(server, pid, ledger, CASES, BATCH, (index) => runCase(index));
		expect(ledger.problems).toEqual([]);
		if (config.only === null) {
			// Not vacuous: commands were both carried out and refused for bad input and for want of rights.
			expect(ledger.tally(/./, /^ok$/)).toBeGreaterThan(20);
			expect(ledger.tally(/./, /^invalid$/)).toBeGreaterThan(50);
			expect(ledger.tally(/./, /^forbidden$/)).toBeGreaterThan(10);
			expect(ledger.tally(/./, /socket fine/)).toBeGreaterThan(10);
		}
	});

	it('stores nothing a refused command carried, and nothing invalid', async () => {
		const docs = [commandDocName(DEMO_EVENT), ...AGENCIES.map((a) => agencyDocName(DEMO_EVENT, a)), restrictedDocName(DEMO_EVENT)];
		const live = await checkLiveDocuments(server, cookies.commander, docs, ledger);
		const stored = await checkStoredData(server, ledger);
		console.log(`checked ${live} live documents, ${stored.rows} rows and ${stored.docs} stored documents`);
		expect(ledger.problems).toEqual([]);
		expect(stored.docs).toBeGreaterThanOrEqual(docs.length);
	});
});
