/** Exports of an issued situation report: PDF or DOCX in either layout, rendered off the main thread. */
import { runRenderWorker } from '../after-action/render-worker.ts';
import type { SitrepLayout } from './render-sitrep.ts';

export interface SitrepRenderRequest {
	format: 'pdf' | 'docx';
	layout: SitrepLayout;
	/** The report's stored canonical JSON: what is rendered is exactly what the hash covers. */
	canonical: string;
	sha256: string;
	/** The event is a drill (演练): every page carries the drill mark. */
	drill?: boolean;
}

const WORKER_FILE = 'src/lib/server/sitreps/export-worker.ts';

export function renderSitrep(req: SitrepRenderRequest): Promise<Uint8Array> {
	return runRenderWorker(WORKER_FILE, req);
}
