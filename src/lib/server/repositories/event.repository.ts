import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { EventInput, MemberInput } from '../../domain/validation.ts';
import type { EventRole, EventStatus } from '../../domain/roles.ts';
import { newId } from '../../domain/ids.ts';

export interface EventSummary {
	id: string;
	name: string;
	venue: string;
	startsAt: Date;
	endsAt: Date;
	timezone: string;
	status: EventStatus;
	checkinGraceMinutes: number;
	/** The language of its shared screens (walls): zh-CN or en. */
	locale: string;
	/** When it was closed; null while it is not. The figures of a closed event are taken as of this moment. */
	closedAt: Date | null;
	/** An exercise (演练): marked on every page, wall and export, and kept out of comparisons with real events. */
	drill: boolean;
	/** The event this one was made from (its record is compared with that event's), or null. */
	basedOn: string | null;
}

/** An event as a user sees it in a list: with that user's role (`admin` when an administrator is no member). */
export interface EventForUser extends EventSummary {
	role: EventRole | 'admin';
	agencyCode: string | null;
}

export interface EventMember {
	userId: string;
	username: string;
	displayName: string;
	role: EventRole;
	agencyCode: string | null;
}

const EVENT_COLUMNS = [
	'events.id',
	'events.name',
	'events.venue',
	'events.starts_at',
	'events.ends_at',
	'events.timezone',
	'events.status',
	'events.checkin_grace_minutes',
	'events.closed_at',
	'events.locale',
	'events.drill',
	'events.based_on'
] as const;

function toEvent(r: {
	id: string;
	name: string;
	venue: string;
	starts_at: Date;
	ends_at: Date;
	timezone: string;
	status: EventStatus;
	checkin_grace_minutes: number;
	closed_at: Date | null;
	locale: string;
	drill: boolean;
	based_on: string | null;
}): EventSummary {
	return {
		id: r.id,
		name: r.name,
		venue: r.venue,
		startsAt: new Date(r.starts_at),
		endsAt: new Date(r.ends_at),
		timezone: r.timezone,
		status: r.status,
		checkinGraceMinutes: r.checkin_grace_minutes,
		closedAt: r.closed_at ? new Date(r.closed_at) : null,
		locale: r.locale,
		drill: Boolean(r.drill),
		basedOn: r.based_on
	};
}

export async function getEvent(db: Kysely<DB>, id: string): Promise<EventSummary | null> {
	const r = await db.selectFrom('events').select(EVENT_COLUMNS).where('events.id', '=', id).executeTakeFirst();
	return r ? toEvent(r) : null;
}

export async function listEvents(db: Kysely<DB>): Promise<EventSummary[]> {
	const rows = await db.selectFrom('events').select(EVENT_COLUMNS).orderBy('starts_at', 'desc').execute();
	return rows.map(toEvent);
}

/** The events a user may see: those they are a member of; for an administrator, every event. */
export async function listEventsForUser(db: Kysely<DB>, userId: string, isAdmin: boolean): Promise<EventForUser[]> {
	let q = db
		.selectFrom('events')
		.leftJoin('event_members as m', (j) => j.onRef('m.event_id', '=', 'events.id').on('m.user_id', '=', userId))
		.select([...EVENT_COLUMNS, 'm.role', 'm.agency_code']);
	if (!isAdmin) q = q.where('m.user_id', '=', userId);
	const rows = await q.orderBy('events.starts_at', 'desc').execute();
	return rows.map((r) => ({ ...toEvent(r), role: r.role ?? 'admin', agencyCode: r.agency_code ?? null }));
}

export async function createEvent(db: Kysely<DB>, input: EventInput, createdBy: string | null, id = newId()): Promise<string> {
	await db
		.insertInto('events')
		.values({
			id,
			name: input.name,
			venue: input.venue,
			starts_at: input.startsAt,
			ends_at: input.endsAt,
			timezone: input.timezone,
			checkin_grace_minutes: input.checkinGraceMinutes,
			locale: input.locale,
			drill: input.drill ?? false,
			based_on: input.basedOn ?? null,
			created_by: createdBy
		})
		.execute();
	return id;
}

