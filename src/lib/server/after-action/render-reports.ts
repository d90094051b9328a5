/**
 * The field reports and attached files of a record in words, shared by the PDF, the DOCX and the print view: the
 * report figures as table rows, the reports as a table, and the files grouped under the report, card or dispute
 * entry they hang on.
 */
import type { AfterActionRecord } from '../../domain/after-action.ts';
import { REPORT_KINDS, REPORT_STATES } from '../../domain/field-reports.ts';
import type { RecordAttachment, RecordReport } from '../../domain/record-reports.ts';
import { t, when, type Locale } from './labels.ts';

/** A record finalized before reports were recorded has none; it reads as a record without reports. */
export function reportsOf(record: AfterActionRecord): RecordReport[] {
	return record.reports ?? [];
}

export function attachmentsOf(record: AfterActionRecord): RecordAttachment[] {
	return record.attachments ?? [];
}

const agencyName = (record: AfterActionRecord, code: string | null, locale: Locale) => {
	const a = record.overview.agencies.find((x) => x.code === code);
	return a ? (locale === 'en' ? a.nameEn : a.nameZh) : (code ?? '');
};

/** The report figures as [figure, value] rows; none for a record that carries no report figures. */
export function reportFigureRows(record: AfterActionRecord, locale: Locale): string[][] {
	const f = record.figures.reports;
	if (!f) return [];
	const num = (v: number | null) => (v === null ? '—' : String(v));
	const counted = (keys: readonly string[], counts: Record<string, number>, prefix: string) =>
		keys.filter((k) => counts[k]).map((k) => `${t(`${prefix}${k}`, locale)} ${counts[k]}`).join('  ') || '—';
	return [
		[t('record_reports_counts', locale), `${f.total} / ${f.waiting} / ${f.waitingOverdue}`],
		[t('record_reports_by_kind', locale), counted(REPORT_KINDS, f.byKind, 'report_kind_')],
		[t('record_reports_by_state', locale), counted(REPORT_STATES, f.byState, 'report_state_')],
		[t('record_reports_triage_minutes', locale), `${num(f.medianTriageMinutes)} / ${num(f.p90TriageMinutes)} / ${num(f.slowestTriageMinutes)}`]
	];
}

/** What became of a report, in words: the card it became or joined, the report it repeats, the reason it closed. */
export function reportOutcome(record: AfterActionRecord, r: RecordReport, locale: Locale): string {
	const tz = record.event.timezone;
	const agency = agencyName(record, r.cardAgency, locale);
	let outcome: string;
	switch (r.state) {
		case 'card':
			outcome = r.cardTitle ? t('reports_outcome_card', locale, { title: r.cardTitle, agency }) : t('reports_outcome_card_plain', locale, { agency });
			break;
		case 'attached':
			outcome = t('reports_outcome_attached', locale, { title: r.cardTitle ?? '', agency });
			break;
		case 'duplicate': {
			const first = reportsOf(record).find((x) => x.id === r.duplicateOf);
			outcome = first
				? t('record_reports_duplicate', locale, { time: when(first.receivedAt, tz), kind: t(`report_kind_${first.kind}`, locale) })
				: t('reports_outcome_duplicate', locale);
			break;
		}
		case 'closed':
			outcome = t('reports_outcome_closed', locale, { reason: r.reason ?? '' });
			break;
		default:
			return t('report_state_new', locale);
	}
	return r.triagedAt ? `${outcome} · ${t('reports_outcome_by', locale, { name: r.triagedBy ?? '', time: when(r.triagedAt, tz) })}` : outcome;
}

/** The report's kind, with a crowding report's level and head count. */
function kindWords(r: RecordReport, locale: Locale): string {
	const kind = t(`report_kind_${r.kind}`, locale);
	if (r.level === null) return kind;
	const crowd = r.headCount === null ? t('reports_crowd_level_only', locale, { level: r.level }) : t('reports_crowd_summary', locale, { level: r.level, count: r.headCount });
	return `${kind} · ${crowd}`;
}

export const REPORT_COLUMNS = ['record_reports_received_at', 'record_reports_kind', 'record_reports_reporter', 'record_reports_text', 'record_reports_outcome'] as const;

/** The reports as table rows in the order they arrived: received, kind, reporter, text, outcome. */
export function reportRows(record: AfterActionRecord, locale: Locale): string[][] {
	const tz = record.event.timezone;
	return reportsOf(record).map((r) => [
		when(r.receivedAt, tz),
		kindWords(r, locale),
		r.reporterAgency ? t('record_reports_reporter_line', locale, { name: r.reporterName ?? '', agency: agencyName(record, r.reporterAgency, locale) }) : (r.reporterName ?? ''),
		r.text,
		reportOutcome(record, r, locale)
	]);
}

