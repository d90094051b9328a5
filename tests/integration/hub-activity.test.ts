/**
 * Issue 3, "activity rows for a scripted sequence of edits match the expected who/what/when exactly", and "a
 * client id used by a second user is refused". Edits come from stock providers; the rows are read back through
 * the board's own activity API, as the card history reads them.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as Y from 'yjs';
import { startServer, type TestServer } from '../helpers/server.ts';
import { connectCommands, connectDoc, eventually, whenSynced, type CommandSocketClient, type LiveDoc } from '../helpers/live.ts';
import { activityOf, DEMO_EVENT, demoUserId, sameState, signInDemo, SYNC_MS, type ActivityItem } from '../helpers/hub.ts';
import { agencyDocName, restrictedDocName } from '../../src/lib/domain/documents.ts';
import { CLOSE_CODES, type RefusedNotice } from '../../src/lib/domain/wire.ts';
import { addCard, addComment, cardsOf, isoWithOffset, notesOf, setChecklistDone, updateCard } from '../../src/lib/domain/board.ts';
import { addShift, recordCheck } from '../../src/lib/domain/roster-write.ts';

const STATION = agencyDocName(DEMO_EVENT, 'station');
const RESTRICTED = restrictedDocName(DEMO_EVENT);
const LEAD = demoUserId('lead.station');
const MEMBER = demoUserId('member.station');
/** Server and test run on one machine, but stored times may be rounded to the millisecond. */
const ROUNDING_MS = 1;

/** What a row says, without its id and sequence number. */
function what(rows: ActivityItem[]) {
	return rows.map(({ userId, userName, doc, entityType, entityId, action, field, subject, from, to }) => ({
		userId,
		userName,
		doc,
		entityType,
		entityId,
		action,
		field,
		subject,
		from,
		to
	}));
}

