/**
 * Long work the user waits for (exports of a large record): run in the background with a progress figure the
 * page polls, and a result kept for a while for its owner to download.
 */
import { newId } from '../domain/ids.ts';
import { log } from './log.ts';

export interface JobResult {
	bytes: Uint8Array;
	contentType: string;
	filename: string;
	/** Extra headers, e.g. the record's SHA-256. */
	headers?: Record<string, string>;
}

export interface JobView {
	id: string;
	state: 'running' | 'done' | 'failed';
	progress: number;
	label: string;
	error: string | null;
}

interface Job extends JobView {
	owner: string;
	result: JobResult | null;
	finishedAt: number | null;
}

/** Finished jobs are kept this long for download. */
const KEEP_MS = 10 * 60_000;
/** At most this many jobs run at once per process; more wait for a slot. */
const MAX_RUNNING = 2;
/** At most this many of one user's jobs run or wait at once: a user cannot fill the queue everyone shares. */
export const MAX_JOBS_PER_USER = 3;

/** The name of the error `start` throws when the owner already has as many unfinished jobs as allowed. */
export const TOO_MANY_JOBS = 'TooManyJobs';

class TooManyJobs extends Error {
	constructor() {
		super(`at most ${MAX_JOBS_PER_USER} exports at once per user`);
		this.name = TOO_MANY_JOBS;
	}
}

/** What the registry tells the metrics (server/metrics.ts). A job's kind is the label it starts with (the format). */
export interface JobMetrics {
	finished(kind: string, outcome: 'done' | 'failed', seconds: number): void;
}

export class JobRegistry {
	#jobs = new Map<string, Job>();
	#running = 0;
	#waiting: Array<() => void> = [];
	readonly #metrics: JobMetrics | null;

	constructor(options: { metrics?: JobMetrics } = {}) {
		this.#metrics = options.metrics ?? null;
	}

	/** Jobs running now and jobs waiting for a slot, on this process. */
	get counts(): { running: number; waiting: number } {
		return { running: this.#running, waiting: this.#waiting.length };
	}

	/** Starts `work` for `owner`; `report(progress, label)` updates what the page shows (0–100). */
	start(owner: string, label: string, work: (report: (progress: number, label?: string) => void) => Promise<JobResult>): JobView {
		this.#sweep();
		const unfinished = [...this.#jobs.values()].filter((j) => j.owner === owner && j.state === 'running').length;
		if (unfinished >= MAX_JOBS_PER_USER) throw new TooManyJobs();
		const job: Job = { id: newId(), owner, state: 'running', progress: 0, label, error: null, result: null, finishedAt: null };
		this.#jobs.set(job.id, job);
		const report = (progress: number, l?: string) => {
			job.progress = Math.max(job.progress, Math.min(99, Math.round(progress)));
			if (l) job.label = l;
		};
		void (async () => {
			if (this.#running >= MAX_RUNNING) await new Promise<void>((r) => this.#waiting.push(r));
			this.#running++;
			const started = performance.now();
			try {
				job.result = await work(report);
				job.progress = 100;
				job.state = 'done';
			} catch (err) {
				log.error({ err, job: job.id, kind: label, userId: owner }, '[jobs] a job failed');
				job.state = 'failed';
				job.error = err instanceof Error ? err.message : String(err);
			} finally {
				this.#metrics?.finished(label, job.state === 'done' ? 'done' : 'failed', (performance.now() - started) / 1000);
				job.finishedAt = Date.now();
				this.#running--;
				this.#waiting.shift()?.();
			}
		})();
		return this.view(job);
	}

	view(job: Job): JobView {
		return { id: job.id, state: job.state, progress: job.progress, label: job.label, error: job.error };
	}

	/** A job of this owner, or null. */
	get(id: string, owner: string): { view: JobView; result: JobResult | null } | null {
		const job = this.#jobs.get(id);
		if (!job || job.owner !== owner) return null;
		return { view: this.view(job), result: job.result };
	}

	#sweep(): void {
		const now = Date.now();
		for (const [id, j] of this.#jobs) if (j.finishedAt && now - j.finishedAt > KEEP_MS) this.#jobs.delete(id);
	}
}
