/**
 * The roster's live view in the browser: posts and periods from the command document, shifts from every agency
 * document the user can read, a clock that ticks so lateness and gaps move with time, the swap requests this user
 * may see, and the writes the roster pages make (through the helpers in src/lib/domain/roster-write.ts).
 */
import { m } from '$lib/paraglide/messages';
import type * as Y from 'yjs';
import { getContext, setContext } from 'svelte';
import { readPeriods, readPosts, readShifts, type Period, type Post, type Shift, type ShiftPerson } from '$lib/domain/roster';
import {
	addPerson,
	addShift,
	clearCheck,
	deletePeriod,
	deleteShift,
	recordCheck,
	removePerson,
	savePeriod,
	savePost,
	updatePerson,
	updateShift,
	type PeriodFields,
	type PostFields,
	type ShiftDraft,
	type ShiftFields
} from '$lib/domain/roster-write';
import { mayEditShifts, type Principal } from '$lib/domain/permissions';
import type { EventRole, EventStatus } from '$lib/domain/roles';
import type { SwapAction, SwapRequestInput, SwapView } from '$lib/domain/roster-swap';
import type { SwapResult } from '$lib/domain/roster-wire';
import { newId } from '$lib/domain/ids';
import { reactiveY } from './y-state.svelte';
import { toEventIso } from './event-time';
import type { EventSession } from './event-session.svelte';

/** How often the roster's clock moves: lateness and gaps are counted in minutes. */
const TICK_MS = 15_000;

export interface RosterOptions {
	eventId: string;
	userId: string;
	timezone: string;
	graceMinutes: number;
	status: EventStatus;
	principal: Principal;
	event: { start: number; end: number };
}

export class RosterState {
	readonly session: EventSession;
	readonly opts: RosterOptions;
	now = $state(Date.now());
	swaps = $state<SwapView[]>([]);
	swapsLoaded = $state(false);
	#posts: { readonly current: Post[] } | null;
	#periods: { readonly current: Period[] } | null;
	#shifts: Array<{ readonly agency: string; readonly list: { readonly current: Shift[] } }>;
	#stop: Array<() => void> = [];

