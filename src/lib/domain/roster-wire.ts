/** socket.io events of the roster: shift swap requests, answers and decisions. */
import type { CommandResult } from './wire.ts';
import type { QueuedEnvelope } from './queued-actions.ts';
import type { SwapAction, SwapProblem, SwapRequestInput, SwapView } from './roster-swap.ts';

export interface CheckInput {
	eventId: string;
	agency: string;
	shiftId: string;
	personId: string;
	kind: 'in' | 'out';
	queued?: QueuedEnvelope;
}

/** Why a swap step was refused, beyond the generic codes: what stands in the way in the roster itself. */
export type SwapRefusal = SwapProblem | 'alreadyOpen' | 'notMember' | 'wrongStatus';

/** A swap command's answer: the request as it now stands, or a refusal (with the roster reason when there is one). */
export type SwapResult = CommandResult<{ swap: SwapView }> | { ok: false; error: 'invalid'; message: string; problem: SwapRefusal };

export interface RosterClientEvents {
	/** Asks a colleague of the same agency to swap shifts (toShiftId set) or to take this shift over (null). */
	'roster:swapRequest': (input: SwapRequestInput, ack: (result: SwapResult) => void) => void;
	/** The colleague accepts or declines, the requester cancels, a lead or the commander approves or rejects. */
	'roster:swapAct': (input: { swapId: string; action: SwapAction; queued?: QueuedEnvelope }, ack: (result: SwapResult) => void) => void;
	/**
	 * 签到 / 签退 with one tap, by the person themself or by whoever may edit the agency's shifts. The server records
	 * the tap time (`inAt`/`outAt`) and when it received it (`inReceivedAt`/`outReceivedAt`).
	 */
	'roster:check': (input: CheckInput, ack: (result: CommandResult<{ at: string; receivedAt: string }>) => void) => void;
	/** The event's swaps this user may see, newest first (also how a reconnecting page catches up). */
	'roster:swaps': (eventId: string, ack: (result: CommandResult<{ swaps: SwapView[] }>) => void) => void;
}

export interface RosterServerEvents {
	/** A swap this user is part of (or decides on) was made or moved. */
	'roster:swap': (swap: SwapView) => void;
}
