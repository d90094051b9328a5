/**
 * Renders an export (PDF, DOCX, CSV zip) in a worker thread. Rendering is synchronous work of seconds for a large
 * event (a DOCX of 50,000 activity rows held the event loop for ten): on the main thread it stopped the sync hub,
 * the command channel and every request — the export's own progress polls included — for everyone.
 */
import { Worker } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Party } from './collect.ts';
import type { Locale } from './labels.ts';
import type { ExportFiles } from './render-reports.ts';
import type { Comparison } from '../../domain/record-comparison.ts';

export interface RenderRequest {
	format: 'pdf' | 'docx' | 'csv';
	/** The record as its canonical JSON: one string crosses to the worker faster than the object would. */
	canonical: string;
	sha256: string;
	parties: Party[] | null;
	locale: Locale;
	/** The venue map figure (PNG) for PDF and DOCX, when the event has a plan. */
	mapFigure?: Uint8Array | null;
	/** For PDF and DOCX: the exporter's annex of files and the thumbnails of the photos they may see. */
	files?: ExportFiles | null;
	/** Compare with last time, as this exporter may see it (not part of the record: it depends on the reader). */
	comparison?: Comparison | null;
	/** Lines that depend on the export, not the record: the exporter's mark and the purge notice. */
	stamp?: ExportStamp;
}

/**
 * What an export says beyond its record. `mark` (the exporter's name and time, in the event's zone) is on every
 * page of a PDF or DOCX that holds personal data, and absent from one that holds none; `purged` says when the
 * event's personal data was purged.
 */
export interface ExportStamp {
	mark: string | null;
	purged: string | null;
}

const WORKER_FILE = 'src/lib/server/after-action/export-worker.ts';

/** A worker's source: found from the working directory, as the CJK font is (the build does not bundle it). */
function workerPath(file: string): string {
	const p = resolve(process.cwd(), file);
	if (!existsSync(p)) throw new Error(`export worker ${file} not found under ${process.cwd()}`);
	return p;
}

/** Renders a record's export in a fresh worker; `onProgress` hears fractions 0–1 as the renderer reports them. */
export function renderInWorker(req: RenderRequest, onProgress?: (fraction: number) => void): Promise<Uint8Array> {
	return runRenderWorker(WORKER_FILE, req, onProgress);
}

/**
 * Runs a rendering worker (a TypeScript file under the source tree, `data` its workerData) that posts `{progress}`
 * while it works and then `{bytes}`; resolves with the bytes.
 */
export function runRenderWorker(file: string, data: unknown, onProgress?: (fraction: number) => void): Promise<Uint8Array> {
	return new Promise((resolvePromise, reject) => {
		const worker = new Worker(workerPath(file), { workerData: data });
		let done = false;
		worker.on('message', (m: { progress?: number; bytes?: Uint8Array }) => {
			if (typeof m.progress === 'number') onProgress?.(m.progress);
			if (m.bytes) {
				done = true;
				resolvePromise(m.bytes);
				void worker.terminate();
			}
		});
		worker.on('error', (err) => {
			done = true;
			reject(err);
		});
		worker.on('exit', (code) => {
			if (!done) reject(new Error(`the export worker stopped (exit code ${code}) before it finished`));
		});
	});
}
