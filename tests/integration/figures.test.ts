/**
 * One set of figures: the after-action record the review page shows (built on the server from the log and the
 * documents) gives, as of its moment, the same overdue, no-show, staffing and uncovered post-hours figures that the
 * board, the roster and the wall compute in the browser from the documents they hold — on the demo while it runs,
 * and on a scripted event. And the demo is dated around the moment it was seeded.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.ts';
import { HttpClient } from '../helpers/http.ts';
import { signIn } from '../helpers/accounts.ts';
import { pageData } from '../helpers/admin-forms.ts';
import { DEMO_EVENT, DEMO_PASSWORD } from '../helpers/live.ts';
import { scriptEvent, type ScriptedEvent } from '../helpers/after-action.ts';
import { boardFigures, documentsOf, type EventDocuments } from '../helpers/board-figures.ts';
import type { AfterActionRecord } from '../../src/lib/domain/after-action.ts';

interface ReviewData {
	record: Pick<AfterActionRecord, 'event' | 'figures' | 'ics204'> & { asOf: string };
}

/** The figures a page computes from the documents, as of the record's moment. */
function pageFigures(docs: EventDocuments, record: ReviewData['record']) {
	return boardFigures(docs, Date.parse(record.asOf), record.event);
}

describe('one set of figures', () => {
	describe('on the demo while it runs', () => {
		let server: TestServer;
		let commander: HttpClient;
		let cookie: string;

		beforeAll(async () => {
			server = await startServer({ demo: true });
			commander = await signIn(new HttpClient(server.url), 'commander', DEMO_PASSWORD);
			cookie = commander.cookieHeader();
		});
		afterAll(async () => {
			await server?.dispose();
		});

		it('is dated around the moment it was seeded: running now, with today’s periods holding the seeded shifts', async () => {
			const { record } = await pageData<ReviewData>(commander, `/events/${DEMO_EVENT}/review`);
			const now = Date.now();
			expect(Date.parse(record.event.startsAt)).toBeLessThan(now);
			expect(Date.parse(record.event.endsAt)).toBeGreaterThan(now);
			const current = record.ics204.find((p) => Date.parse(p.period.startsAt) <= now && now < Date.parse(p.period.endsAt));
			expect(current, 'a period covering now').toBeDefined();
			expect(current!.posts.length).toBeGreaterThan(0);
			expect(record.ics204.flatMap((p) => p.posts.flatMap((x) => x.shifts)).length).toBeGreaterThanOrEqual(10);
		});

		it('names things by their names in the record: no internal id of the demo in its timeline and ICS 214 logs', async () => {
			const print = await (await commander.request(`/events/${DEMO_EVENT}/review/print`)).text();
			expect(print).toContain('南门入口固定岗');
			// What a person reads: the page's text, not the data its script carries.
			const text = print.replace(/<(script|style)\b[\s\S]*?<\/\1>/g, ' ').replace(/<[^>]+>/g, ' ');
			expect(text.match(/demo-(?:post|shift|card|user|period|swap|station|traffic|patrol|cid|dispute)[\w-]*/g) ?? []).toEqual([]);
		});

		it('gives the review page the overdue cards, no-shows and uncovered post-hours the board and roster show', async () => {
			const docs = await documentsOf(server.url, cookie, DEMO_EVENT);
			try {
				const { record } = await pageData<ReviewData>(commander, `/events/${DEMO_EVENT}/review`);
				const page = pageFigures(docs, record);
				// The demo has overdue cards and a no-show now: the record used to count neither while the event ran.
				expect(page.overdue).toBeGreaterThan(0);
				expect(page.noShows).toBeGreaterThan(0);
				expect(record.figures.cards.overdue).toBe(page.overdue);
				expect(record.figures.shifts.noShows).toBe(page.noShows);
				expect(record.figures.shifts.uncoveredPostHours).toBe(page.uncoveredPostHours);
				// Two posts are short of their minimum now (the early leave and the no-show): the roster says so too.
				expect(page.understaffed).toBeGreaterThan(0);
			} finally {
				docs.close();
			}
		});
	});

	describe('on a scripted event', () => {
		let server: TestServer;
		let ev: ScriptedEvent;

		beforeAll(async () => {
			server = await startServer();
			ev = await scriptEvent(server);
		});
		afterAll(async () => {
			ev?.close();
			await server?.dispose();
		});

		it('agrees with the pages while it runs, as of the same moment', async () => {
			const cookie = ev.clients.commander.cookieHeader();
			const docs = await documentsOf(server.url, cookie, ev.eventId);
			try {
				const running = (await pageData<ReviewData>(ev.clients.commander, `/events/${ev.eventId}/review`)).record;
				const page = pageFigures(docs, running);
				expect(page.overdue).toBe(1);
				expect(page.noShows).toBe(1);
				expect(running.figures.cards.overdue).toBe(page.overdue);
				expect(running.figures.shifts.noShows).toBe(page.noShows);
				expect(running.figures.shifts.uncoveredPostHours).toBe(page.uncoveredPostHours);
			} finally {
				docs.close();
			}
		});
	});
});
