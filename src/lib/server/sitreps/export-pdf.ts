/** An issued situation report as PDF, in the record's PDF setup (pdf-layout.ts: A4, the embedded CJK font). */
import type { IssuedSitrep } from '../../domain/sitrep.ts';
import { t } from '../after-action/labels.ts';
import { drillBand, INK, MUTED, newPdf, PAGE, pageFooters, pdfLayout } from '../after-action/pdf-layout.ts';
import { sitrepAgencyTable, sitrepBlocks, sitrepFigureRows, sitrepFooter, sitrepHeadRows, sitrepHeading, sitrepPostTable, sitrepTitle, type SitrepLayout } from './render-sitrep.ts';

export async function sitrepPdf(report: IssuedSitrep, sha256: string, layout: SitrepLayout, drill = false): Promise<Uint8Array> {
	const { doc, bytes } = newPdf(sitrepTitle(report, layout));
	const { usable, heading, para, table } = pdfLayout(doc, layout);

	doc.rect(0, 0, PAGE.width, 8).fill(INK);
	doc.fillColor(MUTED).fontSize(11).text(sitrepHeading(layout), PAGE.margin, PAGE.margin, { width: usable, align: 'center' });
	doc.moveDown(0.3).fillColor(INK).fontSize(18).text(sitrepTitle(report, layout), { width: usable, align: 'center' });
	doc.moveDown(0.6);
	if (drill) drillBand(doc, layout);
	for (const [label, value] of sitrepHeadRows(report, sha256, layout)) para(t('record_label_value', layout, { label, value }), label === 'SHA-256' ? MUTED : INK, label === 'SHA-256' ? 8 : 10);

	for (const block of sitrepBlocks(report, layout)) {
		heading(block.heading, 13);
		if (block.note) para(block.note, MUTED, 8);
		para(block.text, INK, 10.5);
	}

	heading(t('sitrep_annex_figures', layout), 13);
	await table([t('record_figure', layout), t('record_value', layout)], sitrepFigureRows(report, layout), [3, 2]);
	doc.moveDown(0.5);
	const agencies = sitrepAgencyTable(report, layout);
	await table(agencies.header, agencies.rows, [2, 1, 1, 1, 1, 1]);
	doc.moveDown(0.5);
	const posts = sitrepPostTable(report, layout);
	await table(posts.header, posts.rows, [3, 1.5, 1, 1, 1.2]);

	pageFooters(doc, (page, pages) => `${drill ? `${t('drill_mark_full', layout)} · ` : ''}${sitrepFooter(report, sha256, layout, page, pages)}`);
	doc.end();
	return bytes;
}
