/**
 * Typed access to the dispute register's documents: dispute entries in each agency document (without personal
 * data) and their parties in the event's restricted document, keyed by the same dispute id (doc-schema.ts).
 */
import * as Y from 'yjs';
import {
	DISPUTE_CATEGORIES,
	DISPUTE_LEVELS,
	DISPUTE_RISKS,
	DISPUTE_STATUSES,
	MEDIATION_KINDS,
	PROGRESS_KINDS,
	type DisputeCategory,
	type DisputeLevel,
	type DisputeRisk,
	type DisputeStatus,
	type MediationKind,
	type ProgressKind
} from './doc-schema.ts';

export interface ProgressNote {
	at: string;
	by: string | null;
	text: string;
	kind: ProgressKind;
	status: DisputeStatus | null;
	fromLevel: DisputeLevel | null;
	toLevel: DisputeLevel | null;
	fromAgency: string | null;
	toAgency: string | null;
}

/** A dispute entry as plain data. */
export interface Dispute {
	id: string;
	summary: string;
	category: DisputeCategory;
	risk: DisputeRisk;
	status: DisputeStatus;
	level: DisputeLevel;
	mediation: MediationKind | null;
	location: string | null;
	screenedAt: string | null;
	dueAt: string | null;
	ownerTeamId: string | null;
	partiesMasked: string;
	progress: ProgressNote[];
	cardId: string | null;
}

export type NewDispute = Pick<Dispute, 'summary' | 'category' | 'risk'> &
	Partial<Omit<Dispute, 'id' | 'summary' | 'category' | 'risk' | 'progress'>> & {
		progress?: Array<Partial<ProgressNote> & { at: string; text: string }>;
	};

/** Plain fields of a dispute that its register sets directly. Status and level have their own rules (disputes.ts). */
export type DisputePatch = Partial<
	Pick<Dispute, 'summary' | 'category' | 'risk' | 'status' | 'mediation' | 'location' | 'screenedAt' | 'dueAt' | 'ownerTeamId' | 'partiesMasked' | 'cardId'>
>;

/** One party of a dispute. Empty strings stand for fields not given. */
export interface Party {
	name: string;
	phone: string;
	idNumber: string;
	address: string;
	note: string;
}

export const PARTY_FIELDS = ['name', 'phone', 'idNumber', 'address', 'note'] as const;

export function disputesOf(doc: Y.Doc): Y.Map<Y.Map<unknown>> {
	return doc.getMap('disputes') as Y.Map<Y.Map<unknown>>;
}

/** The restricted document's parties: by dispute id, a list of party records. */
export function partiesOf(doc: Y.Doc): Y.Map<Y.Array<Y.Map<unknown>>> {
	return doc.getMap('parties') as Y.Map<Y.Array<Y.Map<unknown>>>;
}

function str(v: unknown): string | null {
	return typeof v === 'string' ? v : null;
}

function oneOf<T extends string>(v: unknown, allowed: readonly T[], fallback: T): T {
	return typeof v === 'string' && (allowed as readonly string[]).includes(v) ? (v as T) : fallback;
}

function maybe<T extends string>(v: unknown, allowed: readonly T[]): T | null {
	return typeof v === 'string' && (allowed as readonly string[]).includes(v) ? (v as T) : null;
}

export function readProgressNote(m: Y.Map<unknown>): ProgressNote {
	return {
		at: str(m.get('at')) ?? '',
		by: str(m.get('by')),
		text: str(m.get('text')) ?? '',
		kind: oneOf(m.get('kind'), PROGRESS_KINDS, 'note'),
		status: maybe(m.get('status'), DISPUTE_STATUSES),
		fromLevel: maybe(m.get('fromLevel'), DISPUTE_LEVELS),
		toLevel: maybe(m.get('toLevel'), DISPUTE_LEVELS),
		fromAgency: str(m.get('fromAgency')),
		toAgency: str(m.get('toAgency'))
	};
}

/** Reads a dispute map into plain data. */
export function readDispute(id: string, map: Y.Map<unknown>): Dispute {
	const progress = map.get('progress');
	return {
		id,
		summary: str(map.get('summary')) ?? '',
		category: oneOf(map.get('category'), DISPUTE_CATEGORIES, 'other'),
		risk: oneOf(map.get('risk'), DISPUTE_RISKS, 'low'),
		status: oneOf(map.get('status'), DISPUTE_STATUSES, 'open'),
		level: oneOf(map.get('level'), DISPUTE_LEVELS, 'community'),
		mediation: maybe(map.get('mediation'), MEDIATION_KINDS),
		location: str(map.get('location')),
		screenedAt: str(map.get('screenedAt')),
		dueAt: str(map.get('dueAt')),
		ownerTeamId: str(map.get('ownerTeamId')),
		partiesMasked: str(map.get('partiesMasked')) ?? '',
		progress: progress instanceof Y.Array ? progress.toArray().flatMap((m) => (m instanceof Y.Map ? [readProgressNote(m)] : [])) : [],
		cardId: str(map.get('cardId'))
	};
}

/** Every dispute of a document. */
export function readDisputes(doc: Y.Doc): Dispute[] {
	const out: Dispute[] = [];
	for (const [id, map] of disputesOf(doc).entries()) if (map instanceof Y.Map) out.push(readDispute(id, map));
	return out;
}

