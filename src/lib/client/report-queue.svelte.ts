/**
 * The phone's queue of field reports. A report is kept on the device first — its fields in the user's store, each
 * photo (already shrunk) as a Blob beside it — then sent in order whenever the network answers: each photo in
 * pieces that resume from what the server has (`GET`/`PUT /uploads/<id>`), then the report naming them. Its id is
 * made here, so a report sent twice after a lost answer is still one report. A refusal stays beside the report, in
 * words, until the user discards it; a network failure leaves it waiting.
 */
import { newId } from '$lib/domain/ids';
import { UPLOAD_PART_BYTES, type ReportInput, type ReportView } from '$lib/domain/field-reports';
import type { LocalStore } from './local-store';

/** What the form fills in: a report as the server checks it, less the id and moment the queue adds. */
export type ReportFields = Omit<ReportInput, 'id' | 'reportedAt'>;

export interface QueuedReport {
	id: string;
	eventId: string;
	fields: ReportFields;
	reportedAt: string;
	photos: Array<{ uploadId: string; size: number }>;
	/** Bytes of photos the server has, across the report's photos. */
	sent: number;
	state: 'waiting' | 'refused';
	refusal: { problem: string; message: string; file?: number } | null;
}

const KEY = 'reports';
const photoKey = (uploadId: string) => `report-photo:${uploadId}`;
/** While something waits, the network is tried this often (and at once when the browser says it is back). */
const RETRY_MS = 15_000;

/** A failure of the network or of the server for now: the report stays waiting. */
class TryLater extends Error {}

export class ReportQueue {
	readonly #store: LocalStore | null;
	readonly #eventId: string;
	items = $state<QueuedReport[]>([]);
	loaded = $state(false);
	/** Reports of this page just delivered (the page shows them as sent and refreshes its list). */
	delivered = $state<ReportView[]>([]);
	/** The report being sent now and how far, for the progress bar. */
	sending = $state<string | null>(null);
	#draining = false;
	#timer: ReturnType<typeof setInterval> | null = null;
	#onOnline = () => void this.drain();
	/** Photos kept in memory when the device has no store (a private window): they survive until the tab closes. */
	#memory = new Map<string, Blob>();