	constructor(session: EventSession, opts: RosterOptions) {
		this.session = session;
		this.opts = opts;
		const command = session.command?.doc ?? null;
		this.#posts = command ? reactiveY(command.getMap('posts'), () => readPosts(command)) : null;
		this.#periods = command ? reactiveY(command.getMap('periods'), () => readPeriods(command)) : null;
		this.#shifts = [...session.agencies].map(([agency, live]) => ({
			agency,
			list: reactiveY(live.doc.getMap('shifts'), () => readShifts(live.doc, agency))
		}));
	}

	/** Starts the clock and follows swap pushes; returns the function that stops both. */
	start(): () => void {
		const timer = setInterval(() => (this.now = Date.now()), TICK_MS);
		const socket = this.session.commands.socket;
		const onSwap = (swap: SwapView) => this.#upsertSwap(swap);
		// After a reconnect, ask again: pushes sent while away are not replayed.
		const onConnect = () => void this.loadSwaps();
		socket.on('roster:swap', onSwap);
		socket.on('connect', onConnect);
		if (socket.connected) void this.loadSwaps();
		this.#stop.push(
			() => clearInterval(timer),
			() => socket.off('roster:swap', onSwap),
			() => socket.off('connect', onConnect)
		);
		return () => this.#stop.splice(0).forEach((f) => f());
	}

	get posts(): Post[] {
		return this.#posts?.current ?? [];
	}

	get activePosts(): Post[] {
		return this.posts.filter((p) => !p.archived);
	}

	get periods(): Period[] {
		return this.#periods?.current ?? [];
	}

	get shifts(): Shift[] {
		return this.#shifts.flatMap((s) => s.list.current);
	}

	get agencies(): string[] {
		return this.#shifts.map((s) => s.agency);
	}

	post(id: string): Post | undefined {
		return this.posts.find((p) => p.id === id);
	}

	// -------------------------------------------------------------------------------------------------------------
	// What this user may do
	// -------------------------------------------------------------------------------------------------------------

	get canEditSetup(): boolean {
		return this.session.command?.access === 'write';
	}

	canEditShifts(agency: string): boolean {
		return mayEditShifts(this.opts.principal, this.opts.eventId, agency, this.opts.status);
	}

	/** Agencies whose shifts this user may edit. */
	get editableAgencies(): string[] {
		return this.agencies.filter((a) => this.canEditShifts(a));
	}

	/** May this user record a check-in or check-out for this person? Themself (with write access), or as a lead. */
	canCheck(agency: string, person: ShiftPerson): boolean {
		if (this.canEditShifts(agency)) return true;
		return person.userId === this.opts.userId && this.session.agencies.get(agency)?.access === 'write';
	}

	// -------------------------------------------------------------------------------------------------------------
	// Writes
	// -------------------------------------------------------------------------------------------------------------

	#command(): Y.Doc {
		const live = this.session.command;
		if (!live || live.access !== 'write') throw new Error('no write access to the command document');
		return live.doc;
	}

	#agency(agency: string): Y.Doc {
		const live = this.session.agencies.get(agency);
		if (!live || live.access !== 'write') throw new Error(`no write access to ${agency}`);
		return live.doc;
	}

	iso(at: number | Date = Date.now()): string {
		return toEventIso(new Date(at), this.opts.timezone);
	}

	savePost(id: string | null, fields: Partial<PostFields>): string {
		const key = id ?? newId();
		savePost(this.#command(), key, fields);
		return key;
	}

	savePeriod(id: string | null, fields: Partial<PeriodFields>): string {
		const key = id ?? newId();
		savePeriod(this.#command(), key, fields);
		return key;
	}

	deletePeriod(id: string): void {
		deletePeriod(this.#command(), id);
	}

	addShift(agency: string, draft: Omit<ShiftDraft, 'id'>): string {
		const id = newId();
		addShift(this.#agency(agency), { ...draft, id });
		return id;
	}

	updateShift(agency: string, id: string, fields: Partial<ShiftFields>): void {
		updateShift(this.#agency(agency), id, fields);
	}

	deleteShift(agency: string, id: string): void {
		deleteShift(this.#agency(agency), id);
	}

	addPerson(agency: string, shiftId: string, person: Omit<ShiftPerson, 'id'>): void {
		addPerson(this.#agency(agency), shiftId, { ...person, id: newId(10) });
	}

	updatePerson(agency: string, shiftId: string, personId: string, fields: Partial<Omit<ShiftPerson, 'id'>>): void {
		updatePerson(this.#agency(agency), shiftId, personId, fields);
	}

	removePerson(agency: string, shiftId: string, personId: string): void {
		removePerson(this.#agency(agency), shiftId, personId);
	}

	/**
	 * 签到 / 签退 now (one tap): queued with the moment of the tap and sent through the server, which records when it
	 * received it, so a check-in made offline is never mistaken for one made on arrival. A lead entering a time
	 * afterwards (`at`) writes it into the roster directly.
	 */
	check(agency: string, shiftId: string, personId: string, kind: 'in' | 'out', at?: string): boolean {
		// The clock moves to the moment of the check-in, so what the page derives from it is never older.
		this.now = Date.now();
		if (at) return recordCheck(this.#agency(agency), shiftId, personId, kind, at, this.opts.userId);
		const shift = this.shifts.find((x) => x.id === shiftId);
		const post = shift ? (this.post(shift.postId)?.name ?? '') : '';
		const label = kind === 'in' ? m.queue_label_check_in({ post }) : m.queue_label_check_out({ post });
		void this.session.actions.enqueue('roster:check', this.opts.eventId, { eventId: this.opts.eventId, agency, shiftId, personId, kind }, { kind: 'shift', id: shiftId, personId }, label);
		return true;
	}

	/** A one-tap check of this person that waits in the queue (shown as done, waiting to send), or null. */
	queuedCheck(shiftId: string, personId: string, kind: 'in' | 'out'): { tappedAt: string } | null {
		const item = this.session.actions
			.about('shift', shiftId, personId)
			.find((a) => a.state === 'waiting' && a.command === 'roster:check' && a.input.kind === kind);
		return item ? { tappedAt: item.tappedAt } : null;
	}

	clearCheck(agency: string, shiftId: string, personId: string, kind: 'in' | 'out'): void {
		this.now = Date.now();
		clearCheck(this.#agency(agency), shiftId, personId, kind, this.opts.userId);
	}

	// -------------------------------------------------------------------------------------------------------------
	// Swaps
	// -------------------------------------------------------------------------------------------------------------

	async loadSwaps(): Promise<void> {
		const r = await this.session.commands.send('roster:swaps', this.opts.eventId);
		if (r.ok) {
			this.swaps = r.swaps;
			this.swapsLoaded = true;
		}
	}

	#upsertSwap(swap: SwapView): void {
		if (swap.eventId !== this.opts.eventId) return;
		const rest = this.swaps.filter((s) => s.id !== swap.id);
		this.swaps = [swap, ...rest].sort((a, b) => b.requestedAt.localeCompare(a.requestedAt));
	}

	async requestSwap(input: Omit<SwapRequestInput, 'eventId'>): Promise<SwapResult> {
		const r = await this.session.commands.send('roster:swapRequest', { ...input, eventId: this.opts.eventId });
		if (r.ok) this.#upsertSwap(r.swap);
		return r;
	}

	/** A step on a swap, queued like every field action; null while it waits for the network. */
	async actOnSwap(swapId: string, action: SwapAction, label: string): Promise<SwapResult | null> {
		const outcome = await this.session.actions.enqueue('roster:swapAct', this.opts.eventId, { swapId, action }, { kind: 'swap', id: swapId }, label);
		if (!outcome.sent) return null;
		if (outcome.result.ok) this.#upsertSwap(outcome.result.swap);
		return outcome.result;
	}
}

/** What an event page's data gives to make its roster state (the event layout's `data`). */
export interface RosterPageData {
	me: { id: string; cleared: boolean };
	role: EventRole | null;
	agencyCode: string | null;
	event: { id: string; timezone: string; checkinGraceMinutes: number; status: EventStatus; startsAt: string; endsAt: string };
}

/** The roster state of an event page, for the signed-in user, from the page's data. */
export function rosterForPage(session: EventSession, data: RosterPageData): RosterState {
	const principal: Principal = {
		kind: 'user',
		userId: data.me.id,
		isAdmin: false,
		clearedPersonalData: data.me.cleared,
		membership: data.role ? { role: data.role, agencyCode: data.agencyCode } : null
	};
	return new RosterState(session, {
		eventId: data.event.id,
		userId: data.me.id,
		timezone: data.event.timezone,
		graceMinutes: data.event.checkinGraceMinutes,
		status: data.event.status,
		principal,
		event: { start: Date.parse(data.event.startsAt), end: Date.parse(data.event.endsAt) }
	});
}

const KEY = Symbol('roster-state');

export interface RosterRef {
	readonly current: RosterState | null;
}

export function setRoster(ref: RosterRef): void {
	setContext(KEY, ref);
}

export function getRoster(): RosterRef {
	return getContext<RosterRef>(KEY);
}
