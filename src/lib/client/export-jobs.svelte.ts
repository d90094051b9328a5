/**
 * Exports of the after-action record as the review page runs them: each one a background job on the server
 * (POST …/record/exports), polled for its progress until its file can be downloaded.
 */
/** `files` is the zip of the photos and files the exporter may see, with a manifest of their hashes. */
export type ExportFormat = 'pdf' | 'docx' | 'json' | 'csv' | 'files';

export interface ExportRow {
	id: string;
	format: ExportFormat;
	state: 'running' | 'done' | 'failed';
	progress: number;
	/** The server's stage: the format while it waits for a slot, then 'collect', then 'render'. */
	label: string;
	error: string | null;
	/** Where the finished file is. */
	href: string | null;
}

/** How often a running export is asked for its progress. */
const POLL_MS = 400;

export class ExportJobs {
	rows = $state<ExportRow[]>([]);
	#eventId: string;
	#timers = new Set<ReturnType<typeof setTimeout>>();
	#stopped = false;

	constructor(eventId: string) {
		this.#eventId = eventId;
	}

	get busy(): boolean {
		return this.rows.some((r) => r.state === 'running');
	}

	/** Starts an export; the row shows at once and follows the job until its file is ready or it failed. */
	async start(format: ExportFormat): Promise<void> {
		const base = `/api/events/${this.#eventId}/record/exports`;
		let row: ExportRow;
		try {
			const res = await fetch(base, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ format }) });
			const body = await res.json();
			if (res.status !== 202) throw new Error(body?.message ?? String(res.status));
			row = { id: body.job.id, format, state: 'running', progress: body.job.progress, label: body.job.label, error: null, href: null };
		} catch (err) {
			this.rows = [{ id: `failed-${Date.now()}`, format, state: 'failed', progress: 0, label: '', error: err instanceof Error ? err.message : String(err), href: null }, ...this.rows];
			return;
		}
		this.rows = [row, ...this.rows];
		this.#poll(row.id, `${base}/${row.id}`);
	}

	#update(id: string, patch: Partial<ExportRow>): void {
		this.rows = this.rows.map((r) => (r.id === id ? { ...r, ...patch } : r));
	}

	#poll(id: string, url: string): void {
		const timer = setTimeout(async () => {
			this.#timers.delete(timer);
			if (this.#stopped) return;
			try {
				const res = await fetch(url, { cache: 'no-store' });
				const body = await res.json();
				if (!res.ok) throw new Error(body?.message ?? String(res.status));
				const job = body.job as { state: ExportRow['state']; progress: number; label: string; error: string | null };
				this.#update(id, { state: job.state, progress: job.progress, label: job.label, error: job.error, href: job.state === 'done' ? `${url}/file` : null });
				if (job.state === 'running') this.#poll(id, url);
			} catch (err) {
				this.#update(id, { state: 'failed', error: err instanceof Error ? err.message : String(err) });
			}
		}, POLL_MS);
		this.#timers.add(timer);
	}

	/** Stops polling (the page is left). */
	destroy(): void {
		this.#stopped = true;
		for (const t of this.#timers) clearTimeout(t);
		this.#timers.clear();
	}
}
