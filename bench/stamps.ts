/**
 * Stamped edits: a writer sets its card's location to a value carrying a unique id and its send time, and every
 * peer that receives it notes how long it took. Clients run in several threads of this process, so times come
 * from the monotonic clock all threads share (process.hrtime), not from performance.now(), whose origin is
 * per thread.
 */
import * as Y from 'yjs';
import { cardsOf } from '../src/lib/domain/board.ts';
import { Samples } from './stats.ts';

/** Milliseconds on the system's monotonic clock, the same in every thread. */
export function clockMs(): number {
	return Number(process.hrtime.bigint()) / 1e6;
}

/** `bench:<tag>:<writer>:<n>:<sent ms>`; well under the location field's 200 characters. */
export function makeStamp(tag: string, writer: string, n: number): string {
	return `bench:${tag}:${writer}:${n}:${clockMs().toFixed(3)}`;
}

function parseStamp(value: string): { tag: string; sentAt: number } | null {
	const parts = value.split(':');
	if (parts.length !== 5 || parts[0] !== 'bench') return null;
	const sentAt = Number(parts[4]);
	return Number.isFinite(sentAt) ? { tag: parts[1], sentAt } : null;
}

/** What one thread's peers saw of the stamped edits of the current phase. */
export interface Arrivals {
	/** Latency of every (edit, peer) pair seen, in ms. */
	perPeer: Float64Array;
	/** Per edit: how many peers saw it and the latest arrival, in ms after its send. */
	edits: Array<[id: string, seen: number, latestMs: number]>;
}

/** Collects arrivals of the edits stamped with one tag; edits with other tags (warm-up, earlier phases) are ignored. */
export class ArrivalLog {
	#tag: string | null = null;
	#perPeer = new Samples();
	#edits = new Map<string, { seen: number; latest: number }>();

	track(tag: string | null): void {
		this.#tag = tag;
		this.#perPeer = new Samples();
		this.#edits = new Map();
	}

	record(value: string, at: number): void {
		if (this.#tag === null) return;
		const stamp = parseStamp(value);
		if (!stamp || stamp.tag !== this.#tag) return;
		const ms = at - stamp.sentAt;
		this.#perPeer.add(ms);
		const e = this.#edits.get(value);
		if (e) {
			e.seen++;
			e.latest = Math.max(e.latest, ms);
		} else this.#edits.set(value, { seen: 1, latest: ms });
	}

	snapshot(): Arrivals {
		return { perPeer: this.#perPeer.toArray(), edits: [...this.#edits].map(([id, e]) => [id, e.seen, e.latest]) };
	}
}

/** Reports every stamped location another client sets in this document to `log`. */
export function observeStamps(doc: Y.Doc, log: ArrivalLog): void {
	cardsOf(doc).observeDeep((events, tr) => {
		if (tr.local) return;
		const at = clockMs();
		for (const e of events) {
			if (!(e instanceof Y.YMapEvent)) continue;
			if (e.path.length === 0) {
				// Cards added whole carry their stamp in their location.
				for (const key of e.keysChanged) {
					if (e.changes.keys.get(key)?.action !== 'add') continue;
					const v = (e.target as Y.Map<Y.Map<unknown>>).get(key)?.get('location');
					if (typeof v === 'string' && v.startsWith('bench:')) log.record(v, at);
				}
				continue;
			}
			if (e.path.length !== 1 || !e.keysChanged.has('location')) continue;
			const v = (e.target as Y.Map<unknown>).get('location');
			if (typeof v === 'string' && v.startsWith('bench:')) log.record(v, at);
		}
	});
}

/** Joins what several threads saw: every per-peer delay, and per edit how many peers had it and the latest delay. */
export function mergeArrivals(parts: readonly Arrivals[]): { perPeer: Samples; merged: Map<string, { seen: number; latest: number }> } {
	const perPeer = new Samples();
	const merged = new Map<string, { seen: number; latest: number }>();
	for (const p of parts) {
		perPeer.addAll(p.perPeer);
		for (const [id, seen, latest] of p.edits) {
			const e = merged.get(id);
			if (e) {
				e.seen += seen;
				e.latest = Math.max(e.latest, latest);
			} else merged.set(id, { seen, latest });
		}
	}
	return { perPeer, merged };
}
