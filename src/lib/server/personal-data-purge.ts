/**
 * Personal data has a life span: some days after an event closes (PERSONAL_DATA_DAYS), the parties of its
 * disputes and its people's shared positions are purged.
 *
 * - The restricted document's history carries every party ever typed. Its stored log (snapshot and updates) is
 *   replaced by one compacted state in which the parties are deleted: Yjs garbage-collects the content of deleted
 *   items, so the names, phones and ID numbers are in no stored byte any more, while a client holding the old state
 *   still applies the deletions when it syncs.
 * - The masked form stays where it already is: each dispute's `partiesMasked` in its agency document, and so in
 *   the after-action record, whose canonical JSON never held more. A final record's hash is therefore unchanged
 *   by a purge (docs/personal-data.md).
 * - People's positions (the positions table) are deleted, and so are photos marked as showing people that hang on
 *   dispute entries (the file itself when nothing else links it).
 * - The event row says when (`personal_data_purged_at`) and an audit line counts what went.
 *
 * One event is purged in one transaction that starts by claiming the event row (an UPDATE of a row not yet
 * purged): on PostgreSQL a second instance sweeping at the same moment waits for that row and then finds it
 * claimed, so each event is purged once.
 */
import * as Y from 'yjs';
import { sql, type Kysely } from 'kysely';
import type { DB } from './db/schema.ts';
import { restrictedDocName } from '../domain/documents.ts';
import { partiesOf } from '../domain/dispute-doc.ts';
import { writeAudit, type AuditActor } from './repositories/audit.repository.ts';

export interface PurgeCandidate {
	eventId: string;
	name: string;
	closedAt: Date;
}

export interface PurgeResult {
	eventId: string;
	name: string;
	disputesWithParties: number;
	parties: number;
	positions: number;
	photos: number;
	historyUpdates: number;
}

/** Closed events whose personal data is due for purging at `now`, oldest close first. */
export async function eventsDueForPurge(db: Kysely<DB>, days: number, now = new Date()): Promise<PurgeCandidate[]> {
	const before = new Date(now.getTime() - days * 86_400_000);
	const rows = await db
		.selectFrom('events')
		.select(['id', 'name', 'closed_at'])
		.where('status', '=', 'closed')
		.where('personal_data_purged_at', 'is', null)
		.where('closed_at', 'is not', null)
		.where('closed_at', '<=', before)
		.orderBy('closed_at')
		.execute();
	return rows.map((r) => ({ eventId: r.id, name: r.name, closedAt: new Date(r.closed_at!) }));
}

/** The restricted document as stored: its latest snapshot with every later update applied. */
async function loadStored(tx: Kysely<DB>, name: string): Promise<{ doc: Y.Doc; updates: number }> {
	const doc = new Y.Doc();
	const snap = await tx.selectFrom('doc_snapshots').select(['upto_seq', 'state']).where('doc', '=', name).orderBy('upto_seq', 'desc').limit(1).executeTakeFirst();
	if (snap) Y.applyUpdate(doc, new Uint8Array(snap.state));
	const updates = await tx
		.selectFrom('doc_updates')
		.select('bytes')
		.where('doc', '=', name)
		.where('seq', '>', snap ? Number(snap.upto_seq) : 0)
		.orderBy('seq')
		.execute();
	for (const u of updates) Y.applyUpdate(doc, new Uint8Array(u.bytes));
	const all = await tx.selectFrom('doc_updates').select(sql<string>`count(*)`.as('n')).where('doc', '=', name).executeTakeFirstOrThrow();
	return { doc, updates: Number(all.n) };
}

/**
 * Purges one closed event's personal data now, whatever its close date (the caller decides what is due). Returns
 * null when the event is not closed or was purged already (by another instance, say). `dryRun` counts and changes
 * nothing.
 */
