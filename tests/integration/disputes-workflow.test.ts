/**
 * The dispute register's workflow against a real server: escalation through the command channel (who may, what
 * it writes, what the activity says), the hub refusing what only escalation may set, and CSV import (all or
 * nothing) and export (redacted for the uncleared) through the register's own pages.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { unflatten } from 'devalue';
import { startServer, type TestServer } from '../helpers/server.ts';
import { HttpClient } from '../helpers/http.ts';
import { connectCommands, connectDoc, DEMO_EVENT, eventually, nextClose, sessionCookie, whenSynced, type CommandSocketClient, type LiveDoc } from '../helpers/live.ts';
import { agencyDocName, restrictedDocName } from '../../src/lib/domain/documents.ts';
import { addDispute, disputesOf, readDispute, readParties } from '../../src/lib/domain/dispute-doc.ts';
import { CLOSE_CODES, type ClientToServerEvents, type CommandResult } from '../../src/lib/domain/wire.ts';

function send<E extends keyof ClientToServerEvents>(socket: CommandSocketClient, event: E, input: Parameters<ClientToServerEvents[E]>[0]): Promise<CommandResult<any>> {
	const emitter = socket.timeout(10_000) as unknown as { emit(e: string, i: unknown, ack: (err: Error | null, r: CommandResult<any>) => void): void };
	return new Promise((resolve, reject) => emitter.emit(event, input, (err, r) => (err ? reject(err) : resolve(r))));
}

/** A byte array prefixed with its length as lib0 writes it (a varUint), for a hand-made sync message. */
function encodeLength(bytes: Uint8Array): number[] {
	const out: number[] = [];
	let n = bytes.length;
	while (n > 0x7f) {
		out.push(0x80 | (n & 0x7f));
		n >>>= 7;
	}
	out.push(n);
	return [...out, ...bytes];
}

/** Posts a CSV file to the import page's action as the browser's form does; answers the action's JSON. */
async function importCsv(client: HttpClient, csv: string): Promise<{ type: string; status: number; data: string }> {
	const form = new FormData();
	form.set('file', new File([csv], 'register.csv', { type: 'text/csv' }));
	const res = await client.request(`/events/${DEMO_EVENT}/disputes/import`, { method: 'POST', body: form, headers: { 'x-sveltekit-action': 'true', accept: 'application/json' } });
	return (await res.json()) as { type: string; status: number; data: string };
}

async function signedIn(base: string, username: string): Promise<HttpClient> {
	const client = new HttpClient(base);
	const body = (await (await client.login(username, 'liandong-demo')).json()) as { type: string };
	if (body.type !== 'redirect') throw new Error(`sign-in of ${username} failed`);
	return client;
}

