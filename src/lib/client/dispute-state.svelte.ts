/**
 * The dispute register's live view over every agency document the user can read, the parties from the restricted
 * document when the user is cleared for it, and the writes the register makes. Parties are written to the
 * restricted document and their masked form (masking.ts) to the dispute's agency document in the same step, so
 * people without clearance, walls included, always see the current masked form and nothing more.
 */
import * as Y from 'yjs';
import { createSubscriber } from 'svelte/reactivity';
import {
	addDispute,
	addProgressNote,
	disputesOf,
	partiesOf,
	readDispute,
	readParties,
	setParties,
	updateDispute,
	type DisputePatch,
	type NewDispute,
	type Party
} from '$lib/domain/dispute-doc';
import { mayChangeStatus, type RegisterEntry } from '$lib/domain/disputes';
import { maskParties } from '$lib/domain/masking';
import { addCard, cardsOf, readCard, type Card } from '$lib/domain/board';
import type { CardPriority, DisputeStatus } from '$lib/domain/doc-schema';
import type { EscalateDisputeInput } from '$lib/domain/dispute-wire';
import { newId } from '$lib/domain/ids';
import { toEventIso } from './event-time';
import type { EventSession } from './event-session.svelte';
import type { LiveDoc } from './live-doc.svelte';

export interface DisputeEntry extends RegisterEntry {
	/** May this user edit the entry (write access to its agency's document)? */
	writable: boolean;
}

/** Follows deep changes of one root of a document, for reads that are cheap enough to redo on every change. */
function follow(root: Y.AbstractType<any>): () => void {
	return createSubscriber((update) => {
		root.observeDeep(update);
		return () => root.unobserveDeep(update);
	});
}

/** A card's priority for the task a dispute of this risk needs. */
const CARD_PRIORITY: Record<string, CardPriority> = { critical: 'critical', high: 'urgent', medium: 'routine', low: 'routine' };

export class DisputeState {
	readonly session: EventSession;
	readonly userId: string;
	readonly timezone: string;
	#docs: Array<{ agency: string; live: LiveDoc; disputes: () => void; cards: () => void }>;
	#parties: (() => void) | null;

