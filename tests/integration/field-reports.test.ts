/**
 * Field reports and attachments through the JSON API (issue: field reports with photos): a report with a photo is
 * stored whole and once, its photo re-encoded without the camera's metadata; uploads resume; every bad file is
 * refused in words and leaves nothing behind; the desk triages into a card that carries text, pin and photo; and a
 * photo is served only to those who may see what it is attached to.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import http from 'node:http';
import net from 'node:net';
import sharp from 'sharp';
import { sql } from 'kysely';
import { createHash } from 'node:crypto';
import { openDatabase } from '../../src/lib/server/db/database.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { connectDoc, DEMO_EVENT, eventually, whenSynced, type LiveDoc } from '../helpers/live.ts';
import { createDisplayToken, demoClient, joinAs, type Listener } from '../helpers/commands.ts';
import { HttpClient } from '../helpers/http.ts';
import { signIn } from '../helpers/accounts.ts';
import { addMemberAsAdmin, createEventAsAdmin, createUserAsAdmin } from '../helpers/admin-forms.ts';
import { agencyDocName } from '../../src/lib/domain/documents.ts';
import { cardsOf } from '../../src/lib/domain/board.ts';
import { pinOf } from '../../src/lib/domain/venue-map.ts';
import { newId } from '../../src/lib/domain/ids.ts';
import type { ReportView } from '../../src/lib/domain/field-reports.ts';
import type { ReportNotice } from '../../src/lib/domain/wire.ts';

const API = `/api/events/${DEMO_EVENT}`;

/** A camera-like JPEG, a new one each call: 2400×1800, with the maker, model and a GPS position in its EXIF. */
let shade = 0;
async function cameraPhoto(): Promise<Buffer> {
	// Each photo differs: the same bytes would be one stored file (content-addressed), attached to both places.
	shade += 17;
	return sharp({ create: { width: 2400, height: 1800, channels: 3, background: { r: 200, g: shade % 256, b: 40 } } })
		.jpeg()
		.withExif({ IFD0: { Make: 'TestCam', Model: 'Field-1' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '34/1 15/1 20/1', GPSLongitudeRef: 'E', GPSLongitude: '108/1 56/1 40/1' } })
		.toBuffer();
}

function multipart(fields: Record<string, string>, files: Array<{ name: string; type: string; bytes: Uint8Array }>): FormData {
	const form = new FormData();
	for (const [k, v] of Object.entries(fields)) form.set(k, v);
	for (const f of files) form.append('photos', new Blob([new Uint8Array(f.bytes)], { type: f.type }), f.name);
	return form;
}

async function post(client: HttpClient, path: string, body: FormData | object): Promise<{ status: number; json: any }> {
	const init: RequestInit = body instanceof FormData ? { method: 'POST', body } : { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } };
	const res = await client.request(path, init);
	return { status: res.status, json: await res.json() };
}

async function reports(client: HttpClient): Promise<ReportView[]> {
	const res = await client.request(`${API}/reports`);
	expect(res.status).toBe(200);
	return ((await res.json()) as { reports: ReportView[] }).reports;
}

