/**
 * Shift swaps (换班): a person on a shift asks a colleague of the same agency either to swap shifts with them or
 * to take their shift over (代班); the colleague agrees; the agency's lead (or the commander) approves, and the
 * server then writes the change into the agency's document. Requests live in the database (shift_swaps).
 *
 * The role on a shift stays with the slot (带班, 驾驶员, ...): a swap exchanges who fills it, not what it is.
 */
import * as Y from 'yjs';
import { findOverlaps, personKey, shiftSpan, type Shift, type ShiftPerson } from './roster.ts';

export const SWAP_STATUSES = ['proposed', 'accepted', 'approved', 'declined', 'rejected', 'cancelled'] as const;
export type SwapStatus = (typeof SWAP_STATUSES)[number];

/** Statuses in which a request still waits for someone. */
export const OPEN_SWAP_STATUSES: readonly SwapStatus[] = ['proposed', 'accepted'];

/** A swap request as both ends of the wire see it. */
export interface SwapView {
	id: string;
	eventId: string;
	agency: string;
	fromShiftId: string;
	fromPersonId: string;
	fromUserId: string;
	fromName: string;
	/** The counterpart's shift in a swap; null when the counterpart takes the shift over. */
	toShiftId: string | null;
	toPersonId: string | null;
	toUserId: string;
	toName: string;
	note: string;
	status: SwapStatus;
	requestedAt: string;
	respondedAt: string | null;
	decidedAt: string | null;
	decidedBy: string | null;
	decidedByName: string | null;
}

/** What the request names; the server fills in names and times. */
export interface SwapRequestInput {
	eventId: string;
	agency: string;
	fromShiftId: string;
	fromPersonId: string;
	toUserId: string;
	toShiftId: string | null;
	toPersonId: string | null;
	note?: string;
}

/** Why a swap cannot be made (as it stands in the document now). */
export type SwapProblem =
	| 'shiftGone'
	| 'personGone'
	| 'notTheirShift'
	| 'sameShift'
	| 'samePerson'
	| 'alreadyStarted'
	| 'checkedIn'
	| 'alreadyOnShift'
	| 'overlap';

/** The counterpart as the document should show them after the swap. */
export interface SwapParty {
	userId: string;
	name: string;
}

export interface SwapPlan {
	/** Who fills which slot afterwards. */
	moves: Array<{ shiftId: string; personId: string; becomes: SwapParty }>;
}

/**
 * Checks a swap against the agency's shifts as they are now, and plans it. `others` are all other shifts the two
 * people may be on (every agency's), to refuse a swap that would put someone on two overlapping shifts.
 */
