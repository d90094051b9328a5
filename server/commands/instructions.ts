/**
 * Instructions (指令) over the command channel: send to everyone, to agencies or to teams; acknowledge once;
 * list (which is also how a reconnecting page catches up). Stored in the database with their times.
 */
import { checkInstruction, instructionRecipients, type InstructionInput } from '../../src/lib/domain/instructions.ts';
import { mayPerform, type Principal } from '../../src/lib/domain/permissions.ts';
import { isId } from '../../src/lib/domain/ids.ts';
import type { CommandResult, InstructionView } from '../../src/lib/domain/wire.ts';
import { getEvent } from '../../src/lib/server/repositories/event.repository.ts';
import { listTeams } from '../../src/lib/server/repositories/team.repository.ts';
import {
	acknowledgeInstruction,
	claimDueReminders,
	claimReminder,
	createInstruction,
	instructionHead,
	listInstructions,
	membersForTargeting,
	unacknowledged
} from '../../src/lib/server/repositories/instruction.repository.ts';
import type { Kysely } from 'kysely';
import type { DB } from '../../src/lib/server/db/schema.ts';
import { runOnce } from './queued.ts';
import type { QueuedEnvelope } from '../../src/lib/domain/queued-actions.ts';
import { guarded, refused, seeAllRoom, userRoom, type CommandContext, type CommandServer, type CommandSocket } from '../command-channel.ts';

/** Sends a reminder to every recipient who has not acknowledged; returns how many were reminded. */
async function remind(
	db: Kysely<DB>,
	io: CommandServer,
	instruction: { id: string; eventId: string; body: string; priority: 'routine' | 'urgent' | 'alarm' },
	automatic: boolean
): Promise<number> {
	const users = await unacknowledged(db, instruction.id);
	for (const userId of users) {
		io.to(userRoom(userId)).emit('instruction:reminder', { instructionId: instruction.id, eventId: instruction.eventId, body: instruction.body, priority: instruction.priority, automatic });
	}
	// The sender's and the commander's pages show when the last reminder went.
	io.to(seeAllRoom(instruction.eventId)).emit('instruction:new', (await listInstructions(db, instruction.eventId, { seeAll: true }, { id: instruction.id }))[0]);
	return users.length;
}

/**
 * The automatic reminder at the acknowledge-by time, checked every few seconds by every instance; each due
 * instruction is claimed by one of them (claimDueReminders), so its recipients hear it once.
 */
export function startAutomaticReminders(db: Kysely<DB>, io: CommandServer, everyMs = 5_000): () => void {
	let running = false;
	const timer = setInterval(() => {
		if (running) return;
		running = true;
		void claimDueReminders(db)
			.then(async (due) => {
				for (const i of due) await remind(db, io, i, true);
			})
			.catch(() => {
				// The database is away for a moment; the next round finds what is still due.
			})
			.finally(() => (running = false));
	}, everyMs);
	timer.unref();
	return () => clearInterval(timer);
}

/** The same instruction as one recipient sees it: their own acknowledgement line only. */
function forRecipient(view: InstructionView, userId: string): InstructionView {
	return { ...view, recipients: view.recipients.filter((r) => r.userId === userId) };
}

/**
 * Sends an instruction for a member of its event: checks the input and the sender's right (a lead speaks to their
 * own agency only), fixes the recipients, stores it — with `alsoInTransaction`, when given, in the same transaction,
 * so that what the instruction announces (an issued situation report) and the instruction stand or fall together —
 * and tells everyone who may see it. The socket command and the server's own senders (situation reports) both come
 * here, so an instruction is sent one way.
 */
export async function sendInstruction(
	ctx: Pick<CommandContext, 'db' | 'io'>,
	principal: Principal,
	input: InstructionInput,
	alsoInTransaction?: (tx: Kysely<DB>, instructionId: string) => Promise<void>
): Promise<CommandResult<{ instruction: InstructionView }>> {
	const problem = checkInstruction(input);
	if (problem) return refused('invalid', problem);
	if (principal.kind !== 'user') return refused('forbidden', 'displays only read');
	const event = await getEvent(ctx.db, input.eventId);
	if (!event) return refused('notFound', 'no such event');
	if (event.status === 'closed') return refused('eventClosed', 'the event is closed');
	const membership = principal.membership;
	if (!membership || !mayPerform(principal, 'instruction.send', { status: event.status, fromAgency: membership.agencyCode ?? undefined })) {
		return refused('forbidden', 'your role may not send instructions');
	}
	// A lead speaks to their own agency only.
	if (membership.role === 'lead' && (input.scope !== 'agencies' || input.targets.length !== 1 || input.targets[0] !== membership.agencyCode)) {
		return refused('forbidden', 'a lead sends instructions to their own agency only');
	}
	const [members, teams] = await Promise.all([membersForTargeting(ctx.db, input.eventId), listTeams(ctx.db)]);
	const recipients = instructionRecipients(members, teams, input.scope, input.targets, principal.userId);
	if (recipients.length === 0) return { ...refused('invalid', 'nobody would receive this instruction'), problem: 'noRecipients' };
	const id = await ctx.db.transaction().execute(async (tx) => {
		const created = await createInstruction(tx, input, { userId: principal.userId, agencyCode: membership.agencyCode }, recipients);
		await alsoInTransaction?.(tx, created);
		return created;
	});
	const [view] = await listInstructions(ctx.db, input.eventId, { seeAll: true }, { id });
	const full = [seeAllRoom(input.eventId), userRoom(principal.userId)];
	ctx.io.to(full).emit('instruction:new', view);
	for (const r of recipients) ctx.io.to(userRoom(r.userId)).except(full).emit('instruction:new', forRecipient(view, r.userId));
	return { ok: true, instruction: view };
}