describe('field reports and attachments', () => {
	let server: TestServer;
	const c: Record<string, HttpClient> = {};
	let desk: Listener;
	let reporter: Listener;
	const notices: ReportNotice[] = [];
	const mine: ReportNotice[] = [];
	let station: LiveDoc;
	let photoReport = '';
	let photoId = '';

	beforeAll(async () => {
		server = await startServer({ demo: true });
		for (const u of ['commander', 'lead.station', 'lead.traffic', 'lead.cid', 'member.station', 'member.traffic', 'reviewer', 'admin']) c[u] = await demoClient(server.url, u);
		desk = await joinAs(c.commander);
		desk.socket.on('report:changed', (n) => notices.push(n));
		reporter = await joinAs(c['member.station']);
		reporter.socket.on('report:changed', (n) => mine.push(n));
		station = connectDoc(server.url, agencyDocName(DEMO_EVENT, 'station'), { cookie: c.commander.cookieHeader() });
		await whenSynced(station);
	});
	afterAll(async () => {
		station?.destroy();
		desk?.socket.disconnect();
		reporter?.socket.disconnect();
		await server?.dispose();
	});

	it('stores a member’s report with a photo, re-encoded at most 1600 px with no camera or GPS metadata, and tells the desk', async () => {
		photoReport = newId();
		const { status, json } = await post(
			c['member.station'],
			`${API}/reports`,
			multipart({ id: photoReport, kind: 'suspiciousItem', body: '南门垃圾桶旁无人看管的黑色背包', pin: '420,310' }, [{ name: 'IMG_0001.jpg', type: 'image/jpeg', bytes: await cameraPhoto() }])
		);
		expect(status).toBe(201);
		const report = json.report as ReportView;
		expect(report).toMatchObject({ id: photoReport, kind: 'suspiciousItem', state: 'new', pin: [420, 310], reporterName: '王建国', reporterAgency: 'station' });
		expect(report.photos).toHaveLength(1);
		photoId = report.photos[0].id;
		expect(photoId).toMatch(/^[0-9a-f]{64}$/);
		const res = await c['member.station'].request(`${API}/files/${photoId}`);
		expect(res.status).toBe(200);
		expect(res.headers.get('content-type')).toBe('image/jpeg');
		const meta = await sharp(Buffer.from(await res.arrayBuffer())).metadata();
		expect(Math.max(meta.width!, meta.height!)).toBe(1600);
		expect(meta.exif).toBeUndefined();
		const thumb = await sharp(Buffer.from(await (await c['member.station'].request(`${API}/files/${photoId}?size=thumb`)).arrayBuffer())).metadata();
		expect(Math.max(thumb.width!, thumb.height!)).toBe(320);
		await eventually(() => notices.some((n) => n.reportId === photoReport && n.fresh), 5_000, 'the desk hears of the report');
	});

	it('treats the same report sent again as one report', async () => {
		const again = await post(c['member.station'], `${API}/reports`, multipart({ id: photoReport, kind: 'suspiciousItem', body: '再发一次' }, []));
		expect(again.status).toBe(200);
		expect(again.json.report.body).toBe('南门垃圾桶旁无人看管的黑色背包');
		expect((await reports(c['member.station'])).filter((r) => r.id === photoReport)).toHaveLength(1);
		// Someone else cannot take over the id.
		expect((await post(c['member.traffic'], `${API}/reports`, { id: photoReport, kind: 'other', body: '冒用' })).status).toBe(409);
	});

	it('resumes an upload from what arrived and stores the report that names it', async () => {
		const bytes = await cameraPhoto();
		const upload = newId();
		const put = (start: number, end: number) =>
			c['member.traffic'].request(`${API}/uploads/${upload}`, {
				method: 'PUT',
				body: new Uint8Array(bytes.subarray(start, end + 1)),
				headers: { 'content-type': 'application/octet-stream', 'content-range': `bytes ${start}-${end}/${bytes.length}` }
			});
		const half = Math.floor(bytes.length / 2);
		expect((await put(0, half - 1)).status).toBe(200);
		// A piece past what arrived is refused with where to resume.
		const early = await put(half + 10, bytes.length - 1);
		expect(early.status).toBe(409);
		expect(await early.json()).toMatchObject({ error: 'partOrder', received: half });
		expect(await (await c['member.traffic'].request(`${API}/uploads/${upload}`)).json()).toEqual({ received: half, total: bytes.length });
		// A report naming an unfinished upload is refused and stores nothing.
		const early2 = await post(c['member.traffic'], `${API}/reports`, { id: newId(), kind: 'traffic', body: '路口拥堵', uploads: [upload] });
		expect(early2).toMatchObject({ status: 400, json: { error: 'incomplete', file: 1 } });
		expect((await put(half, bytes.length - 1)).status).toBe(200);
		const id = newId();
		const done = await post(c['member.traffic'], `${API}/reports`, { id, kind: 'crowding', body: '北广场人员聚集', level: 3, headCount: 800, uploads: [upload] });
		expect(done.status).toBe(201);
		expect(done.json.report).toMatchObject({ level: 3, headCount: 800 });
		expect(done.json.report.photos).toHaveLength(1);
		// The pieces are gone once the file is stored.
		expect((await (await c['member.traffic'].request(`${API}/uploads/${upload}`)).json()).received).toBe(0);
	});

	it('refuses a non-image under an image name, an oversized file and too many photos, in words, storing nothing', async () => {
		const before = (await reports(c.commander)).length;
		const fake = await post(c['member.station'], `${API}/reports`, multipart({ id: newId(), kind: 'fight', body: '打架' }, [{ name: 'photo.jpg', type: 'image/jpeg', bytes: new TextEncoder().encode('<html>not a photo</html>'.repeat(20)) }]));
		expect(fake).toMatchObject({ status: 400, json: { error: 'notImage', file: 1 } });
		expect(fake.json.message).toContain('不是图片');
		const big = new Uint8Array(11 * 1024 * 1024).fill(7);
		const large = await post(c['member.station'], `${API}/reports`, multipart({ id: newId(), kind: 'fight', body: '打架' }, [{ name: 'big.jpg', type: 'image/jpeg', bytes: big }]));
		expect(large).toMatchObject({ status: 413, json: { error: 'tooLarge', file: 1 } });
		const photo = await cameraPhoto();
		const seven = Array.from({ length: 7 }, (_, i) => ({ name: `p${i}.jpg`, type: 'image/jpeg', bytes: photo }));
		expect(await post(c['member.station'], `${API}/reports`, multipart({ id: newId(), kind: 'fight', body: '打架' }, seven))).toMatchObject({ status: 400, json: { error: 'tooManyPhotos' } });
		const crowd = await post(c['member.station'], `${API}/reports`, { id: newId(), kind: 'fire', level: 2 });
		expect(crowd).toMatchObject({ status: 400, json: { error: 'level' } });
		expect((await reports(c.commander)).length).toBe(before);
	});

	it('keeps nothing of an upload cut off half-way', async () => {
		const id = newId();
		const boundary = 'cut-boundary';
		const head = Buffer.from(
			`--${boundary}\r\nContent-Disposition: form-data; name="id"\r\n\r\n${id}\r\n--${boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\nfire\r\n--${boundary}\r\nContent-Disposition: form-data; name="photos"; filename="a.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`
		);
		const photo = await cameraPhoto();
		await new Promise<void>((resolve) => {
			const url = new URL(`${server.url}${API}/reports`);
			const req = http.request({
				host: url.hostname,
				port: url.port,
				path: url.pathname,
				method: 'POST',
				headers: { cookie: c['member.station'].cookieHeader(), origin: server.url, 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': head.length + photo.length * 4 }
			});
			req.on('error', () => resolve());
			req.on('response', () => resolve());
			req.write(head);
			req.write(photo.subarray(0, Math.floor(photo.length / 2)), () => setTimeout(() => req.destroy(), 300));
		});
		await new Promise((r) => setTimeout(r, 800));
		expect((await reports(c.commander)).some((r) => r.id === id)).toBe(false);
		const health = await fetch(`${server.url}/healthz`);
		expect(health.status).toBe(200);
	});

	it('answers the next request on a connection whose upload piece was refused before its body was read', async () => {
		// One connection, as a phone keeps: a piece refused by its id before a byte of its 3 MB is looked at, then a
		// health check behind it.
		const socket = net.connect(server.port, '127.0.0.1');
		await new Promise((resolve) => socket.once('connect', resolve));
		let received = '';
		socket.on('data', (d: Buffer) => (received += d.toString('latin1')));
		socket.on('error', () => {});
		const size = 3_000_000;
		const head = `PUT ${API}/uploads/not+an+id HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: ${c['member.station'].cookieHeader()}\r\nOrigin: ${server.url}\r\n`;
		socket.write(`${head}Content-Type: application/octet-stream\r\nContent-Range: bytes 0-9/10\r\nContent-Length: ${size}\r\n\r\n`);
		socket.write(Buffer.alloc(size));
		socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
		try {
			await eventually(() => /^HTTP\/1\.1 400[\s\S]*HTTP\/1\.1 200/.test(received), 3_000, 'both answers on the one connection');
		} finally {
			socket.destroy();
		}
	});

	it('shows a report to its reporter and the desk, not to another member; its photo likewise', async () => {
		expect((await reports(c['lead.traffic'])).some((r) => r.id === photoReport)).toBe(true);
		expect((await reports(c.reviewer)).some((r) => r.id === photoReport)).toBe(true);
		expect((await reports(c['member.traffic'])).some((r) => r.id === photoReport)).toBe(false);
		expect((await c['lead.traffic'].request(`${API}/files/${photoId}`)).status).toBe(200);
		expect((await c['member.traffic'].request(`${API}/files/${photoId}`)).status).toBe(403);
		expect((await fetch(`${server.url}${API}/files/${photoId}`)).status).toBe(401);
		expect((await c.admin.request(`${API}/files/${photoId}`)).status).toBe(404);
	});

	it('refuses the photo bytes to another event’s member and to a display token until the commander puts it on the wall', async () => {
		const admin = c.admin;
		const other = await createEventAsAdmin(admin, { name: '另一场活动', startsAt: '2026-12-01T08:00', endsAt: '2026-12-31T20:00' });
		const userId = await createUserAsAdmin(admin, { username: 'other.member', displayName: '外场队员', password: 'other-member-pass-1', agencyCode: 'station' });
		await addMemberAsAdmin(admin, other, { userId, role: 'member', agencyCode: 'station' });
		const stranger = await signIn(new HttpClient(server.url), 'other.member', 'other-member-pass-1');
		expect((await stranger.request(`/api/events/${other}/files/${photoId}`)).status).toBe(404);
		expect((await stranger.request(`${API}/files/${photoId}`)).status).toBe(404);
		const token = await createDisplayToken(c.commander, '照片测试大屏');
		expect((await fetch(`${server.url}/wall/${token}/files/${photoId}`)).status).toBe(404);
		// Leads may not put photos on the wall; the commander may.
		const patch = (who: HttpClient, body: object) => who.request(`${API}/files/${photoId}`, { method: 'PATCH', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
		expect((await patch(c['lead.station'], { onWall: true })).status).toBe(403);
		expect((await patch(c.commander, { onWall: true })).status).toBe(200);
		expect((await fetch(`${server.url}/wall/${token}/files/${photoId}`)).status).toBe(200);
		// Marked as showing people: off the wall, and for cleared readers only.
		expect((await patch(c.commander, { people: true })).status).toBe(200);
		expect((await fetch(`${server.url}/wall/${token}/files/${photoId}`)).status).toBe(404);
		expect((await c['lead.traffic'].request(`${API}/files/${photoId}`)).status).toBe(403);
		expect((await c['lead.station'].request(`${API}/files/${photoId}`)).status).toBe(200);
		expect((await patch(c.commander, { people: false })).status).toBe(200);
	});

	it('lets a lead route only to their own agency, and the commander turn the report into a card with its text, pin and photo', async () => {
		const triage = (who: HttpClient, body: object) => post(who, `${API}/reports/${photoReport}/triage`, body);
		expect((await triage(c['member.station'], { action: 'close', reason: '无' })).status).toBe(403);
		expect(await triage(c['lead.traffic'], { action: 'card', agency: 'station', title: '可疑背包' })).toMatchObject({ status: 403, json: { error: 'agency' } });
		const made = await triage(c.commander, { action: 'card', agency: 'station', title: '南门可疑背包处置', priority: 'critical' });
		expect(made.status).toBe(200);
		expect(made.json.report).toMatchObject({ state: 'card', cardAgency: 'station', triagedByName: '周国栋' });
		const cardId = made.json.report.cardId as string;
		await eventually(() => cardsOf(station.doc).has(cardId), 5_000, 'the card in the station document');
		const card = cardsOf(station.doc).get(cardId)!;
		expect(card.get('title')).toBe('南门可疑背包处置');
		expect(String(card.get('notes'))).toBe('南门垃圾桶旁无人看管的黑色背包');
		expect(pinOf(card)).toEqual([420, 310]);
		// The photo now hangs on the card too, which every member reads.
		const files = await (await c['member.traffic'].request(`${API}/attachments?target=card&id=${cardId}`)).json();
		expect(files.attachments.map((f: { id: string }) => f.id)).toEqual([photoId]);
		expect((await c['member.traffic'].request(`${API}/files/${photoId}`)).status).toBe(200);
		// The reporter hears what became of it; a second triage is refused.
		await eventually(() => mine.some((n) => n.reportId === photoReport && n.state === 'card'), 5_000, 'the reporter hears');
		expect((await reports(c['member.station'])).find((r) => r.id === photoReport)).toMatchObject({ state: 'card', cardId });
		expect((await triage(c['lead.station'], { action: 'close', reason: '重复' })).status).toBe(409);
	});

	it('closes a report with a reason and marks another a duplicate', async () => {
		const a = newId();
		const b = newId();
		for (const id of [a, b]) expect((await post(c['member.station'], `${API}/reports`, { id, kind: 'medical', body: '有人晕倒' })).status).toBe(201);
		expect(await post(c['lead.cid'], `${API}/reports/${b}/triage`, { action: 'duplicate', of: b })).toMatchObject({ status: 400, json: { error: 'sameReport' } });
		expect((await post(c['lead.cid'], `${API}/reports/${b}/triage`, { action: 'duplicate', of: a })).json.report).toMatchObject({ state: 'duplicate', duplicateOf: a });
		expect(await post(c['lead.cid'], `${API}/reports/${a}/triage`, { action: 'close', reason: '' })).toMatchObject({ status: 400, json: { error: 'reason' } });
		expect((await post(c['lead.cid'], `${API}/reports/${a}/triage`, { action: 'close', reason: '医疗组已到场处置' })).json.report).toMatchObject({ state: 'closed', reason: '医疗组已到场处置' });
	});

	it('keeps a station dispute’s photo from a traffic lead, and shows it to the station’s own people', async () => {
		const bytes = await cameraPhoto();
		const upload = newId();
		const put = await c['lead.station'].request(`${API}/uploads/${upload}`, {
			method: 'PUT',
			body: new Uint8Array(bytes),
			headers: { 'content-type': 'application/octet-stream', 'content-range': `bytes 0-${bytes.length - 1}/${bytes.length}` }
		});
		expect(put.status).toBe(200);
		// A traffic lead may not attach to a station dispute.
		expect((await post(c['lead.traffic'], `${API}/attachments`, { target: 'dispute', targetId: 'demo-dispute-s1', agency: 'station', files: [{ uploadId: upload, name: 'x.jpg' }] })).status).toBe(403);
		const done = await post(c['lead.station'], `${API}/attachments`, { target: 'dispute', targetId: 'demo-dispute-s1', agency: 'station', files: [{ uploadId: upload, name: '现场.jpg' }] });
		expect(done.status).toBe(201);
		const [id] = done.json.ids as string[];
		expect((await c['lead.traffic'].request(`${API}/files/${id}`)).status).toBe(403);
		expect((await c['member.station'].request(`${API}/files/${id}`)).status).toBe(200);
		const listed = await (await c['lead.traffic'].request(`${API}/attachments?target=dispute&id=demo-dispute-s1`)).json();
		expect(listed).toMatchObject({ attachments: [], hidden: 1 });
	});

	it('keeps a closed event’s reports readable and refuses new ones and triage', async () => {
		const waiting = newId();
		expect((await post(c['member.station'], `${API}/reports`, { id: waiting, kind: 'traffic', body: '散场车流' })).status).toBe(201);
		const closed = await c.commander.postForm(`/events/${DEMO_EVENT}/review?/close`, { confirm: 'yes' });
		expect(closed.status).toBe(200);
		expect(await post(c['member.station'], `${API}/reports`, { id: newId(), kind: 'traffic', body: '关闭后上报' })).toMatchObject({ status: 409, json: { error: 'eventClosed' } });
		expect(await post(c.commander, `${API}/reports/${waiting}/triage`, { action: 'close', reason: '关闭后处理' })).toMatchObject({ status: 409, json: { error: 'eventClosed' } });
		const listed = await reports(c.reviewer);
		expect(listed.find((r) => r.id === waiting)).toMatchObject({ state: 'new' });
		expect(listed.find((r) => r.id === photoReport)).toMatchObject({ state: 'card' });
		expect((await c.reviewer.request(`${API}/files/${photoId}`)).status).toBe(200);
	});

	it('leaves in storage no piece of a refused or cut-off upload, and no file attached to nothing', async () => {
		station.destroy();
		await server.stop();
		const handle = await openDatabase({ databaseUrl: server.env.DATABASE_URL, dataDir: server.env.DATA_DIR ?? '', poolSize: 2 });
		try {
			const parts = await handle.db.selectFrom('upload_parts').select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow();
			expect(Number(parts.n)).toBe(0);
			const orphans = await handle.db
				.selectFrom('attachments as a')
				.select('a.id')
				.where('a.kind', '!=', 'plan')
				.where(({ not, exists, selectFrom }) => not(exists(selectFrom('attachment_links as l').select('l.attachment_id').whereRef('l.attachment_id', '=', 'a.id').whereRef('l.event_id', '=', 'a.event_id'))))
				.execute();
			expect(orphans).toEqual([]);
			const photos = await handle.db.selectFrom('attachments').select(['id', 'bytes']).where('kind', '=', 'photo').execute();
			expect(photos.length).toBeGreaterThanOrEqual(3);
			for (const p of photos) expect(createHash('sha256').update(p.bytes).digest('hex')).toBe(p.id);
		} finally {
			await handle.close();
		}
	});
});
