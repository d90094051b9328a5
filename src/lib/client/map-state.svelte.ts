/**
 * The venue map's live view: the plan and zones from the command document, posts with their places and staffing
 * now (the roster's own figure, postStaffing), and the pins of cards and dispute entries from the agency documents
 * this user may read. Writes go through the helpers in src/lib/domain/venue-map.ts.
 */
import * as Y from 'yjs';
import { reactiveY } from './y-state.svelte';
import type { EventSession } from './event-session.svelte';
import type { RosterState } from './roster-state.svelte';
import type { SharedPosition } from '$lib/domain/wire';
import { postStaffing } from '$lib/domain/figures';
import { flatten, planPointOf, pointsOf, type Point, type ZoneKind } from '$lib/domain/geometry';
import { newId } from '$lib/domain/ids';
import { addZone, archiveZone, readMapBase, readZones, setPin, setPostPlace, staffingTone, type MapBase, type StaffingTone, type Zone } from '$lib/domain/venue-map';

export interface PinnedCard {
	id: string;
	agency: string;
	title: string;
	priority: string;
	overdue: boolean;
	point: Point | null;
	writable: boolean;
}

export interface PinnedDispute {
	id: string;
	agency: string;
	summary: string;
	risk: string;
	partiesMasked: string;
	point: Point | null;
	writable: boolean;
}

export interface PlacedPost {
	id: string;
	name: string;
	kind: string;
	agency: string | null;
	points: Point[] | null;
	tone: StaffingTone;
	onDuty: number;
	minStaff: number;
}

const HIGH_RISK = new Set(['high', 'critical']);

/** How often a phone that shares its position reports it. */
const SHARE_EVERY_MS = 30_000;
/** Positions older than this are no longer shown as where someone is. */
const POSITION_FRESH_MS = 15 * 60_000;

export class MapState {
	readonly session: EventSession;
	readonly roster: RosterState;
	/** Where people on duty are, as they shared it (the commander sees all; a lead their agency's). */
	positions = $state<SharedPosition[]>([]);
	/** Whether this phone shares its position now (off by default; the person turns it on). */
	sharing = $state(false);
	#watch: number | null = null;
	#lastSent = 0;
	#base: { readonly current: MapBase | null } | null;
	#zones: { readonly current: Zone[] } | null;
	#geo: { readonly current: Map<string, Point[] | null> } | null;
	#cards: Array<{ readonly agency: string; readonly writable: boolean; readonly list: { readonly current: Array<Omit<PinnedCard, 'writable' | 'overdue'> & { dueAt: string | null; done: boolean }> } }>;
	#disputes: Array<{ readonly agency: string; readonly writable: boolean; readonly list: { readonly current: Array<Omit<PinnedDispute, 'writable'>> } }>;

