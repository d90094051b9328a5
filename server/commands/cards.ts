/**
 * Commands on cards that cross an agency's document: asking another agency for help, and a commander moving
 * a card to another agency. Authorised here, written by the server on the user's behalf.
 */
import * as Y from 'yjs';
import { agencyDocName } from '../../src/lib/domain/documents.ts';
import { mayPerform } from '../../src/lib/domain/permissions.ts';
import { CARD_PRIORITIES } from '../../src/lib/domain/doc-schema.ts';
import { addCard, cardAsNew, cardsOf, readCard } from '../../src/lib/domain/board.ts';
import { isId, newId } from '../../src/lib/domain/ids.ts';
import type { CommandResult, ReassignCardInput, RequestHelpInput } from '../../src/lib/domain/wire.ts';
import { getEvent } from '../../src/lib/server/repositories/event.repository.ts';
import { agencyExists } from '../../src/lib/server/repositories/agency.repository.ts';
import { Refusal } from '../hub/hub-document.ts';
import { runOnce } from './queued.ts';
import { guarded, refused, type CommandContext, type CommandSocket } from '../command-channel.ts';

type Refused = Extract<CommandResult, { ok: false }>;

function text(v: unknown, max: number): string | null {
	if (typeof v !== 'string') return null;
	const t = v.trim();
	return t && [...t].length <= max ? t : null;
}

/** Shared checks: the event exists and is open, both agencies exist, the user may perform the action. */
async function authorize(
	socket: CommandSocket,
	ctx: CommandContext,
	action: 'card.requestHelp' | 'card.reassign',
	input: { eventId?: unknown; fromAgency?: unknown; toAgency?: unknown }
): Promise<Refused | { eventId: string; from: string; to: string; userId: string }> {
	const actor = socket.data.actor;
	if (actor.kind !== 'user') return refused('forbidden', 'displays only read');
	// Ids, not just text: a NUL byte or a megabyte of text would reach the database's queries.
	if (!isId(input.eventId) || !isId(input.fromAgency) || !isId(input.toAgency)) {
		return refused('invalid', 'eventId, fromAgency and toAgency are required');
	}
	if (input.fromAgency === input.toAgency) return refused('invalid', 'choose another agency');
	const event = await getEvent(ctx.db, input.eventId);
	if (!event) return refused('notFound', 'no such event');
	if (event.status === 'closed') return refused('eventClosed', 'the event is closed');
	if (!(await agencyExists(ctx.db, input.fromAgency)) || !(await agencyExists(ctx.db, input.toAgency))) {
		return refused('notFound', 'no such agency');
	}
	const principal = await ctx.hub.principalFor(actor, input.eventId);
	if (!mayPerform(principal, action, { status: event.status, fromAgency: input.fromAgency })) {
		return refused('forbidden', 'your role may not do this');
	}
	return { eventId: input.eventId, from: input.fromAgency, to: input.toAgency, userId: actor.user.id };
}

function failed(err: unknown): Refused {
	if (err instanceof Refusal) return refused('invalid', err.message);
	throw err;
}

export function registerCardCommands(socket: CommandSocket, ctx: CommandContext): void {
	socket.on('card:requestHelp', (input: RequestHelpInput, ack) =>
		guarded(socket, ack, async () => {
			const auth = await authorize(socket, ctx, 'card.requestHelp', input ?? {});
			if ('ok' in auth) return auth;
			return runOnce(ctx.db, auth.userId, 'card:requestHelp', auth.eventId, input.queued, async (time) => {
				const title = text(input.title, 200);
				if (!title) return refused('invalid', 'title is required (at most 200 characters)');
				const priority = input.priority ?? 'urgent';
				if (!CARD_PRIORITIES.includes(priority)) return refused('invalid', 'unknown priority');
				const cardId = newId();
				try {
					await ctx.hub.serverWrite(auth.userId, [
						{
							doc: agencyDocName(auth.eventId, auth.to),
							change: (doc) =>
								addCard(doc, cardId, {
									title,
									notes: typeof input.notes === 'string' ? input.notes.slice(0, 20_000) : '',
									priority,
									status: 'todo',
									agency: auth.to,
									location: text(input.location, 200),
									dueAt: typeof input.dueAt === 'string' ? input.dueAt : null,
									requestedBy: auth.from,
									createdBy: auth.userId,
									createdAt: time.tappedAt.toISOString()
								})
						}
					]);
				} catch (err) {
					return failed(err);
				}
				return { ok: true, cardId };
			});
		})
	);

	socket.on('card:reassign', (input: ReassignCardInput, ack) =>
		guarded(socket, ack, async () => {
			const auth = await authorize(socket, ctx, 'card.reassign', input ?? {});
			if ('ok' in auth) return auth;
			if (!isId(input.cardId)) return refused('invalid', 'cardId is required');
			const fromDoc = agencyDocName(auth.eventId, auth.from);
			const source = await ctx.hub.document(fromDoc);
			const map = cardsOf(source.staging).get(input.cardId);
			if (!(map instanceof Y.Map)) return refused('notFound', 'no such card in that agency');
			const card = readCard(input.cardId, map);
			try {
				// One transaction: the card leaves one agency's document and arrives in the other's, or neither.
				await ctx.hub.serverWrite(auth.userId, [
					{ doc: fromDoc, change: (doc) => cardsOf(doc).delete(input.cardId) },
					{ doc: agencyDocName(auth.eventId, auth.to), change: (doc) => addCard(doc, input.cardId, { ...cardAsNew(card), agency: auth.to }) }
				]);
			} catch (err) {
				return failed(err);
			}
			return { ok: true, cardId: input.cardId };
		})
	);
}