	constructor(session: EventSession, userId: string, timezone: string) {
		this.session = session;
		this.userId = userId;
		this.timezone = timezone;
		this.#docs = [...session.agencies].map(([agency, live]) => ({
			agency,
			live,
			disputes: follow(disputesOf(live.doc)),
			cards: follow(cardsOf(live.doc))
		}));
		this.#parties = session.restricted ? follow(partiesOf(session.restricted.doc)) : null;
	}

	get entries(): DisputeEntry[] {
		return this.#docs.flatMap(({ agency, live, disputes }) => {
			disputes();
			const writable = live.access === 'write';
			return [...disputesOf(live.doc).entries()].flatMap(([id, map]) =>
				map instanceof Y.Map ? [{ ...readDispute(id, map), agency, writable }] : []
			);
		});
	}

	find(id: string): DisputeEntry | null {
		return this.entries.find((e) => e.id === id) ?? null;
	}

	/** Whether this user reads the parties themselves (the commander and those cleared for personal data). */
	get cleared(): boolean {
		return this.session.restricted !== null;
	}

	/** A dispute's parties, or null when this user is not cleared to see them. */
	parties(disputeId: string): Party[] | null {
		const restricted = this.session.restricted;
		if (!restricted || !this.#parties) return null;
		this.#parties();
		return readParties(restricted.doc, disputeId);
	}

	/** Every dispute's parties as searchable text, for cleared readers; empty otherwise. */
	partiesText(disputeId: string): string {
		return (this.parties(disputeId) ?? []).map((p) => `${p.name} ${p.phone} ${p.idNumber}`).join(' ');
	}

	/** May this user edit a dispute's parties? They need both the restricted document and the dispute's agency's. */
	mayEditParties(entry: Pick<DisputeEntry, 'writable'>): boolean {
		return this.session.restricted?.access === 'write' && entry.writable;
	}

	#live(agency: string): LiveDoc {
		const live = this.session.agencies.get(agency);
		if (!live || live.access !== 'write') throw new Error(`no write access to ${agency}`);
		return live;
	}

	#now(): string {
		return toEventIso(new Date(), this.timezone);
	}

	/** Registers a dispute; its parties go to the restricted document when given (cleared users only). */
	create(agency: string, dispute: NewDispute, parties: Party[] = []): string {
		const id = newId();
		const named = parties.filter((p) => p.name.trim());
		if (named.length && this.session.restricted?.access !== 'write') throw new Error('not cleared to record parties');
		addDispute(this.#live(agency).doc, id, { ...dispute, partiesMasked: maskParties(named), screenedAt: dispute.screenedAt ?? this.#now() });
		if (named.length) setParties(this.session.restricted!.doc, id, named);
		return id;
	}

	update(agency: string, id: string, patch: DisputePatch): void {
		updateDispute(this.#live(agency).doc, id, patch);
	}

	/** Moves a dispute to another status the transition table allows, with an optional note of why. */
	setStatus(entry: DisputeEntry, to: DisputeStatus, note: string): boolean {
		if (!mayChangeStatus(entry.status, to)) return false;
		const doc = this.#live(entry.agency).doc;
		doc.transact(() => {
			updateDispute(doc, entry.id, { status: to });
			if (note.trim()) addProgressNote(doc, entry.id, { at: this.#now(), by: this.userId, text: note.trim(), kind: 'status', status: to });
		});
		return true;
	}

	addNote(agency: string, id: string, text: string): void {
		addProgressNote(this.#live(agency).doc, id, { at: this.#now(), by: this.userId, text: text.trim() });
	}

	/** Replaces a dispute's parties, and its masked form with them. */
	setParties(entry: DisputeEntry, parties: Party[]): void {
		const restricted = this.session.restricted;
		if (!restricted || !this.mayEditParties(entry)) throw new Error('not cleared to edit parties');
		const named = parties.filter((p) => p.name.trim());
		setParties(restricted.doc, entry.id, named);
		updateDispute(this.#live(entry.agency).doc, entry.id, { partiesMasked: maskParties(named) });
	}

	/** Opens a task card for a dispute in the same agency's board, linked both ways. Returns the card's id. */
	openCard(entry: DisputeEntry, title: string): string {
		const doc = this.#live(entry.agency).doc;
		const cardId = newId();
		doc.transact(() => {
			addCard(doc, cardId, {
				title,
				status: 'todo',
				priority: CARD_PRIORITY[entry.risk],
				agency: entry.agency,
				teamId: entry.ownerTeamId,
				location: entry.location,
				dueAt: entry.dueAt,
				disputeId: entry.id,
				createdBy: this.userId,
				createdAt: this.#now()
			});
			updateDispute(doc, entry.id, { cardId });
			addProgressNote(doc, entry.id, { at: this.#now(), by: this.userId, text: title, kind: 'card' });
		});
		return cardId;
	}

	/** The linked card wherever it is now (a dispute handed to another agency leaves its card behind). */
	linkedCard(cardId: string | null): (Card & { home: string }) | null {
		if (!cardId) return null;
		for (const { agency, live, cards } of this.#docs) {
			cards();
			const map = cardsOf(live.doc).get(cardId);
			if (map instanceof Y.Map) return { ...readCard(cardId, map), home: agency };
		}
		return null;
	}

	/** Queued like every field action: resolves with the server's answer, or `{ sent: false }` while it waits. */
	escalate(input: Omit<EscalateDisputeInput, 'eventId' | 'queued'>, label: string) {
		return this.session.actions.enqueue('dispute:escalate', this.session.eventId, { ...input, eventId: this.session.eventId }, { kind: 'dispute', id: input.disputeId }, label);
	}
}
