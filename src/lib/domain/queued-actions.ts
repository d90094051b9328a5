/**
 * Actions a phone may take with no network (收到, 签到/签退, asking for help, escalating a dispute, approving a
 * swap) wait in a local queue and reach the server later. Each carries the moment of the tap and an id made on
 * the phone: the server keeps both the tap and the time it received the action, and answers a second sending
 * of the same id with the first answer instead of doing it again. Shared by the queue and the server.
 */

/** What a queued action carries besides its command's own input. */
export interface QueuedEnvelope {
	/** Made on the phone when the user tapped (newId); unique per user. */
	actionId: string;
	/** When the user tapped, as an ISO-8601 time. */
	tappedAt: string;
}

/** Commands that may wait in the queue; each accepts an optional `queued` envelope. */
export const QUEUEABLE_COMMANDS = ['instruction:ack', 'roster:check', 'card:requestHelp', 'dispute:escalate', 'roster:swapAct', 'rollcall:answer', 'patrol:scan'] as const;
export type QueueableCommand = (typeof QUEUEABLE_COMMANDS)[number];

/** A phone's clock may run this far ahead of the server's before its tap times are refused. */
export const CLOCK_SKEW_MS = 2 * 60_000;

/**
 * The oldest tap the server still takes: a phone that was offline for a whole day and night of shifts.
 * Older actions are refused with a reason rather than recorded as if on time.
 */
export const MAX_QUEUE_AGE_MS = 24 * 60 * 60_000;

/** A check-in that reaches the server this long after its tap is flagged on the roster (issue: offline taps). */
export const LATE_ARRIVAL_MS = 10 * 60_000;

/** Refusals that say "try again later"; any other refusal is final and is shown beside the item. */
export const RETRYABLE_ERRORS: ReadonlySet<string> = new Set(['unavailable', 'rateLimited', 'unauthenticated']);

/** Why a queued action or a one-tap check-in was refused, beyond the generic codes (the UI translates each). */
export type QueuedProblem = 'badEnvelope' | 'tapInFuture' | 'tapTooOld' | 'notOnShift' | 'notSelf' | 'noCheckIn' | 'notOpen';

/** The first problem of a queued envelope received at `receivedAt`, with plain words for logs; null when fine. */
export function queuedEnvelopeProblem(envelope: unknown, receivedAt: number): { problem: QueuedProblem; message: string } | null {
	const bad = (message: string) => ({ problem: 'badEnvelope' as const, message });
	if (typeof envelope !== 'object' || envelope === null) return bad('queued must be an object with actionId and tappedAt');
	const { actionId, tappedAt } = envelope as Record<string, unknown>;
	if (typeof actionId !== 'string' || !/^[a-z0-9_-]{8,64}$/i.test(actionId)) return bad('queued.actionId must be 8 to 64 letters, digits, - or _');
	if (typeof tappedAt !== 'string' || tappedAt.length > 40) return bad('queued.tappedAt must be an ISO-8601 time');
	const at = Date.parse(tappedAt);
	if (!Number.isFinite(at)) return bad('queued.tappedAt must be an ISO-8601 time');
	if (at > receivedAt + CLOCK_SKEW_MS) return { problem: 'tapInFuture', message: 'queued.tappedAt is in the future: check the phone’s clock' };
	if (at < receivedAt - MAX_QUEUE_AGE_MS) return { problem: 'tapTooOld', message: 'queued.tappedAt is more than a day old: the action is too old to record' };
	return null;
}

/** The tap time to record: never after the server received it (a phone's clock a little ahead). */
export function recordedTapTime(tappedAt: string, receivedAt: number): number {
	return Math.min(Date.parse(tappedAt), receivedAt);
}

/** Did this action reach the server more than LATE_ARRIVAL_MS after its tap? (The roster flags such check-ins.) */
export function arrivedLate(tappedAt: string | null | undefined, receivedAt: string | null | undefined): boolean {
	if (!tappedAt || !receivedAt) return false;
	const t = Date.parse(tappedAt);
	const r = Date.parse(receivedAt);
	return Number.isFinite(t) && Number.isFinite(r) && r - t > LATE_ARRIVAL_MS;
}

/** Minutes between a tap and its arrival, rounded down (for "arrived 25 minutes later"). */
export function arrivalDelayMinutes(tappedAt: string, receivedAt: string): number {
	return Math.max(0, Math.floor((Date.parse(receivedAt) - Date.parse(tappedAt)) / 60_000));
}
