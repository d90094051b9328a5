/**
 * Writes to the roster's shapes (doc-schema.ts: POST_SPEC and PERIOD_SPEC in the command document, SHIFT_SPEC in
 * each agency document), used by the pages and by the server alike. Each writer runs in one transaction and
 * leaves unchanged values alone, so the log and the activity hold only real changes.
 */
import * as Y from 'yjs';
import type { CheckIn, ShiftPerson } from './roster.ts';

export interface PostFields {
	name: string;
	kind: string;
	agency: string | null;
	location: string | null;
	minStaff: number;
	notes: string | null;
	archived: boolean;
}

export interface PeriodFields {
	name: string;
	startsAt: string;
	endsAt: string;
}

export interface ShiftFields {
	postId: string;
	periodId: string | null;
	startsAt: string;
	endsAt: string;
	notes: string | null;
}

/** A whole shift as the CSV import and the demo write it. */
export interface ShiftDraft extends ShiftFields {
	id: string;
	people: ShiftPerson[];
	checkins?: Record<string, CheckIn>;
}

/** Sets fields of a map; null or empty text clears a field. */
function setFields(map: Y.Map<unknown>, fields: Record<string, unknown>): void {
	for (const [key, value] of Object.entries(fields)) {
		if (value === undefined) continue;
		if (value === null || value === '') {
			if (map.has(key)) map.delete(key);
		} else if (map.get(key) !== value) map.set(key, value);
	}
}

function entity(doc: Y.Doc, root: string, id: string): Y.Map<unknown> {
	const roots = doc.getMap(root);
	let map = roots.get(id);
	if (!(map instanceof Y.Map)) {
		map = new Y.Map<unknown>();
		roots.set(id, map);
	}
	return map as Y.Map<unknown>;
}

/** Creates or updates a post in the command document. */
export function savePost(doc: Y.Doc, id: string, fields: Partial<PostFields>): void {
	doc.transact(() => {
		const map = entity(doc, 'posts', id);
		// Prelim maps cannot be read, so fields go on after the map is in the document.
		setFields(map, { ...fields, archived: fields.archived === false ? null : fields.archived });
	});
}

/** Creates or updates an operational period in the command document. */
export function savePeriod(doc: Y.Doc, id: string, fields: Partial<PeriodFields>): void {
	doc.transact(() => setFields(entity(doc, 'periods', id), { ...fields }));
}

export function deletePeriod(doc: Y.Doc, id: string): void {
	doc.transact(() => doc.getMap('periods').delete(id));
}

function personMap(p: ShiftPerson): Y.Map<unknown> {
	const m = new Y.Map<unknown>();
	m.set('id', p.id);
	if (p.userId) m.set('userId', p.userId);
	m.set('name', p.name);
	if (p.role) m.set('role', p.role);
	return m;
}

function checkinMap(c: CheckIn): Y.Map<unknown> {
	const m = new Y.Map<unknown>();
	if (c.inAt) m.set('inAt', c.inAt);
	if (c.outAt) m.set('outAt', c.outAt);
	if (c.recordedBy) m.set('recordedBy', c.recordedBy);
	return m;
}

function shiftMap(doc: Y.Doc, id: string): Y.Map<unknown> | null {
	const map = doc.getMap('shifts').get(id);
	return map instanceof Y.Map ? (map as Y.Map<unknown>) : null;
}

/** Adds a shift with its people to an agency document. */
export function addShift(doc: Y.Doc, draft: ShiftDraft): void {
	doc.transact(() => {
		const map = new Y.Map<unknown>();
		doc.getMap('shifts').set(draft.id, map);
		setFields(map, { postId: draft.postId, periodId: draft.periodId, startsAt: draft.startsAt, endsAt: draft.endsAt, notes: draft.notes });
		const people = new Y.Array<Y.Map<unknown>>();
		map.set('people', people);
		people.push(draft.people.map(personMap));
		const checkins = new Y.Map<Y.Map<unknown>>();
		map.set('checkins', checkins);
		for (const [pid, c] of Object.entries(draft.checkins ?? {})) checkins.set(pid, checkinMap(c));
	});
}

/** Changes a shift's own fields (post, period, times, notes). */
export function updateShift(doc: Y.Doc, id: string, fields: Partial<ShiftFields>): boolean {
	const map = shiftMap(doc, id);
	if (!map) return false;
	doc.transact(() => setFields(map, { ...fields }));
	return true;
}

export function deleteShift(doc: Y.Doc, id: string): void {
	doc.transact(() => doc.getMap('shifts').delete(id));
}

function peopleOf(map: Y.Map<unknown>): Y.Array<Y.Map<unknown>> {
	let list = map.get('people');
	if (!(list instanceof Y.Array)) {
		list = new Y.Array<Y.Map<unknown>>();
		map.set('people', list);
	}
	return list as Y.Array<Y.Map<unknown>>;
}

function checkinsOf(map: Y.Map<unknown>): Y.Map<Y.Map<unknown>> {
	let rec = map.get('checkins');
	if (!(rec instanceof Y.Map)) {
		rec = new Y.Map<Y.Map<unknown>>();
		map.set('checkins', rec);
	}
	return rec as Y.Map<Y.Map<unknown>>;
}

