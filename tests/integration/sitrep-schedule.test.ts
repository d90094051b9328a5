/**
 * The rhythm of situation reports: the commander sets daily times; before a due time the server prepares the draft
 * and tells the commander over socket.io, once; each due time is claimed by one claimant however many try (the claim
 * itself called directly on the database, as a second instance would). The server here looks every 300 ms rather
 * than every 30 s, so the test does not wait for the clock.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.ts';
import type { HttpClient } from '../helpers/http.ts';
import { demoClient, joinAs, type Listener } from '../helpers/commands.ts';
import { DEMO_EVENT, eventually } from '../helpers/live.ts';
import { pageData } from '../helpers/admin-forms.ts';
import { formAction } from '../helpers/after-action.ts';
import { sitrepPage } from '../helpers/sitreps.ts';
import { toLocalInputValue } from '../../src/lib/domain/validation.ts';
import type { SitrepDueNotice } from '../../src/lib/domain/wire.ts';
import { openDatabase } from '../../src/lib/server/db/database.ts';
import { claimSlot } from '../../src/lib/server/repositories/sitrep.repository.ts';

type ListPage = {
	reports: Array<{ id: string; status: string; dueAt: string | null; title: string }>;
	upcoming: Array<{ dueAt: string; kind: string; reportId: string | null }>;
	schedule: { times: string[]; periodEnds: boolean };
};

describe('the schedule of situation reports', () => {
	let server: TestServer;
	let commander: HttpClient;
	let lead: HttpClient;
	let listener: Listener;
	const due: SitrepDueNotice[] = [];
	let dueAt = '';

	beforeAll(async () => {
		server = await startServer({ demo: true, env: { SITREP_CHECK_MS: '300' } });
		commander = await demoClient(server.url, 'commander');
		lead = await demoClient(server.url, 'lead.station');
		listener = await joinAs(commander);
		listener.socket.on('sitrep:due', (n) => due.push(n));
	});
	afterAll(async () => {
		listener?.close();
		await server?.dispose();
	});

	it('is set by the commander only, as times of day', async () => {
		const path = `/events/${DEMO_EVENT}/sitreps?/schedule`;
		expect(await formAction(lead, path, { times: '18:00' })).toMatchObject({ type: 'failure', status: 403 });
		expect(await formAction(commander, path, { times: '6点' })).toMatchObject({ type: 'failure', status: 400, data: { error: 'invalidFormat' } });
		expect((await pageData<ListPage>(commander, `/events/${DEMO_EVENT}/sitreps`)).schedule).toEqual({ times: [], periodEnds: false });
	});

	it('prepares the draft of a report due within twenty minutes and reminds the commander, once', async () => {
		// Six minutes from now, as the commander types it: a time of day in the event's zone.
		const local = toLocalInputValue(new Date(Date.now() + 6 * 60_000), 'Asia/Shanghai');
		expect(await formAction(commander, `/events/${DEMO_EVENT}/sitreps?/schedule`, { times: local.slice(11, 16) })).toMatchObject({ type: 'success' });
		await eventually(() => due.length > 0, 15_000, 'the due notice');
		const [notice] = due;
		dueAt = notice.dueAt;
		expect(toLocalInputValue(new Date(dueAt), 'Asia/Shanghai')).toBe(local);
		expect(notice.title).toBe(`2026古城灯会开幕周安保警情通报（${local.replace('T', ' ')}）`);

		const draft = await sitrepPage(commander, DEMO_EVENT, notice.reportId);
		expect(draft.report).toMatchObject({ status: 'draft', dueAt, title: notice.title });
		expect(draft.figures.posts.rows.length).toBeGreaterThan(0);

		// Several more rounds go by: still one draft for that time, and one notice.
		await new Promise((r) => setTimeout(r, 1500));
		const list = await pageData<ListPage>(commander, `/events/${DEMO_EVENT}/sitreps`);
		expect(list.reports.filter((r) => r.dueAt === dueAt)).toHaveLength(1);
		expect(due.filter((n) => n.dueAt === dueAt)).toHaveLength(1);
		expect(list.upcoming.find((u) => u.dueAt === dueAt)).toMatchObject({ kind: 'daily', reportId: notice.reportId });
		// A lead sees no drafts, prepared or not.
		expect((await pageData<ListPage>(lead, `/events/${DEMO_EVENT}/sitreps`)).reports).toEqual([]);
	});

	it('lets one claimant have a due time, however many ask at once', async () => {
		// The embedded database has one owner at a time: the server steps aside while the test holds it.
		if (!server.env.DATABASE_URL) await server.stop();
		const database = await openDatabase({ databaseUrl: server.env.DATABASE_URL, dataDir: server.env.DATA_DIR ?? '' });
		try {
			const now = new Date();
			expect(await claimSlot(database.db, DEMO_EVENT, { dueAt, kind: 'daily', periodId: null }, now)).toBe(false);
			const later = { dueAt: new Date(Date.parse(dueAt) + 86_400_000).toISOString(), kind: 'daily' as const, periodId: null };
			const claims = await Promise.all([1, 2, 3].map(() => claimSlot(database.db, DEMO_EVENT, later, now)));
			expect(claims.filter(Boolean)).toHaveLength(1);
		} finally {
			await database.close();
		}
	});
});
