/**
 * The venue map's data (一张图), read from and written to the event's documents: the plan (base layer) and zones in
 * the command document, each post's place (a point, or a route for a patrol), and pins on cards and dispute
 * entries in the agency documents. What the map draws — and in which colour — is decided here once, so the map
 * page and the wall show the same thing.
 */
import * as Y from 'yjs';
import { pointsOf, ZONE_KINDS, type Point, type ZoneKind } from './geometry.ts';
import type { PostNow } from './roster-coverage.ts';

/** The plan: an uploaded image (content-addressed id) and its size in pixels. */
export interface MapBase {
	planId: string | null;
	width: number;
	height: number;
}

export interface Zone {
	id: string;
	name: string;
	kind: ZoneKind;
	points: Point[];
	notes: string | null;
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

export function readMapBase(doc: Y.Doc): MapBase | null {
	const m = doc.getMap('map');
	const planId = str(m.get('planId'));
	const width = m.get('width');
	const height = m.get('height');
	if (!planId || typeof width !== 'number' || typeof height !== 'number') return null;
	return { planId, width, height };
}

/** Sets the plan (the commander, after an upload). */
export function setMapBase(doc: Y.Doc, base: { planId: string; width: number; height: number }): void {
	doc.transact(() => {
		const m = doc.getMap('map');
		m.set('planId', base.planId);
		m.set('width', base.width);
		m.set('height', base.height);
	});
}

export function readZones(doc: Y.Doc): Zone[] {
	const out: Zone[] = [];
	for (const [id, m] of doc.getMap('zones').entries()) {
		if (!(m instanceof Y.Map) || m.get('archived') === true) continue;
		const points = pointsOf(m.get('area'), 'polygon');
		const kind = str(m.get('kind'));
		if (!points) continue;
		out.push({
			id,
			name: str(m.get('name')) ?? '',
			kind: (ZONE_KINDS as readonly string[]).includes(kind ?? '') ? (kind as ZoneKind) : 'other',
			points,
			notes: str(m.get('notes'))
		});
	}
	return out;
}

/** Adds a zone (a new key: an existing one is never replaced). */
export function addZone(doc: Y.Doc, id: string, zone: { name: string; kind: ZoneKind; area: number[] }): void {
	doc.transact(() => {
		const m = new Y.Map<unknown>();
		doc.getMap('zones').set(id, m);
		m.set('name', zone.name);
		m.set('kind', zone.kind);
		m.set('area', zone.area);
	});
}

export function archiveZone(doc: Y.Doc, id: string): void {
	const m = doc.getMap('zones').get(id);
	if (m instanceof Y.Map) m.set('archived', true);
}

/** A post's place: a point, or the line of a patrol route. */
export function postPlace(doc: Y.Doc, postId: string): Point[] | null {
	const m = doc.getMap('posts').get(postId);
	if (!(m instanceof Y.Map)) return null;
	const geo = m.get('geo');
	return pointsOf(geo, 'point') ?? pointsOf(geo, 'line');
}

export function setPostPlace(doc: Y.Doc, postId: string, geo: number[] | null): void {
	const m = doc.getMap('posts').get(postId);
	if (!(m instanceof Y.Map)) return;
	if (geo) m.set('geo', geo);
	else if (m.has('geo')) m.delete('geo');
}

/** Sets or clears the pin of a card or a dispute entry (root `cards` or `disputes` of an agency document). */
export function setPin(doc: Y.Doc, root: 'cards' | 'disputes', id: string, pin: Point | null): void {
	const m = doc.getMap(root).get(id);
	if (!(m instanceof Y.Map)) return;
	if (pin) m.set('pin', [Math.round(pin[0] * 10) / 10, Math.round(pin[1] * 10) / 10]);
	else if (m.has('pin')) m.delete('pin');
}

export function pinOf(map: Y.Map<unknown>): Point | null {
	return pointsOf(map.get('pin'), 'point')?.[0] ?? null;
}

/** How a post shows on the map: short of its minimum (red), staffed (green), not required now (grey). */
export type StaffingTone = 'short' | 'ok' | 'idle';

export function staffingTone(row: PostNow | undefined): StaffingTone {
	if (!row || !row.required) return 'idle';
	return row.short ? 'short' : 'ok';
}

/** Zones' colours by kind, from the checked palette (fills are drawn at 20 % opacity over the plan). */
export const ZONE_COLOURS: Record<ZoneKind, string> = {
	crowd: '#b45309',
	closure: '#b91c1c',
	staging: '#1d4ed8',
	firstAid: '#047857',
	evacuation: '#7c3aed',
	other: '#475569'
};

/** Pin colours by card priority; an overdue card's pin is outlined in red. */
export const PRIORITY_COLOURS: Record<string, string> = { routine: '#475569', urgent: '#b45309', critical: '#b91c1c' };
