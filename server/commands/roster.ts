/**
 * Roster commands on the command channel: shift swaps (换班). A person on a shift asks a colleague of the same
 * agency; the colleague answers; the agency's lead or the commander approves, and the server writes the swap into
 * the agency's document in the same database transaction that records the decision. Every step is in the
 * activity log, and both people and the deciders hear of it at once.
 */
import { agencyDocName } from '../../src/lib/domain/documents.ts';
import { mayPerform } from '../../src/lib/domain/permissions.ts';
import { canCheckIn, readShifts } from '../../src/lib/domain/roster.ts';
import { mayEditShifts } from '../../src/lib/domain/permissions.ts';
import { recordCheck } from '../../src/lib/domain/roster-write.ts';
import { isoWithOffset } from '../../src/lib/domain/board.ts';
import { zoneOffsetMs } from '../../src/lib/domain/validation.ts';
import {
	applySwapPlan,
	nextSwapStatus,
	planSwap,
	swapActor,
	SWAP_TRANSITIONS,
	type SwapAction,
	type SwapProblem,
	type SwapRequestInput,
	type SwapView
} from '../../src/lib/domain/roster-swap.ts';
import type { CheckInput, SwapRefusal, SwapResult } from '../../src/lib/domain/roster-wire.ts';
import { runOnce } from './queued.ts';
import type { QueuedEnvelope, QueuedProblem } from '../../src/lib/domain/queued-actions.ts';
import { isId, newId } from '../../src/lib/domain/ids.ts';
import { getEvent, getMembership } from '../../src/lib/server/repositories/event.repository.ts';
import { createSwap, getSwap, hasOpenSwap, listSwaps, logSwapActivity, moveSwap, swapDeciders } from '../../src/lib/server/repositories/swap.repository.ts';
import { guarded, refused, userRoom, type CommandContext, type CommandSocket } from '../command-channel.ts';

const ACTIVITY: Record<SwapAction | 'request', string> = {
	request: 'swapRequested',
	accept: 'swapAccepted',
	decline: 'swapDeclined',
	approve: 'swapApproved',
	reject: 'swapRejected',
	cancel: 'swapCancelled'
};

function blocked(problem: SwapRefusal, message: string): SwapResult {
	return { ok: false, error: 'invalid', message, problem };
}

/** A one-tap check-in's refusals in plain words for logs (the page shows its own words for the problem). */
const CHECK_PROBLEMS: Partial<Record<QueuedProblem, string>> = {
	notOnShift: 'this person is no longer on that shift',
	notSelf: 'members check only themselves in and out',
	noCheckIn: 'check-out without a check-in',
	notOpen: 'the shift was not open for check-in at the time of the tap'
};

/** Thrown inside a check-in's server write to leave the document as it was; carries the reason out. */
class CheckRefused extends Error {}

/** Thrown inside a server write when the roster changed under a swap; carries the reason out of the hub. */
class SwapBlocked extends Error {
	readonly problem: SwapProblem | 'wrongStatus';
	constructor(problem: SwapProblem | 'wrongStatus') {
		super(problem);
		this.problem = problem;
	}
}

async function announce(ctx: CommandContext, swap: SwapView): Promise<void> {
	const rooms = new Set([userRoom(swap.fromUserId), userRoom(swap.toUserId)]);
	for (const id of await swapDeciders(ctx.db, swap.eventId, swap.agency)) rooms.add(userRoom(id));
	ctx.io.to([...rooms]).emit('roster:swap', swap);
}

