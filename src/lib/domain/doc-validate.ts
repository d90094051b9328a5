/**
 * Checks a document against its schema after an update was applied to a staging copy. Only the entities an
 * update touched are checked, so the cost follows the size of the update, not of the document.
 */
import { geometryProblem } from './geometry.ts';
import * as Y from 'yjs';
import type { DocKind } from './documents.ts';
import { DOC_ROOTS, type EntitySpec, type FieldSpec } from './doc-schema.ts';

/** Marks a change to a root's list part, which no root may have. */
const LIST_PART = '\u0000list';
const KEY_RE = /^[A-Za-z0-9_-]{1,64}$/;
const TIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** Which entities of which roots a transaction touched. */
export type Touched = Map<string, Set<string>>;

/** Creates every root of a document kind with its proper type, so updates integrate into the right shapes. */
export function prepareRoots(doc: Y.Doc, kind: DocKind): void {
	for (const name of Object.keys(DOC_ROOTS[kind])) doc.getMap(name);
}

/** Collects the entities a transaction touched, by walking each changed type up to its root. */
export function collectTouched(tr: Y.Transaction): Touched {
	const touched: Touched = new Map();
	const add = (root: string, key: string) => {
		let set = touched.get(root);
		if (!set) touched.set(root, (set = new Set()));
		set.add(key);
	};
	for (const [type, keys] of tr.changed) {
		let child: Y.Item | null = null;
		let t = type as Y.AbstractType<unknown>;
		while (t._item) {
			child = t._item;
			t = t._item.parent as Y.AbstractType<unknown>;
		}
		const root = Y.findRootTypeKey(t);
		if (!child) for (const k of keys) add(root, k ?? LIST_PART);
		else add(root, child.parentSub ?? LIST_PART);
	}
	return touched;
}

export interface SchemaProblem {
	path: string;
	problem: string;
}

/**
 * Whether a map holds more than `max` live entries. Y.Map's `size` walks every entry, deleted ones too, on each
 * call; the count of keys ever set (deleted ones included) bounds it, so the walk is needed only past the limit.
 */
function holdsMoreThan(map: Y.Map<unknown>, max: number): boolean {
	if (map._map.size <= max) return false;
	let live = 0;
	for (const item of map._map.values()) if (!item.deleted && ++live > max) return true;
	return false;
}

/**
 * Validates what a transaction touched. `byServer` allows writes to server-only roots (the event's meta).
 * Returns the first problem found, or null when the document is valid.
 */
export function validateTouched(doc: Y.Doc, kind: DocKind, touched: Touched, byServer: boolean): SchemaProblem | null {
	const roots = DOC_ROOTS[kind];
	for (const name of doc.share.keys()) {
		if (!(name in roots)) return { path: name, problem: 'unknown root' };
	}
	for (const [rootName, keys] of touched) {
		const spec = roots[rootName];
		if (!spec) return { path: rootName, problem: 'unknown root' };
		const root = doc.share.get(rootName) as Y.AbstractType<unknown>;
		if (!(root instanceof Y.Map)) return { path: rootName, problem: 'root must be a map' };
		if (keys.has(LIST_PART) || root._start !== null) return { path: rootName, problem: 'root holds list content' };
		if (spec.kind === 'fields') {
			if (spec.serverOnly && !byServer) return { path: rootName, problem: 'written by the server only' };
			const p = checkEntity(root, spec.entity, rootName, false);
			if (p) return p;
			continue;
		}
		if (holdsMoreThan(root, spec.maxEntries)) return { path: rootName, problem: `more than ${spec.maxEntries} entries` };
		for (const key of keys) {
			const path = `${rootName}.${key}`;
			if (!KEY_RE.test(key)) return { path, problem: 'bad id' };
			const value = root.get(key);
			if (value === undefined) continue; // deleted
			if (spec.kind === 'entities') {
				if (!(value instanceof Y.Map)) return { path, problem: 'must be a map' };
				const p = checkEntity(value, spec.entity, path, true);
				if (p) return p;
			} else {
				if (!(value instanceof Y.Array)) return { path, problem: 'must be a list' };
				const p = checkList(value, { kind: 'list', maxItems: spec.maxItems, item: spec.item }, path);
				if (p) return p;
			}
		}
	}
	return null;
}