	constructor(eventId: string, store: LocalStore | null) {
		this.#eventId = eventId;
		this.#store = store;
		if (typeof window !== 'undefined') {
			window.addEventListener('online', this.#onOnline);
			this.#timer = setInterval(() => {
				if (this.waiting > 0) void this.drain();
			}, RETRY_MS);
		}
		void this.#load();
	}

	get waiting(): number {
		return this.items.filter((i) => i.eventId === this.#eventId && i.state === 'waiting').length;
	}

	async #load(): Promise<void> {
		const saved = (await this.#store?.get<QueuedReport[]>(KEY)) ?? [];
		const fresh = this.items.filter((i) => !saved.some((s) => s.id === i.id));
		this.items = [...saved, ...fresh];
		this.loaded = true;
		await this.#save();
		void this.drain();
	}

	#save(): Promise<void> {
		return this.#store?.set(KEY, this.items) ?? Promise.resolve();
	}

	/** Queues a report with its (shrunk) photos and starts sending. Resolves once it is kept on the device. */
	async add(fields: ReportFields, photos: Blob[]): Promise<QueuedReport> {
		const item: QueuedReport = {
			id: newId(),
			eventId: this.#eventId,
			fields,
			reportedAt: new Date().toISOString(),
			photos: [],
			sent: 0,
			state: 'waiting',
			refusal: null
		};
		for (const blob of photos) {
			const uploadId = newId();
			if (!(await this.#store?.put(photoKey(uploadId), blob))) this.#memory.set(uploadId, blob);
			item.photos.push({ uploadId, size: blob.size });
		}
		this.items = [...this.items, item];
		await this.#save();
		void this.drain();
		return item;
	}

	async discard(id: string): Promise<void> {
		const item = this.items.find((i) => i.id === id);
		if (!item) return;
		this.items = this.items.filter((i) => i.id !== id);
		for (const p of item.photos) {
			this.#memory.delete(p.uploadId);
			await this.#store?.delete(photoKey(p.uploadId));
		}
		await this.#save();
	}

	/** Sends what waits, oldest first, one at a time; stops at the first report that cannot go now. */
	async drain(): Promise<void> {
		if (this.#draining || !this.loaded) return;
		this.#draining = true;
		try {
			for (;;) {
				const item = this.items.find((i) => i.state === 'waiting');
				if (!item) return;
				try {
					await this.#send(item);
				} catch (err) {
					if (err instanceof TryLater) return;
					throw err;
				}
			}
		} finally {
			this.#draining = false;
			this.sending = null;
		}
	}

	async #send(item: QueuedReport): Promise<void> {
		this.sending = item.id;
		const base = `/api/events/${item.eventId}`;
		let before = 0;
		for (const [i, photo] of item.photos.entries()) {
			const blob = this.#memory.get(photo.uploadId) ?? (await this.#store?.get<Blob>(photoKey(photo.uploadId)));
			if (!blob) {
				await this.#refuse(item, { problem: 'incomplete', message: '', file: i + 1 });
				return;
			}
			const refused = await this.#upload(item, `${base}/uploads/${photo.uploadId}`, blob, before);
			if (refused) {
				await this.#refuse(item, { ...refused, file: i + 1 });
				return;
			}
			before += blob.size;
		}
		const res = await request(`${base}/reports`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ id: item.id, ...item.fields, reportedAt: item.reportedAt, uploads: item.photos.map((p) => p.uploadId) })
		});
		const body = (await res.json().catch(() => ({}))) as { report?: ReportView; error?: string; message?: string; file?: number };
		if (res.ok && body.report) {
			this.delivered = [...this.delivered, body.report];
			await this.discard(item.id);
			return;
		}
		if (!final(res.status)) throw new TryLater();
		await this.#refuse(item, { problem: body.error ?? 'malformed', message: body.message ?? '', file: body.file });
	}

	/** Sends one photo from where the server's copy ends; a refusal of the file itself comes back as a value. */
	async #upload(item: QueuedReport, url: string, blob: Blob, before: number): Promise<{ problem: string; message: string } | null> {
		const progress = await request(url);
		if (!progress.ok) {
			if (!final(progress.status)) throw new TryLater();
			const body = (await progress.json().catch(() => ({}))) as { error?: string; message?: string };
			return { problem: body.error ?? 'malformed', message: body.message ?? '' };
		}
		let { received } = (await progress.json()) as { received: number };
		while (received < blob.size) {
			const end = Math.min(blob.size, received + UPLOAD_PART_BYTES) - 1;
			const res = await request(url, {
				method: 'PUT',
				headers: { 'content-type': 'application/octet-stream', 'content-range': `bytes ${received}-${end}/${blob.size}` },
				body: blob.slice(received, end + 1)
			});
			const body = (await res.json().catch(() => ({}))) as { received?: number; error?: string; message?: string };
			if (res.ok || res.status === 409) {
				// 409: the server has a different amount; resume from what it says it has.
				if (typeof body.received !== 'number') throw new TryLater();
				received = body.received;
			} else if (final(res.status)) {
				return { problem: body.error ?? 'malformed', message: body.message ?? '' };
			} else throw new TryLater();
			this.#progress(item, before + received);
		}
		this.#progress(item, before + blob.size);
		return null;
	}

	#progress(item: QueuedReport, sent: number): void {
		const i = this.items.findIndex((x) => x.id === item.id);
		if (i >= 0) this.items[i] = { ...this.items[i], sent };
	}

	async #refuse(item: QueuedReport, refusal: QueuedReport['refusal']): Promise<void> {
		this.items = this.items.map((i) => (i.id === item.id ? { ...i, state: 'refused', refusal } : i));
		await this.#save();
	}

	/** Puts a refused report back in line (after the reason went away, say the network of an expired session). */
	async retry(id: string): Promise<void> {
		this.items = this.items.map((i) => (i.id === id ? { ...i, state: 'waiting', refusal: null } : i));
		await this.#save();
		void this.drain();
	}

	clearDelivered(): void {
		this.delivered = [];
	}

	destroy(): void {
		if (typeof window !== 'undefined') window.removeEventListener('online', this.#onOnline);
		if (this.#timer) clearInterval(this.#timer);
	}
}

/** A 4xx other than "try again" is the server's final word on this report. */
function final(status: number): boolean {
	return status >= 400 && status < 500 && ![401, 408, 425, 429].includes(status);
}

async function request(url: string, init?: RequestInit): Promise<Response> {
	try {
		return await fetch(url, { ...init, credentials: 'same-origin' });
	} catch {
		throw new TryLater();
	}
}