export async function purgeEventPersonalData(
	db: Kysely<DB>,
	eventId: string,
	actor: AuditActor,
	opts: { dryRun?: boolean; now?: Date } = {}
): Promise<PurgeResult | null> {
	const now = opts.now ?? new Date();
	const work = async (tx: Kysely<DB>): Promise<PurgeResult | null> => {
		const claim = opts.dryRun
			? await tx.selectFrom('events').select(['id', 'name']).where('id', '=', eventId).where('status', '=', 'closed').where('personal_data_purged_at', 'is', null).executeTakeFirst()
			: await tx
					.updateTable('events')
					.set({ personal_data_purged_at: now })
					.where('id', '=', eventId)
					.where('status', '=', 'closed')
					.where('personal_data_purged_at', 'is', null)
					.returning(['id', 'name'])
					.executeTakeFirst();
		if (!claim) return null;
		const docName = restrictedDocName(eventId);
		// Appends to the document take this row's lock first (doc-log.repository.ts): none can slip in between.
		const docRow = await tx.selectFrom('documents').select('seq').where('name', '=', docName).forUpdate().executeTakeFirst();
		let disputesWithParties = 0;
		let parties = 0;
		let historyUpdates = 0;
		if (docRow) {
			const { doc, updates } = await loadStored(tx, docName);
			historyUpdates = updates;
			const root = partiesOf(doc);
			for (const list of root.values()) {
				disputesWithParties++;
				parties += list instanceof Y.Array ? list.length : 0;
			}
			if (!opts.dryRun) {
				doc.transact(() => {
					for (const key of [...root.keys()]) root.delete(key);
				});
				const state = Y.encodeStateAsUpdate(doc);
				doc.destroy();
				const seq = Number(docRow.seq) + 1;
				await tx.deleteFrom('doc_updates').where('doc', '=', docName).execute();
				await tx.deleteFrom('doc_snapshots').where('doc', '=', docName).execute();
				await tx.updateTable('documents').set({ seq }).where('name', '=', docName).execute();
				await tx.insertInto('doc_snapshots').values({ doc: docName, upto_seq: seq, state }).execute();
				// What the activity log derived from the document keeps its who and when, not the values.
				await tx.updateTable('activity').set({ from_value: null, to_value: null }).where('doc', '=', docName).execute();
			}
		}
		const positions = Number(
			(await tx.selectFrom('positions').select(sql<string>`count(*)`.as('n')).where('event_id', '=', eventId).executeTakeFirstOrThrow()).n
		);
		const photoLinks = await tx
			.selectFrom('attachment_links')
			.select('attachment_id')
			.where('event_id', '=', eventId)
			.where('target', '=', 'dispute')
			.where('people', '=', true)
			.execute();
		const photoIds = [...new Set(photoLinks.map((l) => l.attachment_id))];
		if (!opts.dryRun) {
			await tx.deleteFrom('positions').where('event_id', '=', eventId).execute();
			if (photoIds.length) {
				await tx
					.deleteFrom('attachment_links')
					.where('event_id', '=', eventId)
					.where('target', '=', 'dispute')
					.where('people', '=', true)
					.execute();
				// The file itself goes where nothing else links it any more.
				await tx
					.deleteFrom('attachments')
					.where('event_id', '=', eventId)
					.where('id', 'in', photoIds)
					.where(({ not, exists, selectFrom }) =>
						not(exists(selectFrom('attachment_links as l').select('l.attachment_id').whereRef('l.attachment_id', '=', 'attachments.id').whereRef('l.event_id', '=', 'attachments.event_id')))
					)
					.execute();
			}
		}
		const result: PurgeResult = { eventId, name: claim.name, disputesWithParties, parties, positions, photos: photoIds.length, historyUpdates };
		if (!opts.dryRun) {
			await writeAudit(
				tx,
				{
					actor,
					action: 'personalData.purge',
				target: { kind: 'event', id: eventId, name: claim.name },
				eventId,
					details: { disputesWithParties, parties, positions, photos: photoIds.length, historyUpdates }
				},
				now
			);
		}
		return result;
	};
	return db.transaction().execute(work);
}

/** Purges every event that is due; returns what was purged. Each event in its own transaction. */
export async function purgeDueEvents(
	db: Kysely<DB>,
	days: number,
	actor: AuditActor,
	opts: { dryRun?: boolean; now?: Date; purged?: (result: PurgeResult) => Promise<void> | void } = {}
): Promise<PurgeResult[]> {
	const out: PurgeResult[] = [];
	for (const c of await eventsDueForPurge(db, days, opts.now)) {
		const r = await purgeEventPersonalData(db, c.eventId, actor, opts);
		if (!r) continue;
		out.push(r);
		await opts.purged?.(r);
	}
	return out;
}
