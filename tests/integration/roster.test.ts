import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { parse } from 'devalue';
import { startServer, type TestServer } from '../helpers/server.ts';
import { HttpClient } from '../helpers/http.ts';
import { signIn } from '../helpers/accounts.ts';
import { command } from '../helpers/commands.ts';
import { connectCommands, connectDoc, DEMO_EVENT, DEMO_PASSWORD, eventually, whenSynced, type CommandSocketClient } from '../helpers/live.ts';
import { agencyDocName } from '../../src/lib/domain/documents.ts';
import { readShifts } from '../../src/lib/domain/roster.ts';
import { ROSTER_COLUMNS, type CsvError } from '../../src/lib/domain/roster-csv.ts';
import type { SwapView } from '../../src/lib/domain/roster-swap.ts';

const CSV_PAGE = `/events/${DEMO_EVENT}/roster/csv`;
const HEADER = ROSTER_COLUMNS.join(',');
/** A file in the canonical form the export writes: byte-order mark, CRLF, a header row. */
const csvFile = (...rows: string[]) => '\uFEFF' + [HEADER, ...rows].join('\r\n') + '\r\n';

type Answer = { type: string; status?: number; data: Record<string, unknown> | null };

/** Posts the import form as the page's enhanced form does (multipart, answered in JSON). */
async function importCsv(client: HttpClient, agency: string, text: string, fileName = 'roster.csv'): Promise<Answer> {
	const body = new FormData();
	body.set('agency', agency);
	body.set('file', new Blob([text], { type: 'text/csv' }), fileName);
	const res = await client.request(`${CSV_PAGE}?/import`, {
		method: 'POST',
		body,
		headers: { 'x-sveltekit-action': 'true', accept: 'application/json' }
	});
	expect(res.status).toBe(200);
	const answer = (await res.json()) as { type: string; status?: number; data?: string };
	return { type: answer.type, status: answer.status, data: answer.data ? (parse(answer.data) as Record<string, unknown>) : null };
}

async function exportCsv(client: HttpClient, agency: string): Promise<Uint8Array> {
	const res = await client.request(`/events/${DEMO_EVENT}/roster/export?agency=${agency}`);
	expect(res.status).toBe(200);
	expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
	return new Uint8Array(await res.arrayBuffer());
}

/** Every 'roster:swap' push a socket hears. */
function swapsHeard(socket: CommandSocketClient): SwapView[] {
	const heard: SwapView[] = [];
	socket.on('roster:swap', (s) => heard.push(s));
	return heard;
}

