/**
 * Turns the Yjs events of one accepted update into attributable activity: "card X, status, todo → doing".
 * Runs inside the observer of the server's staging copy, where Yjs still lets events tell what changed.
 */
import * as Y from 'yjs';
import type { DocKind } from './documents.ts';

export type EntityType = 'card' | 'shift' | 'dispute' | 'post' | 'period' | 'meta' | 'parties';

export type ActivityAction =
	| 'created'
	| 'deleted'
	| 'changed'
	| 'edited'
	| 'commented'
	| 'checklistAdded'
	| 'checklistChecked'
	| 'checklistUnchecked'
	| 'checkedIn'
	| 'checkedOut'
	| 'progressAdded'
	/** A dispute reported up a level or handed to another agency (recorded by the escalation command). */
	| 'escalated'
	/** A card created by a playbook run (recorded by the run; `subject` is the run, `to` the playbook's name). */
	| 'playbookRun';

export interface ActivityDraft {
	entityType: EntityType;
	entityId: string;
	action: ActivityAction;
	field: string | null;
	/** The person (shift check-in) or item the change is about, when not the entity itself. */
	subject: string | null;
	from: string | null;
	to: string | null;
}

const ROOT_ENTITY: Record<string, EntityType> = {
	cards: 'card',
	shifts: 'shift',
	disputes: 'dispute',
	posts: 'post',
	periods: 'period',
	meta: 'meta',
	parties: 'parties'
};

const MAX_VALUE = 300;

/** A stored form of a value: text as it is, other values as JSON, shared types by their kind. */
export function describeValue(value: unknown): string | null {
	if (value === undefined || value === null) return null;
	if (typeof value === 'string') return value.length > MAX_VALUE ? value.slice(0, MAX_VALUE) + '…' : value;
	if (value instanceof Y.Text) return describeValue(value.toString());
	if (value instanceof Y.Array) return describeValue(JSON.stringify(value.toJSON()));
	if (value instanceof Y.Map) return '{…}';
	return describeValue(JSON.stringify(value));
}

function draft(
	entityType: EntityType,
	entityId: string,
	action: ActivityAction,
	rest: Partial<Pick<ActivityDraft, 'field' | 'subject' | 'from' | 'to'>> = {}
): ActivityDraft {
	return { entityType, entityId, action, field: null, subject: null, from: null, to: null, ...rest };
}

/**
 * Derives activity from the deep events of one root. Must be called from the observer callback itself, while
 * the events can still compute their changes. In the restricted document only the fact of a change is kept,
 * never the personal data itself.
 */
