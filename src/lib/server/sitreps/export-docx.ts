/** An issued situation report as a Word document, with the record's DOCX setup (fonts, tables). */
import { AlignmentType, Document, Footer, Header, Packer, Paragraph, TextRun, type Table } from 'docx';
import type { IssuedSitrep } from '../../domain/sitrep.ts';
import { t } from '../after-action/labels.ts';
import { drillParagraph, FONT, h, p, table } from '../after-action/export-docx.ts';
import { sitrepAgencyTable, sitrepBlocks, sitrepFigureRows, sitrepHeadRows, sitrepHeading, sitrepPostTable, sitrepTitle, type SitrepLayout } from './render-sitrep.ts';

export async function sitrepDocx(report: IssuedSitrep, sha256: string, layout: SitrepLayout, drill = false): Promise<Uint8Array> {
	const body: Array<Paragraph | Table> = [
		new Paragraph({ alignment: AlignmentType.CENTER, children: [new TextRun({ text: sitrepHeading(layout), size: 22, color: '5B6475', font: FONT })] }),
		new Paragraph({ alignment: AlignmentType.CENTER, spacing: { after: 200 }, children: [new TextRun({ text: sitrepTitle(report, layout), bold: true, size: 36, font: FONT })] }),
		...(drill ? [drillParagraph(layout)] : []),
		...sitrepHeadRows(report, sha256, layout).map(([label, value]) =>
			p(t('record_label_value', layout, { label, value }), label === 'SHA-256' ? { size: 16, color: '5B6475' } : {})
		)
	];
	for (const block of sitrepBlocks(report, layout)) {
		body.push(h(block.heading));
		if (block.note) body.push(p(block.note, { size: 16, color: '5B6475' }));
		// One paragraph per line, as written: Word does not break a run at a newline.
		for (const line of block.text.split('\n')) body.push(p(line, { size: 21 }));
	}
	const agencies = sitrepAgencyTable(report, layout);
	const posts = sitrepPostTable(report, layout);
	body.push(
		h(t('sitrep_annex_figures', layout)),
		table([t('record_figure', layout), t('record_value', layout)], sitrepFigureRows(report, layout), layout),
		p(''),
		table(agencies.header, agencies.rows, layout),
		p(''),
		table(posts.header, posts.rows, layout)
	);
	const document = new Document({
		creator: 'Liandong',
		title: sitrepTitle(report, layout),
		styles: { default: { document: { run: { font: FONT } } } },
		sections: [{ children: body, ...(drill ? { headers: { default: new Header({ children: [drillParagraph(layout)] }) }, footers: { default: new Footer({ children: [drillParagraph(layout)] }) } } : {}) }]
	});
	return new Uint8Array(await Packer.toBuffer(document));
}
