/** The record as PDF, in the shared PDF setup (pdf-layout.ts: A4, the embedded CJK font, tables, footers). */
import { figureLegend } from './map-legend.ts';
import type { AfterActionRecord } from '../../domain/after-action.ts';
import type { Party } from './collect.ts';
import { code, t, when, type Locale } from './labels.ts';
import { activityLine, agencyLabel, CARD_COLUMNS, entityTitles, figureRows, inAgencyOrder, planRows, ROW_CAP, sitrepRows, statusLine } from './render-common.ts';
import { drillBand, INK, MUTED, newPdf, PAGE, pageFooters, pdfLayout, RULE } from './pdf-layout.ts';
import { capabilityRows, comparisonText, isDrill, ratingSummary } from './render-exercise.ts';
import type { Comparison } from '../../domain/record-comparison.ts';
import type { ExportStamp } from './render-worker.ts';
import { fileCaption, fileGroups, otherFileLine, REPORT_COLUMNS, reportRows, type ExportFiles } from './render-reports.ts';

export async function recordPdf(
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
	const { doc, bytes } = newPdf(`${drill ? `${t('drill_mark_full', locale)} · ` : ''}${record.event.name} ${t('record_title', locale)}`);
	const { usable, bottom, room, heading, subheading, para, table } = pdfLayout(doc, locale);
	const agencyOf = (code: string | null) => agencyLabel(record.overview.agencies.find((a) => a.code === code), locale) || '—';
	const titles = entityTitles(record);

	// Title.
	doc.rect(0, 0, PAGE.width, 8).fill(INK);
	doc.fillColor(INK).fontSize(22).text(record.event.name, PAGE.margin, PAGE.margin, { width: usable });
	doc.fontSize(14).fillColor(MUTED).text(t('record_title', locale), { width: usable });
	doc.moveDown(0.6);
	if (drill) drillBand(doc, locale);
	para(t('record_label_value', locale, { label: t('record_venue', locale), value: record.event.venue }));
	para(t('record_label_value', locale, { label: t('record_period', locale), value: `${when(record.event.startsAt, tz)} — ${when(record.event.endsAt, tz)}` }));
	para(t('record_label_value', locale, { label: t('record_status', locale), value: statusLine(record, locale) }));
	para(t('record_label_value', locale, { label: 'SHA-256', value: sha256 }), MUTED, 8);
	if (stamp.purged) para(stamp.purged, MUTED, 9);

	heading(t('record_overview', locale));
	await table(
		[t('card_field_agency', locale), t('record_participants', locale)],
		record.overview.agencies.map((a) => [agencyLabel(a, locale), String(a.participants)]),
		[3, 1]
	);
	doc.moveDown(0.5);
	await table(
		[t('field_display_name', locale), t('record_role', locale), t('card_field_agency', locale)],
		record.overview.participants.map((p) => [p.name, code('role', p.role, locale), agencyOf(p.agencyCode)]),
		[2, 2, 2]
	);
	onProgress?.(0.15);

	const f = record.figures;
	heading(t('record_figures', locale));
	await table(
		[t('card_field_agency', locale), ...CARD_COLUMNS.map((k) => code('status', k, locale)), t('record_total', locale)],
		inAgencyOrder(record, f.cards.byAgency).map(([c, r]) => [agencyOf(c), ...[...CARD_COLUMNS, 'total'].map((k) => String(r[k] ?? 0))]),
		[3, 1, 1, 1, 1, 1]
	);
	doc.moveDown(0.5);
	await table([t('record_figure', locale), t('record_value', locale)], figureRows(record, locale), [3, 2]);
	if (comparison) {
		const c = comparisonText(comparison, locale);
		heading(t('compare_title', locale));
		para(c.note, c.rows.length ? INK : MUTED, 9.5);
		if (c.rows.length) {
			doc.moveDown(0.3);
			await table(c.header, c.rows, [3, 1, 1]);
		}
	}
	onProgress?.(0.3);

	if (record.map && mapFigure) {
		heading(t('record_map', locale));
		const h = (usable * record.map.height) / record.map.width;
		room(h + 20);
		doc.image(Buffer.from(mapFigure), PAGE.margin, doc.y, { width: usable });
		doc.y += h + 6;
		para(t('record_map_caption', locale, { moment: t(record.event.closedAt ? 'record_map_moment_close' : 'record_map_moment_now', locale) }), MUTED, 8.5);
		const legend = figureLegend(record.map);
		para(`${t('record_map_posts', locale)}：${legend.posts.map((p) => `${p.n} ${p.name}`).join('；') || '—'}`, INK, 9);
		para(`${t('record_map_zones', locale)}：${legend.zones.map((z) => `${z.n} ${z.name}（${t(`map_zone_${z.kind}`, locale)}）`).join('；') || '—'}`, INK, 9);
	}

	if (drill) {
		heading(t('exercise_title', locale));
		para(t('exercise_rating_legend', locale), MUTED, 8.5);
		para(ratingSummary(record, locale), INK, 9.5);
		const objectives = record.exercise?.objectives ?? [];
		if (!objectives.length) para(t('exercise_none', locale), MUTED, 9);
		for (const [i, o] of objectives.entries()) {
			subheading(`${t('exercise_objective_n', locale, { n: i + 1 })}：${o.text}`);
			await table([t('exercise_capability', locale), t('exercise_rating', locale)], capabilityRows(o, locale), [3, 2]);
			doc.moveDown(0.2);
			para(`${t('exercise_strengths', locale)}：`, INK, 9.5);
			if (!o.strengths.length) para('—', MUTED, 9);
			for (const line of o.strengths) para(`• ${line}`, INK, 9.5);
			para(`${t('exercise_improvements', locale)}：`, INK, 9.5);
			if (!o.improvements.length) para('—', MUTED, 9);
			for (const line of o.improvements) para(`• ${line}`, INK, 9.5);
		}
	}

	heading(t('record_findings', locale));
	subheading(t('record_strengths', locale));
	if (!record.findings.strengths.length) para(t('record_none', locale), MUTED, 9);
	for (const s of record.findings.strengths) para(`• ${s.text}`);
	subheading(t('record_improvements', locale));
	await table(
		[t('record_area', locale), t('record_observation', locale), t('record_root_cause', locale)],
		record.findings.improvements.map((i) => [i.area, i.observation, i.rootCause]),
		[2, 3, 3]
	);
	subheading(t('record_plan', locale));
	await table(
		[t('record_area', locale), t('record_action', locale), t('record_owner', locale), t('record_contact', locale), t('record_due', locale)],
		planRows(record),
		[2, 3.5, 1.6, 1.6, 1.4]
	);

	heading(t('tab_instructions', locale));
	await table(
		[t('record_time', locale), t('record_sender', locale), t('instruction_priority', locale), t('instruction_body', locale), t('record_acked', locale)],
		record.instructions.map((i) => [when(i.createdAt, tz), i.senderName ?? '', code('priority', i.priority, locale), i.body, `${i.recipients.filter((r) => r.ackedAt).length}/${i.recipients.length}`]),
		[1.6, 1.2, 0.8, 4, 0.8]
	);

	heading(t('sitrep_record_heading', locale));
	await table([t('record_time', locale), t('sitrep_field_title', locale), t('sitrep_issued_by', locale), 'SHA-256'], sitrepRows(record), [1.5, 3, 1, 3.5]);

	heading(t('record_disputes_list', locale));
	await table(
		[t('record_dispute', locale), t('card_field_agency', locale), t('record_field_risk', locale), t('card_field_status', locale), t('record_field_level', locale), t('record_parties_masked', locale)],
		record.disputes.map((d) => [d.summary, agencyOf(d.agency), code('risk', d.risk, locale), code('disputeStatus', d.status, locale), code('level', d.level, locale), d.partiesMasked]),
		[4, 1.2, 0.8, 1, 0.8, 1.6]
	);
	await reportsSection();
	onProgress?.(0.45);

	heading(t('record_ics204', locale));
	if (!record.ics204.length) para(t('record_none', locale), MUTED, 9);
	for (const p of record.ics204) {
		subheading(`${p.period.name}  ${when(p.period.startsAt, tz)} — ${when(p.period.endsAt, tz)}`);
		const rows: string[][] = [];
		for (const post of p.posts) for (const s of post.shifts) rows.push([post.post.name, `${when(s.startsAt, tz).slice(11)}–${when(s.endsAt, tz).slice(11)}`, s.people.map((x) => x.name).join('、')]);
		await table([t('record_post', locale), t('record_time', locale), t('record_people', locale)], rows, [2, 1.2, 4]);
		if (p.tasks.length) {
			doc.moveDown(0.3);
			await table(
				[t('card_field_agency', locale), t('record_tasks_due', locale), t('card_field_status', locale), t('card_field_assignees', locale)],
				p.tasks.map((c) => [agencyOf(c.agency), c.title, code('status', c.status, locale), c.assignees.join('、')]),
				[1.2, 4, 1, 2]
			);
		}
		doc.moveDown(0.5);
	}
	onProgress?.(0.55);

	heading(t('record_ics214', locale));
	const logs = inAgencyOrder(record, record.ics214);
	for (const [k, [c, rows]] of logs.entries()) {
		subheading(t('record_with_count', locale, { name: agencyOf(c), count: rows.length }));
		await table(
			[t('record_time', locale), t('record_who', locale), t('record_what', locale)],
			rows.slice(0, ROW_CAP).map((a) => [when(a.at, tz), a.who ?? '', activityLine(a, locale, record, titles)]),
			[1.5, 1.2, 5]
		);
		if (rows.length > ROW_CAP) para(t('record_rows_capped', locale, { shown: ROW_CAP, total: rows.length }), MUTED, 8);
		doc.moveDown(0.5);
		onProgress?.(0.55 + (0.4 * (k + 1)) / Math.max(1, logs.length));
	}

	if (parties) {
		heading(t('record_parties_annex', locale));
		para(t('record_parties_note', locale), MUTED, 8);
		doc.moveDown(0.3);
		await table(
			[t('record_dispute', locale), t('field_display_name', locale), t('field_phone', locale), t('record_id_number', locale), t('record_address', locale)],
			parties.map((p) => [titles.get(p.disputeId) ?? p.disputeId, p.name, p.phone, p.idNumber, p.address]),
			[3, 1.2, 1.5, 2, 2.5]
		);
	}

	/**
	 * The reports in the order they arrived, then the photos and files the exporter may see, each under the report,
	 * card or dispute entry it hangs on: thumbnails in rows, a caption under each.
	 */
	async function reportsSection() {
		const rows = reportRows(record, locale);
		heading(t('record_reports_title', locale));
		await table(REPORT_COLUMNS.map((k) => t(k, locale)), rows.slice(0, ROW_CAP), [1.4, 1.2, 1.4, 3, 3]);
		if (rows.length > ROW_CAP) para(t('record_rows_capped', locale, { shown: ROW_CAP, total: rows.length }), MUTED, 8);
		doc.moveDown(0.3);
		para(t('record_reports_triage_note', locale), MUTED, 8);

		const groups = fileGroups(record, files?.annex ?? [], locale);
		if (!groups.length) return;
		heading(t('record_attachments_title', locale));
		if (groups.some((g) => [...g.photos, ...g.others].some((f) => f.outside))) para(t('record_attachments_annex_note', locale), MUTED, 8);
		const thumbs = new Map((files?.thumbnails ?? []).map((x) => [x.sha256, x]));
		const BOX = 100;
		const GAP = 10;
		const CAPTION = 20;
		const perRow = Math.max(1, Math.floor((usable + GAP) / (BOX + GAP)));
		let missing = 0;
		let total = 0;
		for (const g of groups) {
			const shown = g.photos.filter((f) => thumbs.has(f.sha256));
			// A label never stands alone at the foot of a page: it keeps its first row of pictures with it.
			if (shown.length) room(BOX + CAPTION + 40);
			subheading(g.label);
			total += g.photos.length;
			missing += g.photos.length - shown.length;
			let top = doc.y;
			for (const [i, f] of shown.entries()) {
				const col = i % perRow;
				if (col === 0) {
					if (i > 0) top += BOX + CAPTION + 4;
					if (top + BOX + CAPTION > bottom) {
						doc.addPage();
						top = doc.y;
					}
				}
				const x = PAGE.margin + col * (BOX + GAP);
				doc.image(Buffer.from(thumbs.get(f.sha256)!.bytes), x, top, { fit: [BOX, BOX], align: 'center', valign: 'center' });
				doc.rect(x, top, BOX, BOX).strokeColor(RULE).lineWidth(0.5).stroke();
				doc.fontSize(7).fillColor(f.people ? '#b91c1c' : MUTED).text(fileCaption(f, locale), x, top + BOX + 2, { width: BOX, height: CAPTION - 2, ellipsis: true });
			}
			doc.x = PAGE.margin;
			doc.y = shown.length ? top + BOX + CAPTION + 4 : doc.y;
			for (const f of [...g.photos.filter((p) => !thumbs.has(p.sha256)), ...g.others]) para(otherFileLine(f, locale), INK, 8);
		}
		if (missing) para(t('record_attachments_more', locale, { shown: total - missing, total }), MUTED, 8);
	}

	pageFooters(doc, (page, pages) => `${drill ? `${t('drill_mark_full', locale)} · ` : ''}${record.event.name} · ${t('record_title', locale)} · SHA-256 ${sha256.slice(0, 16)}… · ${page}/${pages}`, stamp.mark);
	doc.end();
	return bytes;
}
