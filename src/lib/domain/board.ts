/**
 * Typed access to the board's documents: read plain values out of Y types and write through helpers, so the
 * pages and the server shape cards the same way (see doc-schema.ts for the contract).
 */
import * as Y from 'yjs';
import type { CardPriority, CardStatus } from './doc-schema.ts';

export interface ChecklistItem {
	id: string;
	text: string;
	done: boolean;
}

export interface CardComment {
	id: string;
	by: string;
	at: string;
	text: string;
}

/** A card as plain data (the notes as a string). */
export interface Card {
	id: string;
	title: string;
	notes: string;
	status: CardStatus;
	priority: CardPriority;
	agency: string | null;
	teamId: string | null;
	assignees: string[];
	location: string | null;
	dueAt: string | null;
	ackBy: string | null;
	ackedAt: string | null;
	ackedBy: string | null;
	checklist: ChecklistItem[];
	comments: CardComment[];
	createdBy: string | null;
	createdAt: string | null;
	requestedBy: string | null;
	disputeId: string | null;
	archived: boolean;
	order: number;
}

export type NewCard = Partial<Omit<Card, 'id' | 'notes' | 'checklist' | 'comments' | 'assignees'>> & {
	title: string;
	notes?: string;
	assignees?: string[];
	checklist?: Array<{ id: string; text: string; done?: boolean }>;
};

export function cardsOf(doc: Y.Doc): Y.Map<Y.Map<unknown>> {
	return doc.getMap('cards') as Y.Map<Y.Map<unknown>>;
}

function str(v: unknown): string | null {
	return typeof v === 'string' ? v : null;
}

/** Reads a card map into plain data. */
export function readCard(id: string, map: Y.Map<unknown>): Card {
	const notes = map.get('notes');
	const assignees = map.get('assignees');
	const checklist = map.get('checklist');
	const comments = map.get('comments');
	return {
		id,
		title: str(map.get('title')) ?? '',
		notes: notes instanceof Y.Text ? notes.toString() : '',
		status: (str(map.get('status')) ?? 'todo') as CardStatus,
		priority: (str(map.get('priority')) ?? 'routine') as CardPriority,
		agency: str(map.get('agency')),
		teamId: str(map.get('teamId')),
		assignees: assignees instanceof Y.Array ? assignees.toArray().filter((x): x is string => typeof x === 'string') : [],
		location: str(map.get('location')),
		dueAt: str(map.get('dueAt')),
		ackBy: str(map.get('ackBy')),
		ackedAt: str(map.get('ackedAt')),
		ackedBy: str(map.get('ackedBy')),
		checklist:
			checklist instanceof Y.Array
				? checklist.toArray().flatMap((m) =>
						m instanceof Y.Map ? [{ id: str(m.get('id')) ?? '', text: str(m.get('text')) ?? '', done: m.get('done') === true }] : []
					)
				: [],
		comments:
			comments instanceof Y.Array
				? comments.toArray().flatMap((m) =>
						m instanceof Y.Map
							? [{ id: str(m.get('id')) ?? '', by: str(m.get('by')) ?? '', at: str(m.get('at')) ?? '', text: str(m.get('text')) ?? '' }]
							: []
					)
				: [],
		createdBy: str(map.get('createdBy')),
		createdAt: str(map.get('createdAt')),
		requestedBy: str(map.get('requestedBy')),
		disputeId: str(map.get('disputeId')),
		archived: map.get('archived') === true,
		order: typeof map.get('order') === 'number' ? (map.get('order') as number) : 0
	};
}

/** Builds the Y.Map of a new card. Call inside a transaction and set it into `cardsOf(doc)`. */
export function buildCardMap(card: NewCard): Y.Map<unknown> {
	const map = new Y.Map<unknown>();
	const notes = new Y.Text();
	if (card.notes) notes.insert(0, card.notes);
	map.set('title', card.title);
	map.set('notes', notes);
	map.set('status', card.status ?? 'todo');
	map.set('priority', card.priority ?? 'routine');
	const assignees = new Y.Array<string>();
	if (card.assignees?.length) assignees.push(card.assignees);
	map.set('assignees', assignees);
	const checklist = new Y.Array<Y.Map<unknown>>();
	for (const item of card.checklist ?? []) {
		const m = new Y.Map<unknown>();
		m.set('id', item.id);
		m.set('text', item.text);
		m.set('done', item.done ?? false);
		checklist.push([m]);
	}
	map.set('checklist', checklist);
	map.set('comments', new Y.Array());
	const optional = ['agency', 'teamId', 'location', 'dueAt', 'ackBy', 'createdBy', 'createdAt', 'requestedBy', 'disputeId', 'order'] as const;
	for (const key of optional) {
		const v = card[key];
		if (v !== undefined && v !== null) map.set(key, v);
	}
	return map;
}

/** Adds a card to a document. */
export function addCard(doc: Y.Doc, id: string, card: NewCard): void {
	doc.transact(() => cardsOf(doc).set(id, buildCardMap(card)));
}

/** A copy of a card's data suitable for creating it in another document. */
export function cardAsNew(card: Card): NewCard {
	return {
		title: card.title,
		notes: card.notes,
		status: card.status,
		priority: card.priority,
		agency: card.agency,
		teamId: null,
		assignees: [],
		location: card.location,
		dueAt: card.dueAt,
		ackBy: card.ackBy,
		checklist: card.checklist,
		createdBy: card.createdBy,
		createdAt: card.createdAt,
		requestedBy: card.requestedBy,
		disputeId: card.disputeId,
		order: card.order
	};
}

