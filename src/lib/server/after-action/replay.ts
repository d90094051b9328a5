/**
 * Replay: the board as it stood at a moment, rebuilt from the update log (every update stored up to then,
 * applied in sequence order into fresh documents). Never from snapshots, which only hold the latest state.
 */
import * as Y from 'yjs';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { prepareRoots } from '../../domain/doc-validate.ts';
import { agencyDocName, commandDocName } from '../../domain/documents.ts';
import { cardsOf, readCard, type Card } from '../../domain/board.ts';
import { onDutyByPost, readPosts, readShifts } from '../../domain/roster.ts';
import { pinOf, postPlace, readMapBase, readZones, type MapSnapshot } from '../../domain/venue-map.ts';

/** Rebuilds one document from its log up to and including `at`. */
export async function documentAt(db: Kysely<DB>, doc: string, kind: 'command' | 'agency', at: Date): Promise<Y.Doc> {
	const ydoc = new Y.Doc();
	prepareRoots(ydoc, kind);
	const rows = await db.selectFrom('doc_updates').select(['bytes']).where('doc', '=', doc).where('at', '<=', at).orderBy('seq').execute();
	// Merging first applies them in one integration pass, much faster than one applyUpdate per row.
	if (rows.length) Y.applyUpdate(ydoc, Y.mergeUpdates(rows.map((r) => new Uint8Array(r.bytes))));
	return ydoc;
}

export interface ReplayView {
	at: string;
	cards: Array<Pick<Card, 'id' | 'title' | 'status' | 'priority' | 'dueAt' | 'archived'> & { agency: string }>;
	/** People checked in per post, and how many the shifts covering the moment planned there (0: none planned). */
	onDuty: Array<{ postId: string; name: string; agency: string | null; onDuty: number; planned: number; minStaff: number }>;
	disputes: Array<{ id: string; agency: string; summary: string; risk: string; status: string; level: string; partiesMasked: string }>;
	/** The venue map as it stood (plan, zones, posts' places, pins), or null when there was no plan yet. */
	map: MapSnapshot | null;
}

/** The board (cards, on duty, disputes) as it stood at `at`. Reads only documents any member may read. */
export async function replayAt(db: Kysely<DB>, eventId: string, agencies: string[], at: Date): Promise<ReplayView> {
	const command = await documentAt(db, commandDocName(eventId), 'command', at);
	const base = readMapBase(command);
	const pins: NonNullable<ReplayView['map']>['pins'] = [];
	const cards: ReplayView['cards'] = [];
	const shifts = [];
	const disputes: ReplayView['disputes'] = [];
	for (const agency of agencies) {
		const doc = await documentAt(db, agencyDocName(eventId, agency), 'agency', at);
		for (const [id, m] of cardsOf(doc).entries()) {
			if (!(m instanceof Y.Map)) continue;
			const c = readCard(id, m);
			cards.push({ id, agency, title: c.title, status: c.status, priority: c.priority, dueAt: c.dueAt, archived: c.archived });
			const pin = pinOf(m);
			if (pin && !c.archived) pins.push({ kind: 'card', id, agency, point: pin });
		}
		shifts.push(...readShifts(doc, agency));
		for (const [id, m] of doc.getMap('disputes').entries()) {
			if (!(m instanceof Y.Map)) continue;
			const s = (k: string) => (typeof m.get(k) === 'string' ? (m.get(k) as string) : '');
			disputes.push({ id, agency, summary: s('summary'), risk: s('risk'), status: s('status'), level: s('level'), partiesMasked: s('partiesMasked') });
			const pin = pinOf(m);
			if (pin) pins.push({ kind: 'dispute', id, agency, point: pin });
		}
		doc.destroy();
	}
	const counts = onDutyByPost(shifts, at.getTime());
	const planned = new Map<string, number>();
	for (const s of shifts) {
		if (Date.parse(s.startsAt) <= at.getTime() && at.getTime() < Date.parse(s.endsAt)) planned.set(s.postId, (planned.get(s.postId) ?? 0) + s.people.length);
	}
	const onDuty = readPosts(command).map((p) => ({
		postId: p.id,
		name: p.name,
		agency: p.agency,
		onDuty: counts.get(p.id) ?? 0,
		planned: planned.get(p.id) ?? 0,
		minStaff: p.minStaff
	}));
	const map: ReplayView['map'] = base
		? {
				planId: base.planId,
				width: base.width,
				height: base.height,
				controls: base.controls,
				basemap: base.basemap,
				zones: readZones(command),
				places: readPosts(command).flatMap((p) => {
					const points = postPlace(command, p.id);
					return points && !p.archived ? [{ postId: p.id, points }] : [];
				}),
				pins
			}
		: null;
	command.destroy();
	return { at: at.toISOString(), cards, onDuty, disputes, map };
}

/** The first and last moment of an event's log (for the replay slider's range). */
export async function logSpan(db: Kysely<DB>, eventId: string): Promise<{ from: Date | null; to: Date | null }> {
	const r = await db
		.selectFrom('doc_updates as u')
		.innerJoin('documents as d', 'd.name', 'u.doc')
		.select((eb) => [eb.fn.min('u.at').as('from'), eb.fn.max('u.at').as('to')])
		.where('d.event_id', '=', eventId)
		.executeTakeFirst();
	return { from: r?.from ? new Date(r.from as Date) : null, to: r?.to ? new Date(r.to as Date) : null };
}