function checkEntity(map: Y.Map<unknown>, spec: EntitySpec, path: string, requireFields: boolean): SchemaProblem | null {
	if (map._start !== null) return { path, problem: 'map holds list content' };
	for (const [key, value] of map.entries()) {
		const field = spec.fields[key];
		if (!field) return { path: `${path}.${key}`, problem: 'unknown field' };
		const p = checkField(value, field, `${path}.${key}`, spec.required.includes(key));
		if (p) return p;
	}
	if (requireFields) {
		for (const key of spec.required) {
			if (!map.has(key)) return { path: `${path}.${key}`, problem: 'missing' };
		}
	}
	return null;
}

function checkField(value: unknown, spec: FieldSpec, path: string, required: boolean): SchemaProblem | null {
	const bad = (problem: string) => ({ path, problem });
	if (value === null) return required ? bad('must not be empty') : null;
	switch (spec.kind) {
		case 'string': {
			if (typeof value !== 'string') return bad('must be text');
			if (value.length > spec.max * 2 || [...value].length > spec.max) return bad(`longer than ${spec.max}`);
			if (spec.oneOf && !spec.oneOf.includes(value)) return bad(`must be one of ${spec.oneOf.join('|')}`);
			if (required && value.trim() === '') return bad('must not be empty');
			return null;
		}
		case 'time':
			if (typeof value !== 'string' || !TIME_RE.test(value) || Number.isNaN(Date.parse(value))) {
				return bad('must be an ISO-8601 time with offset');
			}
			return null;
		case 'int':
			if (typeof value !== 'number' || !Number.isInteger(value) || value < spec.min || value > spec.max) {
				return bad(`must be a whole number from ${spec.min} to ${spec.max}`);
			}
			return null;
		case 'bool':
			return typeof value === 'boolean' ? null : bad('must be true or false');
		case 'text': {
			if (!(value instanceof Y.Text)) return bad('must be a shared text');
			if (value._map.size > 0) return bad('text holds map content');
			if (value.length > spec.max) return bad(`longer than ${spec.max}`);
			for (const op of value.toDelta() as Array<{ insert?: unknown }>) {
				if (typeof op.insert !== 'string') return bad('text holds an embed');
			}
			return null;
		}
		case 'ids': {
			if (!(value instanceof Y.Array)) return bad('must be a list');
			if (value._map.size > 0) return bad('list holds map content');
			if (value.length > spec.maxItems) return bad(`more than ${spec.maxItems} items`);
			for (const id of value.toArray()) if (typeof id !== 'string' || !KEY_RE.test(id)) return bad('holds a bad id');
			return null;
		}
		case 'list':
			if (!(value instanceof Y.Array)) return bad('must be a list');
			return checkList(value, spec, path);
		case 'geometry': {
			const problems = spec.shapes.map((shape) => geometryProblem(value, shape));
			return problems.includes(null) ? null : bad(problems[0]!);
		}
		case 'records': {
			if (!(value instanceof Y.Map)) return bad('must be a map');
			if (value._start !== null) return bad('map holds list content');
			if (holdsMoreThan(value, spec.maxEntries)) return bad(`more than ${spec.maxEntries} entries`);
			for (const [key, entry] of value.entries()) {
				if (!KEY_RE.test(key)) return { path: `${path}.${key}`, problem: 'bad id' };
				if (!(entry instanceof Y.Map)) return { path: `${path}.${key}`, problem: 'must be a map' };
				const p = checkEntity(entry, spec.entry, `${path}.${key}`, true);
				if (p) return p;
			}
			return null;
		}
	}
}

function checkList(list: Y.Array<unknown>, spec: Extract<FieldSpec, { kind: 'list' }>, path: string): SchemaProblem | null {
	if (list._map.size > 0) return { path, problem: 'list holds map content' };
	if (list.length > spec.maxItems) return { path, problem: `more than ${spec.maxItems} items` };
	let i = 0;
	for (const item of list.toArray()) {
		if (!(item instanceof Y.Map)) return { path: `${path}[${i}]`, problem: 'must be a map' };
		const p = checkEntity(item, spec.item, `${path}[${i}]`, true);
		if (p) return p;
		i++;
	}
	return null;
}
