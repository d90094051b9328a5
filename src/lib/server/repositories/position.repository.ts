/**
 * Shared positions of people on duty: personal data, kept for the event's life. Rows stay here; callers decide
 * who may see them (command, the person's own agency's lead, cleared readers of the record).
 */
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { SharedPosition } from '../../domain/wire.ts';

export async function addPosition(db: Kysely<DB>, p: { eventId: string; userId: string; lng: number; lat: number; accuracy: number | null }): Promise<Date> {
	const row = await db
		.insertInto('positions')
		.values({ event_id: p.eventId, user_id: p.userId, lng: p.lng, lat: p.lat, accuracy: p.accuracy })
		.returning('at')
		.executeTakeFirstOrThrow();
	return new Date(row.at);
}

/** The latest position of each person since `since`, of one agency or of all. */
export async function latestPositions(db: Kysely<DB>, eventId: string, since: Date, agencyCode: string | null): Promise<SharedPosition[]> {
	let q = db
		.selectFrom('positions as p')
		.innerJoin('users as u', 'u.id', 'p.user_id')
		.leftJoin('event_members as m', (j) => j.onRef('m.user_id', '=', 'p.user_id').on('m.event_id', '=', eventId))
		.select(['p.user_id', 'u.display_name', 'm.agency_code', 'p.lng', 'p.lat', 'p.accuracy', 'p.at'])
		.where('p.event_id', '=', eventId)
		.where('p.at', '>=', since)
		.where(
			'p.id',
			'in',
			db
				.selectFrom('positions')
				.select(sql<string>`max(id)`.as('id'))
				.where('event_id', '=', eventId)
				.where('at', '>=', since)
				.groupBy('user_id')
		);
	if (agencyCode) q = q.where('m.agency_code', '=', agencyCode);
	const rows = await q.execute();
	return rows.map((r) => ({
		eventId,
		userId: r.user_id,
		name: r.display_name,
		agencyCode: r.agency_code,
		lng: r.lng,
		lat: r.lat,
		accuracy: r.accuracy,
		at: new Date(r.at).toISOString()
	}));
}

/** Everyone's track over the event, oldest first (for the record, read by cleared people only). */
export async function tracksOf(db: Kysely<DB>, eventId: string): Promise<Array<{ userId: string; points: Array<[number, number]> }>> {
	const rows = await db.selectFrom('positions').select(['user_id', 'lng', 'lat']).where('event_id', '=', eventId).orderBy('user_id').orderBy('at').execute();
	const out = new Map<string, Array<[number, number]>>();
	for (const r of rows) {
		const list = out.get(r.user_id) ?? [];
		list.push([r.lng, r.lat]);
		out.set(r.user_id, list);
	}
	return [...out].map(([userId, points]) => ({ userId, points }));
}
