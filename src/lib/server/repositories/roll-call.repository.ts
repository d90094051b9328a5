/**
 * Roll calls as stored: the call, and one row per person asked (per post) with their answer. Rows stay here;
 * callers get `RollCallView`s with names.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { RollCallTarget, RollCallView } from '../../domain/roll-calls.ts';

export async function insertRollCall(
	db: Kysely<DB>,
	call: { id: string; eventId: string; scope: string; startedBy: string; startedAt: Date; closesAt: Date },
	targets: Array<Omit<RollCallTarget, 'answeredAt' | 'receivedAt'>>
): Promise<void> {
	await db.transaction().execute(async (tx) => {
		await tx
			.insertInto('roll_calls')
			.values({ id: call.id, event_id: call.eventId, scope: call.scope, started_by: call.startedBy, started_at: call.startedAt, closes_at: call.closesAt })
			.execute();
		if (targets.length) {
			await tx
				.insertInto('roll_call_targets')
				.values(targets.map((t) => ({ roll_call_id: call.id, user_id: t.userId, name: t.name, post_id: t.postId, post_name: t.postName, post_agency: t.postAgency })))
				.execute();
		}
	});
}

/** The event's roll calls, newest first, with every target (callers narrow what each reader sees). */
export async function listRollCalls(db: Kysely<DB>, eventId: string, only?: string): Promise<RollCallView[]> {
	let q = db
		.selectFrom('roll_calls as c')
		.leftJoin('users as u', 'u.id', 'c.started_by')
		.select(['c.id', 'c.event_id', 'c.scope', 'c.started_at', 'c.closes_at', 'u.display_name'])
		.where('c.event_id', '=', eventId);
	if (only) q = q.where('c.id', '=', only);
	const calls = await q.orderBy('c.started_at', 'desc').limit(200).execute();
	if (!calls.length) return [];
	const targets = await db
		.selectFrom('roll_call_targets')
		.select(['roll_call_id', 'user_id', 'name', 'post_id', 'post_name', 'post_agency', 'answered_at', 'received_at'])
		.where('roll_call_id', 'in', calls.map((c) => c.id))
		.orderBy('post_name')
		.orderBy('name')
		.execute();
	return calls.map((c) => ({
		id: c.id,
		eventId: c.event_id,
		scope: c.scope,
		startedByName: c.display_name,
		startedAt: c.started_at.toISOString(),
		closesAt: c.closes_at.toISOString(),
		targets: targets
			.filter((t) => t.roll_call_id === c.id)
			.map((t) => ({
				userId: t.user_id,
				name: t.name,
				postId: t.post_id,
				postName: t.post_name,
				postAgency: t.post_agency,
				answeredAt: t.answered_at?.toISOString() ?? null,
				receivedAt: t.received_at?.toISOString() ?? null
			}))
	}));
}

/** Records a person's 在岗 on every post they were asked for; the first answer stands. Returns the rows answered. */
export async function answerRollCall(db: Kysely<DB>, rollCallId: string, userId: string, tappedAt: Date, receivedAt: Date): Promise<number> {
	const res = await db
		.updateTable('roll_call_targets')
		.set({ answered_at: tappedAt, received_at: receivedAt })
		.where('roll_call_id', '=', rollCallId)
		.where('user_id', '=', userId)
		.where('answered_at', 'is', null)
		.executeTakeFirst();
	return Number(res.numUpdatedRows);
}

/** Open roll calls past half their time that have not reminded yet; marks them reminded (one instance wins). */
export async function claimDueRollCallReminders(db: Kysely<DB>, now = new Date()): Promise<Array<{ id: string; eventId: string }>> {
	const due = await db
		.selectFrom('roll_calls')
		.select(['id', 'event_id', 'started_at', 'closes_at'])
		.where('reminded_at', 'is', null)
		.where('closes_at', '>', now)
		.execute();
	const out: Array<{ id: string; eventId: string }> = [];
	for (const c of due) {
		const half = c.started_at.getTime() + (c.closes_at.getTime() - c.started_at.getTime()) / 2;
		if (now.getTime() < half) continue;
		const res = await db.updateTable('roll_calls').set({ reminded_at: now }).where('id', '=', c.id).where('reminded_at', 'is', null).executeTakeFirst();
		if (Number(res.numUpdatedRows)) out.push({ id: c.id, eventId: c.event_id });
	}
	return out;
}
