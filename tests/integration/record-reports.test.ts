/**
 * Field reports in the after-action record (issue 17, "in the record"): on the demo, members send reports with
 * photos, the commander marks one photo as showing people, a station lead attaches a photo to a dispute entry, the
 * desk triages, and the event is closed. Then: the record's report figures are `reportFigures` as of its close; the
 * timeline holds each arrival and triage; the CSV zip has the reports table; the PDF and DOCX carry the reports and
 * the thumbnails of the photos the exporter may see — the photo showing people and the dispute's photo for the
 * cleared commander, never for the uncleared reviewer; the JSON lists files by hash, the same for both; and the files
 * export bundles exactly the files the exporter may see, each matching its manifest's SHA-256.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createHash } from 'node:crypto';
import { strFromU8, unzipSync } from 'fflate';
import { startServer, type TestServer } from '../helpers/server.ts';
import { demoClient } from '../helpers/commands.ts';
import { DEMO_EVENT } from '../helpers/live.ts';
import { exportAs, formAction, type ExportedFile } from '../helpers/after-action.ts';
import { attachFile, markFile, sendReport, testPhoto, triage } from '../helpers/reports.ts';
import { join } from 'node:path';
import { pdfPages, pdfText, renderPdfPage } from '../helpers/pdf.ts';
import { SCREENSHOT_DIR } from '../helpers/browser.ts';
import { pageData } from '../helpers/admin-forms.ts';
import type { HttpClient } from '../helpers/http.ts';
import type { AfterActionRecord } from '../../src/lib/domain/after-action.ts';
import { reportFigures, type ReportView } from '../../src/lib/domain/field-reports.ts';
import type { ManifestEntry } from '../../src/lib/server/after-action/export-files.ts';

const API = `/api/events/${DEMO_EVENT}`;
const FORMATS = ['json', 'csv', 'pdf', 'docx', 'files'] as const;
type Format = (typeof FORMATS)[number];
type Who = 'reviewer' | 'commander';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const contains = (haystack: Uint8Array, needle: Uint8Array) => Buffer.from(haystack).indexOf(Buffer.from(needle)) >= 0;
/** A time as the record shows it: in the event's zone (Asia/Shanghai), YYYY-MM-DD HH:mm. */
const shanghai = (iso: string) => new Date(Date.parse(iso) + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');

/** Splits a CSV file of the export (BOM, CRLF, quoted cells) into rows of cells. */
function csvRows(text: string): string[][] {
	const rows: string[][] = [];
	let row: string[] = [];
	let cell = '';
	let quoted = false;
	const s = text.replace(/^\uFEFF/, '');
	for (let i = 0; i < s.length; i++) {
		const ch = s[i];
		if (quoted) {
			if (ch === '"' && s[i + 1] === '"') (cell += '"'), i++;
			else if (ch === '"') quoted = false;
			else cell += ch;
		} else if (ch === '"') quoted = true;
		else if (ch === ',') row.push(cell), (cell = '');
		else if (ch === '\n') row.push(cell), rows.push(row), (row = []), (cell = '');
		else if (ch !== '\r') cell += ch;
	}
	return rows;
}

describe('field reports in the after-action record', () => {
	let server: TestServer;
	const c: Record<string, HttpClient> = {};
	/** The photos by role: on the report that became a card (one of them marked as showing people), on the crowding report, on a dispute entry. */
	const photo = { card: '', people: '', crowd: '', dispute: '' };
	const thumbs: Record<keyof typeof photo, Uint8Array> = { card: new Uint8Array(), people: new Uint8Array(), crowd: new Uint8Array(), dispute: new Uint8Array() };
	const ids = { bag: '', crowd: '', medical: '', lost: '' };
	let cardId = '';
	const files: Record<Who, Partial<Record<Format, ExportedFile>>> = { reviewer: {}, commander: {} };
	const records: Partial<Record<Who, AfterActionRecord>> = {};

	beforeAll(async () => {
		server = await startServer({ demo: true });
		for (const u of ['commander', 'lead.station', 'member.station', 'member.traffic', 'reviewer']) c[u] = await demoClient(server.url, u);

		const bag = await sendReport(c['member.station'], DEMO_EVENT, { kind: 'suspiciousItem', body: '南门垃圾桶旁无人看管的黑色背包', pin: '420,310' }, [await testPhoto(), await testPhoto()]);
		[photo.card, photo.people] = bag.photos.map((p) => p.id);
		ids.bag = bag.id;
		const crowd = await sendReport(c['member.traffic'], DEMO_EVENT, { kind: 'crowding', body: '北广场人员聚集', level: '3', headCount: '800' }, [await testPhoto()]);
		photo.crowd = crowd.photos[0].id;
		ids.crowd = crowd.id;
		ids.medical = (await sendReport(c['member.station'], DEMO_EVENT, { kind: 'medical', body: '有人晕倒' })).id;
		ids.lost = (await sendReport(c['member.station'], DEMO_EVENT, { kind: 'lostPerson', body: '一名穿红衣的男孩与家人走散' })).id;
		// Marked before the triage: the card the report becomes carries the mark with the photo.
		await markFile(c.commander, DEMO_EVENT, photo.people, { people: true });
		photo.dispute = await attachFile(c['lead.station'], DEMO_EVENT, { target: 'dispute', targetId: 'demo-dispute-s1', agency: 'station' }, await testPhoto(), '调解现场.jpg');

		cardId = (await triage(c.commander, DEMO_EVENT, ids.bag, { action: 'card', agency: 'station', title: '南门可疑背包处置', priority: 'critical' })).cardId!;
		await triage(c['lead.station'], DEMO_EVENT, ids.medical, { action: 'close', reason: '医疗组已到场处置' });
		await triage(c['lead.station'], DEMO_EVENT, ids.crowd, { action: 'duplicate', of: ids.bag });

		for (const [key, id] of Object.entries(photo) as Array<[keyof typeof photo, string]>) {
			const res = await c.commander.request(`${API}/files/${id}?size=thumb`);
			expect(res.status, `the thumbnail of the ${key} photo`).toBe(200);
			thumbs[key] = new Uint8Array(await res.arrayBuffer());
		}
		expect(await formAction(c.commander, `/events/${DEMO_EVENT}/review?/close`, { confirm: 'yes' })).toMatchObject({ type: 'success' });
		for (const who of ['reviewer', 'commander'] as const) {
			for (const f of FORMATS) files[who][f] = await exportAs(c[who], DEMO_EVENT, f);
			records[who] = JSON.parse(strFromU8(files[who].json!.bytes)) as AfterActionRecord;
		}
	});
	afterAll(async () => {
		await server?.dispose();
	});

	it('is set up as the tests assume: the reviewer is not cleared for the photo showing people nor the dispute’s photo', async () => {
		expect((await c.reviewer.request(`${API}/files/${photo.people}`)).status).toBe(403);
		expect((await c.reviewer.request(`${API}/files/${photo.dispute}`)).status).toBe(403);
		expect((await c.reviewer.request(`${API}/files/${photo.card}`)).status).toBe(200);
		expect((await c.commander.request(`${API}/files/${photo.people}`)).status).toBe(200);
	});

	it('takes its report figures from reportFigures over the stored reports, as of the close', async () => {
		const record = records.reviewer!;
		const res = await c.commander.request(`${API}/reports`);
		const stored = ((await res.json()) as { reports: ReportView[] }).reports;
		expect(stored).toHaveLength(4);
		const expected = reportFigures(
			stored.map((r) => ({ kind: r.kind, state: r.state, reportedAt: new Date(r.reportedAt), receivedAt: new Date(r.receivedAt), triagedAt: r.triagedAt ? new Date(r.triagedAt) : null })),
			new Date(record.asOf)
		);
		expect(record.asOf).toBe(record.event.closedAt);
		expect(record.figures.reports).toEqual(expected);
		expect(record.figures.reports).toMatchObject({ total: 4, waiting: 1, byState: { new: 1, card: 1, duplicate: 1, closed: 1, attached: 0 }, byKind: { suspiciousItem: 1, crowding: 1 } });
		expect(record.figures.reports.medianTriageMinutes).not.toBeNull();
	});

	it('keeps each report with names, its outcome in words and the photos every reader may see', () => {
		const reports = records.reviewer!.reports;
		expect(reports.map((r) => r.id)).toEqual([ids.bag, ids.crowd, ids.medical, ids.lost]);
		const bag = reports.find((r) => r.id === ids.bag)!;
		expect(bag).toMatchObject({ state: 'card', reporterName: '王建国', reporterAgency: 'station', triagedBy: '周国栋', cardTitle: '南门可疑背包处置', cardAgency: 'station', cardId, pin: [420, 310] });
		expect(bag.photos).toEqual([photo.card]);
		expect(reports.find((r) => r.id === ids.crowd)).toMatchObject({ state: 'duplicate', duplicateOf: ids.bag, level: 3, headCount: 800 });
		expect(reports.find((r) => r.id === ids.medical)).toMatchObject({ state: 'closed', reason: '医疗组已到场处置', triagedBy: '刘卫东' });
		expect(reports.find((r) => r.id === ids.lost)).toMatchObject({ state: 'new', triagedAt: null });
	});

	it('puts every arrival and every triage with its outcome into the timeline, in order of time', () => {
		const timeline = records.reviewer!.timeline;
		const entries = timeline.filter((a) => a.entityType === 'report');
		expect(entries.filter((a) => a.action === 'received').map((a) => a.entityId).sort()).toEqual(Object.values(ids).sort());
		expect(entries.filter((a) => a.action === 'triaged').map((a) => [a.entityId, a.to, a.who])).toEqual(
			expect.arrayContaining([
				[ids.bag, 'card', '周国栋'],
				[ids.medical, 'closed', '刘卫东'],
				[ids.crowd, 'duplicate', '刘卫东']
			])
		);
		expect(entries.filter((a) => a.action === 'triaged')).toHaveLength(3);
		const times = timeline.map((a) => Date.parse(a.at));
		expect(times.every((t, i) => i === 0 || t >= times[i - 1])).toBe(true);
	});

	it('lists by hash, in a JSON that is the same for both, only the files every reader may see — never their bytes', () => {
		expect(files.commander.json!.sha256).toBe(files.reviewer.json!.sha256);
		const listed = records.reviewer!.attachments;
		expect(listed.map((a) => `${a.target}:${a.sha256}`).sort()).toEqual([`card:${photo.card}`, `report:${photo.card}`, `report:${photo.crowd}`].sort());
		expect(listed.find((a) => a.target === 'card')).toMatchObject({ targetId: cardId, targetName: '南门可疑背包处置', mime: 'image/jpeg', people: false });
		expect(listed.every((a) => a.size > 0)).toBe(true);
		const text = strFromU8(files.commander.json!.bytes);
		expect(text).not.toContain(photo.people);
		expect(text).not.toContain(photo.dispute);
		expect(text).not.toContain('base64');
	});

	it('gives the CSV zip a reports table, through the formula guard, and the files the record lists', () => {
		const zip = unzipSync(files.reviewer.csv!.bytes);
		const [header, ...rows] = csvRows(strFromU8(zip['reports.csv']));
		const col = (name: string) => header.indexOf(name);
		expect(rows).toHaveLength(4);
		const bag = rows.find((r) => r[col('id')] === ids.bag)!;
		expect([bag[col('state')], bag[col('card_title')], bag[col('reporter')], bag[col('photos')]]).toEqual(['card', '南门可疑背包处置', '王建国', photo.card]);
		expect(rows.find((r) => r[col('id')] === ids.medical)![col('reason')]).toBe('医疗组已到场处置');
		const figures = csvRows(strFromU8(zip['figures.csv']));
		expect(figures).toContainEqual(['reports_total', '4']);
		expect(strFromU8(zip['attachments.csv'])).not.toContain(photo.people);
	});

	it('shows the reports, their figures and outcomes in the PDF, with times in the event’s zone', async () => {
		const record = records.reviewer!;
		const text = await pdfText(files.reviewer.pdf!.bytes);
		for (const words of ['警情上报', '分诊用时', '南门垃圾桶旁无人看管的黑色背包', '已转为任务「南门可疑背包处置」', '无需处置：医疗组已到场处置', '照片与附件']) expect(text).toContain(words);
		for (const r of record.reports) expect(text).toContain(shanghai(r.receivedAt));
		// The commander's page of photos, for a person to look at.
		const pages = await pdfPages(files.commander.pdf!.bytes);
		const index = pages.findIndex((p) => p.includes('照片与附件'));
		expect(index).toBeGreaterThanOrEqual(0);
		await renderPdfPage(files.commander.pdf!.bytes, index + 1, join(SCREENSHOT_DIR, 'record-pdf-reports.png'));
	});

	it('puts the photo showing people and the dispute’s photo into the commander’s PDF and DOCX, and never the reviewer’s', () => {
		const docxMedia = (who: Who) => Object.entries(unzipSync(files[who].docx!.bytes)).filter(([name]) => name.startsWith('word/media/')).map(([, bytes]) => bytes);
		for (const who of ['reviewer', 'commander'] as const) {
			const pdf = files[who].pdf!.bytes;
			const media = docxMedia(who);
			for (const key of ['card', 'crowd'] as const) {
				expect(contains(pdf, thumbs[key]), `${who} PDF, ${key} photo`).toBe(true);
				expect(media.some((m) => sha256(m) === sha256(thumbs[key])), `${who} DOCX, ${key} photo`).toBe(true);
			}
			for (const key of ['people', 'dispute'] as const) {
				const shown = who === 'commander';
				expect(contains(pdf, thumbs[key]), `${who} PDF, ${key} photo`).toBe(shown);
				expect(media.some((m) => sha256(m) === sha256(thumbs[key])), `${who} DOCX, ${key} photo`).toBe(shown);
			}
		}
	});

	it('bundles the files the exporter may see, each matching its manifest’s SHA-256, and nothing else', () => {
		const expected: Record<Who, string[]> = { reviewer: [photo.card, photo.crowd], commander: [photo.card, photo.people, photo.crowd, photo.dispute] };
		for (const who of ['reviewer', 'commander'] as const) {
			const zip = unzipSync(files[who].files!.bytes);
			const bundled = Object.keys(zip).filter((n) => n.startsWith('files/'));
			expect(bundled.sort(), who).toEqual(expected[who].map((h) => `files/${h}.jpg`).sort());
			const manifest = JSON.parse(strFromU8(zip['manifest.json'])) as { recordSha256: string; files: ManifestEntry[] };
			expect(manifest.recordSha256).toBe(files[who].json!.sha256);
			expect(manifest.files.map((f) => f.sha256).sort()).toEqual([...expected[who]].sort());
			for (const f of manifest.files) {
				expect(sha256(zip[f.file]), f.file).toBe(f.sha256);
				expect(zip[f.file].length).toBe(f.size);
			}
			const sums = strFromU8(zip['SHA256SUMS']).trim().split('\n');
			expect(sums.sort()).toEqual(bundled.map((n) => `${sha256(zip[n])}  ${n}`).sort());
			const [header, ...rows] = csvRows(strFromU8(zip['manifest.csv']));
			expect(rows.map((r) => r[header.indexOf('sha256')]).sort()).toEqual([...expected[who]].sort());
		}
		const commander = JSON.parse(strFromU8(unzipSync(files.commander.files!.bytes)['manifest.json'])) as { files: ManifestEntry[] };
		expect(commander.files.find((f) => f.sha256 === photo.people)).toMatchObject({ people: true, inRecord: false });
		expect(commander.files.find((f) => f.sha256 === photo.card)).toMatchObject({ people: false, inRecord: true });
		expect(commander.files.find((f) => f.sha256 === photo.card)!.attachedTo.map((a) => a.name)).toContain('任务「南门可疑背包处置」（派出所）');
		expect(commander.files.find((f) => f.sha256 === photo.dispute)!.attachedTo[0]).toMatchObject({ target: 'dispute', agency: 'station' });
	});

	it('shows the report figures on the review page, and the reports with their outcomes', async () => {
		const html = await (await c.reviewer.request(`/events/${DEMO_EVENT}/review`)).text();
		// Asserted as booleans: a failing match would print the whole page.
		expect(/data-testid="fig-reports-total"[^>]*>4</.test(html)).toBe(true);
		expect(/data-testid="fig-report-state-duplicate"[^>]*>1</.test(html)).toBe(true);
		expect(html.includes('data-testid="report-log"')).toBe(true);
		const { reportRows } = await pageData<{ reportRows: string[][] }>(c.reviewer, `/events/${DEMO_EVENT}/review`);
		expect(reportRows).toHaveLength(4);
		expect(reportRows[0]).toEqual([shanghai(records.reviewer!.reports[0].receivedAt), '可疑物品', '王建国（派出所）', '南门垃圾桶旁无人看管的黑色背包', expect.stringContaining('已转为任务「南门可疑背包处置」（派出所）')]);
	});
});