export function registerInstructionCommands(socket: CommandSocket, ctx: CommandContext): void {
	const actor = socket.data.actor;

	socket.on('instruction:send', (input: InstructionInput, ack) =>
		guarded(socket, ack, async () => {
			if (actor.kind !== 'user') return refused('forbidden', 'displays only read');
			const problem = checkInstruction(input);
			if (problem) return refused('invalid', problem);
			return sendInstruction(ctx, await ctx.hub.principalFor(actor, input.eventId), input);
		})
	);

	socket.on('instruction:ack', (input: { instructionId: string; queued?: QueuedEnvelope }, ack) =>
		guarded(socket, ack, async () => {
			if (actor.kind !== 'user') return refused('forbidden', 'displays only read');
			if (!isId(input?.instructionId)) return refused('invalid', 'instructionId is required');
			const head = await instructionHead(ctx.db, input.instructionId);
			if (!head) return refused('notFound', 'no such instruction');
			return runOnce(ctx.db, actor.user.id, 'instruction:ack', head.eventId, input.queued, async (time) => {
				const result = await acknowledgeInstruction(ctx.db, input.instructionId, actor.user.id, time);
				if (!result) return refused('forbidden', 'you are not a recipient of this instruction');
				const ackedAt = result.ackedAt.toISOString();
				if (result.first) {
					const rooms = [seeAllRoom(head.eventId), userRoom(actor.user.id), ...(head.senderId ? [userRoom(head.senderId)] : [])];
					ctx.io.to(rooms).emit('instruction:acked', { instructionId: input.instructionId, userId: actor.user.id, ackedAt });
				}
				return { ok: true, ackedAt };
			});
		})
	);

	socket.on('instruction:remind', (input: { instructionId: string }, ack) =>
		guarded(socket, ack, async () => {
			if (actor.kind !== 'user') return refused('forbidden', 'displays only read');
			if (!isId(input?.instructionId)) return refused('invalid', 'instructionId is required');
			const head = await instructionHead(ctx.db, input.instructionId);
			if (!head) return refused('notFound', 'no such instruction');
			const event = await getEvent(ctx.db, head.eventId);
			if (!event || event.status === 'closed') return refused('eventClosed', 'the event is closed');
			const principal = await ctx.hub.principalFor(actor, head.eventId);
			const isCommander = principal.kind === 'user' && principal.membership?.role === 'commander';
			if (head.senderId !== actor.user.id && !isCommander) return refused('forbidden', 'only the sender or the commander reminds');
			if (!(await claimReminder(ctx.db, input.instructionId))) return refused('rateLimited', 'a reminder went out less than a minute ago');
			const [view] = await listInstructions(ctx.db, head.eventId, { seeAll: true }, { id: input.instructionId });
			const reminded = await remind(ctx.db, ctx.io, { id: view.id, eventId: view.eventId, body: view.body, priority: view.priority }, false);
			return { ok: true, reminded };
		})
	);

	socket.on('instruction:list', (eventId: string, ack) =>
		guarded(socket, ack, async () => {
			if (!isId(eventId)) return refused('invalid', 'event id must be an id');
			const principal = await ctx.hub.principalFor(actor, eventId);
			if (principal.kind === 'display') {
				if (principal.eventId !== eventId) return refused('forbidden', 'not this event');
				return { ok: true, instructions: await listInstructions(ctx.db, eventId, { seeAll: true }) };
			}
			if (!principal.membership) return refused('forbidden', 'not a member of this event');
			const seeAll = principal.membership.role === 'commander' || principal.membership.role === 'reviewer';
			const instructions = await listInstructions(ctx.db, eventId, seeAll ? { seeAll: true } : { seeAll: false, userId: principal.userId });
			return { ok: true, instructions };
		})
	);
}
