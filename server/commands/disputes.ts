/**
 * Dispute commands on the command channel: escalation, to a higher level (社区 → 街道 → 区) and/or to another
 * agency. Authorised here and written by the server on the user's behalf, in one transaction with its activity:
 * a hand-over deletes the dispute from one agency's document and creates it, with the same id, in the other's
 * (its parties stay where they are: the restricted document is keyed by dispute id). The receiving agency is told.
 */
import * as Y from 'yjs';
import { agencyDocName } from '../../src/lib/domain/documents.ts';
import { isId } from '../../src/lib/domain/ids.ts';
import { mayPerform } from '../../src/lib/domain/permissions.ts';
import { DISPUTE_LEVELS, type DisputeLevel } from '../../src/lib/domain/doc-schema.ts';
import { addDispute, addProgressNote, disputeAsNew, disputesOf, readDispute, updateDispute, type Dispute, type ProgressNote } from '../../src/lib/domain/dispute-doc.ts';
import { escalatedStatus, escalationProblem, ownerAfterEscalation } from '../../src/lib/domain/disputes.ts';
import { isoWithOffset } from '../../src/lib/domain/board.ts';
import { zoneOffsetMs } from '../../src/lib/domain/validation.ts';
import type { ActivityDraft } from '../../src/lib/domain/activity.ts';
import type { CommandResult } from '../../src/lib/domain/wire.ts';
import type { DisputeArrival, EscalateDisputeInput } from '../../src/lib/domain/dispute-wire.ts';
import { getEvent } from '../../src/lib/server/repositories/event.repository.ts';
import { agencyExists } from '../../src/lib/server/repositories/agency.repository.ts';
import { listTeams } from '../../src/lib/server/repositories/team.repository.ts';
import { recordActivity } from '../../src/lib/server/repositories/doc-log.repository.ts';
import { Refusal } from '../hub/hub-document.ts';
import { runOnce } from './queued.ts';
import { agencyRoom, guarded, refused, userRoom, type CommandContext, type CommandSocket } from '../command-channel.ts';

type Refused = Extract<CommandResult, { ok: false }>;

/** A reason long enough to mean something and short enough for a progress note. */
const REASON_MAX = 500;

const PROBLEM_MESSAGES = {
	resolved: 'a settled dispute is not escalated',
	nothing: 'choose a higher level or another agency',
	sameAgency: 'choose another agency',
	notHigher: 'the level must be higher than the current one'
} as const;

function failed(err: unknown): Refused {
	if (err instanceof Refusal) return refused('invalid', err.message);
	throw err;
}

