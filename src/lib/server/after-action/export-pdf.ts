/**
 * The record as PDF. Chinese text uses the embedded WenQuanYi Micro Hei, which pdfkit subsets to the glyphs
 * used, so a report of a few pages stays small.
 */
import { figureLegend } from './map-legend.ts';
import PDFDocument from 'pdfkit';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { AfterActionRecord } from '../../domain/after-action.ts';
import type { Party } from './collect.ts';
import { code, t, when, type Locale } from './labels.ts';
import { activityLine, agencyLabel, CARD_COLUMNS, entityTitles, figureRows, inAgencyOrder, planRows, ROW_CAP, statusLine } from './render-common.ts';
import { fileCaption, fileGroups, otherFileLine, REPORT_COLUMNS, reportRows, type ExportFiles } from './render-reports.ts';

const FONT_FILE = 'fonts/wqy-microhei.ttc';

/** The CJK font: from static/ in a checkout, or from the built client folder. */
export function cjkFontPath(): string {
	for (const dir of ['static', 'build/client']) {
		const p = resolve(process.cwd(), dir, FONT_FILE);
		if (existsSync(p)) return p;
	}
	throw new Error(`CJK font ${FONT_FILE} not found under static/ or build/client/`);
}

const PAGE = { margin: 48, width: 595.28, height: 841.89 };
const INK = '#14213d';
const MUTED = '#5b6475';
const RULE = '#d9e0ea';
const HEAD_FILL = '#eef2f7';
/** Table rows drawn between two turns of the event loop (a few milliseconds of layout). */
const ROWS_PER_TURN = 100;

export async function recordPdf(
	record: AfterActionRecord,
	sha256: string,
	parties: Party[] | null,
	locale: Locale,
	onProgress?: (f: number) => void,
	mapFigure: Uint8Array | null = null,
	files: ExportFiles | null = null
): Promise<Uint8Array> {
	const tz = record.event.timezone;
	const doc = new PDFDocument({ size: 'A4', margin: PAGE.margin, bufferPages: true, info: { Title: `${record.event.name} ${t('record_title', locale)}` } });
	doc.registerFont('cjk', cjkFontPath(), 'WenQuanYiMicroHei');
	doc.font('cjk');
	const chunks: Buffer[] = [];
	doc.on('data', (c: Buffer) => chunks.push(c));
	const done = new Promise<void>((r) => doc.on('end', () => r()));
	const usable = PAGE.width - PAGE.margin * 2;

	const bottom = PAGE.height - PAGE.margin;
	/** Starts a new page unless `room` points are left on this one (keeps a heading with what follows it). */
	const room = (points: number) => {
		if (doc.y + points > bottom) doc.addPage();
	};
	const heading = (text: string, size = 15) => {
		room(120);
		doc.moveDown(0.8).fillColor(INK).fontSize(size).text(text, PAGE.margin, doc.y, { width: usable });
		const y = doc.y + 2;
		doc.moveTo(PAGE.margin, y).lineTo(PAGE.margin + usable, y).strokeColor(RULE).lineWidth(1).stroke();
		doc.y = y + 6;
	};
	const subheading = (text: string) => {
		room(70);
		doc.moveDown(0.4).fontSize(11).fillColor(INK).text(text, PAGE.margin, doc.y, { width: usable });
		doc.moveDown(0.2);
	};
	const para = (text: string, color = INK, size = 10) => doc.fillColor(color).fontSize(size).text(text, PAGE.margin, doc.y, { width: usable });
	// pdfkit lays out synchronously; a report of thousands of rows held the event loop for seconds, stopping the
	// sync hub, the command channel and every request (the progress polls too) for everyone. Tables give the loop
	// a turn every ROWS_PER_TURN rows.
	const table = async (header: string[], rows: string[][], widths: number[]) => {
		// An empty table was drawn as a lone header row; say there is nothing instead.
		if (!rows.length) {
			para(t('record_none', locale), MUTED, 9);
			return;
		}
		const total = widths.reduce((a, b) => a + b, 0);
		const cols = widths.map((w) => (w / total) * usable);
		const heightOf = (cells: string[]) => {
			doc.fontSize(8.5);
			return Math.max(...cells.map((c, i) => doc.heightOfString(c || ' ', { width: cols[i] - 6 }))) + 6;
		};
		const drawRow = (cells: string[], head: boolean) => {
			const h = heightOf(cells);
			if (doc.y + h > bottom) {
				doc.addPage();
				if (!head) drawRow(header, true);
			}
			const y = doc.y;
			if (head) doc.rect(PAGE.margin, y, usable, h).fill(HEAD_FILL);
			let x = PAGE.margin;
			doc.fontSize(8.5);
			cells.forEach((c, i) => {
				doc.fillColor(head ? MUTED : INK).text(c || '', x + 3, y + 3, { width: cols[i] - 6 });
				x += cols[i];
			});
			doc.moveTo(PAGE.margin, y + h).lineTo(PAGE.margin + usable, y + h).strokeColor(RULE).lineWidth(0.5).stroke();
			doc.y = y + h;
		};
		// A header never stands alone at the foot of a page.
		room(heightOf(header) + heightOf(rows[0]));
		drawRow(header, true);
		for (let i = 0; i < rows.length; i++) {
			drawRow(rows[i], false);
			if (i % ROWS_PER_TURN === ROWS_PER_TURN - 1) await new Promise<void>((resolve) => setImmediate(resolve));
		}
		doc.x = PAGE.margin;
	};
	const agencyOf = (code: string | null) => agencyLabel(record.overview.agencies.find((a) => a.code === code), locale) || '—';
	const titles = entityTitles(record);

	// Title.
	doc.rect(0, 0, PAGE.width, 8).fill(INK);
	doc.fillColor(INK).fontSize(22).text(record.event.name, PAGE.margin, PAGE.margin, { width: usable });
	doc.fontSize(14).fillColor(MUTED).text(t('record_title', locale), { width: usable });
	doc.moveDown(0.6);
	para(t('record_label_value', locale, { label: t('record_venue', locale), value: record.event.venue }));
	para(t('record_label_value', locale, { label: t('record_period', locale), value: `${when(record.event.startsAt, tz)} — ${when(record.event.endsAt, tz)}` }));
	para(t('record_label_value', locale, { label: t('record_status', locale), value: statusLine(record, locale) }));
	para(t('record_label_value', locale, { label: 'SHA-256', value: sha256 }), MUTED, 8);

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

	// Footer on every page: the hash ties each printed page to the record. Written below the bottom margin, so
	// the margin is lifted for it: otherwise pdfkit starts a new page for each footer (every report ended in as
	// many blank pages, each holding one footer, as it had pages of content).
	const range = doc.bufferedPageRange();
	for (let i = range.start; i < range.start + range.count; i++) {
		doc.switchToPage(i);
		const margin = doc.page.margins.bottom;
		doc.page.margins.bottom = 0;
		doc.fontSize(7).fillColor(MUTED).text(`${record.event.name} · ${t('record_title', locale)} · SHA-256 ${sha256.slice(0, 16)}… · ${i + 1}/${range.count}`, PAGE.margin, PAGE.height - 30, { width: usable, align: 'center', lineBreak: false });
		doc.page.margins.bottom = margin;
	}
	doc.end();
	await done;
	return new Uint8Array(Buffer.concat(chunks));
}
