/** socket.io events of the roster: shift swap requests, answers and decisions. */
import type { CommandResult } from './wire.ts';
import type { SwapAction, SwapProblem, SwapRequestInput, SwapView } from './roster-swap.ts';

/** Why a swap step was refused, beyond the generic codes: what stands in the way in the roster itself. */
export type SwapRefusal = SwapProblem | 'alreadyOpen' | 'notMember' | 'wrongStatus';

/** A swap command's answer: the request as it now stands, or a refusal (with the roster reason when there is one). */
export type SwapResult = CommandResult<{ swap: SwapView }> | { ok: false; error: 'invalid'; message: string; problem: SwapRefusal };

export interface RosterClientEvents {
	/** Asks a colleague of the same agency to swap shifts (toShiftId set) or to take this shift over (null). */
	'roster:swapRequest': (input: SwapRequestInput, ack: (result: SwapResult) => void) => void;
	/** The colleague accepts or declines, the requester cancels, a lead or the commander approves or rejects. */
	'roster:swapAct': (input: { swapId: string; action: SwapAction }, ack: (result: SwapResult) => void) => void;
	/** The event's swaps this user may see, newest first (also how a reconnecting page catches up). */
	'roster:swaps': (eventId: string, ack: (result: CommandResult<{ swaps: SwapView[] }>) => void) => void;
}

export interface RosterServerEvents {
	/** A swap this user is part of (or decides on) was made or moved. */
	'roster:swap': (swap: SwapView) => void;
}