export async function updateEvent(db: Kysely<DB>, id: string, input: EventInput): Promise<boolean> {
	const r = await db
		.updateTable('events')
		.set({
			name: input.name,
			venue: input.venue,
			starts_at: input.startsAt,
			ends_at: input.endsAt,
			timezone: input.timezone,
			checkin_grace_minutes: input.checkinGraceMinutes,
			locale: input.locale,
			...(input.drill === undefined ? {} : { drill: input.drill }),
			...(input.basedOn === undefined ? {} : { based_on: input.basedOn }),
			updated_at: new Date()
		})
		.where('id', '=', id)
		.executeTakeFirst();
	return Number(r.numUpdatedRows) > 0;
}

export async function setEventStatus(db: Kysely<DB>, id: string, status: EventStatus): Promise<boolean> {
	const r = await db
		.updateTable('events')
		.set({ status, updated_at: new Date(), closed_at: status === 'closed' ? new Date() : null })
		.where('id', '=', id)
		.executeTakeFirst();
	return Number(r.numUpdatedRows) > 0;
}

export async function listMembers(db: Kysely<DB>, eventId: string): Promise<EventMember[]> {
	const rows = await db
		.selectFrom('event_members as m')
		.innerJoin('users as u', 'u.id', 'm.user_id')
		.select(['m.user_id', 'u.username', 'u.display_name', 'm.role', 'm.agency_code'])
		.where('m.event_id', '=', eventId)
		.orderBy(sql`case m.role when 'commander' then 0 when 'lead' then 1 when 'member' then 2 when 'reviewer' then 3 else 4 end`)
		.orderBy('u.username')
		.execute();
	return rows.map((r) => ({
		userId: r.user_id,
		username: r.username,
		displayName: r.display_name,
		role: r.role,
		agencyCode: r.agency_code
	}));
}

export async function getMembership(
	db: Kysely<DB>,
	eventId: string,
	userId: string
): Promise<{ role: EventRole; agencyCode: string | null } | null> {
	const r = await db
		.selectFrom('event_members')
		.select(['role', 'agency_code'])
		.where('event_id', '=', eventId)
		.where('user_id', '=', userId)
		.executeTakeFirst();
	return r ? { role: r.role, agencyCode: r.agency_code } : null;
}

/** Adds a member or changes their role; an observer or reviewer keeps no agency. */
export async function setMember(db: Kysely<DB>, eventId: string, input: MemberInput): Promise<void> {
	const agencyCode = input.role === 'lead' || input.role === 'member' || input.role === 'commander' ? input.agencyCode : null;
	await db
		.insertInto('event_members')
		.values({ event_id: eventId, user_id: input.userId, role: input.role, agency_code: agencyCode })
		.onConflict((oc) => oc.columns(['event_id', 'user_id']).doUpdateSet({ role: input.role, agency_code: agencyCode }))
		.execute();
}

export async function removeMember(db: Kysely<DB>, eventId: string, userId: string): Promise<void> {
	await db.deleteFrom('event_members').where('event_id', '=', eventId).where('user_id', '=', userId).execute();
}

/** Members per event, for lists; events without members are absent from the map. */
export async function countMembersByEvent(db: Kysely<DB>): Promise<Map<string, number>> {
	const rows = await db
		.selectFrom('event_members')
		.select(['event_id', sql<string>`count(*)`.as('n')])
		.groupBy('event_id')
		.execute();
	return new Map(rows.map((r) => [r.event_id, Number(r.n)]));
}

/**
 * Moves an event from planning to active. Returns false when it was not in planning (already active, closed, or
 * gone), so two administrators pressing at once change it once.
 */
export async function activateEvent(db: Kysely<DB>, id: string): Promise<boolean> {
	const r = await db
		.updateTable('events')
		.set({ status: 'active', updated_at: new Date() })
		.where('id', '=', id)
		.where('status', '=', 'planning')
		.executeTakeFirst();
	return Number(r.numUpdatedRows) > 0;
}

/** When the event's personal data was purged after its close (PERSONAL_DATA_DAYS), or null. */
export async function personalDataPurgedAt(db: Kysely<DB>, eventId: string): Promise<Date | null> {
	const row = await db.selectFrom('events').select('personal_data_purged_at').where('id', '=', eventId).executeTakeFirst();
	return row?.personal_data_purged_at ? new Date(row.personal_data_purged_at) : null;
}