function buildNote(note: Partial<ProgressNote> & { at: string; text: string }): Y.Map<unknown> {
	const m = new Y.Map<unknown>();
	for (const key of ['at', 'by', 'text', 'kind', 'status', 'fromLevel', 'toLevel', 'fromAgency', 'toAgency'] as const) {
		const v = note[key];
		// A plain note is stored without `kind`, as schema 1 stored it.
		if (key === 'kind' && v === 'note') continue;
		if (v !== undefined && v !== null && v !== '') m.set(key, v);
	}
	return m;
}

/** Builds the Y.Map of a new dispute. Call inside a transaction and set it into `disputesOf(doc)`. */
export function buildDisputeMap(d: NewDispute): Y.Map<unknown> {
	const map = new Y.Map<unknown>();
	map.set('summary', d.summary);
	map.set('category', d.category);
	map.set('risk', d.risk);
	map.set('status', d.status ?? 'open');
	map.set('level', d.level ?? 'community');
	const optional = ['mediation', 'location', 'screenedAt', 'dueAt', 'ownerTeamId', 'partiesMasked', 'cardId'] as const;
	for (const key of optional) {
		const v = d[key];
		if (v !== undefined && v !== null && v !== '') map.set(key, v);
	}
	const progress = new Y.Array<Y.Map<unknown>>();
	if (d.progress?.length) progress.push(d.progress.map(buildNote));
	map.set('progress', progress);
	return map;
}

/** Adds a dispute to an agency document. */
export function addDispute(doc: Y.Doc, id: string, d: NewDispute): void {
	doc.transact(() => disputesOf(doc).set(id, buildDisputeMap(d)));
}

/** A copy of a dispute's data suitable for creating it in another document (escalation to another agency). */
export function disputeAsNew(d: Dispute): NewDispute {
	const { id: _id, ...rest } = d;
	return { ...rest, progress: d.progress.map((p) => ({ ...p })) };
}

/** Sets plain fields of a dispute; null or '' clears an optional field. Unchanged values are not written. */
export function updateDispute(doc: Y.Doc, id: string, patch: DisputePatch): boolean {
	const map = disputesOf(doc).get(id);
	if (!(map instanceof Y.Map)) return false;
	doc.transact(() => {
		for (const [key, value] of Object.entries(patch)) {
			if (value === undefined) continue;
			if (value === null || value === '') {
				if (map.has(key)) map.delete(key);
			} else if (map.get(key) !== value) map.set(key, value);
		}
	});
	return true;
}

/** Appends a progress note to a dispute. */
export function addProgressNote(doc: Y.Doc, id: string, note: Partial<ProgressNote> & { at: string; text: string }): boolean {
	const map = disputesOf(doc).get(id);
	if (!(map instanceof Y.Map)) return false;
	doc.transact(() => {
		let list = map.get('progress');
		if (!(list instanceof Y.Array)) {
			list = new Y.Array<Y.Map<unknown>>();
			map.set('progress', list);
		}
		(list as Y.Array<Y.Map<unknown>>).push([buildNote(note)]);
	});
	return true;
}

export function readParty(m: Y.Map<unknown>): Party {
	return {
		name: str(m.get('name')) ?? '',
		phone: str(m.get('phone')) ?? '',
		idNumber: str(m.get('idNumber')) ?? '',
		address: str(m.get('address')) ?? '',
		note: str(m.get('note')) ?? ''
	};
}

/** A dispute's parties from the restricted document. */
export function readParties(doc: Y.Doc, disputeId: string): Party[] {
	const list = partiesOf(doc).get(disputeId);
	return list instanceof Y.Array ? list.toArray().flatMap((m) => (m instanceof Y.Map ? [readParty(m)] : [])) : [];
}

/**
 * Makes a dispute's parties in the restricted document equal to `parties`, writing only what differs: a
 * changed phone is one field set, not a new record. No parties removes the dispute's entry altogether.
 */
export function setParties(doc: Y.Doc, disputeId: string, parties: readonly Party[]): void {
	const root = partiesOf(doc);
	doc.transact(() => {
		if (parties.length === 0) {
			if (root.has(disputeId)) root.delete(disputeId);
			return;
		}
		let list = root.get(disputeId);
		if (!(list instanceof Y.Array)) {
			list = new Y.Array<Y.Map<unknown>>();
			root.set(disputeId, list);
		}
		const arr = list as Y.Array<Y.Map<unknown>>;
		parties.forEach((party, i) => {
			const existing = i < arr.length ? arr.get(i) : null;
			if (existing instanceof Y.Map) {
				for (const key of PARTY_FIELDS) {
					const v = party[key].trim();
					if (v === '') {
						if (existing.has(key)) existing.delete(key);
					} else if (existing.get(key) !== v) existing.set(key, v);
				}
				return;
			}
			// A new record is only written to: Yjs cannot read a map before it is part of a document.
			const m = new Y.Map<unknown>();
			for (const key of PARTY_FIELDS) if (party[key].trim()) m.set(key, party[key].trim());
			if (i < arr.length) arr.delete(i, 1);
			arr.insert(i, [m]);
		});
		if (arr.length > parties.length) arr.delete(parties.length, arr.length - parties.length);
	});
}
