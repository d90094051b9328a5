/**
 * 巡更 on the command channel: a scanned label is checked (this event's, signed, still on its route) and recorded
 * with the moment of the scan; a scan made offline arrives later through the phone's queue with that moment.
 */
import { commandDocName } from '../../src/lib/domain/documents.ts';
import { mayScan } from '../../src/lib/domain/patrol.ts';
import { readPosts } from '../../src/lib/domain/roster.ts';
import { isId } from '../../src/lib/domain/ids.ts';
import { getEvent } from '../../src/lib/server/repositories/event.repository.ts';
import { recordScan } from '../../src/lib/server/patrol.ts';
import { runOnce } from './queued.ts';
import { eventRoom, guarded, refused, type CommandContext, type CommandSocket } from '../command-channel.ts';

const WORDS: Record<string, string> = {
	notALabel: 'this is not a checkpoint label',
	unknownLabel: 'this label is not one of this event',
	otherEvent: 'this label is not one of this event',
	retired: 'this checkpoint was taken off its route'
};

export function registerPatrolCommands(socket: CommandSocket, ctx: CommandContext): void {
	const actor = socket.data.actor;
	socket.on('patrol:scan', (input, ack) =>
		guarded(socket, ack, async () => {
			if (actor.kind !== 'user') return refused('forbidden', 'displays only read');
			if (!isId(input?.eventId) || typeof input.code !== 'string') return refused('invalid', 'eventId and code are required');
			return runOnce(ctx.db, actor.user.id, 'patrol:scan', input.eventId, input.queued, async (time) => {
				const event = await getEvent(ctx.db, input.eventId);
				if (!event) return refused('notFound', 'no such event');
				if (event.status === 'closed') return refused('eventClosed', 'the event is closed');
				if (!mayScan(await ctx.hub.principalFor(actor, input.eventId), event.status)) return refused('forbidden', 'your role may not scan');
				const result = await recordScan(ctx.db, input.eventId, actor.user.id, input.code, time);
				// Another event's label and a forged one read the same to the scanner.
				if (!result.ok) return { ...refused('invalid', WORDS[result.problem]), problem: result.problem === 'otherEvent' ? 'unknownLabel' : result.problem };
				const post = readPosts((await ctx.hub.document(commandDocName(input.eventId))).durable).find((p) => p.id === result.checkpoint.postId);
				ctx.io.to(eventRoom(input.eventId)).emit('patrol:changed', { eventId: input.eventId });
				return { ok: true, checkpoint: result.checkpoint.name, route: post?.name ?? '', at: time.tappedAt.toISOString() };
			});
		})
	);
}

