/**
 * Awareness (presence) from a connection is accepted only for the client ids that connection owns, with the
 * user shown as the server knows them (nobody can appear as someone else), and at a bounded rate.
 *
 * The stock y-websocket provider forwards every awareness change it hears back to the server, other people's
 * included: their renewals every 15 s, their leaving, the states it timed out. Such forwarded entries carry a
 * clock the document already holds (or an older one), so they could change nothing but someone else's presence;
 * they are skipped, not refused. Refusing them closed every stock client 15 s after a second one joined.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';

/** A connection may speak for this many awareness client ids (a page with a few documents' editors). */
const MAX_IDS_PER_CONNECTION = 4;
/** Largest presence state accepted, in bytes of JSON. */
const MAX_STATE_BYTES = 4096;

export interface AwarenessIdentity {
	id: string;
	name: string;
	agency: string | null;
	kind: 'user' | 'display';
}

/** The checked update holds only the entries to apply; `clients` is empty when there is nothing to apply. */
export type AwarenessCheck = { ok: true; update: Uint8Array; clients: number[] } | { ok: false; reason: string };

/**
 * Checks and rewrites an awareness update. `owned` holds the ids this connection already speaks for;
 * `isTakenElsewhere` says whether another connection owns an id; `heldClock` gives the clock the document's
 * awareness holds for an id (undefined when it has none).
 */
export function guardAwareness(
	update: Uint8Array,
	owned: Set<number>,
	isTakenElsewhere: (clientId: number) => boolean,
	identity: AwarenessIdentity,
	heldClock: (clientId: number) => number | undefined = () => undefined
): AwarenessCheck {
	const decoder = decoding.createDecoder(update);
	const entries: Array<{ clientId: number; clock: number; json: string }> = [];
	try {
		// No limit on the count itself: a stock client joining a busy document forwards everyone's state at once.
		// The message size cap bounds the work.
		const count = decoding.readVarUint(decoder);
		for (let i = 0; i < count; i++) {
			const clientId = decoding.readVarUint(decoder);
			const clock = decoding.readVarUint(decoder);
			const json = decoding.readVarString(decoder);
			if (json.length > MAX_STATE_BYTES) return { ok: false, reason: 'awareness state too large' };
			if (!owned.has(clientId)) {
				const held = heldClock(clientId);
				// Forwarded from the document itself: applying it could not make anyone's presence newer.
				if (held !== undefined && clock <= held) continue;
				if (isTakenElsewhere(clientId)) return { ok: false, reason: `awareness client ${clientId} belongs to another connection` };
				if (owned.size >= MAX_IDS_PER_CONNECTION) return { ok: false, reason: 'too many awareness clients' };
				owned.add(clientId);
			}
			entries.push({ clientId, clock, json });
		}
	} catch {
		return { ok: false, reason: 'awareness update could not be decoded' };
	}
	const encoder = encoding.createEncoder();
	encoding.writeVarUint(encoder, entries.length);
	for (const { clientId, clock, json } of entries) {
		let state: unknown;
		try {
			state = JSON.parse(json);
		} catch {
			return { ok: false, reason: 'awareness update could not be decoded' };
		}
		if (state !== null) {
			if (typeof state !== 'object' || Array.isArray(state)) return { ok: false, reason: 'awareness state must be an object' };
			state = { ...(state as Record<string, unknown>), user: identity };
		}
		encoding.writeVarUint(encoder, clientId);
		encoding.writeVarUint(encoder, clock);
		encoding.writeVarString(encoder, JSON.stringify(state));
	}
	return { ok: true, update: encoding.toUint8Array(encoder), clients: entries.map((e) => e.clientId) };
}

/** A token bucket: `rate` messages a second on average, bursts up to `burst`. */
export class RateLimiter {
	readonly rate: number;
	readonly burst: number;
	#tokens: number;
	#last = Date.now();
	constructor(rate: number, burst: number) {
		this.rate = rate;
		this.burst = burst;
		this.#tokens = burst;
	}

	take(): boolean {
		const now = Date.now();
		this.#tokens = Math.min(this.burst, this.#tokens + ((now - this.#last) / 1000) * this.rate);
		this.#last = now;
		if (this.#tokens < 1) return false;
		this.#tokens -= 1;
		return true;
	}
}
