import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { InstructionView } from '../../domain/wire.ts';
import type { InstructionInput, MemberForTargeting } from '../../domain/instructions.ts';
import { newId } from '../../domain/ids.ts';

/** Stores an instruction with its recipients, in the caller's transaction. */
export async function createInstruction(
	tx: Kysely<DB>,
	input: InstructionInput,
	sender: { userId: string; agencyCode: string | null },
	recipients: MemberForTargeting[]
): Promise<string> {
	const id = newId();
	await tx
		.insertInto('instructions')
		.values({
			id,
			event_id: input.eventId,
			sender_id: sender.userId,
			sender_agency: sender.agencyCode,
			scope: input.scope,
			targets: JSON.stringify(input.scope === 'everyone' ? [] : input.targets),
			priority: input.priority,
			body: input.body.trim(),
			ack_by: input.ackBy ? new Date(input.ackBy) : null
		})
		.execute();
	if (recipients.length) {
		await tx
			.insertInto('instruction_recipients')
			.values(recipients.map((r) => ({ instruction_id: id, user_id: r.userId, agency_code: r.agencyCode })))
			.execute();
	}
	return id;
}

/**
 * Instructions of an event. `seeAll` (commander, wall) gets every instruction with every recipient; anyone
 * else gets what they sent (with its recipients) and what they received (with their own line only).
 */
export async function listInstructions(
	db: Kysely<DB>,
	eventId: string,
	viewer: { seeAll: true } | { seeAll: false; userId: string },
	opts: { id?: string; limit?: number } = {}
): Promise<InstructionView[]> {
	let q = db
		.selectFrom('instructions as i')
		.leftJoin('users as s', 's.id', 'i.sender_id')
		.select(['i.id', 'i.event_id', 'i.sender_id', 's.display_name as sender_name', 'i.sender_agency', 'i.scope', 'i.targets', 'i.priority', 'i.body', 'i.ack_by', 'i.created_at', 'i.reminded_at'])
		.where('i.event_id', '=', eventId);
	if (opts.id) q = q.where('i.id', '=', opts.id);
	if (!viewer.seeAll) {
		const userId = viewer.userId;
		q = q.where((eb) =>
			eb.or([
				eb('i.sender_id', '=', userId),
				eb.exists(
					eb.selectFrom('instruction_recipients as r').select('r.user_id').whereRef('r.instruction_id', '=', 'i.id').where('r.user_id', '=', userId)
				)
			])
		);
	}
	const rows = await q.orderBy('i.created_at', 'desc').limit(opts.limit ?? 200).execute();
	if (!rows.length) return [];
	const recipients = await db
		.selectFrom('instruction_recipients as r')
		.innerJoin('users as u', 'u.id', 'r.user_id')
		.leftJoin('teams as t', 't.id', 'u.team_id')
		.select(['r.instruction_id', 'r.user_id', 'u.display_name', 'r.agency_code', 'r.acked_at', 'r.ack_received_at', 't.name as team_name'])
		.where(
			'r.instruction_id',
			'in',
			rows.map((r) => r.id)
		)
		.orderBy('r.agency_code')
		.orderBy('u.display_name')
		.execute();
	return rows.map((r) => {
		const seesEveryone = viewer.seeAll || r.sender_id === viewer.userId;
		return {
			id: r.id,
			eventId: r.event_id,
			senderId: r.sender_id,
			senderName: r.sender_name,
			senderAgency: r.sender_agency,
			scope: r.scope,
			targets: JSON.parse(r.targets) as string[],
			priority: r.priority,
			body: r.body,
			ackBy: r.ack_by ? new Date(r.ack_by).toISOString() : null,
			createdAt: new Date(r.created_at).toISOString(),
			remindedAt: r.reminded_at ? new Date(r.reminded_at).toISOString() : null,
			recipients: recipients
				.filter((x) => x.instruction_id === r.id && (seesEveryone || x.user_id === (viewer as { userId: string }).userId))
				.map((x) => ({
					userId: x.user_id,
					name: x.display_name,
					agencyCode: x.agency_code,
					teamName: x.team_name,
					ackedAt: x.acked_at ? new Date(x.acked_at).toISOString() : null,
					ackReceivedAt: x.ack_received_at ? new Date(x.ack_received_at).toISOString() : null
				}))
		};
	});
}

/**
 * Records a recipient's acknowledgement once, at its tap time and with the time it arrived: a second
 * acknowledgement keeps the first.
 * Returns the time of the acknowledgement, or null when the user is not a recipient.
 */