describe('activity derived from accepted updates', () => {
	let server: TestServer;
	let cookies: Record<string, string>;
	const open: LiveDoc[] = [];
	const connect = (doc: string, username: string) => {
		const live = connectDoc(server.url, doc, { cookie: cookies[username] });
		open.push(live);
		return live;
	};

	beforeAll(async () => {
		server = await startServer({ demo: true });
		cookies = await signInDemo(server.url, ['commander', 'lead.station', 'member.station', 'lead.traffic', 'reviewer']);
	});
	afterAll(async () => {
		// Disposed even if closing a client throws: no test server may outlive its file.
		try {
			for (const live of open) live.destroy();
		} finally {
			await server?.dispose();
		}
	});

	it('records who did what and when for a scripted sequence of card and shift edits, and nothing more', async () => {
		const lead = connect(STATION, 'lead.station');
		const member = connect(STATION, 'member.station');
		const watcher = connect(STATION, 'reviewer');
		await Promise.all([lead, member, watcher].map((l) => whenSynced(l, SYNC_MS)));

		/** Runs one edit and waits until the server has stored and sent it; returns the time span it happened in. */
		const step = async (live: LiveDoc, edit: (doc: Y.Doc) => void) => {
			const from = Date.now();
			edit(live.doc);
			await eventually(() => sameState(watcher.doc, live.doc), 15_000, 'the edit to reach the watcher');
			return { from: from - ROUNDING_MS, to: Date.now() + ROUNDING_MS };
		};
		const now = () => isoWithOffset(new Date(), 480);
		const cardId = 'activity-card-1';
		const shiftId = 'activity-shift-1';
		const spans = [
			await step(lead, (d) =>
				addCard(d, cardId, {
					title: '南门安检口增设通道',
					status: 'todo',
					priority: 'urgent',
					agency: 'station',
					createdBy: LEAD,
					createdAt: now(),
					checklist: [{ id: 'activity-k1', text: '铁马到位' }]
				})
			),
			await step(lead, (d) => updateCard(d, cardId, { status: 'doing' })),
			await step(member, (d) => addComment(d, cardId, { id: 'activity-c1', by: MEMBER, at: now(), text: '已到岗，开始分流' })),
			await step(member, (d) => setChecklistDone(d, cardId, 'activity-k1', true)),
			// Typing, keystroke by keystroke: one "edited" row, not one per keystroke.
			await step(member, (d) => {
				for (const ch of '增设两条通道') notesOf(d, cardId)!.insert(notesOf(d, cardId)!.length, ch);
			})
		];
		const shiftSpans = [
			await step(lead, (d) =>
				addShift(d, {
					id: shiftId,
					postId: 'demo-post-south-gate',
					periodId: 'demo-period-night',
					startsAt: '2026-11-24T16:00:00+08:00',
					endsAt: '2026-11-25T02:00:00+08:00',
					notes: null,
					people: [{ id: 'activity-p1', userId: MEMBER, name: '王建国', role: null }]
				})
			),
			await step(member, (d) => recordCheck(d, shiftId, 'activity-p1', 'in', '2026-11-24T15:58:00+08:00', MEMBER))
		];

		const cardRows = await activityOf(server.url, cookies.commander, DEMO_EVENT, cardId);
		const row = { doc: STATION, entityType: 'card', entityId: cardId, subject: null, from: null };
		expect(what(cardRows)).toEqual([
			{ ...row, userId: LEAD, userName: '刘卫东', action: 'created', field: null, to: '南门安检口增设通道' },
			{ ...row, userId: LEAD, userName: '刘卫东', action: 'changed', field: 'status', from: 'todo', to: 'doing' },
			{ ...row, userId: MEMBER, userName: '王建国', action: 'commented', field: 'comments', to: '已到岗，开始分流' },
			{ ...row, userId: MEMBER, userName: '王建国', action: 'checklistChecked', field: 'checklist', subject: 'activity-k1', to: '铁马到位' },
			{ ...row, userId: MEMBER, userName: '王建国', action: 'edited', field: 'notes', to: null }
		]);
		cardRows.forEach((r, i) => {
			const at = Date.parse(r.at);
			expect(at, `${r.action} at ${r.at}`).toBeGreaterThanOrEqual(spans[i].from);
			expect(at, `${r.action} at ${r.at}`).toBeLessThanOrEqual(spans[i].to);
		});
		// Each row points at the logged update it came from, in log order.
		const seqs = cardRows.map((r) => r.seq!);
		expect(seqs.every((s, i) => i === 0 || s > seqs[i - 1])).toBe(true);

		const shiftRows = await activityOf(server.url, cookies.commander, DEMO_EVENT, shiftId);
		expect(what(shiftRows)).toEqual([
			{ userId: LEAD, userName: '刘卫东', doc: STATION, entityType: 'shift', entityId: shiftId, action: 'created', field: null, subject: null, from: null, to: 'demo-post-south-gate' },
			{
				userId: MEMBER,
				userName: '王建国',
				doc: STATION,
				entityType: 'shift',
				entityId: shiftId,
				action: 'checkedIn',
				field: 'checkins',
				subject: 'activity-p1',
				from: null,
				to: '2026-11-24T15:58:00+08:00'
			}
		]);
		shiftRows.forEach((r, i) => {
			expect(Date.parse(r.at)).toBeGreaterThanOrEqual(shiftSpans[i].from);
			expect(Date.parse(r.at)).toBeLessThanOrEqual(shiftSpans[i].to);
		});

		// Every member reads the same history of an agency document.
		expect(await activityOf(server.url, cookies['lead.traffic'], DEMO_EVENT, cardId)).toEqual(cardRows);
	});

	it('keeps personal data out of the activity of the restricted document and shows its rows only to those cleared for it', async () => {
		const commander = connect(RESTRICTED, 'commander');
		await whenSynced(commander, SYNC_MS);
		commander.doc.transact(() => {
			const party = new Y.Map<unknown>();
			party.set('name', '张晓明');
			party.set('phone', '13800009999');
			party.set('idNumber', '610102199001011234');
			const list = new Y.Array<Y.Map<unknown>>();
			list.push([party]);
			commander.doc.getMap('parties').set('activity-dispute-1', list);
		});
		await eventually(async () => (await activityOf(server.url, cookies.commander, DEMO_EVENT, 'activity-dispute-1')).length > 0, 15_000, 'the row');
		const rows = await activityOf(server.url, cookies.commander, DEMO_EVENT, 'activity-dispute-1');
		expect(what(rows)).toEqual([
			{
				userId: demoUserId('commander'),
				userName: '周国栋',
				doc: RESTRICTED,
				entityType: 'parties',
				entityId: 'activity-dispute-1',
				action: 'changed',
				field: null,
				subject: null,
				from: null,
				to: null
			}
		]);
		expect(JSON.stringify(rows)).not.toMatch(/张晓明|13800009999|610102199001011234/);
		// The cleared station lead sees the row; the uncleared traffic lead and station member do not.
		expect(await activityOf(server.url, cookies['lead.station'], DEMO_EVENT, 'activity-dispute-1')).toEqual(rows);
		expect(await activityOf(server.url, cookies['lead.traffic'], DEMO_EVENT, 'activity-dispute-1')).toEqual([]);
		expect(await activityOf(server.url, cookies['member.station'], DEMO_EVENT, 'activity-dispute-1')).toEqual([]);
	});

	it("refuses an update that uses another user's Yjs client id with 4422, and tells that user why over socket.io", async () => {
		const owner = connect(STATION, 'lead.station');
		const impostor = connect(STATION, 'member.station');
		const watcher = connect(STATION, 'reviewer');
		await Promise.all([owner, impostor, watcher].map((l) => whenSynced(l, SYNC_MS)));
		addCard(owner.doc, 'activity-owned', { title: '刘队的卡片', status: 'todo', priority: 'routine', agency: 'station', createdBy: LEAD });
		await eventually(() => cardsOf(impostor.doc).has('activity-owned'), 15_000, 'the owner card to reach the other client');

		let socket: CommandSocketClient | null = null;
		try {
			socket = await connectCommands(server.url, { cookie: cookies['member.station'] });
			const refusals: RefusedNotice[] = [];
			socket.on('doc:refused', (n) => refusals.push(n));
			// The second user's client continues the first user's client id: a well-formed update, by the wrong user.
			impostor.doc.clientID = owner.doc.clientID;
			updateCard(impostor.doc, 'activity-owned', { title: '被冒用的客户端' });
			await eventually(() => impostor.closes.length > 0, 15_000, 'the server to close the impostor');
			expect(impostor.closes[0]).toEqual({ code: CLOSE_CODES.refused, reason: `client id ${owner.doc.clientID} belongs to another user` });
			await eventually(() => refusals.length > 0, 15_000, 'the refusal notice');
			expect(refusals[0]).toEqual({ doc: STATION, code: CLOSE_CODES.refused, reason: `client id ${owner.doc.clientID} belongs to another user` });
		} finally {
			socket?.disconnect();
			// Give the client its own id back: the provider speaks for its document's id when it says goodbye.
			impostor.doc.clientID = impostor.provider.awareness.clientID;
		}

		// The refused change reached neither storage nor anyone else, and the owner keeps writing with that id.
		updateCard(owner.doc, 'activity-owned', { status: 'doing' });
		await eventually(() => cardsOf(watcher.doc).get('activity-owned')?.get('status') === 'doing', 15_000, "the owner's next edit");
		expect(cardsOf(watcher.doc).get('activity-owned')?.get('title')).toBe('刘队的卡片');
		expect(owner.closes).toEqual([]);
		const rows = await activityOf(server.url, cookies.commander, DEMO_EVENT, 'activity-owned');
		expect(rows.map((r) => [r.userId, r.action, r.field])).toEqual([
			[LEAD, 'created', null],
			[LEAD, 'changed', 'status']
		]);
	});
});
