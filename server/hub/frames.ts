/**
 * The y-websocket protocol's messages as the hub writes them, and their WebSocket framing done once for every peer.
 */
import * as encoding from 'lib0/encoding';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as wsModule from 'ws';

export const MESSAGE_SYNC = 0;
export const MESSAGE_AWARENESS = 1;
export const SYNC_STEP1 = 0;
export const SYNC_STEP2 = 1;
export const SYNC_UPDATE = 2;

/** A message of the y-protocols sync kind: step 1 (a state vector), step 2 (the answer to one) or an update. */
export function syncMessage(sub: typeof SYNC_STEP1 | typeof SYNC_STEP2 | typeof SYNC_UPDATE, payload: Uint8Array): Uint8Array {
	const encoder = encoding.createEncoder();
	encoding.writeVarUint(encoder, MESSAGE_SYNC);
	encoding.writeVarUint(encoder, sub);
	encoding.writeVarUint8Array(encoder, payload);
	return encoding.toUint8Array(encoder);
}

/** A presence message: the given clients' current states in `awareness` (a removed client's as removed). */
export function awarenessMessage(awareness: awarenessProtocol.Awareness, clients: number[]): Uint8Array {
	const encoder = encoding.createEncoder();
	encoding.writeVarUint(encoder, MESSAGE_AWARENESS);
	encoding.writeVarUint8Array(encoder, awarenessProtocol.encodeAwarenessUpdate(awareness, clients));
	return encoding.toUint8Array(encoder);
}

/** ws's own framing (a public static of its Sender, which its type declarations leave out). */
const { Sender } = wsModule as unknown as {
	Sender: { frame(data: Buffer, options: { fin: boolean; opcode: number; mask: boolean; readOnly: boolean; rsv1: boolean }): Buffer[] };
};

/**
 * Frames a message once for all of a document's peers. ws frames each send on its own: a header of its own, then
 * header and message as two writes joined by cork and uncork. One buffer, framed once and written as it is to each
 * socket, costs one write per peer instead.
 */
export function frameForAll(message: Uint8Array): Buffer {
	const data = Buffer.from(message.buffer, message.byteOffset, message.byteLength);
	return Buffer.concat(Sender.frame(data, { fin: true, opcode: 2, mask: false, readOnly: false, rsv1: false }));
}