describe('the dispute workflow on the server', () => {
	let server: TestServer;
	let patrol: CommandSocketClient;
	let traffic: CommandSocketClient;
	let patrolDoc: LiveDoc;
	let patrolCookie: string;
	const open: Array<{ destroy(): void } | { disconnect(): void }> = [];

	beforeAll(async () => {
		server = await startServer({ demo: true });
		patrolCookie = await sessionCookie(server.url, 'lead.patrol');
		const trafficCookie = await sessionCookie(server.url, 'lead.traffic');
		[patrol, traffic] = await Promise.all([connectCommands(server.url, { cookie: patrolCookie }), connectCommands(server.url, { cookie: trafficCookie })]);
		patrolDoc = connectDoc(server.url, agencyDocName(DEMO_EVENT, 'patrol'), { cookie: patrolCookie });
		open.push(patrol, traffic, patrolDoc);
		await whenSynced(patrolDoc);
		for (const s of [patrol, traffic]) expect((await send(s, 'event:join', DEMO_EVENT as never)).ok).toBe(true);
	});
	afterAll(async () => {
		for (const o of open) 'destroy' in o ? o.destroy() : o.disconnect();
		await server?.dispose();
	});

	it('refuses a traffic lead’s escalation of a neighborhood dispute, and a settled dispute’s escalation', async () => {
		const foreign = await send(traffic, 'dispute:escalate', { eventId: DEMO_EVENT, disputeId: 'demo-dispute-p1', fromAgency: 'patrol', toLevel: 'street', reason: '试试' });
		expect(foreign).toMatchObject({ ok: false, error: 'forbidden' });
		const settled = await send(patrol, 'dispute:escalate', { eventId: DEMO_EVENT, disputeId: 'demo-dispute-p3', fromAgency: 'patrol', toLevel: 'street', reason: '复查' });
		expect(settled).toMatchObject({ ok: false, error: 'invalid' });
		const noReason = await send(patrol, 'dispute:escalate', { eventId: DEMO_EVENT, disputeId: 'demo-dispute-p1', fromAgency: 'patrol', toLevel: 'street', reason: '  ' });
		expect(noReason).toMatchObject({ ok: false, error: 'invalid' });
		expect(readDispute('demo-dispute-p1', disputesOf(patrolDoc.doc).get('demo-dispute-p1')!)).toMatchObject({ level: 'community', status: 'mediating' });
	});

	it('reports a dispute up a level with its reason: reported, owned by the unit’s squadron, a progress note and an activity row', async () => {
		const result = await send(patrol, 'dispute:escalate', { eventId: DEMO_EVENT, disputeId: 'demo-dispute-p4', fromAgency: 'patrol', toLevel: 'street', reason: '女方要求街道出面调解' });
		expect(result).toMatchObject({ ok: true, agency: 'patrol', status: 'reported', level: 'street' });
		await eventually(() => readDispute('demo-dispute-p4', disputesOf(patrolDoc.doc).get('demo-dispute-p4')!).level === 'street', 10_000, 'the escalation to arrive');
		const d = readDispute('demo-dispute-p4', disputesOf(patrolDoc.doc).get('demo-dispute-p4')!);
		expect(d).toMatchObject({ status: 'reported', level: 'street', ownerTeamId: 'demo-patrol-east' });
		expect(d.progress.at(-1)).toMatchObject({ kind: 'escalation', text: '女方要求街道出面调解', fromLevel: 'community', toLevel: 'street', by: 'demo-user-lead-patrol' });
		const res = await fetch(`${server.url}/api/events/${DEMO_EVENT}/activity?entity=demo-dispute-p4`, { headers: { cookie: patrolCookie } });
		const activity = ((await res.json()) as { activity: Array<{ action: string; field: string; from: string; to: string; subject: string }> }).activity;
		expect(activity).toContainEqual(expect.objectContaining({ action: 'escalated', field: 'level', from: 'community', to: 'street', subject: '女方要求街道出面调解' }));
	});

	it('refuses a client that sets reported itself, and keeps nothing of that update', async () => {
		const other = connectDoc(server.url, agencyDocName(DEMO_EVENT, 'patrol'), { cookie: patrolCookie });
		open.push(other);
		await whenSynced(other);
		const closed = nextClose(other);
		other.doc.transact(() => disputesOf(other.doc).get('demo-dispute-p5')!.set('status', 'reported'));
		expect((await closed).code).toBe(CLOSE_CODES.refused);
		expect(readDispute('demo-dispute-p5', disputesOf(patrolDoc.doc).get('demo-dispute-p5')!).status).toBe('mediating');
	});

	it('hands a dispute to another agency under the same id, its parties staying with it', async () => {
		const result = await send(patrol, 'dispute:escalate', { eventId: DEMO_EVENT, disputeId: 'demo-dispute-p2', fromAgency: 'patrol', toAgency: 'station', reason: '聚集风险，移交派出所' });
		expect(result).toMatchObject({ ok: true, agency: 'station', status: 'transferred' });
		const station = connectDoc(server.url, agencyDocName(DEMO_EVENT, 'station'), { cookie: patrolCookie });
		const restricted = connectDoc(server.url, restrictedDocName(DEMO_EVENT), { cookie: patrolCookie });
		open.push(station, restricted);
		await Promise.all([whenSynced(station), whenSynced(restricted)]);
		await eventually(() => !disputesOf(patrolDoc.doc).has('demo-dispute-p2'), 10_000, 'the dispute to leave the patrol register');
		const moved = disputesOf(station.doc).get('demo-dispute-p2');
		expect(moved).toBeInstanceOf(Y.Map);
		expect(readDispute('demo-dispute-p2', moved!)).toMatchObject({ status: 'transferred', ownerTeamId: null, summary: '灯组搭建临时工讨要三天工钱，扬言到主灯区聚集讨薪' });
		expect(readParties(restricted.doc, 'demo-dispute-p2').map((p) => p.name)).toEqual(['钱大勇', '欧阳振华']);
	});

	it('keeps a reader connected who comes back with a copy holding the hand-over’s deletion', async () => {
		const trafficCookie = await sessionCookie(server.url, 'lead.traffic');
		const first = connectDoc(server.url, agencyDocName(DEMO_EVENT, 'patrol'), { cookie: trafficCookie });
		open.push(first);
		await whenSynced(first);
		expect(disputesOf(first.doc).has('demo-dispute-p2')).toBe(false);
		// What a reload brings back from the browser's offline copy: the document as it was, deletions and all.
		const copy = new Y.Doc();
		Y.applyUpdate(copy, Y.encodeStateAsUpdate(first.doc));
		first.destroy();
		const again = connectDoc(server.url, agencyDocName(DEMO_EVENT, 'patrol'), { cookie: trafficCookie, doc: copy });
		open.push(again);
		await whenSynced(again);
		// A replayed update of things the server has is no write either. The server answers one connection's
		// messages in order, so an answer to the state vector sent after it means the replay was taken.
		const ws = again.provider.ws!;
		const answered = new Promise<boolean>((resolve) => {
			ws.addEventListener('message', (e: MessageEvent) => {
				const d = new Uint8Array(e.data as ArrayBuffer);
				if (d[0] === 0 && d[1] === 1) resolve(true);
			});
			ws.addEventListener('close', () => resolve(false));
		});
		ws.send(new Uint8Array([0, 2, ...encodeLength(Y.encodeStateAsUpdate(copy))]));
		ws.send(new Uint8Array([0, 0, ...encodeLength(Y.encodeStateVector(copy))]));
		expect(await answered).toBe(true);
		expect(again.closes).toEqual([]);
	});

	it('imports nothing from a file with one bad row, names the row, and imports the whole file once it is fixed', async () => {
		const client = await signedIn(server.url, 'lead.patrol');
		const header = '纠纷概要,类别,风险等级,层级,当事人姓名,联系电话,身份证号';
		const bad = `${header}\r\n导入测试一：楼道噪音,邻里纠纷,中,社区,孙导入,13800009991,\r\n导入测试二：工资,劳资纠纷,极高,街道,,,\r\n`;
		const refused = await importCsv(client, bad);
		expect(refused.type).toBe('failure');
		const { errors } = unflatten(JSON.parse(refused.data)) as { errors: Array<{ row: number; column: string; code: string }> };
		expect(errors).toEqual([expect.objectContaining({ row: 3, column: 'risk', code: 'invalidChoice' })]);
		// The hub's own copy, as the export reads it: nothing of the file, not even its good first row.
		const stored = await (await client.request(`/events/${DEMO_EVENT}/disputes/export`)).text();
		expect(stored).not.toContain('导入测试');

		const good = bad.replace('极高', '高');
		const done = await importCsv(client, good);
		expect(done.type).toBe('success');
		await eventually(() => [...disputesOf(patrolDoc.doc).values()].filter((m) => String(m.get('summary')).startsWith('导入测试')).length === 2, 10_000, 'the import');
		const first = [...disputesOf(patrolDoc.doc).entries()].find(([, m]) => m.get('summary') === '导入测试一：楼道噪音')!;
		expect(first[1].get('partiesMasked')).toBe('孙*入 138****9991');
	});

	it('refuses personal data in an import from a lead who is not cleared for it', async () => {
		const client = await signedIn(server.url, 'lead.traffic');
		const answer = await importCsv(client, '纠纷概要,类别,风险等级,当事人姓名\r\n停车纠纷,消费纠纷,低,周导入\r\n');
		expect(answer.type).toBe('failure');
		expect(answer.data).toContain('notCleared');
	});

	it('exports parties to a cleared lead and only their masked form to an uncleared one', async () => {
		const cleared = await (await signedIn(server.url, 'lead.patrol')).request(`/events/${DEMO_EVENT}/disputes/export`);
		const redacted = await (await signedIn(server.url, 'lead.traffic')).request(`/events/${DEMO_EVENT}/disputes/export`);
		expect(cleared.headers.get('content-type')).toContain('text/csv');
		const [c, r] = [await cleared.text(), await redacted.text()];
		expect(c).toContain('韩立新');
		expect(c).toContain('610102198003150011');
		expect(c).toContain('身份证号');
		for (const secret of ['韩立新', '13800000101', '610102198003150011', '城关街道东街38号', '身份证号']) expect(r).not.toContain(secret);
		expect(r).toContain('韩*新 138****0101');
	});

	it('lets a cleared lead add the parties of a dispute registered without them, through the restricted document', async () => {
		addDispute(patrolDoc.doc, 'wf-later', { summary: '后补当事人', category: 'other', risk: 'low' });
		const restricted = connectDoc(server.url, restrictedDocName(DEMO_EVENT), { cookie: patrolCookie });
		open.push(restricted);
		await whenSynced(restricted);
		const { setParties } = await import('../../src/lib/domain/dispute-doc.ts');
		setParties(restricted.doc, 'wf-later', [{ name: '后补人', phone: '', idNumber: '', address: '', note: '' }]);
		const reader = connectDoc(server.url, restrictedDocName(DEMO_EVENT), { cookie: await sessionCookie(server.url, 'lead.station') });
		open.push(reader);
		await whenSynced(reader);
		await eventually(() => readParties(reader.doc, 'wf-later').length === 1, 10_000, 'the parties to reach another cleared lead');
	});
});
