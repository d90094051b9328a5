/**
 * What the hub sends a client that holds nothing: the whole document at some sequence, framed once for every such
 * client, and the committed updates after it, merged and framed once after each change. Encoding the whole document
 * for each fresh client, as the hub did before, cost its size in garbage per connection: while 1,000 readers
 * connected, V8 grew its heap by 82 KiB a connection for 9 KiB of live objects each.
 */
import * as Y from 'yjs';
import { frameForAll, syncMessage, SYNC_STEP2, SYNC_UPDATE } from './frames.ts';

/**
 * Past this many updates after the document's bytes, or past as many bytes as the document itself, the answer is
 * dropped and encoded from the document again when next asked for.
 */
export const FRESH_TAIL_MAX = 2_000;

export class FreshAnswer {
	/** The document's bytes as the sync answer (step 2), framed. */
	readonly stateFrame: Buffer;
	readonly #limitBytes: number;
	#tail: Uint8Array[];
	#tailBytes = 0;
	#tailFrame: Buffer | null = null;

	constructor(state: Uint8Array, tail: Uint8Array[]) {
		this.stateFrame = frameForAll(syncMessage(SYNC_STEP2, state));
		this.#limitBytes = state.byteLength;
		this.#tail = tail;
		for (const t of tail) this.#tailBytes += t.byteLength;
	}

	/** Adds a committed update to the tail; false when the tail would grow too long to keep (encode anew instead). */
	add(update: Uint8Array): boolean {
		if (this.#tail.length >= FRESH_TAIL_MAX || this.#tailBytes + update.byteLength > this.#limitBytes) return false;
		this.#tail.push(update);
		this.#tailBytes += update.byteLength;
		this.#tailFrame = null;
		return true;
	}

	/**
	 * The updates after the document's bytes as one sync update, framed, or null when there are none. Sent before the
	 * answer: the client keeps them until what they build on arrives, and is synced only once it holds everything.
	 */
	tailFrame(): Buffer | null {
		if (!this.#tail.length) return null;
		if (this.#tail.length > 1) this.#tail = [Y.mergeUpdates(this.#tail)];
		return (this.#tailFrame ??= frameForAll(syncMessage(SYNC_UPDATE, this.#tail[0])));
	}
}
