/**
 * Situation reports as stored: drafts and issued reports, the schedule of each event and the due times claimed.
 * Rows stay here; callers get camelCase views with people by name. A report changes only while it is a draft:
 * every write below is conditional on that, so an edit racing an issue loses rather than changing an issued report.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { SitrepFigures, SitrepTexts } from '../../domain/sitrep.ts';
import type { RecordSitrep } from '../../domain/sitrep-record.ts';
import { EMPTY_SCHEDULE, type DueSlot, type SitrepSchedule } from '../../domain/sitrep-schedule.ts';

export interface SitrepSummary {
	id: string;
	status: 'draft' | 'issued';
	title: string;
	periodName: string | null;
	dueAt: string | null;
	createdAt: string;
	createdByName: string | null;
	updatedAt: string;
	issuedAt: string | null;
	issuedByName: string | null;
	sha256: string | null;
}

export interface SitrepRow extends SitrepSummary {
	eventId: string;
	periodId: string | null;
	locale: 'zh-CN' | 'en';
	figures: SitrepFigures;
	generated: Record<'zh-CN' | 'en', SitrepTexts>;
	sections: SitrepTexts;
	instructionId: string | null;
	canonicalJson: string | null;
}

export interface NewDraft {
	id: string;
	eventId: string;
	periodId: string | null;
	periodName: string | null;
	dueAt: Date | null;
	locale: 'zh-CN' | 'en';
	figures: SitrepFigures;
	generated: Record<'zh-CN' | 'en', SitrepTexts>;
	createdBy: string | null;
}

const iso = (d: Date | string | null) => (d ? new Date(d).toISOString() : null);

function baseQuery(db: Kysely<DB>, eventId: string) {
	return db
		.selectFrom('situation_reports as s')
		.leftJoin('users as c', 'c.id', 's.created_by')
		.leftJoin('users as i', 'i.id', 's.issued_by')
		.where('s.event_id', '=', eventId);
}

export async function insertDraft(db: Kysely<DB>, d: NewDraft): Promise<void> {
	const sections = d.generated[d.locale];
	await db
		.insertInto('situation_reports')
		.values({
			id: d.id,
			event_id: d.eventId,
			title: sections.title,
			period_id: d.periodId,
			period_name: d.periodName,
			due_at: d.dueAt,
			locale: d.locale,
			figures: JSON.stringify(d.figures),
			generated: JSON.stringify(d.generated),
			sections: JSON.stringify(sections),
			created_by: d.createdBy,
			updated_by: d.createdBy
		})
		.execute();
}

/** The event's reports, newest first; only the issued ones unless `drafts`. */
export async function listSitreps(db: Kysely<DB>, eventId: string, opts: { drafts: boolean }): Promise<SitrepSummary[]> {
	let q = baseQuery(db, eventId).select([
		's.id',
		's.status',
		's.title',
		's.period_name',
		's.due_at',
		's.created_at',
		'c.display_name as created_by_name',
		's.updated_at',
		's.issued_at',
		'i.display_name as issued_by_name',
		's.sha256'
	]);
	if (!opts.drafts) q = q.where('s.status', '=', 'issued');
	const rows = await q.orderBy('s.created_at', 'desc').orderBy('s.id').limit(500).execute();
	return rows.map((r) => ({
		id: r.id,
		status: r.status,
		title: r.title,
		periodName: r.period_name,
		dueAt: iso(r.due_at),
		createdAt: iso(r.created_at)!,
		createdByName: r.created_by_name,
		updatedAt: iso(r.updated_at)!,
		issuedAt: iso(r.issued_at),
		issuedByName: r.issued_by_name,
		sha256: r.sha256
	}));
}

