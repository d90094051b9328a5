/**
 * The venue map in the after-action record (issue: venue map): the record's JSON carries the map's geometry, and the
 * PDF and DOCX carry a figure of the plan with posts, zones and pins drawn on the server, with a legend in words.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { join } from 'node:path';
import { unzipSync, strFromU8 } from 'fflate';
import { startServer, type TestServer } from '../helpers/server.ts';
import { demoClient } from '../helpers/commands.ts';
import { exportAs } from '../helpers/after-action.ts';
import { pdfPages, renderPdfPage } from '../helpers/pdf.ts';
import { SCREENSHOT_DIR } from '../helpers/browser.ts';
import { DEMO_EVENT } from '../helpers/live.ts';
import type { HttpClient } from '../helpers/http.ts';
import type { AfterActionRecord } from '../../src/lib/domain/after-action.ts';

describe('the venue map in the after-action record', () => {
	let server: TestServer;
	let commander: HttpClient;

	beforeAll(async () => {
		server = await startServer({ demo: true });
		commander = await demoClient(server.url, 'commander');
	});
	afterAll(async () => {
		await server?.dispose();
	});

	it('carries the plan, zones, posts’ places and pins in the JSON', async () => {
		const file = await exportAs(commander, DEMO_EVENT, 'json');
		const record = JSON.parse(new TextDecoder().decode(file.bytes)) as AfterActionRecord;
		const map = record.map!;
		expect(map.planId).toMatch(/^[0-9a-f]{64}$/);
		expect(map.zones.map((z) => z.name)).toContain('主灯区');
		expect(map.posts.find((p) => p.name === '东街巡逻线')!.geo.length).toBeGreaterThan(4);
		expect(map.pins.some((p) => p.kind === 'card' && p.label.includes('南门入口人流管控'))).toBe(true);
		expect(map.pins.some((p) => p.kind === 'dispute')).toBe(true);
	});

	it('draws the map into the PDF, with a legend that names the posts and zones', async () => {
		const file = await exportAs(commander, DEMO_EVENT, 'pdf');
		const pages = await pdfPages(file.bytes);
		const index = pages.findIndex((p) => p.includes('场地图'));
		expect(index).toBeGreaterThanOrEqual(0);
		const text = pages.slice(index, index + 2).join('\n');
		expect(text).toContain('南门入口固定岗');
		expect(text).toContain('主灯区（人员密集区）');
		await renderPdfPage(file.bytes, index + 1, join(SCREENSHOT_DIR, 'record-pdf-map.png'));
	});

	it('puts the same figure into the DOCX as a picture', async () => {
		const file = await exportAs(commander, DEMO_EVENT, 'docx');
		const parts = unzipSync(file.bytes);
		const media = Object.keys(parts).filter((n) => n.startsWith('word/media/'));
		expect(media.length).toBeGreaterThan(0);
		expect(strFromU8(parts['word/document.xml'])).toContain('场地图');
	});
});