export function addPerson(doc: Y.Doc, shiftId: string, person: ShiftPerson): void {
	const map = shiftMap(doc, shiftId);
	if (!map) return;
	doc.transact(() => peopleOf(map).push([personMap(person)]));
}

/** Changes a person's name, account or role in place (the person keeps their id and check-in). */
export function updatePerson(doc: Y.Doc, shiftId: string, personId: string, fields: Partial<Omit<ShiftPerson, 'id'>>): boolean {
	const map = shiftMap(doc, shiftId);
	const p = map ? peopleOf(map).toArray().find((x) => x.get('id') === personId) : undefined;
	if (!p) return false;
	doc.transact(() => setFields(p, { ...fields }));
	return true;
}

/** Takes a person off a shift, with their check-in record. */
export function removePerson(doc: Y.Doc, shiftId: string, personId: string): void {
	const map = shiftMap(doc, shiftId);
	if (!map) return;
	doc.transact(() => {
		const list = peopleOf(map);
		const i = list.toArray().findIndex((x) => x.get('id') === personId);
		if (i >= 0) list.delete(i, 1);
		const rec = map.get('checkins');
		if (rec instanceof Y.Map && rec.has(personId)) rec.delete(personId);
	});
}

/**
 * Records a check-in (签到) or check-out (签退) of a person at `at`, by `recordedBy` (the person themself, or a
 * lead recording for them). A check-out without a check-in is refused (returns false). `receivedAt` is the server's
 * own stamp of a one-tap check (roster:check); clients leave it out.
 */
export function recordCheck(
	doc: Y.Doc,
	shiftId: string,
	personId: string,
	kind: 'in' | 'out',
	at: string,
	recordedBy: string,
	receivedAt: string | null = null
): boolean {
	const map = shiftMap(doc, shiftId);
	if (!map) return false;
	const existing = map.get('checkins');
	const current = existing instanceof Y.Map ? existing.get(personId) : undefined;
	if (kind === 'out' && !(current instanceof Y.Map && current.get('inAt'))) return false;
	doc.transact(() => {
		const rec = checkinsOf(map);
		let c = rec.get(personId);
		if (!(c instanceof Y.Map)) {
			c = new Y.Map<unknown>();
			rec.set(personId, c);
		}
		c.set(kind === 'in' ? 'inAt' : 'outAt', at);
		c.set('recordedBy', recordedBy);
		// Only the server says when it received a tap; a time entered by hand replaces an earlier tap's stamp.
		const stamp = kind === 'in' ? 'inReceivedAt' : 'outReceivedAt';
		if (receivedAt) c.set(stamp, receivedAt);
		else if (c.has(stamp)) c.delete(stamp);
	});
	return true;
}

/** Clears a wrong check-in or check-out (a lead's correction); clearing the check-in clears the check-out too. */
export function clearCheck(doc: Y.Doc, shiftId: string, personId: string, kind: 'in' | 'out', recordedBy: string): void {
	const map = shiftMap(doc, shiftId);
	const rec = map?.get('checkins');
	if (!(rec instanceof Y.Map)) return;
	const c = rec.get(personId);
	if (!(c instanceof Y.Map)) return;
	doc.transact(() => {
		if (kind === 'in') rec.delete(personId);
		else if (c.has('outAt')) {
			c.delete('outAt');
			c.set('recordedBy', recordedBy);
		}
	});
}

/**
 * Makes an agency's shifts exactly `drafts` (the CSV import): shifts not in it are removed, the others are
 * created or brought to the draft's fields and people. Check-ins of people who stay (same shift and person id)
 * are kept; the import refuses beforehand to drop a check-in.
 */
export function replaceRoster(doc: Y.Doc, drafts: ShiftDraft[]): void {
	doc.transact(() => {
		const root = doc.getMap('shifts');
		const wanted = new Set(drafts.map((d) => d.id));
		for (const id of [...root.keys()]) if (!wanted.has(id)) root.delete(id);
		for (const d of drafts) {
			const map = shiftMap(doc, d.id);
			if (!map) {
				addShift(doc, d);
				continue;
			}
			setFields(map, { postId: d.postId, periodId: d.periodId, startsAt: d.startsAt, endsAt: d.endsAt, notes: d.notes });
			const list = peopleOf(map);
			const current = list.toArray().map((p) => ({ id: p.get('id'), userId: p.get('userId') ?? null, name: p.get('name'), role: p.get('role') ?? null }));
			const same =
				current.length === d.people.length &&
				current.every((p, i) => p.id === d.people[i].id && p.userId === d.people[i].userId && p.name === d.people[i].name && p.role === d.people[i].role);
			if (!same) {
				list.delete(0, list.length);
				list.push(d.people.map(personMap));
			}
			const rec = checkinsOf(map);
			const keep = new Set(d.people.map((p) => p.id));
			for (const pid of [...rec.keys()]) if (!keep.has(pid)) rec.delete(pid);
		}
	});
}
