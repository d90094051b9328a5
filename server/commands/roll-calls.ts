/**
 * Roll calls (查岗点名) on the command channel. Starting one reads the roster as the hub holds it now and asks every
 * person on duty on a covered post; each answers 在岗 with one tap (queued offline like other field actions, so the
 * tap time is kept); the followers hear every change; halfway to the close, those who have not answered are
 * prompted once more.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../../src/lib/server/db/schema.ts';
import { agencyDocName, commandDocName } from '../../src/lib/domain/documents.ts';
import { readPeriods, readPosts, readShifts } from '../../src/lib/domain/roster.ts';
import {
	DEFAULT_ROLL_CALL_MINUTES,
	followsRollCall,
	isOpen,
	MAX_ROLL_CALL_MINUTES,
	MIN_ROLL_CALL_MINUTES,
	mayStartRollCall,
	rollCallTargets,
	type RollCallView
} from '../../src/lib/domain/roll-calls.ts';
import { isId, newId } from '../../src/lib/domain/ids.ts';
import { getEvent } from '../../src/lib/server/repositories/event.repository.ts';
import { listAgencies } from '../../src/lib/server/repositories/agency.repository.ts';
import { answerRollCall, claimDueRollCallReminders, insertRollCall, listRollCalls } from '../../src/lib/server/repositories/roll-call.repository.ts';
import { runOnce } from './queued.ts';
import { eventRoom, guarded, refused, userRoom, type CommandContext, type CommandServer, type CommandSocket } from '../command-channel.ts';

function prompt(io: CommandServer, call: RollCallView, reminder: boolean): void {
	const waiting = new Map<string, string[]>();
	for (const t of call.targets) {
		if (t.answeredAt) continue;
		waiting.set(t.userId, [...(waiting.get(t.userId) ?? []), t.postName]);
	}
	for (const [userId, posts] of waiting) {
		io.to(userRoom(userId)).emit('rollcall:prompt', { eventId: call.eventId, rollCallId: call.id, posts, startedByName: call.startedByName, closesAt: call.closesAt, reminder });
	}
}

/** The roll calls one reader may see: all of them for followers; for anyone else, those asking them, with their own lines. */
function forReader(calls: RollCallView[], principal: Parameters<typeof followsRollCall>[0], userId: string | null): RollCallView[] {
	return calls.flatMap((c) => {
		if (followsRollCall(principal, c.scope)) return [c];
		const mine = c.targets.filter((t) => t.userId === userId);
		return mine.length ? [{ ...c, targets: mine }] : [];
	});
}

