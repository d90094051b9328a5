/**
 * The activity log of an event, a page at a time, newest first, from /api/events/<id>/activity: the review
 * page's timeline and its per-agency logs (ICS 214). Each page continues after the last row of the one
 * before, by time and id, so rows sharing a time are never skipped.
 */
export interface FeedRow {
	id: string;
	at: string;
	doc: string;
	userName: string | null;
	entityType: string;
	entityId: string;
	action: string;
	field: string | null;
	subject: string | null;
	from: string | null;
	to: string | null;
}

export interface FeedFilter {
	agency: string;
	kind: string;
}

export class ActivityFeed {
	rows = $state<FeedRow[]>([]);
	loading = $state(false);
	failed = $state(false);
	/** True once a page came back shorter than asked: there is nothing older. */
	finished = $state(false);
	#eventId: string;
	#filter: FeedFilter;
	#pageSize: number;
	/** Bumped on every reset, so an answer to an older filter is dropped when it arrives late. */
	#generation = 0;

	constructor(eventId: string, filter: FeedFilter, pageSize = 100) {
		this.#eventId = eventId;
		this.#filter = filter;
		this.#pageSize = pageSize;
	}

	/** Starts again with another filter and loads its first page. */
	reset(filter: FeedFilter): Promise<void> {
		this.#filter = filter;
		this.#generation++;
		this.rows = [];
		this.finished = false;
		this.failed = false;
		this.loading = false;
		return this.more();
	}

	/** Loads the next (older) page. */
	async more(): Promise<void> {
		if (this.loading || this.finished) return;
		const generation = this.#generation;
		this.loading = true;
		const params = new URLSearchParams({ limit: String(this.#pageSize) });
		if (this.#filter.agency) params.set('agency', this.#filter.agency);
		if (this.#filter.kind) params.set('kind', this.#filter.kind);
		const last = this.rows.at(-1);
		if (last) {
			params.set('before', last.at);
			params.set('beforeId', last.id);
		}
		try {
			const res = await fetch(`/api/events/${this.#eventId}/activity?${params}`);
			if (!res.ok) throw new Error(String(res.status));
			const page = ((await res.json()) as { activity: FeedRow[] }).activity;
			if (generation !== this.#generation) return;
			this.rows = [...this.rows, ...page];
			this.finished = page.length < this.#pageSize;
			this.failed = false;
		} catch {
			if (generation === this.#generation) this.failed = true;
		} finally {
			if (generation === this.#generation) this.loading = false;
		}
	}
}
