/** Shared pieces of the PDF, DOCX and print renderings of a record. */
import type { AfterActionRecord, RecordActivity } from '../../domain/after-action.ts';
import { activityLineWords } from '../../domain/activity-words.ts';
import { code, t, when, type Locale } from './labels.ts';
import { reportFigureRows } from './render-reports.ts';

/** Per-agency activity rows shown in PDF and DOCX; the full log is in the JSON and CSV exports. */
export const ROW_CAP = 2000;

export function agencyLabel(a: { nameZh: string; nameEn: string; code: string } | undefined, locale: Locale): string {
	if (!a) return '';
	return locale === 'en' ? a.nameEn : a.nameZh;
}

/**
 * One activity row in words: "任务 · 状态：待办 → 进行中". The words come from the same function the review page
 * uses (before, unknown actions such as checklist ticks came out as raw codes: "任务 · checklistChecked …").
 */
export function activityLine(a: RecordActivity, locale: Locale, record: AfterActionRecord, titles?: Map<string, string>): string {
	return activityLineWords(a, (key, inputs) => t(key, locale, inputs), (iso) => when(iso, record.event.timezone), {
		names: titles && ((id) => titles.get(id)),
		agency: (code) => agencyLabel(record.overview.agencies.find((x) => x.code === code), locale) || undefined
	});
}

/** What each card, dispute and post of a record is called, by id, so log rows can name what they are about. */
export function entityTitles(record: AfterActionRecord): Map<string, string> {
	const out = new Map<string, string>();
	for (const c of record.cards) out.set(c.id, c.title);
	for (const d of record.disputes) out.set(d.id, d.summary);
	for (const p of record.ics204) for (const { post } of p.posts) out.set(post.id, post.name);
	// A record finalized before situation reports existed has none.
	for (const s of record.situationReports ?? []) out.set(s.id, s.title);
	return out;
}

/** The card statuses as columns of the cards-by-agency table, in board order. */
export const CARD_COLUMNS = ['todo', 'doing', 'blocked', 'done'] as const;

/** "草稿…" or "已定稿：name 于 time". */
export function statusLine(record: AfterActionRecord, locale: Locale): string {
	return record.status === 'final'
		? t('record_status_final', locale, { at: when(record.finalizedAt, record.event.timezone), name: record.finalizedBy ?? '' })
		: t('record_status_draft', locale);
}

/** The key figures as [figure, value] rows, one list for the PDF, the DOCX and the print view. */
export function figureRows(record: AfterActionRecord, locale: Locale): string[][] {
	const f = record.figures;
	const num = (v: number | null) => (v === null ? '—' : String(v));
	return [
		[t('record_cards_done', locale), `${f.cards.done}/${f.cards.total}`],
		[t('record_minutes_to_done', locale), `${num(f.cards.minutesToDone.median)} / ${num(f.cards.minutesToDone.p90)}`],
		[t('record_cards_overdue', locale), String(f.cards.overdue)],
		[t('record_cards_done_late', locale), String(f.cards.doneLate)],
		[t('record_shifts_planned_staffed', locale), `${f.shifts.planned} / ${f.shifts.staffed}`],
		[t('record_punctuality', locale), `${f.shifts.punctual} / ${f.shifts.late}`],
		[t('record_no_shows', locale), String(f.shifts.noShows)],
		[t('record_uncovered_hours', locale), String(f.shifts.uncoveredPostHours)],
		[t('record_disputes', locale), `${f.disputes.screened} / ${f.disputes.resolved} / ${f.disputes.escalated}`],
		[t('record_disputes_by_risk', locale), ['low', 'medium', 'high', 'critical'].map((r) => `${code('risk', r, locale)} ${f.disputes.byRisk[r] ?? 0}`).join('  ')],
		[t('record_instructions', locale), `${f.instructions.sent} / ${f.instructions.acknowledged}/${f.instructions.recipients}`],
		[t('record_seconds_to_ack', locale), `${num(f.instructions.secondsToAck.median)} / ${num(f.instructions.secondsToAck.p90)}`],
		...reportFigureRows(record, locale),
		...rhythmFigureRows(record, locale),
		[t('sitrep_record_issued', locale), String(record.situationReports?.length ?? 0)]
	];
}

/** The roll calls' and patrol rounds' figures (absent from records made before they existed). */
function rhythmFigureRows(record: AfterActionRecord, locale: Locale): string[][] {
	const r = (record.figures as { rhythm?: AfterActionRecord['figures']['rhythm'] }).rhythm;
	if (!r || (!r.rollCalls.length && !r.patrol.length)) return [];
	const sum = (band: 2 | 5 | 10) => r.rollCalls.reduce((n, c) => n + c.within[band], 0);
	const posts = r.rollCalls.reduce((n, c) => n + c.posts, 0);
	return [
		[t('record_rhythm_rollcalls', locale), `${r.rollCalls.length} / ${r.unansweredPostsTotal}`],
		[t('record_rhythm_rollcall_within', locale), `${sum(2)} / ${sum(5)} / ${sum(10)} (${posts})`],
		[t('record_rhythm_rounds', locale), `${r.roundsCompleted} / ${r.roundsPlanned}`]
	];
}

/** The situation reports issued, as rows: time, title, issued by, hash. */
export function sitrepRows(record: AfterActionRecord): string[][] {
	return (record.situationReports ?? []).map((s) => [when(s.issuedAt, record.event.timezone), s.title, s.issuedBy ?? '', s.sha256]);
}

/** The improvement plan as rows: the area it answers, action, owning agency, contact, due date. */
export function planRows(record: AfterActionRecord): string[][] {
	const areas = new Map(record.findings.improvements.map((i) => [i.id, i.area]));
	return record.findings.plan.map((p) => [(p.improvementId && areas.get(p.improvementId)) || '—', p.action, p.agency, p.contact, p.dueDate]);
}

/**
 * Entries of an object keyed by agency code, in the event's agency order. Canonical JSON sorts object keys, so a
 * final record read back from its stored bytes lists agencies by code (cid, patrol, station…) unless reordered.
 */
export function inAgencyOrder<T>(record: AfterActionRecord, rows: Record<string, T>): Array<[string, T]> {
	const order = record.overview.agencies.map((a) => a.code);
	const rest = Object.keys(rows)
		.filter((c) => !order.includes(c))
		.sort();
	return [...order.filter((c) => c in rows), ...rest].map((c) => [c, rows[c]]);
}