/** A photo's thumbnail as the renderers place it, measured beforehand. */
export interface Thumbnail {
	sha256: string;
	bytes: Uint8Array;
	type: 'jpg' | 'png';
	width: number;
	height: number;
}

/** What an export shows of files beyond the record: the exporter's annex, and the thumbnails of every photo they may see. */
export interface ExportFiles {
	annex: RecordAttachment[];
	thumbnails: Thumbnail[];
}

/** A file as it is placed: the record's entry, and whether it comes from the exporter's annex (outside the hash). */
export type PlacedFile = RecordAttachment & { outside: boolean };

export interface FileGroup {
	/** The report, card or dispute entry, in words. */
	label: string;
	photos: PlacedFile[];
	/** Files that are not photos (PDFs): listed by name, no picture. */
	others: PlacedFile[];
}

/** The key of what a file hangs on. */
export const targetKey = (f: Pick<RecordAttachment, 'target' | 'targetId'>) => `${f.target}/${f.targetId}`;

/**
 * What the files hang on, in words and in order: reports as they arrived, then cards and dispute entries in the
 * record's order, then anything the record does not hold (a card deleted since) under the name it was listed with.
 */
export function targetLabels(record: AfterActionRecord, files: RecordAttachment[], locale: Locale): Map<string, string> {
	const tz = record.event.timezone;
	const labels = new Map<string, string>();
	for (const r of reportsOf(record)) {
		labels.set(`report/${r.id}`, t('record_attachments_report', locale, { kind: t(`report_kind_${r.kind}`, locale), time: when(r.receivedAt, tz), name: r.reporterName ?? '' }));
	}
	for (const c of record.cards) labels.set(`card/${c.id}`, t('record_attachments_card', locale, { title: c.title, agency: agencyName(record, c.agency, locale) }));
	for (const d of record.disputes) labels.set(`dispute/${d.id}`, t('record_attachments_dispute', locale, { title: d.summary, agency: agencyName(record, d.agency, locale) }));
	for (const f of files) {
		const key = targetKey(f);
		if (labels.has(key)) continue;
		const entity = t(f.target === 'card' ? 'record_entity_card' : f.target === 'dispute' ? 'record_entity_dispute' : 'record_reports_title', locale);
		labels.set(key, f.targetName ? t('record_entity_named', locale, { entity, title: f.targetName }) : entity);
	}
	return labels;
}

/** The files an exporter may see: the record's, and their annex marked as outside the record. */
export function placedFiles(record: AfterActionRecord, annex: RecordAttachment[]): PlacedFile[] {
	return [...attachmentsOf(record).map((a) => ({ ...a, outside: false })), ...annex.map((a) => ({ ...a, outside: true }))];
}

/**
 * The files the exporter may see grouped under what they hang on, in the order of `targetLabels`. Each file is
 * placed once, under the first of these it hangs on (a report's photo that went with it onto a card stays with the
 * report, whose outcome names the card).
 */
export function fileGroups(record: AfterActionRecord, annex: RecordAttachment[], locale: Locale): FileGroup[] {
	const files = placedFiles(record, annex);
	const byTarget = new Map<string, PlacedFile[]>();
	for (const f of files) byTarget.set(targetKey(f), [...(byTarget.get(targetKey(f)) ?? []), f]);
	const placed = new Set<string>();
	const groups: FileGroup[] = [];
	for (const [key, label] of targetLabels(record, files, locale)) {
		const here = (byTarget.get(key) ?? []).filter((f) => !placed.has(f.sha256));
		if (!here.length) continue;
		for (const f of here) placed.add(f.sha256);
		groups.push({ label, photos: here.filter((f) => f.mime.startsWith('image/')), others: here.filter((f) => !f.mime.startsWith('image/')) });
	}
	return groups;
}

/** A file's caption: its name (or the start of its hash), and marks for people and for the annex. */
export function fileCaption(f: PlacedFile, locale: Locale): string {
	const marks = [f.people ? t('record_attachments_people', locale) : '', f.outside ? t('record_attachments_outside', locale) : ''].filter(Boolean);
	return [f.name || `${f.sha256.slice(0, 12)}…`, ...marks].join(' · ');
}

/** A size in words: 820 B, 14 KB, 2.3 MB. */
export function fileSize(bytes: number): string {
	if (bytes < 1024) return `${bytes} B`;
	if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
	return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** A file that is not a photo, in words. */
export function otherFileLine(f: PlacedFile, locale: Locale): string {
	return `${t('record_attachments_file', locale, { name: fileCaption(f, locale), size: fileSize(f.size) })} · SHA-256 ${f.sha256}`;
}