export function registerDisputeCommands(socket: CommandSocket, ctx: CommandContext): void {
	const actor = socket.data.actor;

	socket.on('dispute:escalate', (input: EscalateDisputeInput, ack) =>
		guarded(socket, ack, async () => {
			if (actor.kind !== 'user') return refused('forbidden', 'displays only read');
			if (!isId(input?.eventId) || !isId(input.disputeId) || !isId(input.fromAgency)) {
				return refused('invalid', 'eventId, disputeId and fromAgency are required');
			}
			const reason = typeof input.reason === 'string' ? input.reason.trim() : '';
			if (!reason || [...reason].length > REASON_MAX) return refused('invalid', `a reason is required (at most ${REASON_MAX} characters)`);
			const toAgency = typeof input.toAgency === 'string' && input.toAgency ? input.toAgency : null;
			if (toAgency && !isId(toAgency)) return refused('invalid', 'unknown agency');
			const toLevel = typeof input.toLevel === 'string' && input.toLevel ? input.toLevel : null;
			if (toLevel && !(DISPUTE_LEVELS as readonly string[]).includes(toLevel)) return refused('invalid', 'unknown level');
			return runOnce(ctx.db, actor.user.id, 'dispute:escalate', input.eventId, input.queued, async () => {

				const event = await getEvent(ctx.db, input.eventId);
				if (!event) return refused('notFound', 'no such event');
				if (event.status === 'closed') return refused('eventClosed', 'the event is closed');
				if (!(await agencyExists(ctx.db, input.fromAgency)) || (toAgency && !(await agencyExists(ctx.db, toAgency)))) {
					return refused('notFound', 'no such agency');
				}
				const principal = await ctx.hub.principalFor(actor, input.eventId);
				if (!mayPerform(principal, 'dispute.escalate', { status: event.status, fromAgency: input.fromAgency })) {
					return refused('forbidden', 'your role may not escalate this agency’s disputes');
				}

				const fromDoc = agencyDocName(input.eventId, input.fromAgency);
				const found = disputesOf((await ctx.hub.document(fromDoc)).staging).get(input.disputeId);
				if (!(found instanceof Y.Map)) return refused('notFound', 'no such dispute in that agency');
				const request = { fromAgency: input.fromAgency, toAgency, toLevel: toLevel as DisputeLevel | null };
				const problem = escalationProblem(readDispute(input.disputeId, found), request);
				if (problem) return refused('invalid', PROBLEM_MESSAGES[problem]);

				const now = new Date();
				const at = isoWithOffset(now, Math.round(zoneOffsetMs(now, event.timezone) / 60_000));
				const status = escalatedStatus(request);
				const teams = toAgency ? [] : await listTeams(ctx.db, input.fromAgency);
				const destination = toAgency ?? input.fromAgency;
				const destDoc = agencyDocName(input.eventId, destination);
				// Read again under the documents' locks: the dispute as it is when it moves, not as it was a moment ago.
				// A holder, not a `let`: TypeScript does not follow assignments made inside the callbacks below.
				const moved: { before: Dispute | null } = { before: null };
				const take = (doc: Y.Doc): Dispute => {
					const map = disputesOf(doc).get(input.disputeId);
					if (!(map instanceof Y.Map)) throw new Error('the dispute is gone');
					return readDispute(input.disputeId, map);
				};
				const noteFor = (d: Dispute): Partial<ProgressNote> & { at: string; text: string } => ({
					at,
					by: actor.user.id,
					text: reason,
					kind: 'escalation',
					status,
					fromLevel: d.level,
					toLevel: toLevel ?? d.level,
					fromAgency: input.fromAgency,
					toAgency: destination
				});
				const activity = (d: Dispute): ActivityDraft[] => {
					const rows: ActivityDraft[] = [];
					const base = { entityType: 'dispute' as const, entityId: input.disputeId, action: 'escalated' as const, subject: reason.slice(0, 300) };
					if (toAgency) rows.push({ ...base, field: 'agency', from: input.fromAgency, to: toAgency });
					if (toLevel) rows.push({ ...base, field: 'level', from: d.level, to: toLevel });
					return rows;
				};
				const record = (tx: Parameters<typeof recordActivity>[0]) =>
					recordActivity(tx, activity(moved.before!).map((a) => ({ ...a, eventId: input.eventId, doc: destDoc, userId: actor.user.id, at: now })));
				try {
					if (toAgency) {
						await ctx.hub.serverWrite(
							actor.user.id,
							[
								{
									doc: fromDoc,
									change: (doc) => {
										moved.before = take(doc);
										disputesOf(doc).delete(input.disputeId);
									}
								},
								{
									doc: destDoc,
									change: (doc) => {
										const before = moved.before!;
										addDispute(doc, input.disputeId, {
											...disputeAsNew(before),
											status,
											level: toLevel ?? before.level,
											// The receiving agency assigns its own team.
											ownerTeamId: null,
											progress: [...before.progress, noteFor(before)]
										});
									}
								}
							],
							record
						);
					} else {
						await ctx.hub.serverWrite(
							actor.user.id,
							[
								{
									doc: fromDoc,
									change: (doc) => {
										const before = take(doc);
										moved.before = before;
										const level = toLevel!;
										disputesOf(doc).get(input.disputeId)!.set('level', level);
										updateDispute(doc, input.disputeId, {
											status,
											ownerTeamId: ownerAfterEscalation(teams, before.ownerTeamId, level) ?? before.ownerTeamId
										});
										addProgressNote(doc, input.disputeId, noteFor(before));
									}
								}
							],
							record
						);
					}
				} catch (err) {
					return failed(err);
				}

				const d = moved.before!;
				const arrival: DisputeArrival = {
					eventId: input.eventId,
					disputeId: input.disputeId,
					agency: destination,
					fromAgency: input.fromAgency,
					fromLevel: d.level,
					level: toLevel ?? d.level,
					status,
					risk: d.risk,
					summary: d.summary,
					partiesMasked: d.partiesMasked,
					reason,
					byName: actor.user.displayName,
					at
				};
				ctx.io.to(agencyRoom(input.eventId, destination)).except(userRoom(actor.user.id)).emit('dispute:escalated', arrival);
				return { ok: true, agency: destination, status, level: arrival.level };
			});
		})
	);
}
