/**
 * Patrol-point checks (issue: command rhythm): the commander puts checkpoints on a patrol route and prints their
 * label sheet; a code read from the printed page (the PDF rendered and its QR decoded, as a phone would) records a
 * scan; a forged code and another event's label are refused; a scan made offline counts at its moment; the
 * route's rounds follow.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import sharp from 'sharp';
import jsQR from 'jsqr';
import { fileURLToPath } from 'node:url';
import { startServer, type TestServer } from '../helpers/server.ts';
import { connectDoc, DEMO_EVENT, whenSynced } from '../helpers/live.ts';
import { command, demoClient, joinAs, type Listener } from '../helpers/commands.ts';
import type { HttpClient } from '../helpers/http.ts';
import { exportAs } from '../helpers/after-action.ts';
import { renderPdfPage, pdfText } from '../helpers/pdf.ts';
import { addMemberAsAdmin, createEventAsAdmin, userIdAsAdmin } from '../helpers/admin-forms.ts';
import { commandDocName } from '../../src/lib/domain/documents.ts';
import { readPosts } from '../../src/lib/domain/roster.ts';
import { newId } from '../../src/lib/domain/ids.ts';
import { parseLabel, routeStatus, type PatrolRoute, type PatrolScan } from '../../src/lib/domain/patrol.ts';

const SHOTS = fileURLToPath(new URL('../../screenshots', import.meta.url));

/** Every QR code on a rendered page: decoded one label cell at a time (a page holds up to six). */
async function codesOnPage(png: Uint8Array): Promise<string[]> {
	const image = sharp(Buffer.from(png));
	const { width, height } = await image.metadata();
	const found = new Set<string>();
	for (let row = 0; row < 3; row++) {
		for (let col = 0; col < 2; col++) {
			const left = Math.floor((col * width!) / 2);
			const top = Math.floor(height! * (0.08 + row * 0.29));
			const cell = await sharp(Buffer.from(png))
				.extract({ left, top, width: Math.floor(width! / 2), height: Math.min(Math.floor(height! * 0.29), height! - top) })
				.ensureAlpha()
				.raw()
				.toBuffer({ resolveWithObject: true });
			const qr = jsQR(new Uint8ClampedArray(cell.data), cell.info.width, cell.info.height);
			if (qr) found.add(qr.data);
		}
	}
	return [...found];
}

