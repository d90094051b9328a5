/**
 * The offline basemap (底图) on the server: the tiles of the PMTiles file the event's map names are served to its
 * members and its walls and to nobody else; only the commander chooses the basemap, from the files in the data
 * folder; a basemap can stand in for the plan (tied to it at its corners), and the record's figure is then drawn on
 * its tiles; broken files in the folder are named, never served, and never take the server down.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startServer, type TestServer } from '../helpers/server.ts';
import { createDisplayToken, demoClient } from '../helpers/commands.ts';
import { addMemberAsAdmin, createEventAsAdmin, pageData, userIdAsAdmin } from '../helpers/admin-forms.ts';
import { exportAs } from '../helpers/after-action.ts';
import { pdfPages, renderPdfPage } from '../helpers/pdf.ts';
import { SCREENSHOT_DIR } from '../helpers/browser.ts';
import { DEMO_EVENT, DEMO_PASSWORD } from '../helpers/live.ts';
import { signIn } from '../helpers/accounts.ts';
import { HttpClient } from '../helpers/http.ts';
import { mercatorOf } from '../../src/lib/domain/geometry.ts';
import type { AfterActionRecord } from '../../src/lib/domain/after-action.ts';

const MAP = `/events/${DEMO_EVENT}/map`;

/** A tile of the demo basemap at zoom 16 inside its bounds (the plan's centre). */
function demoTile(z = 16): string {
	const [x, y] = mercatorOf([108.9425, 34.2475]).map((v) => Math.floor((v * 2 ** z) / 256));
	return `${z}/${x}/${y}`;
}

async function action(client: HttpClient, path: string, fields: Record<string, string>): Promise<{ type: string; status?: number; data?: string }> {
	const res = await client.postForm(path, fields);
	return { ...((await res.json()) as { type: string; data?: string }), status: res.status };
}

