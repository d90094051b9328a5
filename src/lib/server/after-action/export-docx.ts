/** The record as a Word document (DOCX), with the East Asian font set so Chinese renders in Word and WPS. */
import { figureLegend } from './map-legend.ts';
import { AlignmentType, BorderStyle, Document, Footer, Header, HeadingLevel, ImageRun, Packer, Paragraph, ShadingType, Table, TableCell, TableRow, TextRun, WidthType } from 'docx';
import type { AfterActionRecord } from '../../domain/after-action.ts';
import type { Party } from './collect.ts';
import { code, t, when, type Locale } from './labels.ts';
import { activityLine, agencyLabel, CARD_COLUMNS, entityTitles, figureRows, inAgencyOrder, planRows, ROW_CAP, sitrepRows, statusLine } from './render-common.ts';
import { capabilityRows, comparisonText, isDrill, ratingSummary } from './render-exercise.ts';
import type { Comparison } from '../../domain/record-comparison.ts';
import type { ExportStamp } from './render-worker.ts';
import { fileCaption, fileGroups, otherFileLine, REPORT_COLUMNS, reportRows, type ExportFiles } from './render-reports.ts';

/** Latin text in Arial, Chinese in Microsoft YaHei (Word and WPS fall back to a CJK font where it is missing). */
export const FONT = { ascii: 'Arial', eastAsia: 'Microsoft YaHei', hAnsi: 'Arial' };

export function p(text: string, opts: { bold?: boolean; size?: number; color?: string } = {}): Paragraph {
	return new Paragraph({ children: [new TextRun({ text, bold: opts.bold, size: opts.size ?? 20, color: opts.color, font: FONT })] });
}

export function h(text: string, level: (typeof HeadingLevel)[keyof typeof HeadingLevel] = HeadingLevel.HEADING_1): Paragraph {
	return new Paragraph({ heading: level, spacing: { before: 240, after: 120 }, children: [new TextRun({ text, font: FONT })] });
}

/** A table, or "无" when there are no rows (an empty table was a lone header row). */
export function table(header: string[], rows: string[][], locale: Locale): Table | Paragraph {
	if (!rows.length) return p(t('record_none', locale), { color: '5B6475' });
	const cell = (text: string, head: boolean) =>
		new TableCell({
			shading: head ? { fill: 'EEF2F7' } : undefined,
			children: [new Paragraph({ children: [new TextRun({ text, bold: head, size: 18, font: FONT })] })]
		});
	return new Table({
		width: { size: 100, type: WidthType.PERCENTAGE },
		rows: [new TableRow({ tableHeader: true, children: header.map((x) => cell(x, true)) }), ...rows.map((r) => new TableRow({ children: r.map((x) => cell(x, false)) }))]
	});
}

/** The venue map figure with its legend, when the record has a map and its plan could be drawn. */
function mapSection(record: AfterActionRecord, figure: Uint8Array | null, locale: Locale): Paragraph[] {
	if (!record.map || !figure) return [];
	const width = 600;
	const height = Math.round((width * record.map.height) / record.map.width);
	const legend = figureLegend(record.map);
	return [
		h(t('record_map', locale)),
		new Paragraph({ children: [new ImageRun({ type: 'png', data: figure, transformation: { width, height } })] }),
		p(t('record_map_caption', locale, { moment: t(record.event.closedAt ? 'record_map_moment_close' : 'record_map_moment_now', locale) }), { size: 16, color: '5B6475' }),
		p(`${t('record_map_posts', locale)}：${legend.posts.map((x) => `${x.n} ${x.name}`).join('；') || '—'}`),
		p(`${t('record_map_zones', locale)}：${legend.zones.map((z) => `${z.n} ${z.name}（${t(`map_zone_${z.kind}`, locale)}）`).join('；') || '—'}`)
	];
}

/** The drill mark as a paragraph: white words on the violet of the page's mark. */
export function drillParagraph(locale: Locale): Paragraph {
	return new Paragraph({
		alignment: AlignmentType.CENTER,
		shading: { type: ShadingType.CLEAR, fill: '5B21B6', color: 'auto' },
		spacing: { before: 120, after: 120 },
		children: [new TextRun({ text: t('drill_mark_record', locale), bold: true, size: 24, color: 'FFFFFF', font: FONT })]
	});
}

