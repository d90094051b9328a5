/**
 * A situation report on a scripted event whose figures are known by hand (tests/helpers/after-action.ts): the
 * draft for its one operational period counts what the script did, equals what the pages compute from the documents
 * at the draft's moment and the record's own figures, names the two agencies taking part, and never shows a party's
 * personal data even when a dispute's summary holds it.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.ts';
import { connectDoc, eventually, whenSynced, type LiveDoc } from '../helpers/live.ts';
import { pageData } from '../helpers/admin-forms.ts';
import { activityOf, PARTY, scriptEvent, type ScriptedEvent } from '../helpers/after-action.ts';
import { boardFigures, documentsOf } from '../helpers/board-figures.ts';
import { draftReport, sitrepPage, type SitrepPage } from '../helpers/sitreps.ts';
import { agencyDocName, restrictedDocName } from '../../src/lib/domain/documents.ts';
import { addDispute, setParties } from '../../src/lib/domain/dispute-doc.ts';
import type { AfterActionRecord } from '../../src/lib/domain/after-action.ts';

describe('a situation report on a scripted event', () => {
	let server: TestServer;
	let ev: ScriptedEvent;
	let page: SitrepPage;
	const live: LiveDoc[] = [];

	beforeAll(async () => {
		server = await startServer();
		ev = await scriptEvent(server);
		// A dispute whose summary names its party, as a hurried entry does.
		const cookie = ev.clients.commander.cookieHeader();
		const station = connectDoc(server.url, agencyDocName(ev.eventId, 'station'), { cookie });
		const restricted = connectDoc(server.url, restrictedDocName(ev.eventId), { cookie });
		live.push(station, restricted);
		await Promise.all(live.map((d) => whenSynced(d)));
		addDispute(station.doc, 'd4', { summary: `${PARTY.name}（${PARTY.phone}）与邻居因停车争执`, category: 'neighbor', risk: 'high', status: 'open', level: 'community' });
		setParties(restricted.doc, 'd4', [PARTY]);
		await eventually(async () => (await activityOf(ev.clients.commander, ev.eventId)).some((a) => a.entityId === 'd4' && a.action === 'created'), 10_000, 'd4 stored');
		page = await sitrepPage(ev.clients.commander, ev.eventId, await draftReport(ev.clients.commander, ev.eventId, 'day'));
	});
	afterAll(async () => {
		live.forEach((d) => d.destroy());
		ev?.close();
		await server?.dispose();
	});

	it('counts what the script did within the period: cards opened, closed, overdue, late and absent people', () => {
		const f = page.figures;
		expect(f.period).toMatchObject({ id: 'day', name: '白班' });
		expect(f.cards.perAgency.station).toMatchObject({ todo: 1, doing: 1, blocked: 0, done: 2, total: 4, opened: 4, closed: 2, overdue: 1 });
		// Created already done: the log never saw it close, so the period does not count it as closed.
		expect(f.cards.perAgency.traffic).toMatchObject({ blocked: 1, done: 1, total: 2, opened: 2, closed: 0, overdue: 0 });
		expect(f.shifts.inSpan).toMatchObject({ planned: 4, late: 1, noShows: 1 });
		expect(f.instructions.toDate).toMatchObject({ sent: 1, recipients: ev.instruction.recipients, acknowledged: 1 });
		// Nothing comes after the one period: the next twelve hours, with both posts planned below their minimum.
		expect(f.next.period).toBeNull();
		expect(f.next.shortPosts.map((p) => [p.name, p.planned, p.minStaff])).toEqual([
			['环城路卡点', 0, 1],
			['南门固定岗', 0, 2]
		]);
	});

	it('gives the figures the board and roster compute at its moment, and the record’s own', async () => {
		const f = page.figures;
		const docs = await documentsOf(server.url, ev.clients.commander.cookieHeader(), ev.eventId);
		const { record } = await pageData<{ record: Pick<AfterActionRecord, 'event' | 'figures'> }>(ev.clients.commander, `/events/${ev.eventId}/review`);
		try {
			const board = boardFigures(docs, Date.parse(f.asOf), record.event);
			expect(board.overdue).toBe(1);
			expect(board.noShows).toBe(1);
			expect(f.cards.overdue).toBe(board.overdue);
			expect(f.shifts.toDate.noShows).toBe(board.noShows);
			expect(f.shifts.toDate.uncoveredPostHours).toBe(board.uncoveredPostHours);
			expect(f.posts.understaffed).toBe(board.understaffed);
			expect(f.posts.onDuty).toBe(board.onDuty);
			expect(f.disputes.byRisk).toEqual({ low: 0, medium: 0, high: 0, critical: 0, ...board.risks });
		} finally {
			docs.close();
		}
		expect(f.cards.overdue).toBe(record.figures.cards.overdue);
		expect(f.shifts.toDate.noShows).toBe(record.figures.shifts.noShows);
		expect(f.shifts.toDate.late).toBe(record.figures.shifts.late);
		expect(f.shifts.toDate.planned).toBe(record.figures.shifts.planned);
		expect(f.disputes.screened).toBe(record.figures.disputes.screened);
		expect(f.disputes.escalated).toBe(record.figures.disputes.escalated);
		expect(f.instructions.toDate).toEqual(record.figures.instructions);
	});

	it('writes a line for each agency taking part and none for the others', () => {
		const lines = page.sections.agencies.split('\n');
		expect(lines.map((l) => l.split('：')[0])).toEqual(['派出所', '交警']);
		expect(lines[0]).toBe('派出所：本时段新建任务4项、完成2项，在办2项，超时1项；在岗1人。');
		expect(page.sections.title).toBe('2026春节庙会安保警情通报（白班）');
	});

	it('masks a party named in a dispute’s summary, in the figures and in the words', () => {
		const hot = page.figures.disputes.hot;
		expect(hot.count).toBe(1);
		expect(hot.items[0].summary).toBe('张*明（138****0123）与邻居因停车争执');
		const everything = JSON.stringify(page);
		for (const secret of [PARTY.name, PARTY.phone, PARTY.idNumber, PARTY.address]) expect(everything).not.toContain(secret);
		expect(page.sections.incidents).toContain('重点矛盾纠纷：张*明（138****0123）与邻居因停车争执（派出所，高风险，待调处，社区）');
	});
});