describe('patrol-point checks', () => {
	let server: TestServer;
	const c: Record<string, HttpClient> = {};
	const l: Record<string, Listener> = {};
	let postId = '';
	let codes: string[] = [];

	beforeAll(async () => {
		server = await startServer({ demo: true });
		for (const u of ['commander', 'lead.patrol', 'lead.traffic', 'member.station', 'admin']) c[u] = await demoClient(server.url, u);
		for (const u of ['commander', 'member.station']) l[u] = await joinAs(c[u]);
		const live = connectDoc(server.url, commandDocName(DEMO_EVENT), { cookie: c.commander.cookieHeader() });
		await whenSynced(live);
		postId = readPosts(live.doc).find((p) => p.kind === 'patrol' && p.agency === 'patrol')!.id;
		live.destroy();
	});
	afterAll(async () => {
		for (const x of Object.values(l)) x.socket.disconnect();
		await server?.dispose();
	});

	const act = (who: HttpClient, action: string, fields: Record<string, string>) => who.postForm(`/events/${DEMO_EVENT}/patrol?/${action}`, fields);

	it('lets the commander and the route’s own lead set it up, and no other lead', async () => {
		expect((await (await act(c['lead.traffic'], 'add', { postId, name: '越权点' })).json()).status).toBe(403);
		for (const name of ['北门岗亭', '灯组西侧', '河堤台阶']) expect((await (await act(c['lead.patrol'], 'add', { postId, name })).json()).type).toBe('success');
		expect((await (await act(c.commander, 'interval', { postId, minutes: '30' })).json()).type).toBe('success');
		expect((await (await act(c.commander, 'interval', { postId, minutes: '5' })).json()).status).toBe(400);
		expect((await (await act(c.commander, 'add', { postId, name: '' })).json()).status).toBe(400);
	});

	it('prints a label sheet whose QR codes, read off the rendered page, are the checkpoints’ codes', async () => {
		const res = await c.commander.request(`/events/${DEMO_EVENT}/patrol/labels/${postId}`);
		expect(res.status).toBe(200);
		expect(res.headers.get('content-type')).toBe('application/pdf');
		const pdf = new Uint8Array(await res.arrayBuffer());
		const text = await pdfText(pdf);
		for (const name of ['北门岗亭', '灯组西侧', '河堤台阶']) expect(text).toContain(name);
		const png = await renderPdfPage(pdf, 1, `${SHOTS}/patrol-labels-page1.png`, 2);
		codes = await codesOnPage(png);
		expect(codes).toHaveLength(3);
		for (const code of codes) {
			expect(code.startsWith(`${server.url}/scan/LD1-`)).toBe(true);
			expect(parseLabel(code)).not.toBeNull();
		}
		expect((await c['lead.traffic'].request(`/events/${DEMO_EVENT}/patrol/labels/${postId}`)).status).toBe(403);
	});

	it('records a scan of a printed code, refuses a forged one, and counts an offline scan at its moment', async () => {
		const first = await command(l['member.station'].socket, 'patrol:scan', { eventId: DEMO_EVENT, code: codes[0] });
		expect(first).toMatchObject({ ok: true });
		expect(['北门岗亭', '灯组西侧', '河堤台阶']).toContain((first as { checkpoint: string }).checkpoint);
		const { checkpointId, signature } = parseLabel(codes[1])!;
		const forged = `LD1-${checkpointId}-${signature.replace(/^./, (ch) => (ch === 'a' ? 'b' : 'a'))}`;
		expect(await command(l['member.station'].socket, 'patrol:scan', { eventId: DEMO_EVENT, code: forged })).toMatchObject({ ok: false, problem: 'unknownLabel' });
		expect(await command(l['member.station'].socket, 'patrol:scan', { eventId: DEMO_EVENT, code: 'LD1-nothing-here' })).toMatchObject({ ok: false, problem: 'notALabel' });
		const tappedAt = new Date(Date.now() - 60_000).toISOString();
		const late = await command(l['member.station'].socket, 'patrol:scan', { eventId: DEMO_EVENT, code: codes[1], queued: { actionId: newId(), tappedAt } });
		expect(late).toMatchObject({ ok: true });
		expect(Date.parse((late as { at: string }).at)).toBe(Date.parse(tappedAt));
		const api = (await (await c['lead.patrol'].request(`/api/events/${DEMO_EVENT}/patrol`)).json()) as { routes: PatrolRoute[]; scans: PatrolScan[] };
		const route = api.routes.find((r) => r.postId === postId)!;
		expect(route.intervalMinutes).toBe(30);
		expect(api.scans.filter((s) => route.checkpoints.some((cp) => cp.id === s.checkpointId)).map((s) => s.userName)).toEqual(['王建国', '王建国']);
		// Rounds counted from 50 minutes ago (the route itself began a moment ago, after the offline scan's moment).
		const status = routeStatus({ ...route, since: null }, api.scans, { start: Date.now() - 50 * 60_000, end: Date.now() + 3_600_000 }, Date.now());
		expect(status.current).toMatchObject({ scanned: 2, of: 3, state: 'inProgress' });
	});

	it('refuses in another event a label printed for this one', async () => {
		const other = await createEventAsAdmin(c.admin, { name: '另一场巡更', startsAt: '2026-12-01T08:00', endsAt: '2026-12-31T20:00' });
		await addMemberAsAdmin(c.admin, other, { userId: await userIdAsAdmin(c.admin, 'member.station'), role: 'member', agencyCode: 'station' });
		await c.admin.postForm(`/admin/events/${other}?/status`, { status: 'active' });
		const answer = await command(l['member.station'].socket, 'patrol:scan', { eventId: other, code: codes[2] });
		expect(answer).toMatchObject({ ok: false, problem: 'unknownLabel' });
	});

	it('puts the routes’ rounds in the record, counted as the patrol page counts them', async () => {
		const exported = await exportAs(c.commander, DEMO_EVENT, 'json');
		const record = JSON.parse(new TextDecoder().decode(exported.bytes));
		const route = (record.figures.rhythm.patrol as Array<{ postId: string; route: string; checkpoints: number; scans: number; planned: number; completed: number }>).find((r) => r.postId === postId)!;
		expect(route).toMatchObject({ route: '东街巡逻线', checkpoints: 3, scans: 2 });
		const api = (await (await c.commander.request(`/api/events/${DEMO_EVENT}/patrol`)).json()) as { routes: PatrolRoute[]; scans: PatrolScan[] };
		const page = routeStatus(api.routes.find((r) => r.postId === postId)!, api.scans, { start: Date.parse(record.event.startsAt), end: Date.parse(record.event.endsAt) }, Date.parse(record.asOf));
		expect([route.planned, route.completed]).toEqual([page.planned, page.completed]);
	});
});