describe('the roster over HTTP and the command channel', () => {
	let server: TestServer;
	const clients = new Map<string, HttpClient>();
	const sockets: CommandSocketClient[] = [];

	async function as(username: string): Promise<HttpClient> {
		let c = clients.get(username);
		if (!c) {
			c = await signIn(new HttpClient(server.url), username, DEMO_PASSWORD);
			clients.set(username, c);
		}
		return c;
	}

	async function socketOf(username: string): Promise<CommandSocketClient> {
		const socket = await connectCommands(server.url, { cookie: (await as(username)).cookieHeader() });
		sockets.push(socket);
		const joined = await command(socket, 'event:join', DEMO_EVENT);
		expect(joined.ok).toBe(true);
		return socket;
	}

	beforeAll(async () => {
		server = await startServer({ demo: true });
	});

	afterAll(async () => {
		sockets.forEach((s) => s.disconnect());
		await server?.dispose();
	});

	it('imports nothing from a file with three bad rows and names each of them by row and column', async () => {
		const lead = await as('lead.station');
		const before = await exportCsv(lead, 'station');
		const answer = await importCsv(
			lead,
			'station',
			csvFile(
				'imp-ok-1,demo-post-south-gate,,2026-11-26 08:00,2026-11-26 16:00,,a1,,张伟,辅警',
				'imp-bad-1,demo-post-nowhere,,2026-11-26 08:00,2026-11-26 16:00,,b1,,李四,辅警',
				'imp-ok-2,demo-post-mobile-1,,2026-11-26 22:00,06:00,,c1,member.station,,队员',
				'imp-bad-2,demo-post-south-gate,,2026-11-26 16:00,2026-11-26 08:00,,d1,,王五,辅警',
				'imp-bad-3,demo-post-south-gate,,2026-11-26 08:00,2026-11-26 16:00,,e1,no.such.user,,队员'
			),
			'three-bad.csv'
		);
		expect(answer.type).toBe('failure');
		expect(answer.status).toBe(400);
		const errors = answer.data?.errors as CsvError[];
		expect(errors.map((e) => [e.row, e.column, e.code])).toEqual([
			[3, 'post_id', 'unknownPost'],
			[5, 'ends_at', 'endBeforeStart'],
			[6, 'username', 'unknownUser']
		]);
		// Nothing was written: not even the good rows.
		expect(Buffer.from(await exportCsv(lead, 'station')).equals(Buffer.from(before))).toBe(true);
		expect(Buffer.from(before).toString('utf8')).not.toContain('imp-ok-1');
	});

	it('round-trips a good import through the export byte for byte, crossing midnight and keeping quotes', async () => {
		const lead = await as('lead.cid');
		const file = csvFile(
			'cid-night-1,demo-post-mobile-1,demo-period-night,2026-11-25 22:00,2026-11-26 06:00,"便衣, 重点盯防扒窃",p1,yang.fan,杨帆,带班',
			'cid-night-1,demo-post-mobile-1,demo-period-night,2026-11-25 22:00,2026-11-26 06:00,"便衣, 重点盯防扒窃",p2,,"赵""小虎""",辅警',
			'cid-video-1,demo-post-south-gate,,2026-11-26 09:00,2026-11-26 17:00,,p1,huang.min,黄敏,图像侦查',
			'cid-empty-1,demo-post-east-patrol,,2026-11-26 18:00,2026-11-26 23:30,待定,,,,'
		);
		const answer = await importCsv(lead, 'cid', file, 'good.csv');
		expect(answer.type).toBe('success');
		expect(answer.data?.imported).toMatchObject({ agency: 'cid', shifts: 3, people: 3 });

		const exported = await exportCsv(lead, 'cid');
		expect(Buffer.from(exported).equals(Buffer.from(file, 'utf8'))).toBe(true);

		// The shifts are in the agency's live document, in the event's zone, the night shift ending the next day.
		const live = connectDoc(server.url, agencyDocName(DEMO_EVENT, 'cid'), { cookie: lead.cookieHeader() });
		try {
			await whenSynced(live);
			const night = readShifts(live.doc, 'cid').find((s) => s.id === 'cid-night-1')!;
			expect([night.startsAt, night.endsAt]).toEqual(['2026-11-25T22:00:00+08:00', '2026-11-26T06:00:00+08:00']);
			expect(night.people.map((p) => p.name)).toEqual(['杨帆', '赵"小虎"']);
		} finally {
			live.destroy();
		}
	});

	it("refuses a lead's import into another agency and a member's import into their own", async () => {
		const good = csvFile('x1,demo-post-south-gate,,2026-11-26 08:00,2026-11-26 16:00,,p1,,张伟,辅警');
		const otherAgency = await importCsv(await as('lead.station'), 'traffic', good);
		expect([otherAgency.type, otherAgency.status, otherAgency.data?.message]).toEqual(['failure', 403, 'forbidden']);
		const member = await importCsv(await as('member.station'), 'station', good);
		expect([member.type, member.status]).toEqual(['failure', 403]);
	});

	it('swaps two shifts once the colleague agreed and the lead approved: both hear it, the roster and the log keep it', async () => {
		const [chen, guo, lead] = [await socketOf('chen.lei'), await socketOf('guo.jing'), await socketOf('lead.station')];
		const heardByChen = swapsHeard(chen);
		const heardByGuo = swapsHeard(guo);

		// The demo's request: 陈磊 asked 郭静 to swap tonight's shifts and she agreed.
		const listed = await command(lead, 'roster:swaps', DEMO_EVENT);
		const demo = listed.ok ? listed.swaps.find((s) => s.id === 'demo-swap-1') : undefined;
		expect(demo?.status).toBe('accepted');

		// Only a lead (or the commander) decides.
		const byMember = await command(guo, 'roster:swapAct', { swapId: 'demo-swap-1', action: 'approve' });
		expect(byMember).toMatchObject({ ok: false, error: 'forbidden' });

		const approved = await command(lead, 'roster:swapAct', { swapId: 'demo-swap-1', action: 'approve' });
		expect(approved).toMatchObject({ ok: true, swap: { status: 'approved', decidedByName: '刘卫东' } });
		await eventually(() => heardByChen.some((s) => s.status === 'approved') && heardByGuo.some((s) => s.status === 'approved'), 10_000, 'both hear the approval');

		const station = connectDoc(server.url, agencyDocName(DEMO_EVENT, 'station'), { cookie: (await as('lead.station')).cookieHeader() });
		try {
			await whenSynced(station);
			const shifts = readShifts(station.doc, 'station');
			const slot = (id: string) => shifts.find((s) => s.id === id)!.people.find((p) => p.id === 'p1')!;
			expect([slot('demo-shift-gate-next').name, slot('demo-shift-gate-next').role]).toEqual(['郭静', '带班']);
			expect(slot('demo-shift-mobile-next').name).toBe('陈磊');
		} finally {
			station.destroy();
		}

		const res = await (await as('lead.station')).request(`/api/events/${DEMO_EVENT}/activity?entity=demo-shift-gate-next`);
		const actions = ((await res.json()) as { activity: Array<{ action: string; userName: string }> }).activity.map((a) => `${a.action}:${a.userName}`);
		expect(actions).toEqual(expect.arrayContaining(['swapRequested:陈磊', 'swapAccepted:郭静', 'swapApproved:刘卫东']));

		// A decided request cannot be decided again.
		const again = await command(lead, 'roster:swapAct', { swapId: 'demo-swap-1', action: 'reject' });
		expect(again).toMatchObject({ ok: false, problem: 'wrongStatus' });
	});

	it('takes a request through the colleague to a rejection without touching the roster, and refuses a started shift', async () => {
		const [guo, wang, lead] = [await socketOf('guo.jing'), await socketOf('member.station'), await socketOf('lead.station')];
		const heardByWang = swapsHeard(wang);
		const ids = { guo: 'demo-user-guo-jing', wang: 'demo-user-member-station' };

		// 王建国's shift has started: it can no longer be given away.
		const started = await command(wang, 'roster:swapRequest', {
			eventId: DEMO_EVENT,
			agency: 'station',
			fromShiftId: 'demo-shift-gate-now',
			fromPersonId: 'p1',
			toUserId: ids.guo,
			toShiftId: null,
			toPersonId: null
		});
		expect(started).toMatchObject({ ok: false, problem: 'alreadyStarted' });

		const asked = await command(guo, 'roster:swapRequest', {
			eventId: DEMO_EVENT,
			agency: 'station',
			fromShiftId: 'demo-shift-gate-next',
			fromPersonId: 'p1',
			toUserId: ids.wang,
			toShiftId: null,
			toPersonId: null,
			note: '家中有事'
		});
		expect(asked).toMatchObject({ ok: true, swap: { status: 'proposed', fromName: '郭静', toName: '王建国' } });
		if (!asked.ok) return;
		await eventually(() => heardByWang.some((s) => s.id === asked.swap.id), 10_000, 'the colleague hears of the request');

		const duplicate = await command(guo, 'roster:swapRequest', {
			eventId: DEMO_EVENT,
			agency: 'station',
			fromShiftId: 'demo-shift-gate-next',
			fromPersonId: 'p1',
			toUserId: ids.wang,
			toShiftId: null,
			toPersonId: null
		});
		expect(duplicate).toMatchObject({ ok: false, problem: 'alreadyOpen' });

		expect(await command(lead, 'roster:swapAct', { swapId: asked.swap.id, action: 'approve' })).toMatchObject({ ok: false, problem: 'wrongStatus' });
		expect(await command(wang, 'roster:swapAct', { swapId: asked.swap.id, action: 'accept' })).toMatchObject({ ok: true, swap: { status: 'accepted' } });
		expect(await command(lead, 'roster:swapAct', { swapId: asked.swap.id, action: 'reject' })).toMatchObject({ ok: true, swap: { status: 'rejected' } });

		const station = connectDoc(server.url, agencyDocName(DEMO_EVENT, 'station'), { cookie: (await as('lead.station')).cookieHeader() });
		try {
			await whenSynced(station);
			const slot = readShifts(station.doc, 'station').find((s) => s.id === 'demo-shift-gate-next')!.people.find((p) => p.id === 'p1')!;
			expect(slot.userId).toBe(ids.guo);
		} finally {
			station.destroy();
		}
	});
});
