/**
 * The venue map's data (一张图), read from and written to the event's documents: the plan (base layer) and zones in
 * the command document, each post's place (a point, or a route for a patrol), and pins on cards and dispute
 * entries in the agency documents. What the map draws — and in which colour — is decided here once, so the map
 * page and the wall show the same thing.
 */
import * as Y from 'yjs';
import { flatten, MAX_PLAN_SIDE, planPointOf, pointsOf, ZONE_KINDS, type ControlPoint, type Point, type ZoneKind } from './geometry.ts';
import type { PostNow } from './roster-coverage.ts';

/**
 * The plan: an uploaded image (content-addressed id) and its size in pixels, or no image when the commander uses an
 * offline basemap instead (the plan is then the basemap's bounds, tied to it at its corners).
 */
export interface MapBase {
	planId: string | null;
	width: number;
	height: number;
	/** Control points tying the plan to WGS-84, when the commander gave them (three or more). */
	controls: ControlPoint[];
	/** The offline basemap shown under the plan (or instead of it): a file name in the data folder's basemaps. */
	basemap: string | null;
}

/** An offline basemap (a PMTiles file of raster tiles) as the server describes it. */
export interface BasemapInfo {
	name: string;
	mime: string;
	minZoom: number;
	maxZoom: number;
	/** West, south, east, north in WGS-84 degrees. */
	bounds: [number, number, number, number];
}

/** The map as replay shows it at a moment: plan, zones, posts' places and pins (plan coordinates). */
export interface MapSnapshot {
	planId: string | null;
	width: number;
	height: number;
	controls: ControlPoint[];
	basemap: string | null;
	zones: Zone[];
	places: Array<{ postId: string; points: Point[] }>;
	pins: Array<{ kind: 'card' | 'dispute'; id: string; agency: string; point: Point }>;
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
	const basemap = str(m.get('basemap'));
	if ((!planId && !basemap) || typeof width !== 'number' || typeof height !== 'number') return null;
	return { planId, width, height, controls: readControls(m.get('controls')), basemap };
}

/** Control points from their stored row (`x, y, lng, lat` each); none when the row is not whole. */
export function readControls(value: unknown): ControlPoint[] {
	if (!Array.isArray(value) || value.length % 4 !== 0 || !value.every((v) => typeof v === 'number' && Number.isFinite(v))) return [];
	const out: ControlPoint[] = [];
	for (let i = 0; i < value.length; i += 4) out.push({ plan: [value[i], value[i + 1]], lngLat: [value[i + 2], value[i + 3]] });
	return out;
}

/**
 * Control points typed by the commander, one per line as `x, y, longitude, latitude` (plan pixels, then WGS-84, as
 * a phone's GPS reports: not the GCJ-02 of Chinese web maps). Returns the stored row, or the problem: fewer than
 * three, a number missing or out of range, or points on one line.
 */
export function parseControls(text: string): { ok: true; row: number[] } | { ok: false; problem: 'controlsFormat' | 'controlsTooFew' | 'controlsInLine' } {
	const lines = text
		.split(/\r?\n/)
		.map((l) => l.trim())
		.filter(Boolean);
	if (lines.length === 0) return { ok: true, row: [] };
	const row: number[] = [];
	for (const line of lines.slice(0, 50)) {
		const parts = line.split(/[\s,，]+/).filter(Boolean).map(Number);
		if (parts.length !== 4 || !parts.every(Number.isFinite)) return { ok: false, problem: 'controlsFormat' };
		const [x, y, lng, lat] = parts;
		if (Math.abs(x) > MAX_PLAN_SIDE * 2 || Math.abs(y) > MAX_PLAN_SIDE * 2 || Math.abs(lng) > 180 || Math.abs(lat) > 90) return { ok: false, problem: 'controlsFormat' };
		row.push(x, y, lng, lat);
	}
	if (lines.length > 50) return { ok: false, problem: 'controlsFormat' };
	const controls = readControls(row);
	if (controls.length < 3) return { ok: false, problem: 'controlsTooFew' };
	if (!planPointOf(controls, controls[0].lngLat)) return { ok: false, problem: 'controlsInLine' };
	return { ok: true, row };
}

/**
 * Sets the plan (the commander, after an upload; null when a basemap stands in for it), its control points when
 * given (an empty row clears them), and the basemap when given (null removes it).
 */
export function setMapBase(doc: Y.Doc, base: { planId: string | null; width: number; height: number; controls?: number[]; basemap?: string | null }): void {
	doc.transact(() => {
		const m = doc.getMap('map');
		if (base.planId) m.set('planId', base.planId);
		else if (m.has('planId')) m.delete('planId');
		m.set('width', base.width);
		m.set('height', base.height);
		if (base.controls?.length) m.set('controls', base.controls);
		else if (base.controls && m.has('controls')) m.delete('controls');
		if (base.basemap) m.set('basemap', base.basemap);
		else if (base.basemap === null && m.has('basemap')) m.delete('basemap');
	});
}

/** Leaves the map with no base: no plan, basemap, size or control points (zones and places stay, unseen). */
export function clearMapBase(doc: Y.Doc): void {
	doc.transact(() => {
		const m = doc.getMap('map');
		for (const key of ['planId', 'width', 'height', 'controls', 'basemap']) if (m.has(key)) m.delete(key);
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
	if (pin) m.set('pin', flatten([pin]));
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
