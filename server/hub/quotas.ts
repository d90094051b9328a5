/**
 * Budgets that keep one user, or one document, from taking what everyone shares: a flood of large updates made
 * every fresh sync of an agency's document fifty times slower for every role and wall. Bounds per document
 * (stored bytes), per user (updates and bytes per minute, across their connections on this instance) and per user
 * connections. A refusal names the limit (`quota:<which>`), and the page says it in the user's language.
 */

export interface QuotaLimits {
	/** Stored bytes of one document (its log since the last snapshot plus the snapshot), beyond which writes are refused. */
	docBytes: number;
	/** Bytes one user may send in updates per minute. */
	userBytesPerMinute: number;
	/** Updates one user may send per minute. */
	userUpdatesPerMinute: number;
	/** Live document connections one user may hold at once (each open event page holds about six). */
	userConnections: number;
}

/**
 * Defaults sized from the demo and the load figures: a busy lead types a few updates a second, an event's
 * largest agency document stays under 10 MiB with 5,000 cards, and a lead with three tabs open holds 18 connections.
 */
export const DEFAULT_QUOTAS: QuotaLimits = {
	docBytes: 64 * 1024 * 1024,
	userBytesPerMinute: 8 * 1024 * 1024,
	userUpdatesPerMinute: 6000,
	userConnections: 60
};

export type QuotaReason = 'quota:docBytes' | 'quota:userRate' | 'quota:connections';

const MINUTE = 60_000;

/** A user's updates and bytes in the last minute, in buckets of a second. */
export class UserBudgets {
	readonly #limits: QuotaLimits;
	readonly #users = new Map<string, { buckets: Array<[second: number, updates: number, bytes: number]>; updates: number; bytes: number }>();

	constructor(limits: QuotaLimits) {
		this.#limits = limits;
	}

	/**
	 * Counts an update against its user's budget; false (and nothing counted) when it would go over. The window's
	 * totals are kept beside its buckets: filtering and summing them on every update was 2 % of the hub's CPU.
	 */
	take(userId: string, bytes: number, now = Date.now()): boolean {
		let u = this.#users.get(userId);
		if (!u) this.#users.set(userId, (u = { buckets: [], updates: 0, bytes: 0 }));
		const second = Math.floor(now / 1000);
		const oldest = second - MINUTE / 1000;
		let expired = 0;
		while (expired < u.buckets.length && u.buckets[expired][0] <= oldest) {
			u.updates -= u.buckets[expired][1];
			u.bytes -= u.buckets[expired][2];
			expired++;
		}
		if (expired) u.buckets.splice(0, expired);
		if (u.updates + 1 > this.#limits.userUpdatesPerMinute || u.bytes + bytes > this.#limits.userBytesPerMinute) return false;
		u.updates++;
		u.bytes += bytes;
		const last = u.buckets.at(-1);
		if (last && last[0] === second) {
			last[1]++;
			last[2] += bytes;
		} else u.buckets.push([second, 1, bytes]);
		return true;
	}

	/** Forgets users with nothing in the window (called now and then). */
	sweep(now = Date.now()): void {
		const oldest = Math.floor(now / 1000) - MINUTE / 1000;
		for (const [id, u] of this.#users) if (!u.buckets.some(([s]) => s > oldest)) this.#users.delete(id);
	}
}
