/**
 * Situation reports on the demo (issue: command rhythm): a draft's figures are the board's, the roster's and the
 * record's at its moment; issuing freezes it (its hash over the canonical JSON the API serves, every later edit
 * refused with 409) and sends it as an instruction that recipients acknowledge over socket.io; the record lists it;
 * only members read issued reports and only the commander sees drafts.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createHash } from 'node:crypto';
import { startServer, type TestServer } from '../helpers/server.ts';
import type { HttpClient } from '../helpers/http.ts';
import { command, demoClient, joinAs, settled, type Listener } from '../helpers/commands.ts';
import { DEMO_EVENT, eventually } from '../helpers/live.ts';
import { pageData } from '../helpers/admin-forms.ts';
import { boardFigures, documentsOf } from '../helpers/board-figures.ts';
import { draftReport, editorAction, sitrepPage } from '../helpers/sitreps.ts';
import { pdfText } from '../helpers/pdf.ts';
import { instructionFigures, type AfterActionRecord } from '../../src/lib/domain/after-action.ts';
import { reportFigures, type ReportView } from '../../src/lib/domain/field-reports.ts';
import { newId } from '../../src/lib/domain/ids.ts';
import type { IssuedSitrep, SitrepTexts } from '../../src/lib/domain/sitrep.ts';

const API = `/api/events/${DEMO_EVENT}/situation-reports`;
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

describe('situation reports on the demo', () => {
	let server: TestServer;
	const c: Record<string, HttpClient> = {};
	const l: Record<string, Listener> = {};
	let draftId = '';
	let issuedHash = '';
	let issuedTexts: SitrepTexts;

	beforeAll(async () => {
		server = await startServer({ demo: true });
		for (const u of ['commander', 'lead.station', 'member.traffic', 'reviewer', 'admin']) c[u] = await demoClient(server.url, u);
		for (const u of ['commander', 'lead.station', 'member.traffic']) l[u] = await joinAs(c[u]);
		// Something in every part of the report: a field report, and an instruction one of two recipients acknowledged.
		const report = await c['member.traffic'].request(`/api/events/${DEMO_EVENT}/reports`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ id: newId(), kind: 'lostPerson', body: '南门走失老人，穿灰色外套', reportedAt: new Date().toISOString() })
		});
		expect(report.status).toBe(201);
		const sent = await command(l.commander.socket, 'instruction:send', { eventId: DEMO_EVENT, scope: 'agencies', targets: ['traffic'], priority: 'routine', body: '东门卡点加强疏导', ackBy: null });
		if (!sent.ok) throw new Error(JSON.stringify(sent));
		expect((await command(l['member.traffic'].socket, 'instruction:ack', { instructionId: sent.instruction.id })).ok).toBe(true);
	});
	afterAll(async () => {
		for (const x of Object.values(l)) x.close();
		await server?.dispose();
	});

	it('fills a draft with the figures the board, the roster and the record give at its moment', async () => {
		draftId = await draftReport(c.commander, DEMO_EVENT);
		const page = await sitrepPage(c.commander, DEMO_EVENT, draftId);
		const f = page.figures;
		const asOf = Date.parse(f.asOf);
		const { record } = await pageData<{ record: Pick<AfterActionRecord, 'event' | 'figures'> }>(c.commander, `/events/${DEMO_EVENT}/review`);
		const docs = await documentsOf(server.url, c.commander.cookieHeader(), DEMO_EVENT);
		try {
			const board = boardFigures(docs, asOf, record.event);
			// The demo is seeded with cards past due and a no-show: the comparison is not of zeros.
			expect(board.overdue).toBeGreaterThan(0);
			expect(board.noShows).toBeGreaterThan(0);
			expect(f.cards.overdue).toBe(board.overdue);
			for (const a of Object.keys(board.overdueByAgency)) expect(f.cards.perAgency[a].overdue, a).toBe(board.overdueByAgency[a]);
			for (const [a, cols] of Object.entries(board.columns)) {
				for (const status of ['todo', 'doing', 'blocked', 'done']) expect(f.cards.perAgency[a][status as 'todo'], `${a} ${status}`).toBe(cols[status] ?? 0);
			}
			expect(f.shifts.toDate.noShows).toBe(board.noShows);
			expect(f.shifts.toDate.uncoveredPostHours).toBe(board.uncoveredPostHours);
			expect(f.posts.understaffed).toBe(board.understaffed);
			expect(f.posts.onDuty).toBe(board.onDuty);
			expect(Object.fromEntries(f.posts.rows.map((r) => [r.name, r.onDuty]))).toEqual(board.onDutyByPost);
			expect(f.disputes.byRisk).toEqual({ low: 0, medium: 0, high: 0, critical: 0, ...board.risks });
		} finally {
			docs.close();
		}
		// The desk's reports and the instructions, through the same functions.
		const reports = ((await (await c.commander.request(`/api/events/${DEMO_EVENT}/reports`)).json()) as { reports: ReportView[] }).reports;
		const times = reports.map((r) => ({ kind: r.kind, state: r.state, reportedAt: new Date(r.reportedAt), receivedAt: new Date(r.receivedAt), triagedAt: r.triagedAt ? new Date(r.triagedAt) : null }));
		expect(f.reports.toDate).toEqual(reportFigures(times, new Date(asOf)));
		expect(f.reports.toDate.byKind.lostPerson).toBeGreaterThanOrEqual(1);
		const listed = await command(l.commander.socket, 'instruction:list', DEMO_EVENT);
		if (!listed.ok) throw new Error(JSON.stringify(listed));
		expect(f.instructions.toDate).toEqual(instructionFigures(listed.instructions));
		expect(f.instructions.toDate.acknowledged).toBeGreaterThanOrEqual(1);
		// What does not move with the clock is the record's own figure.
		expect({ total: f.cards.total, done: f.cards.done }).toEqual({ total: record.figures.cards.total, done: record.figures.cards.done });
		expect({ screened: f.disputes.screened, resolved: f.disputes.resolved, escalated: f.disputes.escalated }).toEqual({
			screened: record.figures.disputes.screened,
			resolved: record.figures.disputes.resolved,
			escalated: record.figures.disputes.escalated
		});
		expect(f.shifts.toDate.planned).toBe(record.figures.shifts.planned);
		expect(f.instructions.toDate.sent).toBe(record.figures.instructions.sent);
	});

	it('writes its sections in words: names and times in the event’s zone, never an id of the demo', async () => {
		const page = await sitrepPage(c.commander, DEMO_EVENT, draftId);
		const all = Object.values(page.sections).join('\n');
		expect(all.match(/demo-[\w-]+/g) ?? []).toEqual([]);
		expect(page.sections.agencies).toContain('派出所：');
		expect(page.sections.incidents).toContain('走失人员1起');
		expect(page.sections.next).toMatch(/下一时段：.+夜班|下一时段：.+白班/);
		// The moment as people read it there: the event's zone is +08:00.
		const local = new Date(Date.parse(page.figures.asOf) + 8 * 3_600_000).toISOString().slice(11, 16);
		expect(page.sections.period).toContain(local);
	});

	it('shows drafts to the commander only; leads, members and reviewers see nothing of them', async () => {
		for (const who of ['lead.station', 'member.traffic', 'reviewer']) {
			expect((await c[who].request(`/events/${DEMO_EVENT}/sitreps/${draftId}`)).status, who).toBe(404);
			const list = await pageData<{ reports: Array<{ id: string }> }>(c[who], `/events/${DEMO_EVENT}/sitreps`);
			expect(list.reports.map((r) => r.id)).not.toContain(draftId);
		}
		const texts = (await sitrepPage(c.commander, DEMO_EVENT, draftId)).sections;
		const res = await c['lead.station'].postForm(`/events/${DEMO_EVENT}/sitreps/${draftId}?/save`, { ...texts });
		expect(res.status).toBe(404);
	});

	it('issues an edited draft: frozen with its hash and sent to everyone as an urgent instruction to acknowledge', async () => {
		const page = await sitrepPage(c.commander, DEMO_EVENT, draftId);
		issuedTexts = { ...page.sections, problems: `${page.sections.problems}\n东门巡逻线人手不足，已要求社区巡防增派两人。` };
		expect((await editorAction(c.commander, DEMO_EVENT, draftId, 'save', issuedTexts)).type).toBe('success');
		const before = Date.now();
		const issued = await editorAction(c.commander, DEMO_EVENT, draftId, 'issue', issuedTexts, { ackMinutes: '10' });
		expect(issued).toMatchObject({ type: 'success', data: { action: 'issue' } });
		issuedHash = String(issued.data!.sha256);
		expect(issuedHash).toMatch(/^[0-9a-f]{64}$/);

		// Every recipient hears it: the title first, then the link to the report, due in ten minutes.
		await eventually(() => l['lead.station'].heard['instruction:new'].some((i) => i.body.startsWith(issuedTexts.title)), 10_000, 'the instruction');
		const instruction = l['lead.station'].heard['instruction:new'].find((i) => i.body.startsWith(issuedTexts.title))!;
		expect(instruction.priority).toBe('urgent');
		expect(instruction.scope).toBe('everyone');
		expect(instruction.body).toContain(`/events/${DEMO_EVENT}/sitreps/${draftId}`);
		const ackBy = Date.parse(instruction.ackBy!) - before;
		expect(ackBy).toBeGreaterThan(9 * 60_000);
		expect(ackBy).toBeLessThan(11 * 60_000);

		// The API serves the canonical JSON the hash covers, with the edit in it.
		const res = await c['member.traffic'].request(`${API}/${draftId}`);
		expect(res.status).toBe(200);
		const body = await res.text();
		expect(sha256(body)).toBe(issuedHash);
		expect(res.headers.get('x-sitrep-sha256')).toBe(issuedHash);
		const report = JSON.parse(body) as IssuedSitrep;
		expect(report.sections.problems).toContain('东门巡逻线人手不足');
		expect(report.issuedBy).toBe('周国栋');
		// The English rendering keeps the generated English of what was not edited, and none for what was.
		expect(report.english.overview).toMatch(/^At \d\d:\d\d, \d+ people on duty/);
		expect(report.english.problems).toBeNull();
	});

	it('refuses every change after issuing with 409, and the report stays byte for byte what was issued', async () => {
		const changed = { ...issuedTexts, overview: '签发后改写的总体情况' };
		for (const action of ['save', 'refresh', 'issue', 'discard'] as const) {
			const answer = await editorAction(c.commander, DEMO_EVENT, draftId, action, changed, { ackMinutes: '10' });
			expect(answer, action).toMatchObject({ type: 'failure', status: 409, data: { error: 'issued' } });
		}
		const body = await (await c.commander.request(`${API}/${draftId}`)).text();
		expect(sha256(body)).toBe(issuedHash);
		expect((await sitrepPage(c.commander, DEMO_EVENT, draftId)).report).toMatchObject({ status: 'issued', sha256: issuedHash });
		// A lead may read it, never change it.
		expect((await editorAction(c['lead.station'], DEMO_EVENT, draftId, 'save', changed)).status).toBe(403);
	});

	it('counts acknowledgements made through the instruction:ack command on the report’s page', async () => {
		const instruction = l['lead.station'].heard['instruction:new'].find((i) => i.body.startsWith(issuedTexts.title))!;
		const acked = await command(l['lead.station'].socket, 'instruction:ack', { instructionId: instruction.id });
		expect(acked.ok).toBe(true);
		await eventually(() => l.commander.heard['instruction:acked'].some((a) => a.instructionId === instruction.id), 10_000, 'the acknowledgement');
		const page = await sitrepPage(c.commander, DEMO_EVENT, draftId);
		expect(page.ack?.acked).toBe(1);
		expect(page.ack!.recipients).toBeGreaterThan(5);
		// The member has not acknowledged yet: it waits for them in their list.
		await settled(l['member.traffic']);
		const mine = await command(l['member.traffic'].socket, 'instruction:list', DEMO_EVENT);
		expect(mine.ok && mine.instructions.find((i) => i.id === instruction.id)?.recipients[0].ackedAt).toBeNull();
	});

	it('lists issued reports to members only through the API, without drafts', async () => {
		const other = await draftReport(c.commander, DEMO_EVENT);
		for (const who of ['commander', 'lead.station', 'member.traffic', 'reviewer']) {
			const res = await c[who].request(API);
			expect(res.status, who).toBe(200);
			const { situationReports } = (await res.json()) as { situationReports: Array<{ id: string; sha256: string; issuedBy: string; issuedAt: string }> };
			expect(situationReports).toEqual([expect.objectContaining({ id: draftId, sha256: issuedHash, issuedBy: '周国栋' })]);
			expect((await c[who].request(`${API}/${other}`)).status, `${who} reading a draft`).toBe(404);
		}
		expect((await fetch(`${server.url}${API}`)).status).toBe(401);
		expect((await fetch(`${server.url}${API}/${draftId}`)).status).toBe(401);
		// The administrator is no member of the demo event.
		expect((await c.admin.request(API)).status).toBe(404);
		expect((await c.admin.request(`${API}/${draftId}`)).status).toBe(404);
	});

	it('exports the issued report as PDF and DOCX in both layouts, carrying its hash', async () => {
		const get = (format: string, layout: string) => c['member.traffic'].request(`/events/${DEMO_EVENT}/sitreps/${draftId}/export?format=${format}&layout=${layout}`);
		const pdf = await get('pdf', 'zh-CN');
		expect(pdf.status).toBe(200);
		expect(pdf.headers.get('x-sitrep-sha256')).toBe(issuedHash);
		const text = await pdfText(new Uint8Array(await pdf.arrayBuffer()));
		expect(text.replace(/\s+/g, '')).toContain(issuedTexts.title.replace(/\s+/g, ''));
		expect(text).toContain('四、存在问题');
		expect(text).toContain(issuedHash);
		const ics = await pdfText(new Uint8Array(await (await get('pdf', 'en')).arrayBuffer()));
		expect(ics).toContain('Incident Status Summary (ICS 209)');
		expect(ics).toContain('Planned actions for the next operational period');
		const docx = new Uint8Array(await (await get('docx', 'zh-CN')).arrayBuffer());
		expect(String.fromCharCode(docx[0], docx[1])).toBe('PK');
		expect((await c['member.traffic'].request(`/events/${DEMO_EVENT}/sitreps/${draftId}/export?format=exe`)).status).toBe(400);
	});

	it('puts the issued report in the record: key figures, and every agency’s ICS 214 log in words', async () => {
		const { record } = await pageData<{ record: { figures: AfterActionRecord['figures']; situationReports: AfterActionRecord['situationReports'] } }>(c.reviewer, `/events/${DEMO_EVENT}/review`);
		expect(record.figures.situationReports).toEqual({ issued: 1 });
		expect(record.situationReports).toEqual([expect.objectContaining({ id: draftId, title: issuedTexts.title, sha256: issuedHash, issuedBy: '周国栋' })]);
		const print = await (await c.reviewer.request(`/events/${DEMO_EVENT}/review/print`)).text();
		const line = `警情通报「${issuedTexts.title}」 · 已签发，SHA-256 ${issuedHash.slice(0, 16)}…`;
		// Once in each of the four agencies' logs.
		expect(print.split(line).length - 1).toBe(4);
		expect(print).toContain(issuedHash);
	});
});
