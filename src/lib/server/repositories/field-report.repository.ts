/**
 * Field reports (警情上报) as stored: one row per report, its id made on the phone (so a report sent twice is one
 * report), its triage on the same row. Rows stay here; callers get `ReportView`s with names, not ids alone.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { ReportInput, ReportKind, ReportState, ReportTimes, ReportView } from '../../domain/field-reports.ts';

export interface StoredReport {
	id: string;
	reporterId: string | null;
	state: ReportState;
	kind: ReportKind;
	body: string;
	pin: [number, number] | null;
	cardAgency: string | null;
	cardId: string | null;
}

/** Stores a new report; false when one with its id is there already (a second sending). */
export async function insertReport(db: Kysely<DB>, eventId: string, reporter: { id: string; agency: string | null }, input: ReportInput, receivedAt: Date): Promise<boolean> {
	const res = await db
		.insertInto('field_reports')
		.values({
			event_id: eventId,
			id: input.id,
			reporter_id: reporter.id,
			reporter_agency: reporter.agency,
			kind: input.kind,
			body: input.body,
			level: input.level,
			head_count: input.headCount,
			pin_x: input.pin?.[0] ?? null,
			pin_y: input.pin?.[1] ?? null,
			lng: input.position?.lng ?? null,
			lat: input.position?.lat ?? null,
			reported_at: input.reportedAt,
			received_at: receivedAt
		})
		.onConflict((oc) => oc.columns(['event_id', 'id']).doNothing())
		.executeTakeFirst();
	return Number(res.numInsertedOrUpdatedRows ?? 0) > 0;
}

export async function getReport(db: Kysely<DB>, eventId: string, id: string): Promise<StoredReport | null> {
	const r = await db
		.selectFrom('field_reports')
		.select(['id', 'reporter_id', 'state', 'kind', 'body', 'pin_x', 'pin_y', 'card_agency', 'card_id'])
		.where('event_id', '=', eventId)
		.where('id', '=', id)
		.executeTakeFirst();
	if (!r) return null;
	return {
		id: r.id,
		reporterId: r.reporter_id,
		state: r.state as ReportState,
		kind: r.kind as ReportKind,
		body: r.body,
		pin: r.pin_x !== null && r.pin_y !== null ? [r.pin_x, r.pin_y] : null,
		cardAgency: r.card_agency,
		cardId: r.card_id
	};
}

/** Reports of an event, newest first; only the reporter's own when `reporterId` is given. Photos are added by the caller. */
export async function listReports(db: Kysely<DB>, eventId: string, filter: { reporterId?: string; ids?: string[] } = {}): Promise<Array<Omit<ReportView, 'photos'>>> {
	if (filter.ids && !filter.ids.length) return [];
	let q = db
		.selectFrom('field_reports as r')
		.leftJoin('users as u', 'u.id', 'r.reporter_id')
		.leftJoin('users as t', 't.id', 'r.triaged_by')
		.select([
			'r.id',
			'r.kind',
			'r.body',
			'r.level',
			'r.head_count',
			'r.pin_x',
			'r.pin_y',
			'r.lng',
			'r.lat',
			'r.reporter_id',
			'u.display_name as reporter_name',
			'r.reporter_agency',
			'r.reported_at',
			'r.received_at',
			'r.state',
			'r.triaged_at',
			't.display_name as triager_name',
			'r.card_agency',
			'r.card_id',
			'r.duplicate_of',
			'r.reason'
		])
		.where('r.event_id', '=', eventId);
	if (filter.reporterId) q = q.where('r.reporter_id', '=', filter.reporterId);
	if (filter.ids) q = q.where('r.id', 'in', filter.ids);
	const rows = await q.orderBy('r.received_at', 'desc').orderBy('r.id').execute();
	return rows.map((r) => ({
		id: r.id,
		kind: r.kind as ReportKind,
		body: r.body,
		level: r.level,
		headCount: r.head_count,
		pin: r.pin_x !== null && r.pin_y !== null ? [r.pin_x, r.pin_y] : null,
		position: r.lng !== null && r.lat !== null ? { lng: r.lng, lat: r.lat } : null,
		reporterId: r.reporter_id,
		reporterName: r.reporter_name,
		reporterAgency: r.reporter_agency,
		reportedAt: r.reported_at.toISOString(),
		receivedAt: r.received_at.toISOString(),
		state: r.state as ReportState,
		triagedAt: r.triaged_at?.toISOString() ?? null,
		triagedByName: r.triager_name,
		cardAgency: r.card_agency,
		cardId: r.card_id,
		duplicateOf: r.duplicate_of,
		reason: r.reason
	}));
}

/** The reports' times, for the figures (src/lib/domain/field-reports.ts `reportFigures`). */
export async function reportTimes(db: Kysely<DB>, eventId: string): Promise<ReportTimes[]> {
	const rows = await db
		.selectFrom('field_reports')
		.select(['kind', 'state', 'reported_at', 'received_at', 'triaged_at'])
		.where('event_id', '=', eventId)
		.execute();
	return rows.map((r) => ({ kind: r.kind as ReportKind, state: r.state as ReportState, reportedAt: r.reported_at, receivedAt: r.received_at, triagedAt: r.triaged_at }));
}

/**
 * Records a triage decision on a report still waiting for one. Returns false when someone else triaged it first:
 * two leads at the desk never both turn one report into a card.
 */
export async function markTriaged(
	db: Kysely<DB>,
	eventId: string,
	id: string,
	decision: { state: Exclude<ReportState, 'new'>; by: string; at: Date; cardAgency?: string; cardId?: string; duplicateOf?: string; reason?: string }
): Promise<boolean> {
	const res = await db
		.updateTable('field_reports')
		.set({
			state: decision.state,
			triaged_by: decision.by,
			triaged_at: decision.at,
			card_agency: decision.cardAgency ?? null,
			card_id: decision.cardId ?? null,
			duplicate_of: decision.duplicateOf ?? null,
			reason: decision.reason ?? null
		})
		.where('event_id', '=', eventId)
		.where('id', '=', id)
		.where('state', '=', 'new')
		.executeTakeFirst();
	return Number(res.numUpdatedRows) > 0;
}
