/**
 * The dispute register as the hub holds it, for pages that read it on the server (CSV export and import): the
 * entries of every agency document the user may read, and the parties only when the user may read the
 * restricted document. Read-only: the documents are the hub's own copies.
 */
import type { AppServices } from './services.ts';
import type { EventAccess } from './event-context.ts';
import { agencyDocName, restrictedDocName } from '../domain/documents.ts';
import { readDisputes, readParties, type Party } from '../domain/dispute-doc.ts';
import type { RegisterEntry } from '../domain/disputes.ts';

export interface ServerRegister {
	entries: RegisterEntry[];
	/** A dispute's parties; null for a reader without clearance, who never gets them. */
	parties: ((disputeId: string) => Party[]) | null;
}

export async function readRegister(services: AppServices, eventId: string, access: EventAccess): Promise<ServerRegister> {
	const entries: RegisterEntry[] = [];
	for (const [agency, a] of Object.entries(access.agencies)) {
		if (a === 'none') continue;
		const doc = await services.readDocument(agencyDocName(eventId, agency));
		for (const d of readDisputes(doc)) entries.push({ ...d, agency });
	}
	if (access.restricted === 'none') return { entries, parties: null };
	const restricted = await services.readDocument(restrictedDocName(eventId));
	return { entries, parties: (id) => readParties(restricted, id) };
}
