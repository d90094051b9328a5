/**
 * Drills (演练) and comparing with last time (issue 19, points 4 and 5). An event marked a drill in the admin form
 * says so on its pages, on its wall and in every export of its record; its record takes the HSEEP exercise layout,
 * whose objectives a reviewer saves and the exports carry. An event that follows another shows its key figures
 * beside that event's — equal to what that event's own record shows — only to a reader of both records, and never
 * across a drill and a real event.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { strFromU8, unzipSync } from 'fflate';
import { unflatten } from 'devalue';
import { startServer, type TestServer } from '../helpers/server.ts';
import { HttpClient } from '../helpers/http.ts';
import { signIn } from '../helpers/accounts.ts';
import { addMemberAsAdmin, createEventAsAdmin, createUserAsAdmin, pageData, userIdAsAdmin } from '../helpers/admin-forms.ts';
import { pdfPages, pdfText, renderPdfPage } from '../helpers/pdf.ts';
import { fileURLToPath } from 'node:url';
import { EVENT_NAME, exportAs, formAction, PASSWORD, scriptEvent, USERNAMES, type ScriptedEvent } from '../helpers/after-action.ts';
import type { AfterActionRecord } from '../../src/lib/domain/after-action.ts';
import { comparedFigures, type Comparison } from '../../src/lib/domain/record-comparison.ts';
import type { ExerciseEvaluation } from '../../src/lib/domain/exercise.ts';
import { draftReport, editorAction, sitrepPage } from '../helpers/sitreps.ts';

const SCREENSHOT_DIR = fileURLToPath(new URL('../../screenshots', import.meta.url));
const DRILL_NAME = '2026春节庙会安保演练';
const REAL_NAME = '2027春节庙会安保';
const MARK = '演练 DRILL';
const OBJECTIVE = '10 分钟内完成走失儿童的跨警种协查';
const EXERCISE = {
	objectives: [
		{
			id: 'o1',
			text: OBJECTIVE,
			capabilities: [
				{ id: 'c1', name: '现场指挥协调', rating: 'S' },
				{ id: 'c2', name: '跨警种信息共享', rating: 'M' }
			],
			strengths: ['派出所 4 分钟内下达协查指令'],
			improvements: ['刑侦线索晚到 12 分钟，缺少固定交接渠道']
		}
	]
};

interface ReviewData {
	record: Pick<AfterActionRecord, 'event' | 'figures'> & { drill: boolean; exercise: ExerciseEvaluation | null };
	comparison: Comparison | null;
}

describe('drills and comparing with last time', () => {
	let server: TestServer;
	let ev: ScriptedEvent;
	let admin: HttpClient;
	let reviewer: HttpClient;
	/** A reviewer of the new event who is only a lead in the scripted one: may not read its record. */
	let outsider: HttpClient;
	const ids = { drill: '', real: '', realAfterDrill: '', drillAfterDrill: '' };
	const review = (client: HttpClient, eventId: string) => pageData<ReviewData>(client, `/events/${eventId}/review`);

	/** The event layout's data (the node that carries the event) of an event page. */
	async function layoutEvent(client: HttpClient, path: string): Promise<{ id: string; drill: boolean }> {
		const body = (await (await client.request(`${path}/__data.json`)).json()) as { nodes: Array<{ type: string; data?: unknown[] } | null> };
		for (const node of body.nodes) {
			const data = node?.type === 'data' && node.data ? (unflatten(node.data) as { event?: { id: string; drill: boolean } }) : null;
			if (data?.event) return data.event;
		}
		throw new Error(`no event in the data of ${path}`);
	}

	beforeAll(async () => {
		server = await startServer();
		ev = await scriptEvent(server);
		admin = ev.clients.admin;
		reviewer = ev.clients.reviewer;
		const reviewerId = await userIdAsAdmin(admin, USERNAMES.reviewer);
		const when = { startsAt: '2027-02-10T08:00', endsAt: '2027-02-10T20:00' };
		ids.drill = await createEventAsAdmin(admin, { name: DRILL_NAME, ...when, drill: true, basedOn: ev.eventId });
		ids.real = await createEventAsAdmin(admin, { name: REAL_NAME, ...when, basedOn: ev.eventId });
		ids.realAfterDrill = await createEventAsAdmin(admin, { name: '2027元宵灯会安保', ...when, basedOn: ids.drill });
		ids.drillAfterDrill = await createEventAsAdmin(admin, { name: '2027元宵灯会安保演练', ...when, drill: true, basedOn: ids.drill });
		for (const id of Object.values(ids)) await addMemberAsAdmin(admin, id, { userId: reviewerId, role: 'reviewer' });
		const outsiderId = await createUserAsAdmin(admin, { username: 'rec.outsider', displayName: '孙外审', password: PASSWORD });
		await addMemberAsAdmin(admin, ids.real, { userId: outsiderId, role: 'reviewer' });
		await addMemberAsAdmin(admin, ev.eventId, { userId: outsiderId, role: 'member', agencyCode: 'station' });
		outsider = await signIn(new HttpClient(server.url), 'rec.outsider', PASSWORD);
	});
	afterAll(async () => {
		ev?.close();
		await server?.dispose();
	});

	describe('marking a drill', () => {
		it('marks an event a drill through the admin form; its pages load it as one, a real event’s do not', async () => {
			expect(await layoutEvent(reviewer, `/events/${ids.drill}/board`)).toMatchObject({ id: ids.drill, drill: true });
			expect(await layoutEvent(reviewer, `/events/${ids.drill}/review`)).toMatchObject({ drill: true });
			expect(await layoutEvent(reviewer, `/events/${ev.eventId}/board`)).toMatchObject({ drill: false });
			const form = await pageData<{ values: { drill: string; basedOn: string } }>(admin, `/admin/events/${ids.drill}/edit`);
			expect(form.values).toMatchObject({ drill: 'on', basedOn: ev.eventId });
		});

		it('shows the drill mark on the event’s pages and on its wall, and no mark on a real event’s', async () => {
			const page = await (await reviewer.request(`/events/${ids.drill}/board`)).text();
			expect(page).toContain('data-testid="drill-mark"');
			expect(page).toContain(MARK);
			const wallOf = async (eventId: string) => {
				const res = await admin.postForm(`/admin/events/${eventId}?/createToken`, { name: '指挥部主屏' });
				const answer = (await res.json()) as { data: string };
				const url = (unflatten(JSON.parse(answer.data)) as { created: { url: string } }).created.url;
				const token = /\/wall\/([^/?#]+)$/.exec(url)![1];
				return (await fetch(`${server.url}/wall/${token}`, { headers: { cookie: 'PARAGLIDE_LOCALE=zh-CN' } })).text();
			};
			const wall = await wallOf(ids.drill);
			expect(wall).toContain('data-testid="drill-mark"');
			expect(wall).toContain(MARK);
			expect(await wallOf(ev.eventId)).not.toContain('data-testid="drill-mark"');
		});

		it('refuses an event that follows itself', async () => {
			const bad = await formAction(admin, `/admin/events/${ids.drill}/edit`, { name: DRILL_NAME, startsAt: '2027-02-10T08:00', endsAt: '2027-02-10T20:00', timezone: 'Asia/Shanghai', checkinGraceMinutes: '10', locale: 'zh-CN', drill: 'on', basedOn: ids.drill });
			expect(bad).toMatchObject({ type: 'failure', status: 400, data: { errors: { basedOn: 'invalidChoice' } } });
		});
	});

	describe('the exercise evaluation (HSEEP)', () => {
		const save = (client: HttpClient, eventId: string, exercise: unknown) => formAction(client, `/events/${eventId}/review?/saveExercise`, { exercise: JSON.stringify(exercise) });

		it('refuses an evaluation with every problem named, and saves nothing of it', async () => {
			const r = await save(reviewer, ids.drill, { objectives: [{ id: 'o1', text: '', capabilities: [{ id: 'c1', name: '指挥', rating: 'X' }] }] });
			expect(r).toMatchObject({ type: 'failure', status: 400 });
			expect((r.data!.problems as Array<{ path: string; problem: string }>).map((p) => `${p.path}:${p.problem}`).sort()).toEqual(
				['objectives[0].capabilities[0].rating:invalidChoice', 'objectives[0].text:required'].sort()
			);
			expect((await review(reviewer, ids.drill)).record.exercise).toEqual({ objectives: [] });
		});

		it('saves objectives with P/S/M/U ratings, strengths and areas for improvement, and the record carries them', async () => {
			expect(await save(reviewer, ids.drill, EXERCISE)).toMatchObject({ type: 'success', data: { saved: true } });
			const data = await review(reviewer, ids.drill);
			expect(data.record.drill).toBe(true);
			expect(data.record.exercise).toEqual(EXERCISE);
		});

		it('has no exercise layout on a real event', async () => {
			expect(await save(reviewer, ids.real, EXERCISE)).toMatchObject({ type: 'failure', status: 409, data: { notDrill: true } });
			const data = await review(reviewer, ids.real);
			expect(data.record.drill).toBe(false);
			expect(data.record.exercise).toBeNull();
		});

		it('puts the drill mark on every page of the PDF and lays out the objectives with their ratings', async () => {
			const pdf = (await exportAs(reviewer, ids.drill, 'pdf')).bytes;
			const pages = await pdfPages(pdf);
			const text = pages.join('\n');
			// The first page and the one with the evaluation, for a person to look at.
			await renderPdfPage(pdf, 1, `${SCREENSHOT_DIR}/drill-record-pdf-page1.png`);
			const evaluation = pages.findIndex((p) => p.includes('演练评估（HSEEP）'));
			if (evaluation > 0) await renderPdfPage(pdf, evaluation + 1, `${SCREENSHOT_DIR}/drill-record-pdf-hseep.png`);
			expect(text).toContain('演练 DRILL：本报告为演练评估');
			for (const [i, page] of pages.entries()) expect(page, `page ${i + 1}`).toContain(MARK);
			for (const words of ['演练评估（HSEEP）', OBJECTIVE, '现场指挥协调', 'S 完成，存在一些问题', 'M 完成，存在重大问题', '派出所 4 分钟内下达协查指令', '刑侦线索晚到 12 分钟']) {
				expect(text.replace(/\s+/g, '')).toContain(words.replace(/\s+/g, ''));
			}
			expect(await pdfText((await exportAs(reviewer, ev.eventId, 'pdf')).bytes)).not.toContain(MARK);
		});

		it('carries the mark and the objectives in the DOCX (header, footer, body), the JSON and the CSV', async () => {
			const docx = unzipSync((await exportAs(reviewer, ids.drill, 'docx')).bytes);
			const xml = (prefix: string) => Object.entries(docx).filter(([n]) => n.startsWith(prefix)).map(([, b]) => strFromU8(b)).join('\n');
			expect(xml('word/document.xml')).toContain('演练 DRILL：本报告为演练评估');
			expect(xml('word/document.xml')).toContain(OBJECTIVE);
			expect(xml('word/document.xml')).toContain('M 完成，存在重大问题');
			expect(xml('word/header')).toContain(MARK);
			expect(xml('word/footer')).toContain(MARK);

			const json = await exportAs(reviewer, ids.drill, 'json');
			const record = JSON.parse(strFromU8(json.bytes)) as AfterActionRecord;
			expect(record.event.drill).toBe(true);
			expect(record.exercise).toEqual(EXERCISE);

			const csv = unzipSync((await exportAs(reviewer, ids.drill, 'csv')).bytes);
			expect(strFromU8(csv['event.csv'])).toContain('drill 演练');
			expect(strFromU8(csv['exercise.csv'])).toContain('现场指挥协调');
		});
	});

	it('puts the drill mark on every page of a drill’s issued situation report, in PDF and DOCX', async () => {
		const commanderId = await userIdAsAdmin(admin, USERNAMES.commander);
		await addMemberAsAdmin(admin, ids.drill, { userId: commanderId, role: 'commander', agencyCode: 'station' });
		// An issued report goes to the event's people as an instruction: it needs someone to receive it.
		await addMemberAsAdmin(admin, ids.drill, { userId: await userIdAsAdmin(admin, 'rec.lead.station'), role: 'lead', agencyCode: 'station' });
		expect(await formAction(admin, `/admin/events/${ids.drill}?/activate`, {})).toMatchObject({ type: 'success' });
		const commander = ev.clients.commander;
		const reportId = await draftReport(commander, ids.drill);
		const draft = await sitrepPage(commander, ids.drill, reportId);
		const issued = await editorAction(commander, ids.drill, reportId, 'issue', draft.sections, { ackMinutes: '10' });
		expect(issued, JSON.stringify(issued.data)).toMatchObject({ type: 'success' });
		const get = async (format: string) => new Uint8Array(await (await reviewer.request(`/events/${ids.drill}/sitreps/${reportId}/export?format=${format}&layout=zh-CN`)).arrayBuffer());
		const pages = await pdfPages(await get('pdf'));
		expect(pages[0]).toContain('演练 DRILL：本报告为演练评估');
		for (const [i, page] of pages.entries()) expect(page, `page ${i + 1}`).toContain(MARK);
		const docx = unzipSync(await get('docx'));
		const xml = (prefix: string) => Object.entries(docx).filter(([n]) => n.startsWith(prefix)).map(([, b]) => strFromU8(b)).join('\n');
		expect(xml('word/header')).toContain(MARK);
		expect(xml('word/document.xml')).toContain(MARK);
	});

	describe('compare with last time', () => {
		it('shows the key figures beside last time’s, equal to that event’s own record figures', async () => {
			const previous = await review(reviewer, ev.eventId);
			const current = await review(reviewer, ids.real);
			expect(current.comparison?.state).toBe('shown');
			if (current.comparison?.state !== 'shown') return;
			expect(current.comparison.previous).toMatchObject({ id: ev.eventId, name: EVENT_NAME });
			const mine = comparedFigures(current.record.figures);
			const theirs = comparedFigures(previous.record.figures);
			expect(current.comparison.rows).toEqual(Object.keys(mine).map((figure) => ({ figure, current: mine[figure as keyof typeof mine], previous: theirs[figure as keyof typeof theirs] })));
			// The scripted event acknowledged an instruction and finished cards: there is something to compare.
			expect(theirs.ackMedian).not.toBeNull();
			expect(theirs.doneMedian).not.toBeNull();
		});

		it('puts the comparison in the PDF and the CSV', async () => {
			const previous = comparedFigures((await review(reviewer, ev.eventId)).record.figures);
			const text = (await pdfText((await exportAs(reviewer, ids.real, 'pdf')).bytes)).replace(/\s+/g, '');
			expect(text).toContain('与上次对比');
			expect(text).toContain(EVENT_NAME);
			const csv = strFromU8(unzipSync((await exportAs(reviewer, ids.real, 'csv')).bytes)['comparison.csv']);
			const current = comparedFigures((await review(reviewer, ids.real)).record.figures);
			const cell = (v: number | null) => (v === null ? '' : String(v));
			expect(csv).toContain(`ackMedian,${cell(current.ackMedian)},${cell(previous.ackMedian)},${EVENT_NAME}`);
			expect(csv).toContain(`noShows,${cell(current.noShows)},${cell(previous.noShows)},${EVENT_NAME}`);
		});

		it('keeps a drill out of a real event’s comparison, both ways, and compares a drill with a drill', async () => {
			expect((await review(reviewer, ids.drill)).comparison).toEqual({ state: 'hidden', reason: 'drill' });
			expect((await review(reviewer, ids.realAfterDrill)).comparison).toEqual({ state: 'hidden', reason: 'real' });
			const both = (await review(reviewer, ids.drillAfterDrill)).comparison;
			expect(both).toMatchObject({ state: 'shown', previous: { id: ids.drill, name: DRILL_NAME } });
			const text = (await pdfText((await exportAs(reviewer, ids.drill, 'pdf')).bytes)).replace(/\s+/g, '');
			expect(text).toContain('未与上次对比：本活动是演练');
			expect(text).not.toContain('下表为两次活动的关键数据');
		});

		it('says why last time is not shown to a reader who may not read that event’s record', async () => {
			expect((await review(outsider, ids.real)).comparison).toEqual({ state: 'hidden', reason: 'access' });
			const text = (await pdfText((await exportAs(outsider, ids.real, 'pdf')).bytes)).replace(/\s+/g, '');
			expect(text).toContain('上次活动的数据未显示');
			expect(text).not.toContain(EVENT_NAME);
		});
	});
});