export async function getSitrep(db: Kysely<DB>, eventId: string, id: string): Promise<SitrepRow | null> {
	const r = await baseQuery(db, eventId)
		.select([
			's.id',
			's.event_id',
			's.status',
			's.title',
			's.period_id',
			's.period_name',
			's.due_at',
			's.locale',
			's.figures',
			's.generated',
			's.sections',
			's.created_at',
			'c.display_name as created_by_name',
			's.updated_at',
			's.issued_at',
			'i.display_name as issued_by_name',
			's.instruction_id',
			's.canonical_json',
			's.sha256'
		])
		.where('s.id', '=', id)
		.executeTakeFirst();
	if (!r) return null;
	return {
		id: r.id,
		eventId: r.event_id,
		status: r.status,
		title: r.title,
		periodId: r.period_id,
		periodName: r.period_name,
		dueAt: iso(r.due_at),
		locale: r.locale === 'en' ? 'en' : 'zh-CN',
		figures: JSON.parse(r.figures) as SitrepFigures,
		generated: JSON.parse(r.generated) as SitrepRow['generated'],
		sections: JSON.parse(r.sections) as SitrepTexts,
		createdAt: iso(r.created_at)!,
		createdByName: r.created_by_name,
		updatedAt: iso(r.updated_at)!,
		issuedAt: iso(r.issued_at),
		issuedByName: r.issued_by_name,
		sha256: r.sha256,
		instructionId: r.instruction_id,
		canonicalJson: r.canonical_json
	};
}

/** Saves a draft's edited texts; false when it is no draft (issued, or gone). */
export async function saveSections(db: Kysely<DB>, eventId: string, id: string, texts: SitrepTexts, userId: string): Promise<boolean> {
	const r = await db
		.updateTable('situation_reports')
		.set({ sections: JSON.stringify(texts), title: texts.title, updated_by: userId, updated_at: new Date() })
		.where('event_id', '=', eventId)
		.where('id', '=', id)
		.where('status', '=', 'draft')
		.executeTakeFirst();
	return Number(r.numUpdatedRows) === 1;
}

/** Takes a draft's figures and texts again from the board (its edits are replaced); false when it is no draft. */
export async function renewDraft(
	db: Kysely<DB>,
	eventId: string,
	id: string,
	d: Pick<NewDraft, 'figures' | 'generated' | 'locale'>,
	userId: string
): Promise<boolean> {
	const sections = d.generated[d.locale];
	const r = await db
		.updateTable('situation_reports')
		.set({
			figures: JSON.stringify(d.figures),
			generated: JSON.stringify(d.generated),
			sections: JSON.stringify(sections),
			title: sections.title,
			updated_by: userId,
			updated_at: new Date()
		})
		.where('event_id', '=', eventId)
		.where('id', '=', id)
		.where('status', '=', 'draft')
		.executeTakeFirst();
	return Number(r.numUpdatedRows) === 1;
}

export async function deleteDraft(db: Kysely<DB>, eventId: string, id: string): Promise<boolean> {
	const r = await db.deleteFrom('situation_reports').where('event_id', '=', eventId).where('id', '=', id).where('status', '=', 'draft').executeTakeFirst();
	return Number(r.numDeletedRows) === 1;
}

/**
 * Freezes a draft as issued with its canonical JSON and hash, in the caller's transaction (the one that stores the
 * instruction announcing it). False when it was no longer a draft: the first issue stands.
 */
export async function markIssued(
	tx: Kysely<DB>,
	eventId: string,
	id: string,
	input: { canonicalJson: string; sha256: string; texts: SitrepTexts; at: Date; userId: string; instructionId: string }
): Promise<boolean> {
	const r = await tx
		.updateTable('situation_reports')
		.set({
			status: 'issued',
			sections: JSON.stringify(input.texts),
			title: input.texts.title,
			canonical_json: input.canonicalJson,
			sha256: input.sha256,
			issued_at: input.at,
			issued_by: input.userId,
			instruction_id: input.instructionId,
			updated_at: input.at,
			updated_by: input.userId
		})
		.where('event_id', '=', eventId)
		.where('id', '=', id)
		.where('status', '=', 'draft')
		.executeTakeFirst();
	return Number(r.numUpdatedRows) === 1;
}

/** When the event's last report was issued (where an on-demand report starts). */
export async function lastIssuedAt(db: Kysely<DB>, eventId: string): Promise<Date | null> {
	const r = await db
		.selectFrom('situation_reports')
		.select('issued_at')
		.where('event_id', '=', eventId)
		.where('status', '=', 'issued')
		.orderBy('issued_at', 'desc')
		.limit(1)
		.executeTakeFirst();
	return r?.issued_at ? new Date(r.issued_at) : null;
}

