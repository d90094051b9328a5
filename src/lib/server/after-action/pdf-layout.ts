/**
 * The PDF setup every export shares: an A4 page with the embedded WenQuanYi Micro Hei (pdfkit subsets it to the
 * glyphs used, so a report of a few pages stays small), headings that keep with what follows, paragraphs, tables
 * that repeat their header on a new page and yield to the event loop, and a footer on every page.
 */
import PDFDocument from 'pdfkit';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { t, type Locale } from './labels.ts';

const FONT_FILE = 'fonts/wqy-microhei.ttc';

/** The CJK font: from static/ in a checkout, or from the built client folder. */
export function cjkFontPath(): string {
	for (const dir of ['static', 'build/client']) {
		const p = resolve(process.cwd(), dir, FONT_FILE);
		if (existsSync(p)) return p;
	}
	throw new Error(`CJK font ${FONT_FILE} not found under static/ or build/client/`);
}

export const PAGE = { margin: 48, width: 595.28, height: 841.89 };
export const INK = '#14213d';
export const MUTED = '#5b6475';
export const RULE = '#d9e0ea';
export const HEAD_FILL = '#eef2f7';
/** Table rows drawn between two turns of the event loop (a few milliseconds of layout). */
const ROWS_PER_TURN = 100;

export type Pdf = InstanceType<typeof PDFDocument>;

/** A new A4 document in the CJK font, and the promise of its bytes once `doc.end()` is called. */
export function newPdf(title: string): { doc: Pdf; bytes: Promise<Uint8Array> } {
	const doc = new PDFDocument({ size: 'A4', margin: PAGE.margin, bufferPages: true, info: { Title: title } });
	doc.registerFont('cjk', cjkFontPath(), 'WenQuanYiMicroHei');
	doc.font('cjk');
	const chunks: Buffer[] = [];
	doc.on('data', (c: Buffer) => chunks.push(c));
	const bytes = new Promise<Uint8Array>((r) => doc.on('end', () => r(new Uint8Array(Buffer.concat(chunks)))));
	return { doc, bytes };
}

/** Drawing helpers bound to one document; tables say "无" (in `locale`) when they have no rows. */
export function pdfLayout(doc: Pdf, locale: Locale) {
	const usable = PAGE.width - PAGE.margin * 2;
	const bottom = PAGE.height - PAGE.margin;
	/** Starts a new page unless `points` are left on this one (keeps a heading with what follows it). */
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
	return { usable, bottom, room, heading, subheading, para, table };
}

/**
 * A line at the foot of every page (the hash ties each printed page to its document). Written below the bottom
 * margin, so the margin is lifted for it: otherwise pdfkit starts a new page for each footer (every report ended in
 * as many blank pages, each holding one footer, as it had pages of content).
 */
export function pageFooters(doc: Pdf, line: (page: number, pages: number) => string, mark: string | null = null): void {
	const usable = PAGE.width - PAGE.margin * 2;
	const range = doc.bufferedPageRange();
	for (let i = range.start; i < range.start + range.count; i++) {
		doc.switchToPage(i);
		const margin = doc.page.margins.bottom;
		doc.page.margins.bottom = 0;
		doc.fontSize(7).fillColor(MUTED).text(line(i + 1, range.count), PAGE.margin, PAGE.height - 30, { width: usable, align: 'center', lineBreak: false });
		// The exporter's mark of a file with personal data: a second line, on every page.
		if (mark) doc.fontSize(7).fillColor(MUTED).text(mark, PAGE.margin, PAGE.height - 20, { width: usable, align: 'center', lineBreak: false });
		doc.page.margins.bottom = margin;
	}
}

/** The drill mark's colours in print: white on violet (8.6:1), the page's own violet band. */
export const DRILL_FILL = '#5b21b6';

/**
 * The drill mark (演练 DRILL) as a band across the page at the current position: violet, not red, so it reads as
 * practice rather than alarm. Every drill export opens with it; its pages' footers carry the word too.
 */
export function drillBand(doc: Pdf, locale: Locale): void {
	const usable = PAGE.width - PAGE.margin * 2;
	const text = t('drill_mark_record', locale);
	doc.fontSize(12);
	const h = doc.heightOfString(text, { width: usable - 20 }) + 12;
	const y = doc.y;
	doc.rect(PAGE.margin, y, usable, h).fill(DRILL_FILL);
	doc.fillColor('#ffffff').text(text, PAGE.margin + 10, y + 6, { width: usable - 20 });
	doc.x = PAGE.margin;
	doc.y = y + h + 8;
}
