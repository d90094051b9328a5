/** A queued action's refusal in the reader's words: the precise problem when the server named one. */
import { m } from '$lib/paraglide/messages';
import { commandErrorText } from '$lib/components/disputes/command-error';
import { swapProblemText } from './roster-text';
import type { QueuedAction } from './action-queue.svelte';

const PROBLEMS: Record<string, () => string> = {
	tapInFuture: m.queue_problem_tapInFuture,
	tapTooOld: m.queue_problem_tapTooOld,
	notOnShift: m.queue_problem_notOnShift,
	notSelf: m.queue_problem_notSelf,
	noCheckIn: m.queue_problem_noCheckIn,
	notOpen: m.queue_problem_notOpen,
	badEnvelope: m.queue_problem_badEnvelope
};

export function refusalText(refusal: NonNullable<QueuedAction['refusal']>): string {
	if (!refusal.problem) return commandErrorText(refusal.error, refusal.message);
	const precise = PROBLEMS[refusal.problem];
	// A swap's refusals (the roster changed under it) have their own words.
	return precise ? precise() : swapProblemText(refusal.problem);
}