describe('the offline basemap on the server', () => {
	let server: TestServer;
	let commander: HttpClient;

	beforeAll(async () => {
		server = await startServer({ demo: true });
		commander = await demoClient(server.url, 'commander');
	});
	afterAll(async () => {
		await server?.dispose();
	});

	it('serves the event’s basemap tiles to its members and walls only, as PNG', async () => {
		const info = await commander.request(`${MAP}/basemap`);
		expect(info.status).toBe(200);
		const described = (await info.json()) as { minZoom: number; maxZoom: number; bounds: number[] };
		expect(described).toMatchObject({ minZoom: 13, maxZoom: 17 });

		const tile = await commander.request(`${MAP}/basemap/${demoTile()}`);
		expect(tile.status).toBe(200);
		expect(tile.headers.get('content-type')).toBe('image/png');
		const bytes = new Uint8Array(await tile.arrayBuffer());
		expect([...bytes.slice(1, 4)].map((c) => String.fromCharCode(c)).join('')).toBe('PNG');

		// Off the file's area or zooms: nothing, and no error page.
		expect((await commander.request(`${MAP}/basemap/16/0/0`)).status).toBe(204);
		expect((await commander.request(`${MAP}/basemap/3/1/1`)).status).toBe(204);
		expect((await commander.request(`${MAP}/basemap/99/1/1`)).status).toBe(204);
		expect((await commander.request(`${MAP}/basemap/16/-1/5`)).status).toBe(404);

		const member = await demoClient(server.url, 'member.traffic');
		expect((await member.request(`${MAP}/basemap/${demoTile()}`)).status).toBe(200);
		expect((await fetch(`${server.url}${MAP}/basemap/${demoTile()}`)).status).toBe(401);

		const token = await createDisplayToken(commander, '底图测试大屏');
		expect((await fetch(`${server.url}/wall/${token}/basemap/${demoTile()}`)).status).toBe(200);
		expect((await fetch(`${server.url}/wall/${token}/basemap`)).status).toBe(200);
		expect((await fetch(`${server.url}/wall/not-a-token/basemap/${demoTile()}`)).status).toBe(404);
	});

	it('lets only the commander choose the basemap, from the files in the data folder, and names broken files', async () => {
		const lead = await demoClient(server.url, 'lead.station');
		const refused = await action(lead, `${MAP}?/basemap`, { basemap: '' });
		expect(refused.type).toBe('error');
		expect(refused.status).toBe(403);
		expect((await pageData<{ basemaps: string[] }>(lead, MAP)).basemaps).toEqual([]);

		// A truncated file, one of vector tiles, and a name that tries to leave the folder.
		const folder = join(server.env.DATA_DIR ?? '', 'basemaps');
		const demo = new Uint8Array(await (await import('node:fs/promises')).readFile(join(folder, 'demo-lantern.pmtiles')));
		await writeFile(join(folder, 'torn.pmtiles'), demo.slice(0, 60));
		const vector = demo.slice();
		vector[99] = 1;
		await writeFile(join(folder, 'vector.pmtiles'), vector);
		const listed = await pageData<{ basemaps: string[]; brokenBasemaps: Array<{ name: string; problem: string }> }>(commander, MAP);
		expect(listed.basemaps).toEqual(['demo-lantern']);
		expect(listed.brokenBasemaps).toEqual([
			{ name: 'torn', problem: 'unreadable' },
			{ name: 'vector', problem: 'notRaster' }
		]);

		for (const name of ['torn', 'vector', '../demo-lantern', 'missing']) {
			const answer = await action(commander, `${MAP}?/basemap`, { basemap: name });
			expect(answer.type, name).toBe('failure');
			expect(answer.data, name).toContain('noBasemap');
		}
		// None, then the demo's again: the plan stays, and the tiles follow the choice.
		expect((await action(commander, `${MAP}?/basemap`, { basemap: '' })).type).toBe('success');
		expect((await commander.request(`${MAP}/basemap/${demoTile()}`)).status).toBe(404);
		expect((await action(commander, `${MAP}?/basemap`, { basemap: 'demo-lantern' })).type).toBe('success');
		expect((await commander.request(`${MAP}/basemap/${demoTile()}`)).status).toBe(200);
	});

	it('stands in for the plan of an event that has none, georeferenced at its corners, and draws the record’s figure on it', async () => {
		const admin = await signIn(new HttpClient(server.url), 'admin', DEMO_PASSWORD);
		const eventId = await createEventAsAdmin(admin, { name: '底图代替平面图的活动', startsAt: '2026-12-20T18:00', endsAt: '2026-12-20T23:00' });
		await addMemberAsAdmin(admin, eventId, { userId: await userIdAsAdmin(admin, 'commander'), role: 'commander' });
		const path = `/events/${eventId}/map`;
		expect((await commander.request(`${path}/basemap`)).status).toBe(404);
		expect((await action(commander, `${path}?/basemap`, { basemap: 'demo-lantern' })).type).toBe('success');
		expect((await commander.request(`${path}/basemap/${demoTile()}`)).status).toBe(200);
		// Control points by hand are for a drawn plan.
		const byHand = await action(commander, `${path}?/controls`, { controls: '0, 0, 108.93, 34.25\n10, 0, 108.94, 34.25\n0, 10, 108.93, 34.24' });
		expect(byHand.data).toContain('noPlan');

		const json = JSON.parse(new TextDecoder().decode((await exportAs(commander, eventId, 'json')).bytes)) as AfterActionRecord;
		expect(json.map).toMatchObject({ planId: null, basemap: 'demo-lantern' });
		expect(Math.max(json.map!.width, json.map!.height)).toBe(4000);
		const file = await exportAs(commander, eventId, 'pdf');
		const pages = await pdfPages(file.bytes);
		const index = pages.findIndex((p) => p.includes('场地图'));
		expect(index).toBeGreaterThanOrEqual(0);
		await renderPdfPage(file.bytes, index + 1, join(SCREENSHOT_DIR, 'record-pdf-basemap.png'));
	});
});
