/**
 * Making and issuing situation reports: a draft is filled from what the after-action record is built from
 * (collectRecordInputs: the documents as the hub holds them, the activity log, the instructions) plus the field
 * reports' times, at one moment; issuing freezes it as canonical JSON with its SHA-256 and sends it as an
 * instruction through the one path instructions take, in one transaction.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { AppServices } from '../services.ts';
import type { Principal } from '../../domain/permissions.ts';
import { collectParties, collectRecordInputs } from '../after-action/collect.ts';
import { reportTimes } from '../repositories/field-report.repository.ts';
import { getEvent } from '../repositories/event.repository.ts';
import { listAgencies } from '../repositories/agency.repository.ts';
import { getSitrep, insertDraft, lastIssuedAt, markIssued, renewDraft } from '../repositories/sitrep.repository.ts';
import { issuedDocument, periodById, sitrepFigures, type SitrepFigures, type SitrepLocale, type SitrepTexts } from '../../domain/sitrep.ts';
import { sitrepTexts } from '../../domain/sitrep-text.ts';
import { canonicalJson, recordHash, type RecordInputs } from '../../domain/after-action.ts';
import { newId } from '../../domain/ids.ts';
import { t, when } from '../after-action/labels.ts';

export interface ComposedDraft {
	figures: SitrepFigures;
	generated: Record<SitrepLocale, SitrepTexts>;
	locale: SitrepLocale;
	period: { id: string; name: string } | null;
}

/** The agencies with a part in the event — a member, a post or a card — in the installation's order. */
function takingPart(record: RecordInputs): string[] {
	const codes = new Set<string>([
		...record.participants.flatMap((p) => (p.agencyCode ? [p.agencyCode] : [])),
		...record.posts.flatMap((p) => (p.agency && !p.archived ? [p.agency] : [])),
		...record.cards.filter((c) => !c.archived).map((c) => c.agency)
	]);
	return record.agencies.map((a) => a.code).filter((c) => codes.has(c));
}

/** A draft's figures and texts from the board as it stands now; null when there is no such event or period. */
export async function composeDraft(db: Kysely<DB>, services: AppServices, eventId: string, periodId: string | null, dueAt: Date | null): Promise<ComposedDraft | null> {
	const [event, record] = await Promise.all([getEvent(db, eventId), collectRecordInputs(db, services, eventId)]);
	if (!event || !record) return null;
	const period = periodId ? periodById(record.periods, periodId) : null;
	if (periodId && !period) return null;
	const [reports, parties, last] = await Promise.all([reportTimes(db, eventId), collectParties(services, eventId), lastIssuedAt(db, eventId)]);
	const figures = sitrepFigures({ record, reports, parties, period, since: last?.toISOString() ?? record.event.startsAt });
	const taking = takingPart(record);
	const textsIn = (locale: SitrepLocale) =>
		sitrepTexts(figures, {
			event: { name: record.event.name },
			agencies: record.agencies,
			taking,
			locale,
			dueAt: dueAt?.toISOString() ?? null,
			tr: (key, inputs) => t(key, locale, inputs),
			time: (iso) => when(iso, record.event.timezone)
		});
	return {
		figures,
		generated: { 'zh-CN': textsIn('zh-CN'), en: textsIn('en') },
		locale: event.locale === 'en' ? 'en' : 'zh-CN',
		period: period && { id: period.id, name: period.name }
	};
}

/** Makes a draft for a period (or on demand) and returns its id; null when there is no such event or period. */
export async function createDraft(
	db: Kysely<DB>,
	services: AppServices,
	eventId: string,
	opts: { periodId: string | null; userId: string | null; dueAt: Date | null }
): Promise<string | null> {
	const draft = await composeDraft(db, services, eventId, opts.periodId, opts.dueAt);
	if (!draft) return null;
	const id = newId();
	await insertDraft(db, {
		id,
		eventId,
		periodId: draft.period?.id ?? null,
		periodName: draft.period?.name ?? null,
		dueAt: opts.dueAt,
		locale: draft.locale,
		figures: draft.figures,
		generated: draft.generated,
		createdBy: opts.userId
	});
	return id;
}

/** Takes a draft's figures and texts again from the board now (its edits go). False when it is no draft. */
export async function refreshDraft(db: Kysely<DB>, services: AppServices, eventId: string, id: string, userId: string): Promise<boolean> {
	const row = await getSitrep(db, eventId, id);
	if (!row || row.status !== 'draft') return false;
	const draft = await composeDraft(db, services, eventId, row.periodId, row.dueAt ? new Date(row.dueAt) : null);
	if (!draft) return false;
	return renewDraft(db, eventId, id, draft, userId);
}

/** How long recipients have to acknowledge an issued report, unless the commander says otherwise. */
export const DEFAULT_ACK_MINUTES = 15;

export type IssueResult =
	| { ok: true; sha256: string; instructionId: string }
	| { ok: false; reason: 'notFound' | 'issued' | 'eventClosed' | 'forbidden' | 'noRecipients' | 'invalid' };

/** Thrown inside the instruction's transaction when the report was issued meanwhile: nothing of either is kept. */
class AlreadyIssued extends Error {}

/**
 * Issues a draft with the texts the commander last saw: freezes it (canonical JSON and SHA-256) and sends it to
 * everyone in the event as an urgent instruction to acknowledge within `ackMinutes`, its first line the title and
 * its last a link to the report. Both are stored in one transaction: no issued report without its instruction.
 */
export async function issueDraft(
	db: Kysely<DB>,
	services: AppServices,
	issuer: { principal: Principal; userId: string; name: string },
	eventId: string,
	id: string,
	texts: SitrepTexts,
	ackMinutes = DEFAULT_ACK_MINUTES
): Promise<IssueResult> {
	const [row, event, agencies] = await Promise.all([getSitrep(db, eventId, id), getEvent(db, eventId), listAgencies(db)]);
	if (!row || !event) return { ok: false, reason: 'notFound' };
	if (row.status !== 'draft') return { ok: false, reason: 'issued' };
	if (event.status === 'closed') return { ok: false, reason: 'eventClosed' };
	const at = new Date();
	const doc = issuedDocument(
		row,
		{ id: event.id, name: event.name, venue: event.venue, timezone: event.timezone },
		agencies.map((a) => ({ code: a.code, nameZh: a.nameZh, nameEn: a.nameEn })),
		texts,
		{ at: at.toISOString(), by: issuer.name }
	);
	const canonical = canonicalJson(doc);
	const sha256 = recordHash(canonical);
	const body = `${texts.title}\n${t('sitrep_instruction_link', row.locale, { path: `/events/${eventId}/sitreps/${id}` })}`;
	try {
		const sent = await services.sendInstruction(
			issuer.principal,
			{ eventId, scope: 'everyone', targets: [], priority: 'urgent', body, ackBy: new Date(at.getTime() + ackMinutes * 60_000).toISOString() },
			async (tx, instructionId) => {
				if (!(await markIssued(tx, eventId, id, { canonicalJson: canonical, sha256, texts, at, userId: issuer.userId, instructionId }))) throw new AlreadyIssued();
			}
		);
		if (!sent.ok) {
			if (sent.error === 'forbidden' || sent.error === 'eventClosed') return { ok: false, reason: sent.error };
			return { ok: false, reason: sent.problem === 'noRecipients' ? 'noRecipients' : 'invalid' };
		}
		services.sitrepChanged(eventId, id);
		return { ok: true, sha256, instructionId: sent.instruction.id };
	} catch (err) {
		if (err instanceof AlreadyIssued) return { ok: false, reason: 'issued' };
		throw err;
	}
}