	constructor(session: EventSession, roster: RosterState) {
		this.session = session;
		this.roster = roster;
		const command = session.command?.doc ?? null;
		this.#base = command ? reactiveY(command.getMap('map'), () => readMapBase(command)) : null;
		this.#zones = command ? reactiveY(command.getMap('zones'), () => readZones(command)) : null;
		this.#geo = command
			? reactiveY(command.getMap('posts'), () => {
					const out = new Map<string, Point[] | null>();
					for (const [id, m] of command.getMap('posts').entries()) {
						if (m instanceof Y.Map) out.set(id, pointsOf(m.get('geo'), 'point') ?? pointsOf(m.get('geo'), 'line'));
					}
					return out;
				})
			: null;
		this.#cards = [...session.agencies].map(([agency, live]) => ({
			agency,
			writable: live.access === 'write',
			list: reactiveY(live.doc.getMap('cards'), () => {
				const out = [];
				for (const [id, m] of live.doc.getMap('cards').entries()) {
					if (!(m instanceof Y.Map) || m.get('archived') === true) continue;
					out.push({
						id,
						agency,
						title: String(m.get('title') ?? ''),
						priority: String(m.get('priority') ?? 'routine'),
						dueAt: typeof m.get('dueAt') === 'string' ? (m.get('dueAt') as string) : null,
						done: m.get('status') === 'done',
						point: pointsOf(m.get('pin'), 'point')?.[0] ?? null
					});
				}
				return out;
			})
		}));
		this.#disputes = [...session.agencies].map(([agency, live]) => ({
			agency,
			writable: live.access === 'write',
			list: reactiveY(live.doc.getMap('disputes'), () => {
				const out = [];
				for (const [id, m] of live.doc.getMap('disputes').entries()) {
					if (!(m instanceof Y.Map)) continue;
					out.push({
						id,
						agency,
						summary: String(m.get('summary') ?? ''),
						risk: String(m.get('risk') ?? 'low'),
						partiesMasked: String(m.get('partiesMasked') ?? ''),
						point: pointsOf(m.get('pin'), 'point')?.[0] ?? null
					});
				}
				return out;
			})
		}));
	}

	/** Follows shared positions (for those who may see them); returns the function that stops it. */
	followPositions(mayWatch: boolean): () => void {
		if (!mayWatch) return () => {};
		const socket = this.session.commands.socket;
		const load = async () => {
			const r = await this.session.commands.send('position:list', this.session.eventId);
			if (r.ok) this.positions = r.positions;
		};
		const onUpdate = (p: SharedPosition) => {
			if (p.eventId !== this.session.eventId) return;
			const fresh = Date.now() - POSITION_FRESH_MS;
			this.positions = [p, ...this.positions.filter((x) => x.userId !== p.userId && Date.parse(x.at) > fresh)];
		};
		socket.on('position:update', onUpdate);
		socket.on('connect', load);
		if (socket.connected) void load();
		return () => {
			socket.off('position:update', onUpdate);
			socket.off('connect', load);
		};
	}

	/** This person is checked in now (not out) on a shift: only then may they share their position. */
	get onDuty(): boolean {
		const me = this.roster.opts.userId;
		return this.roster.shifts.some((s) => s.people.some((p) => p.userId === me && !!s.checkins[p.id]?.inAt && !s.checkins[p.id]?.outAt));
	}

	/** Starts or stops sharing this phone's position; it also stops by itself at check-out (see the map page). */
	setSharing(on: boolean): void {
		if (!on || typeof navigator === 'undefined' || !navigator.geolocation) {
			if (this.#watch !== null) navigator.geolocation.clearWatch(this.#watch);
			this.#watch = null;
			this.sharing = false;
			return;
		}
		if (this.#watch !== null) return;
		this.sharing = true;
		this.#lastSent = 0;
		this.#watch = navigator.geolocation.watchPosition(
			(pos) => {
				if (Date.now() - this.#lastSent < SHARE_EVERY_MS) return;
				this.#lastSent = Date.now();
				void this.session.commands.send('position:share', {
					eventId: this.session.eventId,
					lng: pos.coords.longitude,
					lat: pos.coords.latitude,
					accuracy: pos.coords.accuracy ?? null
				});
			},
			() => this.setSharing(false),
			{ enableHighAccuracy: true, maximumAge: 10_000 }
		);
	}

	/** Shared positions placed on the plan (those the georeference can place). */
	get placedPositions(): Array<SharedPosition & { point: Point }> {
		const controls = this.base?.controls ?? [];
		if (controls.length < 3) return [];
		return this.positions.flatMap((p) => {
			const point = planPointOf(controls, [p.lng, p.lat]);
			return point ? [{ ...p, point }] : [];
		});
	}

	destroy(): void {
		this.setSharing(false);
	}

	get base(): MapBase | null {
		return this.#base?.current ?? null;
	}

	get zones(): Zone[] {
		return this.#zones?.current ?? [];
	}

	/** Active posts with their place (null when not yet placed) and staffing now, by the roster's figure. */
	get posts(): PlacedPost[] {
		const r = this.roster;
		const rows = postStaffing(r.activePosts, r.shifts, { periods: r.periods, event: r.opts.event, asOf: r.now, graceMinutes: r.opts.graceMinutes });
		const geo = this.#geo?.current ?? new Map();
		const byPost = new Map(rows.map((x) => [x.post.id, x]));
		return r.activePosts.map((p) => {
			const row = byPost.get(p.id);
			return { id: p.id, name: p.name, kind: p.kind, agency: p.agency, points: geo.get(p.id) ?? null, tone: staffingTone(row), onDuty: row?.onDuty ?? 0, minStaff: p.minStaff };
		});
	}

	/** Open cards (not done) of every agency this user reads. */
	get cards(): PinnedCard[] {
		const now = this.roster.now;
		return this.#cards.flatMap((c) =>
			c.list.current
				.filter((x) => !x.done)
				.map(({ dueAt, done: _done, ...rest }) => ({ ...rest, overdue: !!dueAt && Date.parse(dueAt) < now, writable: c.writable }))
		);
	}

	/** High-risk dispute entries (masked, as everywhere outside the restricted document). */
	get disputes(): PinnedDispute[] {
		return this.#disputes.flatMap((d) => d.list.current.filter((x) => HIGH_RISK.has(x.risk)).map((x) => ({ ...x, writable: d.writable })));
	}

	get canEditBase(): boolean {
		return this.session.command?.access === 'write';
	}

	/** May this user set pins on this agency's cards and disputes (its lead, or the commander)? */
	canPin(agency: string): boolean {
		return this.roster.canEditShifts(agency);
	}

	addZone(name: string, kind: ZoneKind, points: Point[]): string {
		const id = newId();
		addZone(this.session.command!.doc, id, { name, kind, area: flatten(points) });
		return id;
	}

	removeZone(id: string): void {
		archiveZone(this.session.command!.doc, id);
	}

	placePost(id: string, points: Point[] | null): void {
		setPostPlace(this.session.command!.doc, id, points ? flatten(points) : null);
	}

	/** Whether the plan is tied to WGS-84, so a phone's position can be put on it. */
	get georeferenced(): boolean {
		return (this.base?.controls.length ?? 0) >= 3;
	}

	/** Pins an item where the phone is now; false when the position cannot be had or placed. */
	pinHere(kind: 'card' | 'dispute', agency: string, id: string): Promise<boolean> {
		const controls = this.base?.controls ?? [];
		if (controls.length < 3 || typeof navigator === 'undefined' || !navigator.geolocation) return Promise.resolve(false);
		return new Promise((resolve) => {
			navigator.geolocation.getCurrentPosition(
				(pos) => {
					const at = planPointOf(controls, [pos.coords.longitude, pos.coords.latitude]);
					if (!at) return resolve(false);
					this.pin(kind, agency, id, at);
					resolve(true);
				},
				() => resolve(false),
				{ enableHighAccuracy: true, timeout: 15_000, maximumAge: 30_000 }
			);
		});
	}

	pin(kind: 'card' | 'dispute', agency: string, id: string, point: Point | null): void {
		const live = this.session.agencies.get(agency);
		if (!live || live.access !== 'write') return;
		setPin(live.doc, kind === 'card' ? 'cards' : 'disputes', id, point);
	}
}
