/**
 * Positions of people on duty, shared by their choice (off by default): taken only from someone checked in now on a
 * shift of their own agency, at most once every ten seconds, and passed on only to the event's commander and the
 * person's own agency's lead. Never to walls, reviewers or other agencies: positions are personal data.
 */
import { agencyDocName } from '../../src/lib/domain/documents.ts';
import { readShifts } from '../../src/lib/domain/roster.ts';
import { isId } from '../../src/lib/domain/ids.ts';
import type { SharedPosition } from '../../src/lib/domain/wire.ts';
import { getEvent, getMembership } from '../../src/lib/server/repositories/event.repository.ts';
import { addPosition, latestPositions } from '../../src/lib/server/repositories/position.repository.ts';
import { guarded, positionsRoom, refused, type CommandContext, type CommandSocket } from '../command-channel.ts';

/** A phone reports at most this often; faster reports are refused (the page sends every 30 s). */
const MIN_INTERVAL_MS = 10_000;
/** How far back "where people are now" looks. */
const RECENT_MS = 15 * 60_000;


export function registerPositionCommands(socket: CommandSocket, ctx: CommandContext): void {
	const actor = socket.data.actor;
	let lastAt = 0;

	socket.on('position:share', (input, ack) =>
		guarded(socket, ack, async () => {
			if (actor.kind !== 'user') return refused('forbidden', 'displays only read');
			const { eventId, lng, lat } = input ?? ({} as typeof input);
			const accuracy = typeof input?.accuracy === 'number' && Number.isFinite(input.accuracy) ? Math.min(Math.max(input.accuracy, 0), 100_000) : null;
			if (!isId(eventId) || typeof lng !== 'number' || typeof lat !== 'number' || !Number.isFinite(lng) || !Number.isFinite(lat) || Math.abs(lng) > 180 || Math.abs(lat) > 90) {
				return refused('invalid', 'eventId, and lng and lat in degrees, are required');
			}
			if (Date.now() - lastAt < MIN_INTERVAL_MS) return refused('rateLimited', 'a position at most every ten seconds');
			const event = await getEvent(ctx.db, eventId);
			if (!event) return refused('notFound', 'no such event');
			if (event.status !== 'active') return refused('eventClosed', 'positions are shared only while the event runs');
			const membership = await getMembership(ctx.db, eventId, actor.user.id);
			if (!membership?.agencyCode) return refused('forbidden', 'only people of an agency on duty share positions');
			// On duty now: checked in, not out, on a shift of their own agency.
			const doc = await ctx.hub.document(agencyDocName(eventId, membership.agencyCode));
			const onDuty = readShifts(doc.durable, membership.agencyCode).some((s) =>
				s.people.some((p) => p.userId === actor.user.id && !!s.checkins[p.id]?.inAt && !s.checkins[p.id]?.outAt)
			);
			if (!onDuty) return refused('forbidden', 'positions are shared only while checked in');
			lastAt = Date.now();
			const at = await addPosition(ctx.db, { eventId, userId: actor.user.id, lng, lat, accuracy });
			const position: SharedPosition = { eventId, userId: actor.user.id, name: actor.user.displayName, agencyCode: membership.agencyCode, lng, lat, accuracy, at: at.toISOString() };
			ctx.io.to([positionsRoom(eventId, '*'), positionsRoom(eventId, membership.agencyCode)]).emit('position:update', position);
			return { ok: true };
		})
	);

	socket.on('position:list', (eventId, ack) =>
		guarded(socket, ack, async () => {
			if (actor.kind !== 'user') return refused('forbidden', 'displays only read');
			if (!isId(eventId)) return refused('invalid', 'event id must be an id');
			const membership = await getMembership(ctx.db, eventId, actor.user.id);
			if (!membership || (membership.role !== 'commander' && !(membership.role === 'lead' && membership.agencyCode))) {
				return refused('forbidden', 'only the commander and leads see positions');
			}
			const since = new Date(Date.now() - RECENT_MS);
			return { ok: true, positions: await latestPositions(ctx.db, eventId, since, membership.role === 'commander' ? null : membership.agencyCode) };
		})
	);
}
