/**
 * The event's lifecycle and who is online: status changes pushed to every open page at once, the event's
 * meta kept in its command document, and presence per agency for the commander.
 */
import * as Y from 'yjs';
import type { Kysely } from 'kysely';
import type { DB } from '../../src/lib/server/db/schema.ts';
import { commandDocName } from '../../src/lib/domain/documents.ts';
import { mayPerform } from '../../src/lib/domain/permissions.ts';
import { isId } from '../../src/lib/domain/ids.ts';
import { SCHEMA_VERSION } from '../../src/lib/domain/doc-schema.ts';
import { PRESENCE_COMMAND, type PresenceView } from '../../src/lib/domain/wire.ts';
import { getEvent, setEventStatus } from '../../src/lib/server/repositories/event.repository.ts';
import type { SyncHub } from '../hub/hub.ts';
import { eventRoom, guarded, refused, seeAllRoom, type CommandContext, type CommandServer, type CommandSocket } from '../command-channel.ts';

/** Writes the event's row into its command document's meta (server-only), when anything differs. */
export async function syncEventMeta(db: Kysely<DB>, hub: SyncHub, eventId: string, userId: string | null): Promise<void> {
	const event = await getEvent(db, eventId);
	if (!event) return;
	const offset = (d: Date) => d.toISOString().replace('Z', '+00:00');
	const want: Record<string, unknown> = {
		schema: SCHEMA_VERSION,
		name: event.name,
		venue: event.venue,
		startsAt: offset(event.startsAt),
		endsAt: offset(event.endsAt),
		timezone: event.timezone,
		status: event.status
	};
	await hub.serverWrite(userId, [
		{
			doc: commandDocName(eventId),
			change: (doc: Y.Doc) => {
				const meta = doc.getMap('meta');
				for (const [k, v] of Object.entries(want)) if (meta.get(k) !== v) meta.set(k, v);
			}
		}
	]);
}

/** Everything that must follow a change of an event's row: meta, every open page, every live connection's rights. */
export async function announceEventChange(db: Kysely<DB>, hub: SyncHub, io: CommandServer, eventId: string, userId: string | null): Promise<void> {
	const event = await getEvent(db, eventId);
	if (!event) return;
	await syncEventMeta(db, hub, eventId, userId);
	io.to(eventRoom(eventId)).emit('event:status', { eventId, status: event.status });
	await hub.refreshAccess(eventId);
}

/**
 * Closes an event: status closed in the database, the meta follows, every document of the event gets a final
 * snapshot, and every open page and live connection switches to read only. False when already closed.
 */
export async function closeEvent(db: Kysely<DB>, hub: SyncHub, io: CommandServer, eventId: string, userId: string): Promise<boolean> {
	const r = await db
		.updateTable('events')
		.set({ status: 'closed', closed_at: new Date(), updated_at: new Date() })
		.where('id', '=', eventId)
		.where('status', '!=', 'closed')
		.executeTakeFirst();
	if (Number(r.numUpdatedRows) === 0) return false;
	await announceEventChange(db, hub, io, eventId, userId);
	const docs = await db.selectFrom('documents').select('name').where('event_id', '=', eventId).execute();
	for (const { name } of docs) {
		const doc = await hub.document(name);
		await doc.settle();
		await doc.snapshot();
	}
	return true;
}

/** Who is online in an event now, by agency, across every instance. */
export async function presenceOf(io: CommandServer, eventId: string): Promise<PresenceView> {
	const byAgency: PresenceView['byAgency'] = {};
	let displays = 0;
	const seen = new Set<string>();
	for (const s of await io.in(eventRoom(eventId)).fetchSockets()) {
		const a = s.data.actor;
		if (a?.kind === 'display') {
			displays++;
			continue;
		}
		const joined = s.data.joined;
		if (!a || !joined || joined.eventId !== eventId || seen.has(a.user.id)) continue;
		seen.add(a.user.id);
		const group = joined.role === 'commander' ? PRESENCE_COMMAND : (joined.agencyCode ?? '');
		(byAgency[group] ??= []).push({ userId: a.user.id, name: a.user.displayName, role: joined.role });
	}
	return { byAgency, displays };
}

const presenceTimers = new Map<string, NodeJS.Timeout>();

/** Tells the commanders and walls that presence changed, at most once a second per event. */
export function presenceChanged(io: CommandServer, eventId: string): void {
	if (presenceTimers.has(eventId)) return;
	presenceTimers.set(
		eventId,
		setTimeout(() => {
			presenceTimers.delete(eventId);
			io.to(seeAllRoom(eventId)).emit('presence:changed', { eventId });
		}, 1000).unref()
	);
}

export function registerLifecycleCommands(socket: CommandSocket, ctx: CommandContext): void {
	const actor = socket.data.actor;

	socket.on('presence:list', (eventId: string, ack) =>
		guarded(socket, ack, async () => {
			if (!isId(eventId)) return refused('invalid', 'event id must be an id');
			const principal = await ctx.hub.principalFor(actor, eventId);
			const allowed = principal.kind === 'display' ? principal.eventId === eventId : principal.membership?.role === 'commander';
			if (!allowed) return refused('forbidden', 'only the commander sees presence');
			return { ok: true, presence: await presenceOf(ctx.io, eventId) };
		})
	);

	socket.on('event:setStatus', (input: { eventId: string; status: 'planning' | 'active' }, ack) =>
		guarded(socket, ack, async () => {
			if (actor.kind !== 'user') return refused('forbidden', 'displays only read');
			if (!isId(input?.eventId) || (input.status !== 'planning' && input.status !== 'active')) {
				return refused('invalid', 'status must be planning or active');
			}
			const event = await getEvent(ctx.db, input.eventId);
			if (!event) return refused('notFound', 'no such event');
			const principal = await ctx.hub.principalFor(actor, input.eventId);
			if (!mayPerform(principal, 'event.setStatus', { status: event.status })) return refused('forbidden', 'only the commander changes the status');
			await setEventStatus(ctx.db, input.eventId, input.status);
			await announceEventChange(ctx.db, ctx.hub, ctx.io, input.eventId, actor.user.id);
			return { ok: true };
		})
	);
}
