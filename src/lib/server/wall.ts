/** What a wall display's token opens: one event, read only, never the restricted document. */
import type { Kysely } from 'kysely';
import type { DB } from './db/schema.ts';
import { validateDisplayToken } from './repositories/display-token.repository.ts';
import { getEvent, type EventSummary } from './repositories/event.repository.ts';
import { listAgencies, type Agency } from './repositories/agency.repository.ts';
import { agencyDocName, commandDocName } from '../domain/documents.ts';

export interface WallContext {
	tokenId: string;
	name: string;
	event: EventSummary;
	agencies: Agency[];
	/** The documents a display may read. */
	docs: string[];
}

export async function loadWallContext(db: Kysely<DB>, token: string): Promise<WallContext | null> {
	const t = await validateDisplayToken(db, token);
	if (!t) return null;
	const event = await getEvent(db, t.eventId);
	if (!event) return null;
	const agencies = await listAgencies(db);
	return {
		tokenId: t.tokenId,
		name: t.name,
		event,
		agencies,
		docs: [commandDocName(event.id), ...agencies.map((a) => agencyDocName(event.id, a.code))]
	};
}
