/**
 * Seeded fuzzing of forged document writes (red team, item 2): stock Yjs clients of several roles send writes the
 * pages would never make — attribution naming someone else, status moves the transitions forbid, replaced or
 * deleted records, escalation notes, shift changes by members, check-ins of others — with hostile values mixed in.
 * Every forged write must be refused (4422) and leave nothing behind: a fresh read shows none of its tags.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as Y from 'yjs';
import { startServer, type TestServer } from '../helpers/server.ts';
import { connectDoc, DEMO_EVENT, nextClose, sessionCookie, whenSynced } from '../helpers/live.ts';
import { demoUserId } from '../helpers/hub.ts';
import { caseIndexes, caseRandom, fuzzConfig, hostileString, pickOf, tagOf, type Rnd } from '../helpers/fuzz.ts';
import { agencyDocName } from '../../src/lib/domain/documents.ts';
import { addCard, addComment } from '../../src/lib/domain/board.ts';
import { addDispute, addProgressNote, updateDispute } from '../../src/lib/domain/dispute-doc.ts';
import { recordCheck, updateShift } from '../../src/lib/domain/roster-write.ts';
import { CLOSE_CODES } from '../../src/lib/domain/wire.ts';

const config = fuzzConfig();
const CASES = caseIndexes(config, 60);
const USERS = ['commander', 'lead.station', 'member.station'];
const OTHERS = ['demo-user-commander', 'demo-user-lead-station', 'demo-user-lead-traffic', 'nobody', ''];

/** One forged write, as `username` would send it to the station's document; tagged so a stored trace is found. */
type Forgery = (d: Y.Doc, rnd: Rnd, tag: string, me: string) => void;

const FORGERIES: Record<string, { who: string[]; forge: Forgery }> = {
	commentBySomeoneElse: {
		who: USERS,
		forge: (d, rnd, tag, me) =>
			addComment(d, 'demo-card-s1', { id: tag, by: pickOf(rnd, OTHERS.slice(0, 3).filter((o) => o !== me)), at: new Date().toISOString(), text: tag + hostileString(rnd, tag).slice(0, 50) })
	},
	cardCreatedBySomeoneElse: {
		who: USERS,
		forge: (d, rnd, tag, me) => addCard(d, tag, { title: tag, status: 'todo', priority: 'routine', agency: 'station', createdBy: pickOf(rnd, OTHERS.filter((o) => o !== me)) })
	},
	cardReplaced: {
		who: USERS,
		forge: (d, _rnd, tag) => addCard(d, 'demo-card-s2', { title: tag, status: 'done', priority: 'routine', agency: 'station' })
	},
	cardDeleted: {
		who: USERS,
		forge: (d, _rnd, tag) => d.transact(() => { d.getMap('cards').delete('demo-card-s3'); d.getMap('cards').set(tag, new Y.Map()); d.getMap('cards').delete(tag); })
	},
	escalationNote: {
		who: USERS,
		forge: (d, _rnd, tag, me) => addProgressNote(d, 'demo-dispute-s1', { at: new Date().toISOString(), by: me, text: tag, kind: 'escalation' })
	},
	noteBySomeoneElse: {
		who: USERS,
		forge: (d, rnd, tag, me) => addProgressNote(d, 'demo-dispute-s1', { at: new Date().toISOString(), by: pickOf(rnd, OTHERS.filter((o) => o !== me)), text: tag })
	},
	disputeReplaced: {
		who: USERS,
		forge: (d, _rnd, tag) => addDispute(d, 'demo-dispute-s2', { summary: tag, category: 'other', risk: 'low', status: 'open', level: 'community' })
	},
	forbiddenTransition: {
		who: USERS,
		// demo-dispute-s2 was reported to the district: it may only be taken up or settled, never reopened.
		forge: (d, rnd, tag) => {
			updateDispute(d, 'demo-dispute-s2', { status: pickOf(rnd, ['open', 'transferred'] as const) });
			updateDispute(d, 'demo-dispute-s2', { location: tag });
		}
	},
	shiftByMember: {
		who: ['member.station'],
		forge: (d, rnd, tag) => updateShift(d, pickOf(rnd, ['demo-shift-gate-next', 'demo-shift-mobile-next']), { notes: tag, startsAt: '2031-01-01T00:00:00+08:00' })
	},
	checkInOfSomeoneElse: {
		who: ['member.station'],
		forge: (d, rnd, tag) => {
			recordCheck(d, 'demo-shift-gate-next', pickOf(rnd, ['p1', 'p2', 'p3']), 'in', new Date().toISOString(), pickOf(rnd, OTHERS));
			updateShift(d, 'demo-shift-gate-next', { notes: tag });
		}
	},
	checkInRecordedAsSomeoneElse: {
		who: ['lead.station', 'commander'],
		forge: (d, rnd, tag, me) => {
			recordCheck(d, 'demo-shift-gate-next', 'p2', 'in', new Date().toISOString(), pickOf(rnd, OTHERS.filter((o) => o !== me)));
			d.transact(() => d.getMap('cards').set(tag, new Y.Map()));
		}
	}
};

describe('forged document writes', () => {
	let server: TestServer;
	const cookies = new Map<string, string>();

	beforeAll(async () => {
		server = await startServer({ demo: true });
		for (const u of USERS) cookies.set(u, await sessionCookie(server.url, u));
	});
	afterAll(async () => {
		await server?.dispose();
	});

	it(`refuses every forgery and stores nothing of it (${CASES.length} cases, seed ${config.seed})`, async () => {
		const station = agencyDocName(DEMO_EVENT, 'station');
		const tags: string[] = [];
		for (const index of CASES) {
			const rnd = caseRandom(config.seed, 'forge', index);
			const kind = pickOf(rnd, Object.keys(FORGERIES));
			const { who, forge } = FORGERIES[kind];
			const username = pickOf(rnd, who);
			const tag = tagOf('w', index);
			tags.push(tag);
			const live = connectDoc(server.url, station, { cookie: cookies.get(username)! });
			try {
				await whenSynced(live);
				const closing = nextClose(live, 5_000);
				forge(live.doc, rnd, tag, demoUserId(username));
				const closed = await closing.catch(() => ({ code: 0, reason: 'not closed' }));
				expect(closed.code, `case ${index} (FUZZ_ONLY=${index}): ${kind} by ${username} — ${closed.reason}`).toBe(CLOSE_CODES.refused);
			} finally {
				live.destroy();
			}
		}
		const fresh = connectDoc(server.url, station, { cookie: cookies.get('commander')! });
		try {
			await whenSynced(fresh);
			const stored = JSON.stringify({ cards: fresh.doc.getMap('cards').toJSON(), shifts: fresh.doc.getMap('shifts').toJSON(), disputes: fresh.doc.getMap('disputes').toJSON() });
			for (const tag of tags) expect(stored.includes(tag), tag).toBe(false);
			expect((fresh.doc.getMap('disputes').get('demo-dispute-s2') as Y.Map<unknown>).get('status')).toBe('reported');
			expect(fresh.doc.getMap('cards').has('demo-card-s3')).toBe(true);
		} finally {
			fresh.destroy();
		}
	});
});