/** Compare with last time, as the exporter may see it. */
function comparisonSection(comparison: Comparison | null, locale: Locale): Array<Paragraph | Table> {
	if (!comparison) return [];
	const c = comparisonText(comparison, locale);
	return [h(t('compare_title', locale)), p(c.note, c.rows.length ? {} : { color: '5B6475' }), ...(c.rows.length ? [table(c.header, c.rows, locale)] : [])];
}

/** A drill's exercise evaluation in the HSEEP layout: per objective, its capabilities' ratings, strengths, improvements. */
function exerciseSection(record: AfterActionRecord, locale: Locale): Array<Paragraph | Table> {
	const out: Array<Paragraph | Table> = [h(t('exercise_title', locale)), p(t('exercise_rating_legend', locale), { size: 16, color: '5B6475' }), p(ratingSummary(record, locale))];
	const objectives = record.exercise?.objectives ?? [];
	if (!objectives.length) out.push(p(t('exercise_none', locale), { color: '5B6475' }));
	for (const [i, o] of objectives.entries()) {
		out.push(h(`${t('exercise_objective_n', locale, { n: i + 1 })}：${o.text}`, HeadingLevel.HEADING_2));
		out.push(table([t('exercise_capability', locale), t('exercise_rating', locale)], capabilityRows(o, locale), locale));
		out.push(h(t('exercise_strengths', locale), HeadingLevel.HEADING_3), ...(o.strengths.length ? o.strengths.map((s) => p(`• ${s}`)) : [p('—', { color: '5B6475' })]));
		out.push(h(t('exercise_improvements', locale), HeadingLevel.HEADING_3), ...(o.improvements.length ? o.improvements.map((s) => p(`• ${s}`)) : [p('—', { color: '5B6475' })]));
	}
	return out;
}

/** Thumbnails shown per table row, and the longest side of each in the document (pixels, as docx counts them). */
const THUMBS_PER_ROW = 4;
const THUMB_PX = 130;

/**
 * The reports in the order they arrived, then the photos and files the exporter may see under the report, card or
 * dispute entry they hang on: thumbnails in a borderless table, a caption under each.
 */
function reportsSection(record: AfterActionRecord, files: ExportFiles | null, locale: Locale): Array<Paragraph | Table> {
	const rows = reportRows(record, locale);
	const out: Array<Paragraph | Table> = [h(t('record_reports_title', locale)), table(REPORT_COLUMNS.map((k) => t(k, locale)), rows.slice(0, ROW_CAP), locale)];
	if (rows.length > ROW_CAP) out.push(p(t('record_rows_capped', locale, { shown: ROW_CAP, total: rows.length }), { size: 16, color: '5B6475' }));
	out.push(p(t('record_reports_triage_note', locale), { size: 16, color: '5B6475' }));
	const groups = fileGroups(record, files?.annex ?? [], locale);
	if (!groups.length) return out;
	out.push(h(t('record_attachments_title', locale)));
	if (groups.some((g) => [...g.photos, ...g.others].some((f) => f.outside))) out.push(p(t('record_attachments_annex_note', locale), { size: 16, color: '5B6475' }));
	const thumbs = new Map((files?.thumbnails ?? []).map((x) => [x.sha256, x]));
	const none = { style: BorderStyle.NONE, size: 0, color: 'FFFFFF' };
	const borders = { top: none, bottom: none, left: none, right: none, insideHorizontal: none, insideVertical: none };
	let missing = 0;
	let total = 0;
	for (const g of groups) {
		out.push(h(g.label, HeadingLevel.HEADING_3));
		const shown = g.photos.filter((f) => thumbs.has(f.sha256));
		total += g.photos.length;
		missing += g.photos.length - shown.length;
		if (shown.length) {
			const cells = shown.map((f) => {
				const th = thumbs.get(f.sha256)!;
				const k = THUMB_PX / Math.max(th.width, th.height);
				return new TableCell({
					borders: { top: none, bottom: none, left: none, right: none },
					children: [
						new Paragraph({ children: [new ImageRun({ type: th.type, data: th.bytes, transformation: { width: Math.round(th.width * k), height: Math.round(th.height * k) } })] }),
						new Paragraph({ children: [new TextRun({ text: fileCaption(f, locale), size: 14, color: f.people ? 'B91C1C' : '5B6475', font: FONT })] })
					]
				});
			});
			const tableRows: TableRow[] = [];
			for (let i = 0; i < cells.length; i += THUMBS_PER_ROW) {
				const row = cells.slice(i, i + THUMBS_PER_ROW);
				while (row.length < THUMBS_PER_ROW) row.push(new TableCell({ borders: { top: none, bottom: none, left: none, right: none }, children: [new Paragraph('')] }));
				tableRows.push(new TableRow({ children: row }));
			}
			out.push(new Table({ width: { size: 100, type: WidthType.PERCENTAGE }, borders, rows: tableRows }));
		}
		for (const f of [...g.photos.filter((x) => !thumbs.has(x.sha256)), ...g.others]) out.push(p(otherFileLine(f, locale), { size: 16 }));
	}
	if (missing) out.push(p(t('record_attachments_more', locale, { shown: total - missing, total }), { size: 16, color: '5B6475' }));
	return out;
}

