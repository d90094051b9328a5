/**
 * A scripted event for the after-action record's tests: made by an administrator through the admin forms, then
 * worked the way people work it — stock y-websocket providers writing cards, posts, shifts with check-ins,
 * disputes and parties; socket.io for an instruction, its acknowledgement and a dispute's escalation. Every
 * time the figures depend on is either written by the script or read back from the activity log, so tests can
 * compute the expected figures by hand.
 */
import { parse } from 'devalue';
import { HttpClient } from './http.ts';
import { setupAdmin, signIn } from './accounts.ts';
import { addMemberAsAdmin, createEventAsAdmin, userIdAsAdmin } from './admin-forms.ts';
import { connectDoc, eventually, whenSynced, type LiveDoc } from './live.ts';
import { command, joinAs, type Listener } from './commands.ts';
import type { TestServer } from './server.ts';
import { agencyDocName, commandDocName, restrictedDocName } from '../../src/lib/domain/documents.ts';
import { addCard, isoWithOffset, updateCard } from '../../src/lib/domain/board.ts';
import { addShift, savePeriod, savePost } from '../../src/lib/domain/roster-write.ts';
import { addDispute, setParties, updateDispute } from '../../src/lib/domain/dispute-doc.ts';
import { toLocalInputValue } from '../../src/lib/domain/validation.ts';
import type { CardStatus } from '../../src/lib/domain/doc-schema.ts';

export const EVENT_NAME = '2026春节庙会安保';
export const AGENCY_NAMES = ['派出所', '刑侦', '交警', '社区巡防'];
/** The personal data of the one party: none of it may reach an uncleared reader. */
export const PARTY = { name: '张三明', phone: '13800000123', idNumber: '110101199001011234', address: '古城东街12号', note: '' };
export const PARTY_MASKED = '张*明';
export const PASSWORD = 'record-test-pass';
export const USERNAMES = { commander: 'rec.commander', reviewer: 'rec.reviewer' } as const;
const TZ = 'Asia/Shanghai';

export interface Activity {
	id: string;
	at: string;
	doc: string;
	entityType: string;
	entityId: string;
	action: string;
	field: string | null;
	from: string | null;
	to: string | null;
}

export interface ScriptedEvent {
	eventId: string;
	/** The moment the script is built around (whole minute); every written time is T ± minutes. */
	T: number;
	clients: Record<'admin' | 'commander' | 'leadStation' | 'memberStation' | 'leadTraffic' | 'reviewer', HttpClient>;
	/** When each card went to done, from the activity log (ms). */
	doneAt: Record<string, number>;
	/** The card that went todo → doing → done, and when each change was logged (ms). */
	stepped: { id: string; title: string; todoAt: number; doingAt: number; doneAt: number };
	instruction: { id: string; createdAt: string; recipients: number; ackedAt: string };
	/** Live connections the script keeps open (the commander's: closing the event must cut them). */
	commanderDoc: LiveDoc;
	commanderSocket: Listener;
	/** Closes every connection the script opened. */
	close(): void;
}

const at = (ms: number) => isoWithOffset(new Date(ms), 480);
const MIN = 60_000;

type ActionAnswer = { type: string; status?: number; data: Record<string, unknown> | null };

/** Posts a form action as the page's enhanced form does and decodes its answer. */
export async function formAction(client: HttpClient, path: string, fields: Record<string, string>): Promise<ActionAnswer> {
	const res = await client.postForm(path, fields);
	const body = (await res.json()) as { type: string; status?: number; data?: string };
	return { type: body.type, status: body.status, data: body.data ? (parse(body.data) as Record<string, unknown>) : null };
}

/** The event's activity the client may read, newest first. */
export async function activityOf(client: HttpClient, eventId: string, query: Record<string, string> = {}): Promise<Activity[]> {
	const res = await client.request(`/api/events/${eventId}/activity?${new URLSearchParams({ limit: '1000', ...query })}`);
	if (!res.ok) throw new Error(`activity answered ${res.status}`);
	return ((await res.json()) as { activity: Activity[] }).activity;
}

/** Waits until the log holds a row matching `match` and returns its time (ms). */
async function logged(client: HttpClient, eventId: string, match: (a: Activity) => boolean, what: string): Promise<number> {
	let found: Activity | undefined;
	await eventually(async () => !!(found = (await activityOf(client, eventId)).find(match)), 10_000, what);
	return Date.parse(found!.at);
}