/** Plain fields of a card that can be set directly (not the notes, lists or ids of its history). */
export type CardPatch = Partial<
	Pick<Card, 'title' | 'status' | 'priority' | 'teamId' | 'location' | 'dueAt' | 'ackBy' | 'ackedAt' | 'ackedBy' | 'archived' | 'order'>
>;

/** Sets plain fields of a card; null clears a field. Unchanged values are not written, to keep the log lean. */
export function updateCard(doc: Y.Doc, id: string, patch: CardPatch): boolean {
	const map = cardsOf(doc).get(id);
	if (!(map instanceof Y.Map)) return false;
	doc.transact(() => {
		for (const [key, value] of Object.entries(patch)) {
			if (value === undefined) continue;
			if (value === null) {
				if (map.has(key)) map.delete(key);
			} else if (map.get(key) !== value) map.set(key, value);
		}
	});
	return true;
}

/** Replaces a card's assignees with the given user ids. */
export function setAssignees(doc: Y.Doc, id: string, userIds: string[]): void {
	const map = cardsOf(doc).get(id);
	if (!(map instanceof Y.Map)) return;
	doc.transact(() => {
		let list = map.get('assignees');
		if (!(list instanceof Y.Array)) {
			list = new Y.Array<string>();
			map.set('assignees', list);
		}
		const arr = list as Y.Array<string>;
		const current = arr.toArray();
		if (current.length === userIds.length && current.every((u, i) => u === userIds[i])) return;
		arr.delete(0, arr.length);
		arr.push([...new Set(userIds)]);
	});
}

function listOf(doc: Y.Doc, id: string, key: 'checklist' | 'comments'): Y.Array<Y.Map<unknown>> | null {
	const map = cardsOf(doc).get(id);
	if (!(map instanceof Y.Map)) return null;
	let list = map.get(key);
	if (!(list instanceof Y.Array)) {
		list = new Y.Array<Y.Map<unknown>>();
		map.set(key, list);
	}
	return list as Y.Array<Y.Map<unknown>>;
}

export function addChecklistItem(doc: Y.Doc, cardId: string, item: { id: string; text: string }): void {
	doc.transact(() => {
		const list = listOf(doc, cardId, 'checklist');
		if (!list) return;
		const m = new Y.Map<unknown>();
		m.set('id', item.id);
		m.set('text', item.text);
		m.set('done', false);
		list.push([m]);
	});
}

export function setChecklistDone(doc: Y.Doc, cardId: string, itemId: string, done: boolean): void {
	doc.transact(() => {
		const list = listOf(doc, cardId, 'checklist');
		const item = list?.toArray().find((m) => m.get('id') === itemId);
		if (item && item.get('done') !== done) item.set('done', done);
	});
}

export function removeChecklistItem(doc: Y.Doc, cardId: string, itemId: string): void {
	doc.transact(() => {
		const list = listOf(doc, cardId, 'checklist');
		if (!list) return;
		const i = list.toArray().findIndex((m) => m.get('id') === itemId);
		if (i >= 0) list.delete(i, 1);
	});
}

export function addComment(doc: Y.Doc, cardId: string, comment: CardComment): void {
	doc.transact(() => {
		const list = listOf(doc, cardId, 'comments');
		if (!list) return;
		const m = new Y.Map<unknown>();
		m.set('id', comment.id);
		m.set('by', comment.by);
		m.set('at', comment.at);
		m.set('text', comment.text);
		list.push([m]);
	});
}

/** The card's collaborative notes, created when missing. */
export function notesOf(doc: Y.Doc, cardId: string): Y.Text | null {
	const map = cardsOf(doc).get(cardId);
	if (!(map instanceof Y.Map)) return null;
	const notes = map.get('notes');
	if (notes instanceof Y.Text) return notes;
	const text = new Y.Text();
	doc.transact(() => map.set('notes', text));
	return text;
}

/** Is a card past its due time and not done? */
export function isOverdue(card: Pick<Card, 'dueAt' | 'status'>, now: number): boolean {
	return card.status !== 'done' && !!card.dueAt && Date.parse(card.dueAt) < now;
}

/** Does a card wait for acknowledgement, and has its acknowledge-by time passed? */
export function ackState(card: Pick<Card, 'ackBy' | 'ackedAt' | 'status'>, now: number): 'none' | 'waiting' | 'missed' | 'acked' {
	if (card.ackedAt) return 'acked';
	if (!card.ackBy || card.status === 'done') return 'none';
	return Date.parse(card.ackBy) < now ? 'missed' : 'waiting';
}

/** The ISO-8601 form with the zone's offset that the schema stores, for a moment. */
export function isoWithOffset(at: Date, offsetMinutes: number): string {
	const shifted = new Date(at.getTime() + offsetMinutes * 60_000);
	const sign = offsetMinutes >= 0 ? '+' : '-';
	const abs = Math.abs(offsetMinutes);
	const hh = String(Math.floor(abs / 60)).padStart(2, '0');
	const mm = String(abs % 60).padStart(2, '0');
	return `${shifted.toISOString().slice(0, 19)}${sign}${hh}:${mm}`;
}
