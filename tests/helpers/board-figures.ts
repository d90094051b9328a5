/**
 * What the board, the roster and the wall show, computed the way the pages compute it: the event's documents read
 * with a stock y-websocket client (as a page reads them), then the figures' one definitions applied at a moment.
 * Tests compare the record's and the situation reports' figures with these.
 */
import * as Y from 'yjs';
import { connectDoc, whenSynced, type LiveDoc } from './live.ts';
import { agencyDocName, commandDocName } from '../../src/lib/domain/documents.ts';
import { cardsOf, readCard } from '../../src/lib/domain/board.ts';
import { readPeriods, readPosts, readShifts } from '../../src/lib/domain/roster.ts';
import { noShowCount, onDutyTotal, overdueCount, postStaffing, uncoveredPostHours, understaffedPosts } from '../../src/lib/domain/figures.ts';

export const AGENCIES = ['station', 'cid', 'traffic', 'patrol'];

export interface EventDocuments {
	command: Y.Doc;
	agencies: Map<string, Y.Doc>;
	close(): void;
}

/** The event's command and agency documents as `cookie`'s user reads them, synced. */
export async function documentsOf(base: string, cookie: string, eventId: string): Promise<EventDocuments> {
	const live: LiveDoc[] = [connectDoc(base, commandDocName(eventId), { cookie }), ...AGENCIES.map((a) => connectDoc(base, agencyDocName(eventId, a), { cookie }))];
	await Promise.all(live.map((l) => whenSynced(l)));
	return {
		command: live[0].doc,
		agencies: new Map(AGENCIES.map((a, i) => [a, live[i + 1].doc])),
		close: () => live.forEach((l) => l.destroy())
	};
}

/** The figures a page computes from the documents as of `asOf`, for an event spanning `event` with that grace. */
export function boardFigures(docs: EventDocuments, asOf: number, event: { startsAt: string; endsAt: string; checkinGraceMinutes: number }) {
	const cards = [...docs.agencies.values()].flatMap((d) => [...cardsOf(d).entries()].map(([id, m]) => readCard(id, m))).filter((c) => !c.archived);
	const shifts = [...docs.agencies].flatMap(([code, d]) => readShifts(d, code));
	const posts = readPosts(docs.command).filter((p) => !p.archived);
	const opts = { periods: readPeriods(docs.command), event: { start: Date.parse(event.startsAt), end: Date.parse(event.endsAt) }, asOf, graceMinutes: event.checkinGraceMinutes };
	const staffing = postStaffing(posts, shifts, opts);
	// The board's columns: cards per agency and status.
	const columns: Record<string, Record<string, number>> = {};
	for (const c of cards) {
		const row = (columns[c.agency ?? ''] ??= {});
		row[c.status] = (row[c.status] ?? 0) + 1;
	}
	const risks: Record<string, number> = {};
	for (const d of docs.agencies.values()) {
		for (const entry of d.getMap('disputes').values()) if (entry instanceof Y.Map) risks[String(entry.get('risk'))] = (risks[String(entry.get('risk'))] ?? 0) + 1;
	}
	return {
		overdue: overdueCount(cards, asOf),
		overdueByAgency: Object.fromEntries(AGENCIES.map((a) => [a, overdueCount(cards.filter((c) => c.agency === a), asOf)])),
		noShows: noShowCount(shifts, asOf, opts.graceMinutes),
		uncoveredPostHours: uncoveredPostHours(posts, shifts, opts),
		understaffed: understaffedPosts(staffing),
		onDuty: onDutyTotal(staffing),
		onDutyByPost: Object.fromEntries(staffing.map((s) => [s.post.name, s.onDuty])),
		columns,
		risks
	};
}
