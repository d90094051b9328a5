/**
 * Commands sent from a phone's offline queue: done once per user and action id. The first sending claims the id
 * in `client_actions`, does the command and stores its answer; any later sending of the same id (the queue
 * replayed after a lost answer, a second tab, a retry) gets that answer back and changes nothing.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../../src/lib/server/db/schema.ts';
import type { CommandResult } from '../../src/lib/domain/wire.ts';
import { queuedEnvelopeProblem, recordedTapTime, RETRYABLE_ERRORS, type QueuedEnvelope } from '../../src/lib/domain/queued-actions.ts';
import { refused } from '../command-channel.ts';

type Refused = Extract<CommandResult, { ok: false }>;

/** When the action happened for the record: the tap (queued) or now (sent at once). */
export interface ActionTime {
	tappedAt: Date;
	receivedAt: Date;
	queued: boolean;
}

/**
 * A claim without an answer this old belongs to an instance that stopped while doing it; the next sending may
 * do it again. Each command's own write is idempotent or checked (a check-in sets the same fields, a swap moves
 * only from its status), so doing it again after a crash does not double it.
 */
const STALE_CLAIM_MS = 2 * 60_000;

/**
 * Runs `run` once for this user's queued action, or at once when the input carries no `queued` envelope (a
 * page online, another client). The answer of a refused action is kept too, unless it says to try again later.
 */
export async function runOnce<R extends CommandResult<any>>(
	db: Kysely<DB>,
	userId: string,
	command: string,
	eventId: string | null,
	envelope: QueuedEnvelope | undefined,
	run: (time: ActionTime) => Promise<R | Refused>
): Promise<R | Refused> {
	const receivedAt = new Date();
	if (envelope === undefined || envelope === null) return run({ tappedAt: receivedAt, receivedAt, queued: false });
	const problem = queuedEnvelopeProblem(envelope, receivedAt.getTime());
	if (problem) return { ...refused('invalid', problem.message), problem: problem.problem };
	const tappedAt = new Date(recordedTapTime(envelope.tappedAt, receivedAt.getTime()));

	const claimed = await db
		.insertInto('client_actions')
		.values({ user_id: userId, action_id: envelope.actionId, command, event_id: eventId, tapped_at: tappedAt, received_at: receivedAt, result: null })
		.onConflict((oc) => oc.columns(['user_id', 'action_id']).doNothing())
		.returning('action_id')
		.executeTakeFirst();
	if (!claimed) {
		const earlier = await db
			.selectFrom('client_actions')
			.select(['command', 'result', 'received_at'])
			.where('user_id', '=', userId)
			.where('action_id', '=', envelope.actionId)
			.executeTakeFirst();
		if (!earlier) return refused('unavailable', 'the action is being done; try again shortly');
		if (earlier.command !== command) return refused('invalid', 'queued.actionId was already used for another action');
		if (earlier.result !== null) return (typeof earlier.result === 'string' ? JSON.parse(earlier.result) : earlier.result) as R | Refused;
		const stale = await db
			.updateTable('client_actions')
			.set({ received_at: receivedAt })
			.where('user_id', '=', userId)
			.where('action_id', '=', envelope.actionId)
			.where('result', 'is', null)
			.where('received_at', '<', new Date(receivedAt.getTime() - STALE_CLAIM_MS))
			.returning('action_id')
			.executeTakeFirst();
		if (!stale) return refused('unavailable', 'the action is being done; try again shortly');
	}

	const forget = () => db.deleteFrom('client_actions').where('user_id', '=', userId).where('action_id', '=', envelope.actionId).where('result', 'is', null).execute();
	let result: R | Refused;
	try {
		result = await run({ tappedAt, receivedAt, queued: true });
	} catch (err) {
		await forget().catch(() => {});
		throw err;
	}
	const answer = result as CommandResult<Record<string, unknown>>;
	if (!answer.ok && RETRYABLE_ERRORS.has(answer.error)) await forget();
	else {
		await db
			.updateTable('client_actions')
			.set({ result: JSON.stringify(result) })
			.where('user_id', '=', userId)
			.where('action_id', '=', envelope.actionId)
			.execute();
	}
	return result;
}

/** Forgets answers of queued actions older than the oldest tap the server still takes (called by the sweep). */
export async function pruneClientActions(db: Kysely<DB>, olderThanMs = 2 * 24 * 60 * 60_000): Promise<void> {
	await db.deleteFrom('client_actions').where('received_at', '<', new Date(Date.now() - olderThanMs)).execute();
}
