/**
 * The board's live view over every agency document the user can read: an index of cards kept current from
 * Yjs events (only the cards an update touched are re-read), presence per card, and the writes the board makes.
 */
import * as Y from 'yjs';
import { createSubscriber } from 'svelte/reactivity';
import {
	addCard,
	addChecklistItem,
	addComment,
	cardsOf,
	readCard,
	removeChecklistItem,
	setAssignees,
	setChecklistDone,
	updateCard,
	type Card,
	type CardPatch,
	type NewCard
} from '$lib/domain/board';
import { newId } from '$lib/domain/ids';
import type { EventSession } from './event-session.svelte';
import type { LiveDoc } from './live-doc.svelte';

export interface BoardCard extends Card {
	/** The agency whose document holds the card. */
	home: string;
	writable: boolean;
}

export interface PresenceEntry {
	id: string;
	name: string;
	agency: string | null;
	editing: boolean;
}

/** Cards of one document, re-read only where Yjs says something changed. */
class CardIndex {
	readonly agency: string;
	readonly live: LiveDoc;
	#cards = new Map<string, BoardCard>();
	#subscribe: () => void;

	constructor(agency: string, live: LiveDoc) {
		this.agency = agency;
		this.live = live;
		const root = cardsOf(live.doc);
		this.#readAll(root);
		this.#subscribe = createSubscriber((update) => {
			const onEvents = (events: Array<Y.YEvent<any>>) => {
				for (const e of events) {
					if (e.path.length === 0) for (const key of e.changes.keys.keys()) this.#readOne(root, key);
					else this.#readOne(root, String(e.path[0]));
				}
				update();
			};
			// Catch up on what happened while nobody was looking, then follow changes.
			this.#readAll(root);
			root.observeDeep(onEvents);
			return () => root.unobserveDeep(onEvents);
		});
	}

	#readAll(root: Y.Map<Y.Map<unknown>>): void {
		this.#cards.clear();
		for (const key of root.keys()) this.#readOne(root, key);
	}

	#readOne(root: Y.Map<Y.Map<unknown>>, id: string): void {
		const map = root.get(id);
		if (map instanceof Y.Map) {
			this.#cards.set(id, { ...readCard(id, map), home: this.agency, writable: this.live.access === 'write' });
		} else this.#cards.delete(id);
	}

	get cards(): BoardCard[] {
		this.#subscribe();
		return [...this.#cards.values()];
	}
}

/** Who is looking at which card, from the presence of every agency document. */
class PresenceIndex {
	#docs: LiveDoc[];
	#subscribe: () => void;

	constructor(docs: LiveDoc[]) {
		this.#docs = docs;
		this.#subscribe = createSubscriber((update) => {
			const offs = docs.map((d) => {
				d.provider.awareness.on('change', update);
				return () => d.provider.awareness.off('change', update);
			});
			return () => offs.forEach((off) => off());
		});
	}

	byCard(selfClientIds: Set<number>): Map<string, PresenceEntry[]> {
		this.#subscribe();
		const out = new Map<string, PresenceEntry[]>();
		for (const d of this.#docs) {
			for (const [clientId, state] of d.provider.awareness.getStates()) {
				if (selfClientIds.has(clientId)) continue;
				const viewing = typeof state?.viewing === 'string' ? state.viewing : null;
				const user = state?.user as { id?: string; name?: string; agency?: string | null } | undefined;
				if (!viewing || !user?.id) continue;
				const list = out.get(viewing) ?? [];
				if (!list.some((p) => p.id === user.id)) {
					list.push({ id: user.id, name: user.name ?? '', agency: user.agency ?? null, editing: state.editing === true });
				}
				out.set(viewing, list);
			}
		}
		return out;
	}
}

export class BoardState {
	readonly session: EventSession;
	readonly userId: string;
	#indexes: CardIndex[] = [];
	#presence: PresenceIndex;

	constructor(session: EventSession, userId: string) {
		this.session = session;
		this.userId = userId;
		for (const [agency, live] of session.agencies) this.#indexes.push(new CardIndex(agency, live));
		this.#presence = new PresenceIndex([...session.agencies.values()]);
	}

	get cards(): BoardCard[] {
		return this.#indexes.flatMap((i) => i.cards);
	}

	get presence(): Map<string, PresenceEntry[]> {
		const self = new Set([...this.session.agencies.values()].map((d) => d.doc.clientID));
		return this.#presence.byCard(self);
	}

	#doc(agency: string): Y.Doc {
		const live = this.session.agencies.get(agency);
		if (!live || live.access !== 'write') throw new Error(`no write access to ${agency}`);
		return live.doc;
	}

	create(agency: string, card: NewCard): string {
		const id = newId();
		addCard(this.#doc(agency), id, { ...card, agency, createdBy: this.userId });
		return id;
	}

	update(agency: string, id: string, patch: CardPatch): void {
		updateCard(this.#doc(agency), id, patch);
	}

	setAssignees(agency: string, id: string, userIds: string[]): void {
		setAssignees(this.#doc(agency), id, userIds);
	}

	addChecklistItem(agency: string, id: string, text: string): void {
		addChecklistItem(this.#doc(agency), id, { id: newId(10), text });
	}

	setChecklistDone(agency: string, id: string, itemId: string, done: boolean): void {
		setChecklistDone(this.#doc(agency), id, itemId, done);
	}

	removeChecklistItem(agency: string, id: string, itemId: string): void {
		removeChecklistItem(this.#doc(agency), id, itemId);
	}

	addComment(agency: string, id: string, text: string, at: string): void {
		addComment(this.#doc(agency), id, { id: newId(10), by: this.userId, at, text });
	}

	/** Says which card this user is looking at (or editing) on the card's own document; clears the others. */
	setViewing(agency: string | null, cardId: string | null, editing = false): void {
		for (const [code, live] of this.session.agencies) {
			const aw = live.provider.awareness;
			const want = code === agency && cardId ? { viewing: cardId, editing } : { viewing: null, editing: false };
			const cur = aw.getLocalState() ?? {};
			if (cur.viewing !== want.viewing || cur.editing !== want.editing) aw.setLocalState({ ...cur, ...want });
		}
	}
}
