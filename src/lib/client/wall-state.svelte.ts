/**
 * What a wall display shows, derived live from the documents it may read: cards, posts and who is on duty,
 * high-risk disputes (masked names only — a display never receives the restricted document), instructions and
 * recent activity. Also how old the data is.
 */
import type { Point } from '$lib/domain/geometry';
import { pinOf, postPlace, readMapBase, readZones, type MapBase, type Zone } from '$lib/domain/venue-map';
import * as Y from 'yjs';
import { readPeriods, readPosts, readShifts, type Period, type Post, type Shift } from '$lib/domain/roster';
import { reactiveY } from './y-state.svelte';
import { BoardState } from './board-state.svelte';
import type { EventSession } from './event-session.svelte';
import type { ActivityItem } from './activity-text';

export interface WallDispute {
	id: string;
	agency: string;
	summary: string;
	risk: string;
	status: string;
	level: string;
	partiesMasked: string;
	location: string;
	pin: Point | null;
}

export class WallState {
	readonly session: EventSession;
	readonly board: BoardState;
	readonly token: string;
	#posts: { readonly current: Post[] } | null;
	#periods: { readonly current: Period[] } | null;
	#shifts: Array<{ readonly current: Shift[] }>;
	#disputes: Array<{ readonly current: WallDispute[] }>;
	#base: { readonly current: MapBase | null } | null;
	#zones: { readonly current: Zone[] } | null;
	#places: { readonly current: Map<string, Point[]> } | null;
	#cardPins: Array<{ readonly current: Map<string, Point> }>;
	activity = $state<ActivityItem[]>([]);
	activityFailedAt = $state<number | null>(null);
	/** When the wall last lost contact with the server; null while connected. */
	offlineSince = $state<number | null>(Date.now());
	#timer: ReturnType<typeof setInterval> | null = null;

	constructor(session: EventSession, token: string) {
		this.session = session;
		this.token = token;
		this.board = new BoardState(session, '');
		const command = session.command?.doc ?? null;
		this.#posts = command ? reactiveY(command.getMap('posts'), () => readPosts(command)) : null;
		this.#periods = command ? reactiveY(command.getMap('periods'), () => readPeriods(command)) : null;
		this.#shifts = [...session.agencies].map(([code, live]) => reactiveY(live.doc.getMap('shifts'), () => readShifts(live.doc, code)));
		this.#disputes = [...session.agencies].map(([code, live]) =>
			reactiveY(live.doc.getMap('disputes'), () => readDisputes(live.doc, code))
		);
		this.#base = command ? reactiveY(command.getMap('map'), () => readMapBase(command)) : null;
		this.#zones = command ? reactiveY(command.getMap('zones'), () => readZones(command)) : null;
		this.#places = command
			? reactiveY(command.getMap('posts'), () => {
					const out = new Map<string, Point[]>();
					for (const id of command.getMap('posts').keys()) {
						const place = postPlace(command, id);
						if (place) out.set(id, place);
					}
					return out;
				})
			: null;
		this.#cardPins = [...session.agencies].map(([, live]) =>
			reactiveY(live.doc.getMap('cards'), () => {
				const out = new Map<string, Point>();
				for (const [id, m] of live.doc.getMap('cards').entries()) {
					const pin = m instanceof Y.Map ? pinOf(m) : null;
					if (pin) out.set(id, pin);
				}
				return out;
			})
		);
	}

	/** The venue plan, when the event has one. */
	get mapBase(): MapBase | null {
		return this.#base?.current ?? null;
	}

	get zones(): Zone[] {
		return this.#zones?.current ?? [];
	}

	/** Where each placed post is on the plan. */
	get places(): Map<string, Point[]> {
		return this.#places?.current ?? new Map();
	}

	/** Pins of cards, by card id. */
	get cardPins(): Map<string, Point> {
		return new Map(this.#cardPins.flatMap((p) => [...p.current]));
	}

	get posts(): Post[] {
		return this.#posts?.current ?? [];
	}

	get periods(): Period[] {
		return this.#periods?.current ?? [];
	}

	get shifts(): Shift[] {
		return this.#shifts.flatMap((s) => s.current);
	}

	get disputes(): WallDispute[] {
		return this.#disputes.flatMap((d) => d.current);
	}

	/** Follows connection state to know how old the data is. Call from an effect. */
	trackConnection(connected: boolean): void {
		if (connected) this.offlineSince = null;
		else if (this.offlineSince === null) this.offlineSince = Date.now();
	}

	startActivity(): void {
		const load = async () => {
			try {
				const res = await fetch(`/wall/${this.token}/activity`, { cache: 'no-store' });
				if (!res.ok) throw new Error(String(res.status));
				this.activity = (await res.json()).activity;
				this.activityFailedAt = null;
			} catch {
				this.activityFailedAt ??= Date.now();
			}
		};
		void load();
		this.#timer = setInterval(load, 10_000);
	}

	destroy(): void {
		if (this.#timer) clearInterval(this.#timer);
	}
}

function readDisputes(doc: Y.Doc, agency: string): WallDispute[] {
	const out: WallDispute[] = [];
	for (const [id, m] of doc.getMap('disputes').entries()) {
		if (!(m instanceof Y.Map)) continue;
		const s = (k: string) => (typeof m.get(k) === 'string' ? (m.get(k) as string) : '');
		out.push({
			id,
			agency,
			summary: s('summary'),
			risk: s('risk'),
			status: s('status'),
			level: s('level'),
			partiesMasked: s('partiesMasked'),
			location: s('location'),
			pin: pinOf(m)
		});
	}
	return out;
}
