/**
 * The event's documents as the server holds them, sent with the page itself so that a phone shows the board as
 * soon as the page's script runs, without waiting for the documents' own connections (on a slow link each costs
 * two round trips of half a second). The page's live copies start from these and then sync only what is newer.
 * The restricted document (parties' personal data) never travels in a page: pages are kept by the service worker.
 */
import * as Y from 'yjs';
import { agencyDocName, commandDocName } from '$lib/domain/documents';
import type { Access } from '$lib/domain/permissions';
import type { AppServices } from './services';

/** Past this many bytes (all documents together) the page carries none, and the live connections bring them. */
export const SNAPSHOT_BUDGET_BYTES = 512 * 1024;
/**
 * A wall's budget: a wall screen sits on the venue's wired network and shows the whole event at once, and a large
 * event's documents in its page draw its map without waiting for five connections in turn (bench, wall map phase).
 */
export const WALL_SNAPSHOT_BUDGET_BYTES = 4 * 1024 * 1024;
/** Past this many times the budget of stored history, the state is surely over it too (edits leave tombstones). */
const STORED_LIMIT_FACTOR = 8;

export async function documentSnapshots(
	services: Pick<AppServices, 'readDocument' | 'storedBytes'>,
	eventId: string,
	access: { command: Access; agencies: Record<string, Access> },
	budgetBytes = SNAPSHOT_BUDGET_BYTES
): Promise<Record<string, string>> {
	const names = [
		...(access.command !== 'none' ? [commandDocName(eventId)] : []),
		...Object.entries(access.agencies)
			.filter(([, a]) => a !== 'none')
			.map(([code]) => agencyDocName(eventId, code))
	];
	// Every page of the event is made with this: a large event's documents are not encoded only to be dropped. What
	// is stored (with its history) is never less than the encoded state, so it bounds the work cheaply.
	let stored = 0;
	for (const name of names) stored += await services.storedBytes(name);
	if (stored > STORED_LIMIT_FACTOR * budgetBytes) return {};
	const out: Record<string, string> = {};
	let total = 0;
	for (const name of names) {
		const bytes = Y.encodeStateAsUpdate(await services.readDocument(name));
		total += bytes.length;
		if (total > budgetBytes) return {};
		out[name] = Buffer.from(bytes).toString('base64');
	}
	return out;
}