async function createUser(admin: HttpClient, u: { username: string; displayName: string; agencyCode?: string; cleared?: boolean }): Promise<string> {
	const fields: Record<string, string> = { username: u.username, displayName: u.displayName, password: PASSWORD, agencyCode: u.agencyCode ?? '' };
	if (u.cleared) fields.clearedPersonalData = 'on';
	const answer = await formAction(admin, '/admin/users/new', fields);
	if (answer.type !== 'redirect') throw new Error(`creating ${u.username}: ${JSON.stringify(answer)}`);
	return userIdAsAdmin(admin, u.username);
}

async function synced(base: string, doc: string, cookie: string): Promise<LiveDoc> {
	const live = connectDoc(base, doc, { cookie });
	await whenSynced(live);
	return live;
}

/** Builds the scripted event on a fresh server (no demo) and returns what tests need to check the record. */
export async function scriptEvent(server: TestServer, opts: { stepGapMs?: number } = {}): Promise<ScriptedEvent> {
	// How far apart the stepped card's moves are logged: a few ms is enough for the API, whose times are exact;
	// a browser's slider moves by whole seconds, so the browser test asks for more.
	const gap = opts.stepGapMs ?? 2;
	const base = server.url;
	const admin = await setupAdmin(new HttpClient(base));
	const T = Math.floor(Date.now() / MIN) * MIN;
	const people = [
		{ key: 'commander', username: 'rec.commander', displayName: '王指挥', agencyCode: 'station', cleared: true, role: 'commander' },
		{ key: 'leadStation', username: 'rec.lead.station', displayName: '李所长', agencyCode: 'station', role: 'lead' },
		{ key: 'memberStation', username: 'rec.member.station', displayName: '赵民警', agencyCode: 'station', role: 'member' },
		{ key: 'leadTraffic', username: 'rec.lead.traffic', displayName: '马队长', agencyCode: 'traffic', role: 'lead' },
		{ key: 'reviewer', username: 'rec.reviewer', displayName: '钱复盘', role: 'reviewer' }
	] as const;
	const eventId = await createEventAsAdmin(admin, {
		name: EVENT_NAME,
		venue: '城隍庙广场',
		startsAt: toLocalInputValue(new Date(T - 3 * 60 * MIN), TZ),
		endsAt: toLocalInputValue(new Date(T + 3 * 60 * MIN), TZ)
	});
	const ids: Record<string, string> = {};
	const clients = { admin } as ScriptedEvent['clients'];
	for (const p of people) {
		ids[p.key] = await createUser(admin, p);
		await addMemberAsAdmin(admin, eventId, { userId: ids[p.key], role: p.role, agencyCode: 'agencyCode' in p ? p.agencyCode : undefined });
		clients[p.key] = await signIn(new HttpClient(base), p.username, PASSWORD);
	}
	const activated = await formAction(admin, `/admin/events/${eventId}?/activate`, {});
	if (activated.type !== 'success') throw new Error(`activating the event: ${JSON.stringify(activated)}`);

	const cookie = (k: keyof ScriptedEvent['clients']) => clients[k].cookieHeader();
	const commanderDoc = await synced(base, commandDocName(eventId), cookie('commander'));
	const station = await synced(base, agencyDocName(eventId, 'station'), cookie('leadStation'));
	const traffic = await synced(base, agencyDocName(eventId, 'traffic'), cookie('leadTraffic'));
	const restricted = await synced(base, restrictedDocName(eventId), cookie('commander'));
	const open: LiveDoc[] = [station, traffic, restricted];
	const sockets: Listener[] = [];
	const lookFor = (m: (a: Activity) => boolean, what: string) => logged(clients.commander, eventId, m, what);

	// The command document: two posts and one operational period over the whole event.
	savePost(commanderDoc.doc, 'p-gate', { name: '南门固定岗', kind: 'post', agency: 'station', location: '南门广场', minStaff: 2 });
	savePost(commanderDoc.doc, 'p-check', { name: '环城路卡点', kind: 'checkpoint', agency: 'traffic', location: '环城路口', minStaff: 1 });
	savePeriod(commanderDoc.doc, 'day', { name: '白班', startsAt: at(T - 180 * MIN), endsAt: at(T + 180 * MIN) });

	// Cards. Station: one done late, one stepped through todo → doing → done, one open past due, one open in time.
	const card = (doc: LiveDoc, id: string, title: string, status: CardStatus, createdMin: number, dueMin: number | null) =>
		addCard(doc.doc, id, { title, status, priority: 'routine', createdAt: at(T + createdMin * MIN), dueAt: dueMin === null ? undefined : at(T + dueMin * MIN) });
	card(station, 'c-late', '南门入口人流管控', 'todo', -90, -60);
	card(station, 'c-step', '核查出租屋流动人口', 'todo', -40, 60);
	card(station, 'c-open-late', '夜市警务室值守', 'doing', -120, -30);
	card(station, 'c-open-ok', '复盘材料整理', 'todo', -10, 120);
	card(traffic, 't-blocked', '临时停车场引导', 'blocked', -50, null);
	// Created already done: the log never saw it move to done, so its finishing time is unknown.
	card(traffic, 't-born-done', '救护车通道保持畅通', 'done', -30, -10);
	const todoAt = await lookFor((a) => a.entityId === 'c-step' && a.action === 'created', 'c-step created');
	await lookFor((a) => a.entityId === 't-born-done' && a.action === 'created', 't-born-done created');

	updateCard(station.doc, 'c-late', { status: 'done' });
	const lateDoneAt = await lookFor((a) => a.entityId === 'c-late' && a.field === 'status' && a.to === 'done', 'c-late done');
	// Each step after the one before is logged, and at a later millisecond, so a moment between them exists.
	await eventually(() => Date.now() > todoAt + gap, gap + 1000, 'the clock to move');
	updateCard(station.doc, 'c-step', { status: 'doing' });
	const doingAt = await lookFor((a) => a.entityId === 'c-step' && a.to === 'doing', 'c-step doing');
	await eventually(() => Date.now() > doingAt + gap, gap + 1000, 'the clock to move');
	updateCard(station.doc, 'c-step', { status: 'done' });
	const stepDoneAt = await lookFor((a) => a.entityId === 'c-step' && a.to === 'done', 'c-step done');

	// Shifts. Gate post (minimum 2): one past shift (甲 on time, 乙 late), one now (丙 on time, 丁 absent).
	addShift(station.doc, {
		id: 's-past', postId: 'p-gate', periodId: 'day', startsAt: at(T - 120 * MIN), endsAt: at(T - 60 * MIN), notes: null,
		people: [{ id: 'pa', userId: null, name: '甲', role: null }, { id: 'pb', userId: null, name: '乙', role: null }],
		checkins: { pa: { inAt: at(T - 115 * MIN), outAt: at(T - 60 * MIN), recordedBy: ids.leadStation }, pb: { inAt: at(T - 90 * MIN), outAt: at(T - 60 * MIN), recordedBy: ids.leadStation } }
	});
	addShift(station.doc, {
		id: 's-now', postId: 'p-gate', periodId: 'day', startsAt: at(T - 60 * MIN), endsAt: at(T + 60 * MIN), notes: null,
		people: [{ id: 'pc', userId: ids.memberStation, name: '丙', role: null }, { id: 'pd', userId: null, name: '丁', role: null }],
		// Recorded by the lead who plans the shift: the hub lets no writer name someone else as the recorder.
		checkins: { pc: { inAt: at(T - 60 * MIN), outAt: null, recordedBy: ids.leadStation } }
	});
	// Checkpoint (minimum 1): a shift that starts after the event will have closed.
	addShift(traffic.doc, {
		id: 's-later', postId: 'p-check', periodId: 'day', startsAt: at(T + 60 * MIN), endsAt: at(T + 120 * MIN), notes: null,
		people: [{ id: 'pe', userId: null, name: '戊', role: null }]
	});

	// Disputes: d1 resolved (with a party in the restricted document), d2 reported up to the street, d3 handed
	// from traffic to the station.
	addDispute(station.doc, 'd1', { summary: '邻里噪音纠纷', category: 'neighbor', risk: 'high', status: 'open', level: 'community', partiesMasked: PARTY_MASKED });
	addDispute(station.doc, 'd2', { summary: '劳资欠薪纠纷', category: 'labor', risk: 'medium', status: 'mediating', level: 'community' });
	addDispute(traffic.doc, 'd3', { summary: '停车费争议', category: 'consumer', risk: 'low', status: 'open', level: 'community' });
	setParties(restricted.doc, 'd1', [PARTY]);
	await lookFor((a) => a.entityId === 'd1' && a.action === 'created', 'd1 created');
	updateDispute(station.doc, 'd1', { status: 'mediating' });
	updateDispute(station.doc, 'd1', { status: 'resolved' });
	await lookFor((a) => a.entityId === 'd1' && a.field === 'status' && a.to === 'resolved', 'd1 resolved');
	await lookFor((a) => a.entityType === 'shift' && a.entityId === 's-later', 's-later created');

	const leadSocket = await joinAs(clients.leadStation, eventId);
	const trafficSocket = await joinAs(clients.leadTraffic, eventId);
	const commanderSocket = await joinAs(clients.commander, eventId);
	sockets.push(leadSocket, trafficSocket);
	const up = await command(leadSocket.socket, 'dispute:escalate', { eventId, disputeId: 'd2', fromAgency: 'station', toLevel: 'street', reason: '涉及多家商户，报街道调处' });
	if (!up.ok) throw new Error(`escalation refused: ${JSON.stringify(up)}`);
	const over = await command(trafficSocket.socket, 'dispute:escalate', { eventId, disputeId: 'd3', fromAgency: 'traffic', toAgency: 'station', reason: '属治安范畴，移交派出所' });
	if (!over.ok) throw new Error(`hand-over refused: ${JSON.stringify(over)}`);

	// One instruction to the station; its lead acknowledges, nobody else does.
	const sent = await command(commanderSocket.socket, 'instruction:send', { eventId, scope: 'agencies', targets: ['station'], priority: 'urgent', body: '南门人流加大，增派警力', ackBy: null });
	if (!sent.ok) throw new Error(`instruction refused: ${JSON.stringify(sent)}`);
	const acked = await command(leadSocket.socket, 'instruction:ack', { instructionId: sent.instruction.id });
	if (!acked.ok) throw new Error(`acknowledgement refused: ${JSON.stringify(acked)}`);

	return {
		eventId,
		T,
		clients,
		doneAt: { 'c-late': lateDoneAt, 'c-step': stepDoneAt },
		stepped: { id: 'c-step', title: '核查出租屋流动人口', todoAt, doingAt, doneAt: stepDoneAt },
		instruction: { id: sent.instruction.id, createdAt: sent.instruction.createdAt, recipients: sent.instruction.recipients.length, ackedAt: acked.ackedAt },
		commanderDoc,
		commanderSocket,
		close() {
			for (const l of [...open, commanderDoc]) l.destroy();
			for (const s of [...sockets, commanderSocket]) s.close();
		}
	};
}

