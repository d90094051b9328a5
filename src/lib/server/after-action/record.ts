/** The after-action record of an event: built live while it is a draft, read back unchanged once final. */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { AppServices } from '../services.ts';
import { buildRecord, canonicalJson, recordHash, type AfterActionRecord } from '../../domain/after-action.ts';
import { finalizeRecord, getRecord } from '../repositories/record.repository.ts';
import { collectRecordInputs } from './collect.ts';

export interface LoadedRecord {
	record: AfterActionRecord;
	canonical: string;
	sha256: string;
	final: boolean;
}

export async function loadRecord(
	db: Kysely<DB>,
	services: AppServices,
	eventId: string,
	onProgress?: (fraction: number) => void
): Promise<LoadedRecord | null> {
	const stored = await getRecord(db, eventId);
	if (stored.status === 'final' && stored.canonicalJson && stored.sha256) {
		onProgress?.(1);
		// The stored bytes are the record: parse them, never rebuild, so every export carries the same hash.
		return { record: JSON.parse(stored.canonicalJson) as AfterActionRecord, canonical: stored.canonicalJson, sha256: stored.sha256, final: true };
	}
	const inputs = await collectRecordInputs(db, services, eventId);
	onProgress?.(0.7);
	if (!inputs) return null;
	const record = buildRecord(inputs);
	const canonical = canonicalJson(record);
	onProgress?.(1);
	return { record, canonical, sha256: recordHash(canonical), final: false };
}

export type FinalizeResult = { ok: true; sha256: string } | { ok: false; reason: 'notClosed' | 'alreadyFinal' | 'notFound' };

/** Freezes the record of a closed event. */
export async function finalizeEventRecord(db: Kysely<DB>, services: AppServices, eventId: string, userId: string): Promise<FinalizeResult> {
	const event = await db.selectFrom('events').select(['status']).where('id', '=', eventId).executeTakeFirst();
	if (!event) return { ok: false, reason: 'notFound' };
	if (event.status !== 'closed') return { ok: false, reason: 'notClosed' };
	if ((await getRecord(db, eventId)).status === 'final') return { ok: false, reason: 'alreadyFinal' };
	const inputs = await collectRecordInputs(db, services, eventId);
	if (!inputs) return { ok: false, reason: 'notFound' };
	const at = new Date();
	inputs.status = 'final';
	inputs.finalizedAt = at.toISOString();
	inputs.finalizedBy = inputs.people[userId] ?? userId;
	const canonical = canonicalJson(buildRecord(inputs));
	const sha256 = recordHash(canonical);
	if (!(await finalizeRecord(db, eventId, { canonicalJson: canonical, sha256, userId, at }))) return { ok: false, reason: 'alreadyFinal' };
	return { ok: true, sha256 };
}