/** The issued reports as the after-action record lists them, oldest first. */
export async function issuedForRecord(db: Kysely<DB>, eventId: string): Promise<RecordSitrep[]> {
	const rows = await baseQuery(db, eventId)
		.select(['s.id', 's.title', 's.period_name', 's.issued_at', 'i.display_name as issued_by_name', 's.sha256'])
		.where('s.status', '=', 'issued')
		.orderBy('s.issued_at')
		.orderBy('s.id')
		.execute();
	return rows.map((r) => ({ id: r.id, title: r.title, period: r.period_name, issuedAt: iso(r.issued_at)!, issuedBy: r.issued_by_name, sha256: r.sha256 ?? '' }));
}

export async function getSchedule(db: Kysely<DB>, eventId: string): Promise<SitrepSchedule> {
	const r = await db.selectFrom('sitrep_schedules').select(['times', 'period_ends']).where('event_id', '=', eventId).executeTakeFirst();
	return r ? { times: JSON.parse(r.times) as string[], periodEnds: r.period_ends } : EMPTY_SCHEDULE;
}

export async function saveSchedule(db: Kysely<DB>, eventId: string, schedule: SitrepSchedule, userId: string): Promise<void> {
	const values = { times: JSON.stringify(schedule.times), period_ends: schedule.periodEnds, updated_by: userId, updated_at: new Date() };
	await db
		.insertInto('sitrep_schedules')
		.values({ event_id: eventId, ...values })
		.onConflict((oc) => oc.column('event_id').doUpdateSet(values))
		.execute();
}

/** Running events with a schedule that has anything in it, with what due times are computed from. */
export async function scheduledEvents(db: Kysely<DB>): Promise<Array<{ eventId: string; schedule: SitrepSchedule; startsAt: Date; endsAt: Date; timezone: string }>> {
	const rows = await db
		.selectFrom('sitrep_schedules as s')
		.innerJoin('events as e', 'e.id', 's.event_id')
		.select(['s.event_id', 's.times', 's.period_ends', 'e.starts_at', 'e.ends_at', 'e.timezone'])
		.where('e.status', '=', 'active')
		.where((eb) => eb.or([eb('s.period_ends', '=', true), eb('s.times', '!=', '[]')]))
		.execute();
	return rows.map((r) => ({
		eventId: r.event_id,
		schedule: { times: JSON.parse(r.times) as string[], periodEnds: r.period_ends },
		startsAt: new Date(r.starts_at),
		endsAt: new Date(r.ends_at),
		timezone: r.timezone
	}));
}

/**
 * Claims a due time for this instance: inserting its row succeeds for exactly one claimant, however many instances
 * try at once (the primary key decides, inside the database). True for the one that may prepare the report.
 */
export async function claimSlot(db: Kysely<DB>, eventId: string, slot: DueSlot, now: Date): Promise<boolean> {
	const r = await db
		.insertInto('sitrep_slots')
		.values({ event_id: eventId, due_at: new Date(slot.dueAt), kind: slot.kind, period_id: slot.periodId, claimed_at: now })
		.onConflict((oc) => oc.columns(['event_id', 'due_at']).doNothing())
		.executeTakeFirst();
	return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
}

/** Gives a claimed due time back (its draft could not be made), so that the next round tries again. */
export async function releaseSlot(db: Kysely<DB>, eventId: string, dueAt: string): Promise<void> {
	await db.deleteFrom('sitrep_slots').where('event_id', '=', eventId).where('due_at', '=', new Date(dueAt)).where('report_id', 'is', null).execute();
}

/** Notes the draft prepared for a claimed due time. */
export async function setSlotReport(db: Kysely<DB>, eventId: string, dueAt: string, reportId: string): Promise<void> {
	await db.updateTable('sitrep_slots').set({ report_id: reportId }).where('event_id', '=', eventId).where('due_at', '=', new Date(dueAt)).execute();
}

/** The due times of an event already claimed, from `from` on (the page shows which are prepared). */
export async function claimedSlots(db: Kysely<DB>, eventId: string, from: Date): Promise<Array<{ dueAt: string; reportId: string | null }>> {
	const rows = await db.selectFrom('sitrep_slots').select(['due_at', 'report_id']).where('event_id', '=', eventId).where('due_at', '>=', from).execute();
	return rows.map((r) => ({ dueAt: iso(r.due_at)!, reportId: r.report_id }));
}