export interface ExportedFile {
	bytes: Uint8Array;
	sha256: string | null;
	contentType: string | null;
	/** Every progress figure the job showed while it was polled, in order. */
	progress: number[];
}

/** Runs an export through the HTTP API as the page does: start the job, poll its progress, fetch the file. */
export async function exportAs(client: HttpClient, eventId: string, format: 'pdf' | 'docx' | 'json' | 'csv' | 'files'): Promise<ExportedFile> {
	const start = await client.request(`/api/events/${eventId}/record/exports`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ format })
	});
	if (start.status !== 202) throw new Error(`export ${format} answered ${start.status}: ${await start.text()}`);
	const { job } = (await start.json()) as { job: { id: string; progress: number } };
	const progress = [job.progress];
	let state = 'running';
	await eventually(
		async () => {
			const res = await client.request(`/api/events/${eventId}/record/exports/${job.id}`);
			const view = ((await res.json()) as { job: { state: string; progress: number; error: string | null } }).job;
			progress.push(view.progress);
			state = view.state;
			if (state === 'failed') throw new Error(`export ${format} failed: ${view.error}`);
			return state === 'done';
		},
		60_000,
		`the ${format} export`
	);
	const file = await client.request(`/api/events/${eventId}/record/exports/${job.id}/file`);
	if (!file.ok) throw new Error(`export ${format} file answered ${file.status}`);
	return {
		bytes: new Uint8Array(await file.arrayBuffer()),
		sha256: file.headers.get('x-record-sha256'),
		contentType: file.headers.get('content-type'),
		progress
	};
}
