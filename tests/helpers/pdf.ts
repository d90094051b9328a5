/**
 * Reads exported PDFs in JavaScript (PDF.js through `unpdf`), so that the suite needs no system PDF tools: the text
 * of every page or of one page, and one page rendered to a PNG for a person to look at.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { extractText, getDocumentProxy, renderPageAsImage } from 'unpdf';

/** The text of each page, in order. PDF.js consumes the buffer it is given, so it gets a copy. */
export async function pdfPages(bytes: Uint8Array): Promise<string[]> {
	const pdf = await getDocumentProxy(new Uint8Array(bytes));
	try {
		return (await extractText(pdf, { mergePages: false })).text;
	} finally {
		await pdf.destroy();
	}
}

/** All the text of a PDF, its pages joined by newlines. */
export async function pdfText(bytes: Uint8Array): Promise<string> {
	return (await pdfPages(bytes)).join('\n');
}

/** Renders page `pageNumber` (1-based) to a PNG file at `scale` (1 = 72 dpi) and returns the PNG's bytes. */
export async function renderPdfPage(bytes: Uint8Array, pageNumber: number, path: string, scale = 1.2): Promise<Uint8Array> {
	const png = new Uint8Array(
		await renderPageAsImage(new Uint8Array(bytes), pageNumber, { canvasImport: () => import('@napi-rs/canvas'), scale })
	);
	// A fresh checkout has no folder for pictures yet.
	mkdirSync(dirname(path), { recursive: true });
	writeFileSync(path, png);
	return png;
}
