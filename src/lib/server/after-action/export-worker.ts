/**
 * The worker thread an export is rendered in (see render-worker.ts): parses the record's canonical JSON, renders
 * the PDF, DOCX or CSV zip, and posts progress and then the bytes back. Started by path, not bundled: it runs as
 * TypeScript from the source tree, as the Node entry in server/ does.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { AfterActionRecord } from '../../domain/after-action.ts';
import type { RenderRequest } from './render-worker.ts';
import { recordPdf } from './export-pdf.ts';
import { recordDocx } from './export-docx.ts';
import { recordCsvZip } from './export-csv.ts';

const port = parentPort!;
const req = workerData as RenderRequest;
const record = JSON.parse(req.canonical) as AfterActionRecord;
const progress = (fraction: number) => port.postMessage({ progress: fraction });
const bytes =
	req.format === 'pdf'
		? await recordPdf(record, req.sha256, req.parties, req.locale, progress, req.mapFigure ?? null, req.files ?? null, req.comparison ?? null, req.stamp)
		: req.format === 'docx'
			? await recordDocx(record, req.sha256, req.parties, req.locale, progress, req.mapFigure ?? null, req.files ?? null, req.comparison ?? null, req.stamp)
			: recordCsvZip(record, req.sha256, req.parties, progress, req.comparison ?? null);
port.postMessage({ bytes }, [bytes.buffer as ArrayBuffer]);