export function planSwap(
	shifts: Shift[],
	req: Pick<SwapView, 'fromShiftId' | 'fromPersonId' | 'fromUserId' | 'toShiftId' | 'toPersonId' | 'toUserId'>,
	names: { from: string; to: string },
	now: number,
	others: Shift[] = []
): { ok: true; plan: SwapPlan } | { ok: false; problem: SwapProblem } {
	if (req.fromUserId === req.toUserId) return { ok: false, problem: 'samePerson' };
	const from = shifts.find((s) => s.id === req.fromShiftId);
	if (!from) return { ok: false, problem: 'shiftGone' };
	const a = from.people.find((p) => p.id === req.fromPersonId);
	if (!a) return { ok: false, problem: 'personGone' };
	if (a.userId !== req.fromUserId) return { ok: false, problem: 'notTheirShift' };
	const started = (s: Shift) => (shiftSpan(s)?.start ?? 0) <= now;
	if (started(from)) return { ok: false, problem: 'alreadyStarted' };
	if (from.checkins[a.id]?.inAt) return { ok: false, problem: 'checkedIn' };
	if (from.people.some((p) => p.userId === req.toUserId)) return { ok: false, problem: 'alreadyOnShift' };
	const moves: SwapPlan['moves'] = [{ shiftId: from.id, personId: a.id, becomes: { userId: req.toUserId, name: names.to } }];
	if (req.toShiftId) {
		if (req.toShiftId === req.fromShiftId) return { ok: false, problem: 'sameShift' };
		const to = shifts.find((s) => s.id === req.toShiftId);
		if (!to) return { ok: false, problem: 'shiftGone' };
		const b = to.people.find((p) => p.id === req.toPersonId);
		if (!b) return { ok: false, problem: 'personGone' };
		if (b.userId !== req.toUserId) return { ok: false, problem: 'notTheirShift' };
		if (started(to)) return { ok: false, problem: 'alreadyStarted' };
		if (to.checkins[b.id]?.inAt) return { ok: false, problem: 'checkedIn' };
		if (to.people.some((p) => p.userId === req.fromUserId)) return { ok: false, problem: 'alreadyOnShift' };
		moves.push({ shiftId: to.id, personId: b.id, becomes: { userId: req.fromUserId, name: names.from } });
	}
	// Apply the plan to copies and look for overlaps that involve either person and did not exist before.
	const after = applyPlanToCopies([...shifts, ...others.filter((o) => !shifts.some((s) => s.id === o.id && s.agency === o.agency))], moves);
	const keys = new Set([personKey({ userId: req.fromUserId, name: '' }), personKey({ userId: req.toUserId, name: '' })]);
	const touched = new Set(moves.map((m) => m.shiftId));
	const clash = findOverlaps(after).some((c) => keys.has(c.key) && (touched.has(c.a.shiftId) || touched.has(c.b.shiftId)));
	if (clash) return { ok: false, problem: 'overlap' };
	return { ok: true, plan: { moves } };
}

function applyPlanToCopies(shifts: Shift[], moves: SwapPlan['moves']): Shift[] {
	return shifts.map((s) => {
		const mine = moves.filter((m) => m.shiftId === s.id);
		if (!mine.length) return s;
		return {
			...s,
			people: s.people.map((p): ShiftPerson => {
				const m = mine.find((x) => x.personId === p.id);
				return m ? { ...p, userId: m.becomes.userId, name: m.becomes.name } : p;
			})
		};
	});
}

/** Writes a planned swap into the agency's document: each slot gets its new person, keeping its role. */
export function applySwapPlan(doc: Y.Doc, plan: SwapPlan): void {
	doc.transact(() => {
		for (const move of plan.moves) {
			const shift = doc.getMap('shifts').get(move.shiftId);
			const people = shift instanceof Y.Map ? shift.get('people') : null;
			if (!(people instanceof Y.Array)) continue;
			const p = (people.toArray() as unknown[]).find((x): x is Y.Map<unknown> => x instanceof Y.Map && x.get('id') === move.personId);
			if (!p) continue;
			p.set('userId', move.becomes.userId);
			p.set('name', move.becomes.name);
		}
	});
}

/** Which transitions each party may make. */
export type SwapAction = 'accept' | 'decline' | 'approve' | 'reject' | 'cancel';

export const SWAP_TRANSITIONS: Record<SwapAction, { from: readonly SwapStatus[]; to: SwapStatus }> = {
	accept: { from: ['proposed'], to: 'accepted' },
	decline: { from: ['proposed'], to: 'declined' },
	// The lead decides once the colleague has agreed.
	approve: { from: ['accepted'], to: 'approved' },
	reject: { from: ['proposed', 'accepted'], to: 'rejected' },
	cancel: { from: ['proposed', 'accepted'], to: 'cancelled' }
};

/** The status a request moves to, or null when that action is not open from its status. */
export function nextSwapStatus(status: SwapStatus, action: SwapAction): SwapStatus | null {
	const t = SWAP_TRANSITIONS[action];
	return t.from.includes(status) ? t.to : null;
}

/** Who may take an action: the requester cancels, the colleague answers, a lead or the commander decides. */
export function swapActor(swap: Pick<SwapView, 'fromUserId' | 'toUserId'>, userId: string, action: SwapAction, mayApprove: boolean): boolean {
	switch (action) {
		case 'cancel':
			return swap.fromUserId === userId;
		case 'accept':
		case 'decline':
			return swap.toUserId === userId;
		case 'approve':
		case 'reject':
			return mayApprove;
	}
}
