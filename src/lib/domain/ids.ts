const ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789';

/**
 * A random id of 16 characters from an alphabet without look-alikes (80 bits). Works in the browser and on
 * the server, so a card created offline has its final id at once.
 */
export function newId(length = 16): string {
	const bytes = new Uint8Array(length);
	crypto.getRandomValues(bytes);
	let out = '';
	for (const b of bytes) out += ALPHABET[b & 31];
	return out;
}

export function isId(value: unknown): value is string {
	return typeof value === 'string' && /^[a-z0-9_-]{1,64}$/i.test(value);
}