export function registerRosterCommands(socket: CommandSocket, ctx: CommandContext): void {
	const actor = socket.data.actor;

	socket.on('roster:swapRequest', (input: SwapRequestInput, ack) =>
		guarded<SwapResult>(socket, ack, async () => {
			if (actor.kind !== 'user') return refused('forbidden', 'displays only read');
			const i = input ?? ({} as SwapRequestInput);
			if (![i.eventId, i.agency, i.fromShiftId, i.fromPersonId, i.toUserId].every(isId)) {
				return refused('invalid', 'eventId, agency, fromShiftId, fromPersonId and toUserId are required');
			}
			if ((i.toShiftId === null) !== (i.toPersonId === null) || (i.toShiftId !== null && !(isId(i.toShiftId) && isId(i.toPersonId)))) {
				return refused('invalid', 'toShiftId and toPersonId go together');
			}
			const note = typeof i.note === 'string' ? i.note.trim().slice(0, 500) : '';
			// The database's text type refuses NUL; it is never part of a real note.
			if (note.includes('\u0000')) return refused('invalid', 'the note holds a NUL character');
			const event = await getEvent(ctx.db, i.eventId);
			if (!event) return refused('notFound', 'no such event');
			if (event.status === 'closed') return refused('eventClosed', 'the event is closed');
			const mine = await getMembership(ctx.db, i.eventId, actor.user.id);
			if (!mine) return refused('forbidden', 'not a member of this event');
			const theirs = await getMembership(ctx.db, i.eventId, i.toUserId);
			if (!theirs || theirs.agencyCode !== i.agency || (theirs.role !== 'lead' && theirs.role !== 'member')) {
				return blocked('notMember', 'the colleague is not a lead or member of this agency in the event');
			}
			const doc = await ctx.hub.document(agencyDocName(i.eventId, i.agency));
			const shifts = readShifts(doc.durable, i.agency);
			const plan = planSwap(
				shifts,
				{ ...i, fromUserId: actor.user.id },
				{ from: actor.user.displayName, to: '' },
				Date.now()
			);
			if (!plan.ok) return blocked(plan.problem, `the swap cannot be made: ${plan.problem}`);
			if (await hasOpenSwap(ctx.db, i.eventId, i.fromShiftId, i.fromPersonId)) {
				return blocked('alreadyOpen', 'this place on the shift already has an open swap request');
			}
			const id = newId();
			await ctx.db.transaction().execute(async (tx) => {
				await createSwap(tx, {
					id,
					eventId: i.eventId,
					agency: i.agency,
					fromShiftId: i.fromShiftId,
					fromPersonId: i.fromPersonId,
					fromUserId: actor.user.id,
					toShiftId: i.toShiftId,
					toPersonId: i.toPersonId,
					toUserId: i.toUserId,
					note
				});
				const swap = (await getSwap(tx, id))!;
				await logSwapActivity(tx, swap, ACTIVITY.request, actor.user.id);
			});
			const swap = (await getSwap(ctx.db, id))!;
			await announce(ctx, swap);
			return { ok: true, swap };
		})
	);

	socket.on('roster:check', (input: CheckInput, ack) =>
		guarded(socket, ack, async () => {
			if (actor.kind !== 'user') return refused('forbidden', 'displays only read');
			if (!isId(input?.eventId) || !isId(input.agency) || !isId(input.shiftId) || !isId(input.personId) || (input.kind !== 'in' && input.kind !== 'out')) {
				return refused('invalid', 'eventId, agency, shiftId, personId and kind (in or out) are required');
			}
			return runOnce(ctx.db, actor.user.id, 'roster:check', input.eventId, input.queued, async (time) => {
				const event = await getEvent(ctx.db, input.eventId);
				if (!event) return refused('notFound', 'no such event');
				if (event.status === 'closed') return refused('eventClosed', 'the event is closed');
				const principal = await ctx.hub.principalFor(actor, input.eventId);
				const lead = mayEditShifts(principal, input.eventId, input.agency, event.status);
				const stamp = (d: Date) => isoWithOffset(d, Math.round(zoneOffsetMs(d, event.timezone) / 60_000));
				const outcome: { problem: QueuedProblem | null; at: string } = { problem: null, at: stamp(time.tappedAt) };
				try {
					await ctx.hub.serverWrite(actor.user.id, [
						{
							doc: agencyDocName(input.eventId, input.agency),
							change: (doc) => {
								// Decided under the document's lock, as the roster stands when the tap arrives.
								const shift = readShifts(doc, input.agency).find((x) => x.id === input.shiftId);
								const person = shift?.people.find((p) => p.id === input.personId);
								if (!shift || !person) outcome.problem = 'notOnShift';
								else if (!lead && (person.userId !== actor.user.id || principal.kind !== 'user' || principal.membership?.agencyCode !== input.agency)) {
									outcome.problem = 'notSelf';
								} else {
									const c = shift.checkins[input.personId];
									const done = input.kind === 'in' ? c?.inAt : c?.outAt;
									// A second tap (another phone, a retry under a new id) keeps the first time.
									if (done) outcome.at = done;
									else if (input.kind === 'out' && !c?.inAt) outcome.problem = 'noCheckIn';
									else if (input.kind === 'in' && !canCheckIn(shift, input.personId, time.tappedAt.getTime())) {
										outcome.problem = 'notOpen';
									} else recordCheck(doc, input.shiftId, input.personId, input.kind, outcome.at, actor.user.id, stamp(time.receivedAt));
								}
								if (outcome.problem) throw new CheckRefused(outcome.problem);
							}
						}
					]);
				} catch (err) {
					if (outcome.problem) return { ...refused('invalid', CHECK_PROBLEMS[outcome.problem] ?? outcome.problem), problem: outcome.problem };
					throw err;
				}
				return { ok: true, at: outcome.at, receivedAt: stamp(time.receivedAt) };
			});
		})
	);

	socket.on('roster:swapAct', (input: { swapId: string; action: SwapAction; queued?: QueuedEnvelope }, ack) =>
		guarded<SwapResult>(socket, ack, async () => {
			if (actor.kind !== 'user') return refused('forbidden', 'displays only read');
			if (!isId(input?.swapId) || typeof input.action !== 'string' || !Object.hasOwn(SWAP_TRANSITIONS, input.action)) return refused('invalid', 'swapId and a known action are required');
			return runOnce<SwapResult>(ctx.db, actor.user.id, 'roster:swapAct', null, input.queued, async () => {
				const swap = await getSwap(ctx.db, input.swapId);
				if (!swap) return refused('notFound', 'no such swap request');
				const event = await getEvent(ctx.db, swap.eventId);
				if (!event) return refused('notFound', 'no such event');
				if (event.status === 'closed') return refused('eventClosed', 'the event is closed');
				const principal = await ctx.hub.principalFor(actor, swap.eventId);
				const mayApprove = mayPerform(principal, 'roster.approveSwap', { status: event.status, fromAgency: swap.agency });
				if (!swapActor(swap, actor.user.id, input.action, mayApprove)) return refused('forbidden', 'you may not take this step on this request');
				const to = nextSwapStatus(swap.status, input.action);
				if (!to) return blocked('wrongStatus', `the request is ${swap.status}`);
				const from = SWAP_TRANSITIONS[input.action].from;
				const decision = input.action === 'approve' || input.action === 'reject';

				if (input.action !== 'approve') {
					const moved = await ctx.db.transaction().execute(async (tx) => {
						if (!(await moveSwap(tx, swap.id, from, to, { userId: actor.user.id, decision }))) return false;
						await logSwapActivity(tx, swap, ACTIVITY[input.action], actor.user.id);
						return true;
					});
					if (!moved) return blocked('wrongStatus', 'someone else answered this request first');
				} else {
					// Set inside the write when the roster or the request changed under the swap.
					const outcome: { problem: SwapProblem | 'wrongStatus' | null } = { problem: null };
					try {
						await ctx.hub.serverWrite(
							actor.user.id,
							[
								{
									doc: agencyDocName(swap.eventId, swap.agency),
									quiet: true,
									change: (doc) => {
										// Planned again under the document's lock: the roster may have changed since the request.
										const plan = planSwap(readShifts(doc, swap.agency), swap, { from: swap.fromName, to: swap.toName }, Date.now());
										if (!plan.ok) {
											outcome.problem = plan.problem;
											throw new SwapBlocked(plan.problem);
										}
										applySwapPlan(doc, plan.plan);
									}
								}
							],
							async (tx) => {
								if (!(await moveSwap(tx, swap.id, from, to, { userId: actor.user.id, decision: true }))) {
									outcome.problem = 'wrongStatus';
									throw new SwapBlocked('wrongStatus');
								}
								await logSwapActivity(tx, swap, ACTIVITY.approve, actor.user.id);
							}
						);
					} catch (err) {
						if (outcome.problem) return blocked(outcome.problem, `the swap cannot be made: ${outcome.problem}`);
						throw err;
					}
				}
				const updated = (await getSwap(ctx.db, swap.id))!;
				await announce(ctx, updated);
				return { ok: true, swap: updated };
			});
		})
	);

	socket.on('roster:swaps', (eventId: string, ack) =>
		guarded(socket, ack, async () => {
			if (actor.kind !== 'user') return refused('forbidden', 'displays only read');
			if (!isId(eventId)) return refused('invalid', 'event id must be an id');
			const m = await getMembership(ctx.db, eventId, actor.user.id);
			if (!m) return refused('forbidden', 'not a member of this event');
			const scope =
				m.role === 'commander' || m.role === 'reviewer'
					? ({ all: true } as const)
					: m.role === 'lead' && m.agencyCode
						? { agency: m.agencyCode, userId: actor.user.id }
						: { userId: actor.user.id };
			return { ok: true, swaps: await listSwaps(ctx.db, eventId, scope) };
		})
	);
}
