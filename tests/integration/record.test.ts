/**
 * The after-action record (issue 8) on a scripted event: closing it makes every document read-only and tells
 * open pages; the review page's figures equal what the script implies, worked out here by hand; findings are
 * checked field by field; finalizing freezes the record, whose canonical JSON hashes to what the page, every
 * export's header and the exports themselves carry; the PDF and DOCX hold the event's Chinese name and the agency
 * names; the parties' personal data reaches the cleared commander and never the uncleared reviewer; replay shows
 * a card as it stood at a moment; and the activity log pages without losing rows.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import { startServer, type TestServer } from '../helpers/server.ts';
import { pageData } from '../helpers/admin-forms.ts';
import { eventually, nextClose } from '../helpers/live.ts';
import { settled } from '../helpers/commands.ts';
import { pdfText } from '../helpers/pdf.ts';
import { activityOf, AGENCY_NAMES, EVENT_NAME, exportAs, formAction, PARTY, PARTY_MASKED, scriptEvent, type ExportedFile, type ScriptedEvent } from '../helpers/after-action.ts';
import { canonicalJson, type AfterActionRecord } from '../../src/lib/domain/after-action.ts';
import { CLOSE_CODES } from '../../src/lib/domain/wire.ts';

const MIN = 60_000;
const round1 = (n: number) => Math.round(n * 10) / 10;
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const FORMATS = ['json', 'pdf', 'docx', 'csv'] as const;
type Format = (typeof FORMATS)[number];

interface ReviewData {
	sha256: string;
	final: boolean;
	canClose: boolean;
	span: { from: string | null; to: string | null };
	record: Pick<AfterActionRecord, 'status' | 'event' | 'figures' | 'findings' | 'overview' | 'ics204' | 'disputes'>;
	titles: Record<string, string>;
}

describe('the after-action record of a scripted event', () => {
	let server: TestServer;
	let ev: ScriptedEvent;
	let tmp: string;
	const review = (who: keyof ScriptedEvent['clients'] = 'reviewer') => pageData<ReviewData>(ev.clients[who], `/events/${ev.eventId}/review`);
	const act = (who: keyof ScriptedEvent['clients'], action: string, fields: Record<string, string>) =>
		formAction(ev.clients[who], `/events/${ev.eventId}/review?/${action}`, fields);

	/** Everything readable in an export: the PDF's extracted text, every file of a zip, or the bytes as text. */
	async function textOf(format: Format, file: ExportedFile): Promise<string> {
		if (format === 'pdf') return pdfText(file.bytes);
		if (format === 'docx' || format === 'csv') {
			return Object.entries(unzipSync(file.bytes))
				.map(([name, bytes]) => `${name}\n${strFromU8(bytes)}`)
				.join('\n');
		}
		return strFromU8(file.bytes);
	}

	beforeAll(async () => {
		tmp = mkdtempSync(join(tmpdir(), 'liandong-record-'));
		server = await startServer();
		ev = await scriptEvent(server);
	});
	afterAll(async () => {
		ev?.close();
		await server?.dispose();
		if (tmp) rmSync(tmp, { recursive: true, force: true });
	});

	describe('closing', () => {
		it('refuses to finalize an open event, and refuses closing to a reviewer or without confirmation', async () => {
			expect(await act('reviewer', 'finalize', { confirm: 'yes' })).toMatchObject({ type: 'failure', status: 409, data: { error: 'notClosed' } });
			expect(await act('reviewer', 'close', { confirm: 'yes' })).toMatchObject({ type: 'failure', status: 403, data: { error: 'forbidden' } });
			expect(await act('commander', 'close', {})).toMatchObject({ type: 'failure', status: 400, data: { error: 'confirm' } });
			expect((await review('commander')).canClose).toBe(true);
		});

		it("closes for the commander: the status reaches open pages, writers' connections are cut, the page offers no second close", async () => {
			const cut = nextClose(ev.commanderDoc);
			expect(await act('commander', 'close', { confirm: 'yes' })).toMatchObject({ type: 'success', data: { closed: true } });
			expect((await cut).code).toBe(CLOSE_CODES.accessChanged);
			await settled(ev.commanderSocket, ev.eventId);
			expect(ev.commanderSocket.heard['event:status']).toContainEqual({ eventId: ev.eventId, status: 'closed' });
			expect((await review('commander')).canClose).toBe(false);
			expect(await act('commander', 'close', { confirm: 'yes' })).toMatchObject({ type: 'failure', status: 409, data: { error: 'alreadyClosed' } });
		});
	});

	describe('key figures', () => {
		let data: ReviewData;
		beforeAll(async () => {
			data = await review();
		});

		it('counts cards by agency and status, minutes to done and late cards as worked out by hand', () => {
			const T = ev.T;
			// c-late: created T−90, done at its logged time; c-step: created T−40. t-born-done has no logged finish.
			const minutes = [(ev.doneAt['c-late'] - (T - 90 * MIN)) / MIN, (ev.doneAt['c-step'] - (T - 40 * MIN)) / MIN];
			expect(data.record.figures.cards).toEqual({
				byAgency: {
					station: { todo: 1, doing: 1, blocked: 0, done: 2, total: 4 },
					cid: { todo: 0, doing: 0, blocked: 0, done: 0, total: 0 },
					traffic: { todo: 0, doing: 0, blocked: 1, done: 1, total: 2 },
					patrol: { todo: 0, doing: 0, blocked: 0, done: 0, total: 0 }
				},
				total: 6,
				done: 3,
				minutesToDone: { median: round1((minutes[0] + minutes[1]) / 2), p90: round1(Math.max(...minutes)), count: 2 },
				// Overdue as the board counts it at the close: c-open-late (open past due). Done late: c-late;
				// not t-born-done, whose finishing time the log does not hold.
				overdue: 1,
				doneLate: 1
			});
		});

		it('counts planned and staffed person-shifts, punctuality, no-shows and uncovered post-hours', () => {
			const closedAt = Date.parse(data.record.event.closedAt!);
			expect(closedAt).toBeGreaterThan(ev.T);
			// By the coverage rules (grace 10 min; the day period spans the whole event, T−180 to T+180), up to the
			// close C. Gate post, minimum 2: nobody from T−180 to T−120 (60 min); 乙 tolerated until T−110 and in at
			// T−90 (20 min short); 丁 never came, tolerated until T−50, short from then to C. Checkpoint, minimum 1:
			// its only shift starts after C, so short from T−180 to C.
			const minutes = 60 + 20 + (closedAt - (ev.T - 50 * MIN)) / MIN + (closedAt - (ev.T - 180 * MIN)) / MIN;
			const uncovered = round1(minutes / 60);
			expect(data.record.figures.shifts).toEqual({ planned: 5, staffed: 3, punctual: 2, late: 1, noShows: 1, uncoveredPostHours: uncovered });
		});

		it('counts disputes screened, resolved and escalated, by risk', () => {
			expect(data.record.figures.disputes).toEqual({ screened: 3, resolved: 1, escalated: 2, byRisk: { low: 1, medium: 1, high: 1, critical: 0 } });
			const byId = new Map(data.record.disputes.map((d) => [d.id, d]));
			expect(byId.get('d2')).toMatchObject({ agency: 'station', status: 'reported', level: 'street', escalations: 1 });
			// Handed from traffic to the station: one escalation, though no level changed.
			expect(byId.get('d3')).toMatchObject({ agency: 'station', status: 'transferred', escalations: 1 });
			expect(byId.get('d1')).toMatchObject({ status: 'resolved', partiesMasked: PARTY_MASKED, escalations: 0 });
		});

		it('counts instructions and the time to acknowledge', () => {
			const seconds = round1((Date.parse(ev.instruction.ackedAt) - Date.parse(ev.instruction.createdAt)) / 1000);
			// The station's lead and member; the commander sent it and is not among its recipients.
			expect(ev.instruction.recipients).toBe(2);
			expect(data.record.figures.instructions).toEqual({
				sent: 1,
				recipients: 2,
				acknowledged: 1,
				unacknowledged: 1,
				secondsToAck: { median: seconds, p90: seconds }
			});
		});

		it('lists participants by agency and the assignments of the operational period', () => {
			expect(data.record.overview.agencies.map((a) => [a.code, a.participants])).toEqual([
				['station', 3],
				['cid', 0],
				['traffic', 1],
				['patrol', 0]
			]);
			const [day] = data.record.ics204;
			expect(day.period.name).toBe('白班');
			const shifts = Object.fromEntries(day.posts.map((p) => [p.post.id, p.shifts.map((s) => s.people.map((x) => x.name).join(''))]));
			expect(shifts).toEqual({ 'p-gate': ['甲乙', '丙丁'], 'p-check': ['戊'] });
			expect(day.tasks.map((t) => t.title).sort()).toEqual(['南门入口人流管控', '核查出租屋流动人口', '夜市警务室值守', '复盘材料整理', '救护车通道保持畅通'].sort());
			expect(data.titles['c-step']).toBe(ev.stepped.title);
		});
	});

	describe('replay and the activity log', () => {
		const replay = async (at: number) => {
			const res = await ev.clients.reviewer.request(`/api/events/${ev.eventId}/replay?at=${new Date(at).toISOString()}`);
			expect(res.status).toBe(200);
			return (await res.json()) as { cards: Array<{ id: string; status: string }>; onDuty: Array<{ postId: string; onDuty: number; planned: number; minStaff: number }> };
		};
		const statusAt = async (at: number) => (await replay(at)).cards.find((c) => c.id === ev.stepped.id)?.status;

		it('shows a card as it stood before, between and after its moves', async () => {
			const { todoAt, doingAt, doneAt } = ev.stepped;
			expect(await statusAt(todoAt - 1)).toBeUndefined();
			expect(await statusAt(Math.floor((todoAt + doingAt) / 2))).toBe('todo');
			expect(await statusAt(Math.floor((doingAt + doneAt) / 2))).toBe('doing');
			expect(await statusAt(doneAt)).toBe('done');
		});

		it('counts people on duty per post against what was planned then', async () => {
			// At the end of the log: the current gate shift (丙 checked in, 丁 never) covers the moment; the
			// checkpoint's only shift is still to come.
			const { span } = await review();
			const { onDuty } = await replay(Date.parse(span.to!));
			const byPost = Object.fromEntries(onDuty.map((p) => [p.postId, { onDuty: p.onDuty, planned: p.planned, minStaff: p.minStaff }]));
			expect(byPost).toEqual({ 'p-gate': { onDuty: 1, planned: 2, minStaff: 2 }, 'p-check': { onDuty: 0, planned: 0, minStaff: 1 } });
		});

		it('spans the log from its first to its last update', async () => {
			const { span } = await review();
			expect(Date.parse(span.from!)).toBeLessThanOrEqual(ev.stepped.todoAt);
			expect(Date.parse(span.to!)).toBeGreaterThanOrEqual(ev.stepped.doneAt);
		});

		it('pages through the whole log, a few rows at a time, without skipping or repeating rows that share a time', async () => {
			const all = await activityOf(ev.clients.reviewer, ev.eventId);
			// One update's rows share their time (a card's creation and its fields), so page ends fall inside groups.
			expect(new Set(all.map((a) => a.at)).size).toBeLessThan(all.length);
			const paged: string[] = [];
			let last: { at: string; id: string } | undefined;
			for (;;) {
				const page = await activityOf(ev.clients.reviewer, ev.eventId, { limit: '3', ...(last ? { before: last.at, beforeId: last.id } : {}) });
				paged.push(...page.map((a) => a.id));
				if (page.length < 3) break;
				last = page.at(-1)!;
			}
			expect(paged).toEqual(all.map((a) => a.id));
		});

		it('filters the log by agency and by kind', async () => {
			const traffic = await activityOf(ev.clients.reviewer, ev.eventId, { agency: 'traffic' });
			expect(traffic.length).toBeGreaterThan(0);
			expect(traffic.every((a) => a.doc.endsWith('/agency/traffic'))).toBe(true);
			const shifts = await activityOf(ev.clients.reviewer, ev.eventId, { kind: 'shift' });
			expect(shifts.length).toBeGreaterThan(0);
			expect(shifts.every((a) => a.entityType === 'shift')).toBe(true);
		});
	});

	describe('findings and finalizing', () => {
		const findings = {
			strengths: [{ id: 's1', text: '多警联动响应迅速，南门人流 5 分钟内得到疏导' }],
			improvements: [{ id: 'i1', area: '签到纪律', observation: '南门固定岗一人未到岗', rootCause: '排班变更未通知到个人' }],
			plan: [{ id: 'p1', improvementId: 'i1', action: '排班变更须经带班领导电话确认', agency: '派出所', contact: '李所长', dueDate: '2026-12-31' }]
		};

		it('names each faulty field of the findings and saves nothing of them', async () => {
			const bad = { ...findings, plan: [{ ...findings.plan[0], contact: '', dueDate: '2026-02-30', improvementId: 'nope' }] };
			const answer = await act('reviewer', 'saveFindings', { findings: JSON.stringify(bad) });
			expect(answer).toMatchObject({ type: 'failure', status: 400 });
			expect((answer.data!.problems as Array<{ path: string; problem: string }>).map((p) => `${p.path}:${p.problem}`).sort()).toEqual(
				['plan[0].contact:required', 'plan[0].dueDate:invalidFormat', 'plan[0].improvementId:invalidFormat'].sort()
			);
			expect((await review()).record.findings).toEqual({ strengths: [], improvements: [], plan: [] });
		});

		it('saves findings, which change the draft and its hash', async () => {
			const before = (await review()).sha256;
			expect(await act('reviewer', 'saveFindings', { findings: JSON.stringify(findings) })).toMatchObject({ type: 'success', data: { saved: true } });
			const after = await review();
			expect(after.record.findings).toEqual(findings);
			expect(after.final).toBe(false);
			expect(after.sha256).not.toBe(before);
		});

		it('finalizes once; after that the findings cannot change and the page shows the final hash', async () => {
			const answer = await act('reviewer', 'finalize', { confirm: 'yes' });
			expect(answer).toMatchObject({ type: 'success' });
			const hash = answer.data!.sha256 as string;
			expect(hash).toMatch(/^[0-9a-f]{64}$/);
			const data = await review();
			expect(data).toMatchObject({ final: true, sha256: hash, record: { status: 'final' } });
			expect(await act('reviewer', 'finalize', { confirm: 'yes' })).toMatchObject({ type: 'failure', status: 409, data: { error: 'alreadyFinal' } });
			const changed = { ...findings, strengths: [] };
			expect(await act('reviewer', 'saveFindings', { findings: JSON.stringify(changed) })).toMatchObject({ type: 'failure', status: 409, data: { final: true } });
			expect((await review('commander')).record.findings).toEqual(findings);
		});
	});

	describe('exports of the final record', () => {
		const files: Record<'reviewer' | 'commander', Partial<Record<Format, ExportedFile>>> = { reviewer: {}, commander: {} };
		let hash: string;
		beforeAll(async () => {
			hash = (await review()).sha256;
			for (const who of ['reviewer', 'commander'] as const) for (const f of FORMATS) files[who][f] = await exportAs(ev.clients[who], ev.eventId, f);
		});

		it('gives JSON whose SHA-256 recomputes to the header and the page, in canonical form', () => {
			for (const who of ['reviewer', 'commander'] as const) {
				const json = files[who].json!;
				expect(sha256(json.bytes)).toBe(hash);
				expect(json.sha256).toBe(hash);
				expect(canonicalJson(JSON.parse(strFromU8(json.bytes)))).toBe(strFromU8(json.bytes));
			}
			expect(JSON.parse(strFromU8(files.reviewer.json!.bytes))).toMatchObject({ status: 'final', event: { name: EVENT_NAME } });
		});

		it('carries the same hash in every export, in its header and inside the file', async () => {
			for (const who of ['reviewer', 'commander'] as const) {
				for (const f of FORMATS) {
					expect(files[who][f]!.sha256, `${who} ${f}`).toBe(hash);
					if (f !== 'json') expect(await textOf(f, files[who][f]!), `${who} ${f}`).toContain(hash);
				}
			}
		});

		it('reports progress up to 100 for each job, never going back', () => {
			for (const f of FORMATS) {
				const p = files.reviewer[f]!.progress;
				expect(p.at(-1)).toBe(100);
				expect(p.every((x, i) => i === 0 || x >= p[i - 1])).toBe(true);
			}
		});

		it("renders the event's Chinese name and every agency's name into the PDF and the DOCX", async () => {
			expect(files.reviewer.pdf!.contentType).toBe('application/pdf');
			const pdf = await textOf('pdf', files.reviewer.pdf!);
			const docx = strFromU8(unzipSync(files.reviewer.docx!.bytes)['word/document.xml']);
			for (const text of [pdf, docx]) {
				expect(text).toContain(EVENT_NAME);
				for (const name of AGENCY_NAMES) expect(text).toContain(name);
				expect(text).toContain('多警联动响应迅速');
			}
		});

		it('keeps the parties’ personal data from the uncleared reviewer in every format, and the print view', async () => {
			const print = await (await ev.clients.reviewer.request(`/events/${ev.eventId}/review/print`)).text();
			const page = await (await ev.clients.reviewer.request(`/events/${ev.eventId}/review/__data.json`)).text();
			const seen = [...(await Promise.all(FORMATS.map((f) => textOf(f, files.reviewer[f]!)))), print, page];
			for (const text of seen) {
				for (const secret of [PARTY.name, PARTY.phone, PARTY.idNumber, PARTY.address]) expect(text).not.toContain(secret);
			}
			expect(print).toContain(PARTY_MASKED);
			expect(Object.keys(unzipSync(files.reviewer.csv!.bytes))).not.toContain('parties.csv');
		});

		it('gives the cleared commander the parties annex in the PDF, DOCX, CSV and print view, and never in the JSON', async () => {
			const print = await (await ev.clients.commander.request(`/events/${ev.eventId}/review/print`)).text();
			for (const text of [await textOf('pdf', files.commander.pdf!), await textOf('docx', files.commander.docx!), await textOf('csv', files.commander.csv!), print]) {
				expect(text).toContain(PARTY.name);
				expect(text).toContain(PARTY.phone);
				expect(text).toContain(PARTY.idNumber);
			}
			expect(strFromU8(files.commander.json!.bytes)).not.toContain(PARTY.name);
		});

		it('lets nobody else fetch a job’s file', async () => {
			const start = await ev.clients.reviewer.request(`/api/events/${ev.eventId}/record/exports`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ format: 'json' })
			});
			const { job } = (await start.json()) as { job: { id: string } };
			await eventually(async () => {
				const res = await ev.clients.reviewer.request(`/api/events/${ev.eventId}/record/exports/${job.id}`);
				return ((await res.json()) as { job: { state: string } }).job.state === 'done';
			});
			expect((await ev.clients.commander.request(`/api/events/${ev.eventId}/record/exports/${job.id}/file`)).status).toBe(404);
			expect((await ev.clients.memberStation.request(`/api/events/${ev.eventId}/record/exports`, { method: 'POST', body: '{"format":"json"}' })).status).toBe(403);
		});
	});
});
