/**
 * The worker thread a situation report's PDF or DOCX is rendered in (laying out pages is synchronous work that
 * would hold up everyone's requests on the main thread). Started by path, not bundled, like the record's worker.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { IssuedSitrep } from '../../domain/sitrep.ts';
import type { SitrepRenderRequest } from './export.ts';
import { sitrepPdf } from './export-pdf.ts';
import { sitrepDocx } from './export-docx.ts';

const req = workerData as SitrepRenderRequest;
const report = JSON.parse(req.canonical) as IssuedSitrep;
const drill = req.drill === true;
const bytes = req.format === 'pdf' ? await sitrepPdf(report, req.sha256, req.layout, drill) : await sitrepDocx(report, req.sha256, req.layout, drill);
parentPort!.postMessage({ bytes }, [bytes.buffer as ArrayBuffer]);
