/**
 * Committed updates on their way to a document's peers. The updates a group commit stores together are committed
 * in one turn of the event loop; written one by one, each cost every peer a write of its own, and a write to a
 * socket is most of what a delivery costs (the kernel's share of the hub's CPU). Gathered until that turn's work
 * is done (process.nextTick, so before any socket is read again) and joined, they cost each peer one write: a busy
 * document's readers then cost less per update the busier it is (npm run bench, 200 readers and 20 writers).
 * Frames joined end to end are what a WebSocket carries anyway: each keeps its own header.
 */
export interface DeliveryPeer {
	/** Sends a message already framed for the WebSocket (`frameForAll`), as it is. */
	sendFramed(frame: Buffer): void;
}

/** One committed update's frame, and the peer that has it already (its writer), if any. */
export interface Outgoing<P extends DeliveryPeer = DeliveryPeer> {
	frame: Buffer;
	skip: P | null;
}

/**
 * Writes the frames, in order, to every peer: one write each, of the frames it does not have already (a writer gets
 * the others' updates of the batch, not its own). Returns the number of writes.
 */
export function deliver<P extends DeliveryPeer>(peers: Iterable<P>, batch: Outgoing<P>[]): number {
	let writes = 0;
	if (batch.length === 1) {
		const { frame, skip } = batch[0];
		for (const peer of peers) {
			if (peer === skip) continue;
			peer.sendFramed(frame);
			writes++;
		}
		return writes;
	}
	const writers = new Set<P>();
	for (const o of batch) if (o.skip) writers.add(o.skip);
	const all = Buffer.concat(batch.map((o) => o.frame));
	for (const peer of peers) {
		if (!writers.has(peer)) {
			peer.sendFramed(all);
			writes++;
			continue;
		}
		const others = batch.filter((o) => o.skip !== peer);
		if (!others.length) continue;
		peer.sendFramed(others.length === 1 ? others[0].frame : Buffer.concat(others.map((o) => o.frame)));
		writes++;
	}
	return writes;
}

/**
 * A document's updates committed in the current turn, delivered together when it ends. `send` is called once a
 * turn with the updates in the order they were added.
 */
export class Outbox<P extends DeliveryPeer = DeliveryPeer> {
	#batch: Outgoing<P>[] = [];
	readonly #send: (batch: Outgoing<P>[]) => void;

	constructor(send: (batch: Outgoing<P>[]) => void) {
		this.#send = send;
	}

	add(frame: Buffer, skip: P | null): void {
		if (this.#batch.push({ frame, skip }) === 1) process.nextTick(this.#flush);
	}

	/** Updates added this turn and not yet sent. */
	get waiting(): number {
		return this.#batch.length;
	}

	readonly #flush = (): void => {
		const batch = this.#batch;
		this.#batch = [];
		this.#send(batch);
	};
}