export async function acknowledgeInstruction(
	db: Kysely<DB>,
	instructionId: string,
	userId: string,
	time: { tappedAt: Date; receivedAt: Date } = { tappedAt: new Date(), receivedAt: new Date() }
): Promise<{ ackedAt: Date; first: boolean } | null> {
	const head = await db.selectFrom('instructions').select('created_at').where('id', '=', instructionId).executeTakeFirst();
	if (!head) return null;
	// A tap cannot come before the instruction did (a phone's clock behind the server's).
	const ackedAt = new Date(Math.max(time.tappedAt.getTime(), new Date(head.created_at).getTime()));
	const updated = await db
		.updateTable('instruction_recipients')
		.set({ acked_at: ackedAt, ack_received_at: time.receivedAt })
		.where('instruction_id', '=', instructionId)
		.where('user_id', '=', userId)
		.where('acked_at', 'is', null)
		.returning('acked_at')
		.executeTakeFirst();
	if (updated?.acked_at) return { ackedAt: new Date(updated.acked_at), first: true };
	const existing = await db
		.selectFrom('instruction_recipients')
		.select('acked_at')
		.where('instruction_id', '=', instructionId)
		.where('user_id', '=', userId)
		.executeTakeFirst();
	return existing?.acked_at ? { ackedAt: new Date(existing.acked_at), first: false } : null;
}

/** The event of an instruction, and who sent it. */
export async function instructionHead(db: Kysely<DB>, id: string): Promise<{ eventId: string; senderId: string | null } | null> {
	const r = await db.selectFrom('instructions').select(['event_id', 'sender_id']).where('id', '=', id).executeTakeFirst();
	return r ? { eventId: r.event_id, senderId: r.sender_id } : null;
}

/** Members of an event with what targeting needs. */
export async function membersForTargeting(db: Kysely<DB>, eventId: string): Promise<MemberForTargeting[]> {
	const rows = await db
		.selectFrom('event_members as m')
		.innerJoin('users as u', 'u.id', 'm.user_id')
		.select(['m.user_id', 'm.role', 'm.agency_code', 'u.team_id'])
		.where('m.event_id', '=', eventId)
		.where('u.disabled_at', 'is', null)
		.execute();
	return rows.map((r) => ({ userId: r.user_id, role: r.role, agencyCode: r.agency_code, teamId: r.team_id }));
}

/** Whoever has not acknowledged an instruction yet. */
export async function unacknowledged(db: Kysely<DB>, instructionId: string): Promise<string[]> {
	const rows = await db.selectFrom('instruction_recipients').select('user_id').where('instruction_id', '=', instructionId).where('acked_at', 'is', null).execute();
	return rows.map((r) => r.user_id);
}

/** Takes the sender's reminder slot (once a minute per instruction); false when one went out within the minute. */
export async function claimReminder(db: Kysely<DB>, instructionId: string, now = new Date()): Promise<boolean> {
	const r = await db
		.updateTable('instructions')
		.set({ reminded_at: now })
		.where('id', '=', instructionId)
		.where((eb) => eb.or([eb('reminded_at', 'is', null), eb('reminded_at', '<', new Date(now.getTime() - REMIND_EVERY_MS))]))
		.executeTakeFirst();
	return Number(r.numUpdatedRows) === 1;
}

/** A sender may remind at most once in this many milliseconds per instruction. */
export const REMIND_EVERY_MS = 60_000;

/**
 * The instructions whose acknowledge-by time has passed and whose automatic reminder no instance has sent yet;
 * each is claimed by a conditional update, so with several instances exactly one sends it.
 */
export async function claimDueReminders(db: Kysely<DB>, now = new Date()): Promise<Array<{ id: string; eventId: string; body: string; priority: 'routine' | 'urgent' | 'alarm' }>> {
	const due = await db
		.selectFrom('instructions as i')
		.innerJoin('events as e', 'e.id', 'i.event_id')
		.select(['i.id', 'i.event_id', 'i.body', 'i.priority'])
		.where('i.auto_reminded', '=', false)
		.where('i.ack_by', '<=', now)
		.where('e.status', '=', 'active')
		.execute();
	const claimed: Array<{ id: string; eventId: string; body: string; priority: 'routine' | 'urgent' | 'alarm' }> = [];
	for (const d of due) {
		const r = await db.updateTable('instructions').set({ auto_reminded: true, reminded_at: now }).where('id', '=', d.id).where('auto_reminded', '=', false).executeTakeFirst();
		if (Number(r.numUpdatedRows) === 1) claimed.push({ id: d.id, eventId: d.event_id, body: d.body, priority: d.priority });
	}
	return claimed;
}