export async function recordDocx(
	record: AfterActionRecord,
	sha256: string,
	parties: Party[] | null,
	locale: Locale,
	onProgress?: (f: number) => void,
	mapFigure: Uint8Array | null = null,
	files: ExportFiles | null = null,
	comparison: Comparison | null = null,
	stamp: ExportStamp = { mark: null, purged: null }
): Promise<Uint8Array> {
	const tz = record.event.timezone;
	const drill = isDrill(record);
	const agency = (c: string | null) => agencyLabel(record.overview.agencies.find((a) => a.code === c), locale) || '—';
	const f = record.figures;
	const titles = entityTitles(record);
	const tbl = (header: string[], rows: string[][]) => table(header, rows, locale);
	const body: Array<Paragraph | Table> = [
		new Paragraph({ alignment: AlignmentType.CENTER, children: [new TextRun({ text: record.event.name, bold: true, size: 40, font: FONT })] }),
		new Paragraph({ alignment: AlignmentType.CENTER, children: [new TextRun({ text: t('record_title', locale), size: 28, color: '5B6475', font: FONT })] }),
		...(drill ? [drillParagraph(locale)] : []),
		p(t('record_label_value', locale, { label: t('record_venue', locale), value: record.event.venue })),
		p(t('record_label_value', locale, { label: t('record_period', locale), value: `${when(record.event.startsAt, tz)} — ${when(record.event.endsAt, tz)}` })),
		p(t('record_label_value', locale, { label: t('record_status', locale), value: statusLine(record, locale) })),
		p(t('record_label_value', locale, { label: 'SHA-256', value: sha256 }), { size: 16, color: '5B6475' }),
		...(stamp.purged ? [p(stamp.purged, { size: 18, color: '5B6475' })] : []),
		h(t('record_overview', locale)),
		tbl([t('card_field_agency', locale), t('record_participants', locale)], record.overview.agencies.map((a) => [agencyLabel(a, locale), String(a.participants)])),
		p(''),
		tbl(
			[t('field_display_name', locale), t('record_role', locale), t('card_field_agency', locale)],
			record.overview.participants.map((x) => [x.name, code('role', x.role, locale), agency(x.agencyCode)])
		),
		h(t('record_figures', locale)),
		tbl(
			[t('card_field_agency', locale), ...CARD_COLUMNS.map((s) => code('status', s, locale)), t('record_total', locale)],
			inAgencyOrder(record, f.cards.byAgency).map(([c, r]) => [agency(c), ...[...CARD_COLUMNS, 'total'].map((k) => String(r[k] ?? 0))])
		),
		p(''),
		tbl([t('record_figure', locale), t('record_value', locale)], figureRows(record, locale)),
		...comparisonSection(comparison, locale),
		...mapSection(record, mapFigure, locale),
		...(drill ? exerciseSection(record, locale) : []),
		h(t('record_findings', locale)),
		h(t('record_strengths', locale), HeadingLevel.HEADING_2),
		...(record.findings.strengths.length ? record.findings.strengths.map((s) => p(`• ${s.text}`)) : [p(t('record_none', locale), { color: '5B6475' })]),
		h(t('record_improvements', locale), HeadingLevel.HEADING_2),
		tbl([t('record_area', locale), t('record_observation', locale), t('record_root_cause', locale)], record.findings.improvements.map((i) => [i.area, i.observation, i.rootCause])),
		h(t('record_plan', locale), HeadingLevel.HEADING_2),
		tbl([t('record_area', locale), t('record_action', locale), t('record_owner', locale), t('record_contact', locale), t('record_due', locale)], planRows(record)),
		h(t('tab_instructions', locale)),
		tbl(
			[t('record_time', locale), t('record_sender', locale), t('instruction_priority', locale), t('instruction_body', locale), t('record_acked', locale)],
			record.instructions.map((i) => [when(i.createdAt, tz), i.senderName ?? '', code('priority', i.priority, locale), i.body, `${i.recipients.filter((r) => r.ackedAt).length}/${i.recipients.length}`])
		),
		h(t('sitrep_record_heading', locale)),
		tbl([t('record_time', locale), t('sitrep_field_title', locale), t('sitrep_issued_by', locale), 'SHA-256'], sitrepRows(record)),
		h(t('record_disputes_list', locale)),
		tbl(
			[t('record_dispute', locale), t('card_field_agency', locale), t('record_field_risk', locale), t('card_field_status', locale), t('record_field_level', locale), t('record_parties_masked', locale)],
			record.disputes.map((d) => [d.summary, agency(d.agency), code('risk', d.risk, locale), code('disputeStatus', d.status, locale), code('level', d.level, locale), d.partiesMasked])
		),
		...reportsSection(record, files, locale),
		h(t('record_ics204', locale))
	];
	if (!record.ics204.length) body.push(p(t('record_none', locale), { color: '5B6475' }));
	onProgress?.(0.3);
	for (const period of record.ics204) {
		body.push(h(`${period.period.name}  ${when(period.period.startsAt, tz)} — ${when(period.period.endsAt, tz)}`, HeadingLevel.HEADING_2));
		const rows: string[][] = [];
		for (const post of period.posts) for (const s of post.shifts) rows.push([post.post.name, `${when(s.startsAt, tz).slice(11)}–${when(s.endsAt, tz).slice(11)}`, s.people.map((x) => x.name).join('、')]);
		body.push(tbl([t('record_post', locale), t('record_time', locale), t('record_people', locale)], rows));
		if (period.tasks.length) {
			body.push(
				p(''),
				tbl(
					[t('card_field_agency', locale), t('record_tasks_due', locale), t('card_field_status', locale), t('card_field_assignees', locale)],
					period.tasks.map((c) => [agency(c.agency), c.title, code('status', c.status, locale), c.assignees.join('、')])
				)
			);
		}
	}
	body.push(h(t('record_ics214', locale)));
	const logs = inAgencyOrder(record, record.ics214);
	logs.forEach(([c, rows], k) => {
		body.push(h(t('record_with_count', locale, { name: agency(c), count: rows.length }), HeadingLevel.HEADING_2));
		body.push(tbl([t('record_time', locale), t('record_who', locale), t('record_what', locale)], rows.slice(0, ROW_CAP).map((a) => [when(a.at, tz), a.who ?? '', activityLine(a, locale, record, titles)])));
		if (rows.length > ROW_CAP) body.push(p(t('record_rows_capped', locale, { shown: ROW_CAP, total: rows.length }), { size: 16, color: '5B6475' }));
		onProgress?.(0.3 + (0.4 * (k + 1)) / Math.max(1, logs.length));
	});
	if (parties) {
		body.push(h(t('record_parties_annex', locale)), p(t('record_parties_note', locale), { size: 16, color: '5B6475' }));
		body.push(
			tbl(
				[t('record_dispute', locale), t('field_display_name', locale), t('field_phone', locale), t('record_id_number', locale), t('record_address', locale)],
				parties.map((x) => [titles.get(x.disputeId) ?? x.disputeId, x.name, x.phone, x.idNumber, x.address])
			)
		);
	}
	const document = new Document({
		creator: 'Liandong',
		title: `${record.event.name} ${t('record_title', locale)}`,
		styles: { default: { document: { run: { font: FONT } } } },
		// A drill's every page says so, at its head and at its foot; a file with personal data names its exporter at
		// the foot of every page.
		sections: [
			{
				children: body,
				...(drill ? { headers: { default: new Header({ children: [drillParagraph(locale)] }) } } : {}),
				...(drill || stamp.mark
					? { footers: { default: new Footer({ children: [...(drill ? [drillParagraph(locale)] : []), ...(stamp.mark ? [p(stamp.mark, { size: 14, color: '5B6475' })] : [])] }) } }
					: {})
			}
		]
	});
	const buffer = await Packer.toBuffer(document);
	onProgress?.(0.98);
	return new Uint8Array(buffer);
}
