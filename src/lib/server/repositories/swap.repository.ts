/**
 * Shift swap requests (table shift_swaps) and their lines in the activity log. Plain functions taking the
 * database or a transaction; rows stay here, callers get SwapView.
 */
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { SwapStatus, SwapView } from '../../domain/roster-swap.ts';
import { agencyDocName } from '../../domain/documents.ts';
import { storableText } from './doc-log.repository.ts';

export interface NewSwap {
	id: string;
	eventId: string;
	agency: string;
	fromShiftId: string;
	fromPersonId: string;
	fromUserId: string;
	toShiftId: string | null;
	toPersonId: string | null;
	toUserId: string;
	note: string;
}

export async function createSwap(db: Kysely<DB>, s: NewSwap): Promise<void> {
	await db
		.insertInto('shift_swaps')
		.values({
			id: s.id,
			event_id: s.eventId,
			agency_code: s.agency,
			from_shift_id: s.fromShiftId,
			from_person_id: s.fromPersonId,
			from_user_id: s.fromUserId,
			to_shift_id: s.toShiftId,
			to_person_id: s.toPersonId,
			to_user_id: s.toUserId,
			note: s.note,
			status: 'proposed'
		})
		.execute();
}

function baseQuery(db: Kysely<DB>) {
	return db
		.selectFrom('shift_swaps as s')
		.innerJoin('users as f', 'f.id', 's.from_user_id')
		.innerJoin('users as t', 't.id', 's.to_user_id')
		.leftJoin('users as d', 'd.id', 's.decided_by')
		.select([
			's.id',
			's.event_id',
			's.agency_code',
			's.from_shift_id',
			's.from_person_id',
			's.from_user_id',
			'f.display_name as from_name',
			's.to_shift_id',
			's.to_person_id',
			's.to_user_id',
			't.display_name as to_name',
			's.note',
			's.status',
			's.requested_at',
			's.responded_at',
			's.decided_at',
			's.decided_by',
			'd.display_name as decided_by_name'
		]);
}

type SwapRow = Awaited<ReturnType<ReturnType<typeof baseQuery>['executeTakeFirstOrThrow']>>;

const isoOrNull = (d: Date | string | null) => (d ? new Date(d).toISOString() : null);

function toView(r: SwapRow): SwapView {
	return {
		id: r.id,
		eventId: r.event_id,
		agency: r.agency_code,
		fromShiftId: r.from_shift_id,
		fromPersonId: r.from_person_id,
		fromUserId: r.from_user_id,
		fromName: r.from_name,
		toShiftId: r.to_shift_id,
		toPersonId: r.to_person_id,
		toUserId: r.to_user_id,
		toName: r.to_name,
		note: r.note,
		status: r.status,
		requestedAt: new Date(r.requested_at).toISOString(),
		respondedAt: isoOrNull(r.responded_at),
		decidedAt: isoOrNull(r.decided_at),
		decidedBy: r.decided_by,
		decidedByName: r.decided_by_name
	};
}

export async function getSwap(db: Kysely<DB>, id: string): Promise<SwapView | null> {
	const r = await baseQuery(db).where('s.id', '=', id).executeTakeFirst();
	return r ? toView(r) : null;
}

/** Swaps of an event a reader may see: all of them, an agency's, or those a user is part of. Newest first. */
export async function listSwaps(
	db: Kysely<DB>,
	eventId: string,
	scope: { all: true } | { agency: string; userId: string } | { userId: string }
): Promise<SwapView[]> {
	let q = baseQuery(db).where('s.event_id', '=', eventId);
	if ('agency' in scope) {
		q = q.where((eb) => eb.or([eb('s.agency_code', '=', scope.agency), eb('s.from_user_id', '=', scope.userId), eb('s.to_user_id', '=', scope.userId)]));
	} else if (!('all' in scope)) {
		q = q.where((eb) => eb.or([eb('s.from_user_id', '=', scope.userId), eb('s.to_user_id', '=', scope.userId)]));
	}
	const rows = await q.orderBy('s.requested_at', 'desc').orderBy('s.id', 'desc').limit(500).execute();
	return rows.map(toView);
}

/** Is there an open request for this person's place on this shift? */
export async function hasOpenSwap(db: Kysely<DB>, eventId: string, shiftId: string, personId: string): Promise<boolean> {
	const r = await db
		.selectFrom('shift_swaps')
		.select('id')
		.where('event_id', '=', eventId)
		.where((eb) =>
			eb.or([
				eb.and([eb('from_shift_id', '=', shiftId), eb('from_person_id', '=', personId)]),
				eb.and([eb('to_shift_id', '=', shiftId), eb('to_person_id', '=', personId)])
			])
		)
		.where('status', 'in', ['proposed', 'accepted'])
		.executeTakeFirst();
	return !!r;
}

/**
 * Moves a request from one of `from` to `to`, only if it is still in one of `from` (two leads deciding at once:
 * one wins, the other is told). Returns whether it moved.
 */
export async function moveSwap(
	db: Kysely<DB>,
	id: string,
	from: readonly SwapStatus[],
	to: SwapStatus,
	by: { userId: string; decision: boolean }
): Promise<boolean> {
	const now = new Date();
	const r = await db
		.updateTable('shift_swaps')
		.set(by.decision ? { status: to, decided_at: now, decided_by: by.userId } : { status: to, responded_at: now })
		.where('id', '=', id)
		.where('status', 'in', [...from])
		.executeTakeFirst();
	return Number(r.numUpdatedRows) === 1;
}

/**
 * A swap's step in the activity log of the agency's document: one line for one step, on the shift of the person
 * who asked (it names both people, and the other shift is part of the same request).
 */
export async function logSwapActivity(
	db: Kysely<DB>,
	swap: SwapView,
	action: string,
	userId: string
): Promise<void> {
	const at = new Date();
	const shifts = [swap.fromShiftId];
	await db
		.insertInto('activity')
		.values(
			shifts.map((shiftId) => ({
				event_id: swap.eventId,
				doc: agencyDocName(swap.eventId, swap.agency),
				seq: null,
				user_id: userId,
				at,
				entity_type: 'shift',
				entity_id: shiftId,
				action,
				field: 'people',
				subject: swap.id,
				from_value: storableText(swap.fromName),
				to_value: storableText(swap.toName)
			}))
		)
		.execute();
}

/** Who hears of a swap besides the two people: the agency's leads and the event's commanders. */
export async function swapDeciders(db: Kysely<DB>, eventId: string, agency: string): Promise<string[]> {
	const rows = await db
		.selectFrom('event_members')
		.select('user_id')
		.where('event_id', '=', eventId)
		.where((eb) => eb.or([eb('role', '=', 'commander'), eb.and([eb('role', '=', 'lead'), eb('agency_code', '=', agency)])]))
		.execute();
	return rows.map((r) => r.user_id);
}

/** Used by the demo: is there any swap in the event yet? */
export async function countSwaps(db: Kysely<DB>, eventId: string): Promise<number> {
	const r = await db.selectFrom('shift_swaps').select(sql<number>`count(*)`.as('n')).where('event_id', '=', eventId).executeTakeFirst();
	return Number(r?.n ?? 0);
}