export function registerRollCallCommands(socket: CommandSocket, ctx: CommandContext): void {
	const actor = socket.data.actor;

	socket.on('rollcall:start', (input, ack) =>
		guarded(socket, ack, async () => {
			if (actor.kind !== 'user') return refused('forbidden', 'displays only read');
			if (!isId(input?.eventId) || typeof input.scope !== 'string' || (input.scope !== '*' && !isId(input.scope))) {
				return refused('invalid', 'eventId and scope (an agency code, or * for every post) are required');
			}
			const minutes = input.minutes ?? DEFAULT_ROLL_CALL_MINUTES;
			if (!Number.isInteger(minutes) || minutes < MIN_ROLL_CALL_MINUTES || minutes > MAX_ROLL_CALL_MINUTES) {
				return refused('invalid', `minutes must be a whole number from ${MIN_ROLL_CALL_MINUTES} to ${MAX_ROLL_CALL_MINUTES}`);
			}
			const event = await getEvent(ctx.db, input.eventId);
			if (!event) return refused('notFound', 'no such event');
			if (event.status === 'closed') return refused('eventClosed', 'the event is closed');
			const principal = await ctx.hub.principalFor(actor, input.eventId);
			if (!mayStartRollCall(principal, input.scope, event.status)) return refused('forbidden', 'your role may not call the roll of these posts');
			const command = (await ctx.hub.document(commandDocName(input.eventId))).durable;
			const shifts = [];
			for (const a of await listAgencies(ctx.db)) shifts.push(...readShifts((await ctx.hub.document(agencyDocName(input.eventId, a.code))).durable, a.code));
			const now = new Date();
			const targets = rollCallTargets(readPosts(command), shifts, input.scope, {
				periods: readPeriods(command),
				event: { start: event.startsAt.getTime(), end: event.endsAt.getTime() },
				now: now.getTime(),
				graceMinutes: event.checkinGraceMinutes
			});
			if (!targets.length) return refused('invalid', 'nobody is on duty on these posts now');
			const id = newId();
			await insertRollCall(ctx.db, { id, eventId: input.eventId, scope: input.scope, startedBy: actor.user.id, startedAt: now, closesAt: new Date(now.getTime() + minutes * 60_000) }, targets);
			const [call] = await listRollCalls(ctx.db, input.eventId, id);
			prompt(ctx.io, call, false);
			ctx.io.to(eventRoom(input.eventId)).emit('rollcall:changed', { eventId: input.eventId, rollCallId: id });
			return { ok: true, rollCall: call };
		})
	);

	socket.on('rollcall:answer', (input, ack) =>
		guarded(socket, ack, async () => {
			if (actor.kind !== 'user') return refused('forbidden', 'displays only read');
			if (!isId(input?.eventId) || !isId(input.rollCallId)) return refused('invalid', 'eventId and rollCallId are required');
			return runOnce(ctx.db, actor.user.id, 'rollcall:answer', input.eventId, input.queued, async (time) => {
				const [call] = await listRollCalls(ctx.db, input.eventId, input.rollCallId);
				if (!call) return refused('notFound', 'no such roll call');
				const mine = call.targets.filter((t) => t.userId === actor.user.id);
				if (!mine.length) return refused('forbidden', 'this roll call did not ask you');
				// Answered before the close on the phone counts, even if it arrives later; a tap after the close does not.
				if (!isOpen(call, time.tappedAt.getTime())) return refused('invalid', 'the roll call had closed when you answered');
				await answerRollCall(ctx.db, call.id, actor.user.id, time.tappedAt, time.receivedAt);
				const [after] = await listRollCalls(ctx.db, input.eventId, input.rollCallId);
				const row = after.targets.find((t) => t.userId === actor.user.id)!;
				ctx.io.to(eventRoom(input.eventId)).emit('rollcall:changed', { eventId: input.eventId, rollCallId: call.id });
				return { ok: true, answeredAt: row.answeredAt!, receivedAt: row.receivedAt! };
			});
		})
	);

	socket.on('rollcall:list', (eventId, ack) =>
		guarded(socket, ack, async () => {
			if (!isId(eventId)) return refused('invalid', 'eventId must be an id');
			const principal = await ctx.hub.principalFor(actor, eventId);
			if (principal.kind === 'display' ? principal.eventId !== eventId : !principal.membership) return refused('forbidden', 'not a member of this event');
			const calls = await listRollCalls(ctx.db, eventId);
			return { ok: true, rollCalls: forReader(calls, principal, actor.kind === 'user' ? actor.user.id : null) };
		})
	);
}

/** Halfway to its close, a roll call prompts once more those who have not answered (one instance does it). */
export function startRollCallReminders(db: Kysely<DB>, io: CommandServer, everyMs = 5_000): () => void {
	let running = false;
	const timer = setInterval(() => {
		if (running) return;
		running = true;
		void claimDueRollCallReminders(db)
			.then(async (due) => {
				for (const d of due) {
					const [call] = await listRollCalls(db, d.eventId, d.id);
					if (call) prompt(io, call, true);
				}
			})
			.catch(() => {
				// The database is away for a moment; the next round finds what is still due.
			})
			.finally(() => (running = false));
	}, everyMs);
	timer.unref();
	return () => clearInterval(timer);
}