export function deriveActivity(kind: DocKind, rootName: string, events: Array<Y.YEvent<any>>): ActivityDraft[] {
	const entityType = ROOT_ENTITY[rootName];
	if (!entityType) return [];
	const out: ActivityDraft[] = [];
	if (kind === 'restricted') {
		const ids = new Set<string>();
		for (const e of events) {
			const id = e.path.length ? String(e.path[0]) : null;
			if (id) ids.add(id);
			else for (const key of e.changes.keys.keys()) ids.add(key);
		}
		for (const id of ids) out.push(draft('parties', id, 'changed'));
		return out;
	}
	for (const e of events) {
		const path = e.path;
		if (rootName === 'meta') {
			for (const [key, change] of e.changes.keys) {
				// Filling in the meta for the first time is set-up, not something anyone did.
				if (change.action === 'add' || key === 'schema') continue;
				out.push(draft('meta', 'event', 'changed', { field: key, from: describeValue(change.oldValue), to: describeValue((e.target as Y.Map<unknown>).get(key)) }));
			}
			continue;
		}
		if (path.length === 0) {
			for (const [key, change] of e.changes.keys) {
				if (change.action === 'delete') out.push(draft(entityType, key, 'deleted'));
				else out.push(draft(entityType, key, 'created', { to: summaryOf(entityType, (e.target as Y.Map<unknown>).get(key)) }));
			}
			continue;
		}
		const entityId = String(path[0]);
		const field = path.length > 1 ? String(path[1]) : null;
		if (path.length === 1) {
			const target = e.target as Y.Map<unknown>;
			for (const [key, change] of e.changes.keys) {
				out.push(
					draft(entityType, entityId, 'changed', {
						field: key,
						from: describeValue(change.oldValue),
						to: change.action === 'delete' ? null : describeValue(target.get(key))
					})
				);
			}
		} else if (e.target instanceof Y.Text) {
			out.push(draft(entityType, entityId, 'edited', { field }));
		} else if (path.length === 2 && e.target instanceof Y.Array) {
			out.push(...listChanges(entityType, entityId, field!, e));
		} else if (path.length === 2 && e.target instanceof Y.Map && field === 'checkins') {
			for (const [person, change] of e.changes.keys) {
				if (change.action === 'delete') continue;
				const rec = (e.target as Y.Map<unknown>).get(person);
				if (rec instanceof Y.Map) out.push(...checkinChanges(entityId, person, rec, ['inAt', 'outAt']));
			}
		} else if (path.length === 3 && field === 'checkins' && e.target instanceof Y.Map) {
			const changed = [...e.changes.keys.keys()];
			out.push(...checkinChanges(entityId, String(path[2]), e.target as Y.Map<unknown>, changed));
		} else if (path.length === 3 && field === 'checklist' && e.target instanceof Y.Map) {
			const item = e.target as Y.Map<unknown>;
			if (e.changes.keys.has('done')) {
				out.push(
					draft(entityType, entityId, item.get('done') ? 'checklistChecked' : 'checklistUnchecked', {
						field,
						subject: describeValue(item.get('id')),
						to: describeValue(item.get('text'))
					})
				);
			} else {
				out.push(draft(entityType, entityId, 'changed', { field, subject: describeValue(item.get('id')), to: describeValue(item.get('text')) }));
			}
		} else {
			out.push(draft(entityType, entityId, 'changed', { field }));
		}
	}
	return out;
}

function summaryOf(entityType: EntityType, value: unknown): string | null {
	if (!(value instanceof Y.Map)) return describeValue(value);
	const key = entityType === 'card' ? 'title' : entityType === 'dispute' ? 'summary' : entityType === 'shift' ? 'postId' : 'name';
	return describeValue(value.get(key));
}

function listChanges(entityType: EntityType, entityId: string, field: string, e: Y.YEvent<any>): ActivityDraft[] {
	const out: ActivityDraft[] = [];
	const added: unknown[] = [];
	for (const item of e.changes.added) for (const c of item.content.getContent()) added.push(c);
	if (field === 'comments') {
		for (const c of added) if (c instanceof Y.Map) out.push(draft(entityType, entityId, 'commented', { field, to: describeValue(c.get('text')) }));
	} else if (field === 'checklist') {
		for (const c of added) if (c instanceof Y.Map) out.push(draft(entityType, entityId, 'checklistAdded', { field, subject: describeValue(c.get('id')), to: describeValue(c.get('text')) }));
	} else if (field === 'progress') {
		for (const c of added) if (c instanceof Y.Map) out.push(draft(entityType, entityId, 'progressAdded', { field, to: describeValue(c.get('text')) }));
	}
	if (field === 'people' && e.target instanceof Y.Array) {
		// Who is on the shift now, by name: "人员改为：王建国、赵亮" says what changed where "edited the people" did not.
		const names = e.target.toArray().map((p) => (p instanceof Y.Map ? String(p.get('name') ?? '') : '')).filter(Boolean);
		out.push(draft(entityType, entityId, 'changed', { field, to: describeValue(names.join('、')) }));
		return out;
	}
	if (out.length === 0 || e.changes.deleted.size > 0) {
		out.push(draft(entityType, entityId, 'changed', { field, to: describeValue(e.target) }));
	}
	return out;
}

function checkinChanges(shiftId: string, person: string, rec: Y.Map<unknown>, keys: string[]): ActivityDraft[] {
	const out: ActivityDraft[] = [];
	if (keys.includes('inAt') && rec.get('inAt')) out.push(draft('shift', shiftId, 'checkedIn', { field: 'checkins', subject: person, to: describeValue(rec.get('inAt')) }));
	if (keys.includes('outAt') && rec.get('outAt')) out.push(draft('shift', shiftId, 'checkedOut', { field: 'checkins', subject: person, to: describeValue(rec.get('outAt')) }));
	return out;
}
