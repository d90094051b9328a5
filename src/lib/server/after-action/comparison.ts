/**
 * Compare with last time, for one reader: the record's key figures beside those of the event it was made from,
 * when the reader may read that event's record and both are drills or both real; otherwise why not.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { AppServices } from '../services.ts';
import type { AfterActionRecord } from '../../domain/after-action.ts';
import { comparisonRows, incomparable, mayReadPreviousRecord, type Comparison } from '../../domain/record-comparison.ts';
import { getEvent, getMembership } from '../repositories/event.repository.ts';
import { loadRecord } from './record.ts';

export async function loadComparison(
	db: Kysely<DB>,
	services: AppServices,
	eventId: string,
	record: AfterActionRecord,
	reader: { id: string; isAdmin: boolean }
): Promise<Comparison | null> {
	const event = await getEvent(db, eventId);
	if (!event?.basedOn) return null;
	const previous = await getEvent(db, event.basedOn);
	if (!previous) return null;
	// Access first: a reader who may not read the other event learns nothing of it, not even whether it was a drill.
	const membership = await getMembership(db, previous.id, reader.id);
	if (!mayReadPreviousRecord(reader, membership?.role ?? null)) return { state: 'hidden', reason: 'access' };
	const why = incomparable({ drill: record.event.drill ?? event.drill }, previous);
	if (why) return { state: 'hidden', reason: why };
	const loaded = await loadRecord(db, services, previous.id);
	if (!loaded) return null;
	return {
		state: 'shown',
		previous: { id: previous.id, name: previous.name, startsAt: previous.startsAt.toISOString(), endsAt: previous.endsAt.toISOString(), timezone: previous.timezone },
		rows: comparisonRows(record.figures, loaded.record.figures)
	};
}
