/**
 * Export time of the after-action record of a large event: 5,000 cards and 50,000 activity rows (500 and 5,000
 * with --quick), written straight into the database — each change one Yjs update in the log with its activity
 * row, as the hub would have stored it — then every format timed through the HTTP export API the way the review
 * page runs it: start the job, poll it, fetch the file. Timed twice: on the draft, which is built from the
 * documents and the log on every export, and after the event is closed and the record finalized, when every
 * export reads the stored canonical JSON.
 *
 * A phase of `npm run bench`; also runs alone: `node bench/exports.ts [--embedded] [--quick]`.
 */
import * as Y from 'yjs';
import type { Kysely } from 'kysely';
import type { DB } from '../src/lib/server/db/schema.ts';
import { appendUpdates, type AppendEntry } from '../src/lib/server/repositories/doc-log.repository.ts';
import { createEvent, setMember } from '../src/lib/server/repositories/event.repository.ts';
import { DEMO_USERS } from '../src/lib/server/demo/demo-data.ts';
import { agencyDocName, commandDocName } from '../src/lib/domain/documents.ts';
import { CARD_PRIORITIES, CARD_STATUSES, type CardStatus } from '../src/lib/domain/doc-schema.ts';
import { addCard, isoWithOffset, updateCard } from '../src/lib/domain/board.ts';
import { addShift, savePeriod, savePost } from '../src/lib/domain/roster-write.ts';
import type { ActivityDraft } from '../src/lib/domain/activity.ts';
import { startServer, type TestServer } from '../tests/helpers/server.ts';
import { withServerDatabase } from './database.ts';
import { Sessions } from './clients.ts';
import type { ExportFigures } from './report.ts';

export const EXPORT_EVENT = { id: 'bench-export-event', name: '大型活动导出基准（5000 张任务卡）' };
const AGENCIES = ['station', 'cid', 'traffic', 'patrol'];
const FORMATS = ['json', 'csv', 'pdf', 'docx'] as const;
const OFFSET_MIN = 8 * 60;
/** Rows per transaction when writing the log. */
const WRITE_BATCH = 2_000;
/** An export that takes longer than this is reported as failed rather than waited for. */
const EXPORT_TIMEOUT_MS = 5 * 60_000;
const POLL_MS = 100;
const PROBE_MS = 50;

function mulberry32(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

export interface ExportEventSize {
	cards: number;
	activity: number;
}

/**
 * Writes the event, its members (the demo people, in their demo roles) and its log. Every card is created in one
 * update with a 'created' row; the rest of the rows are status and priority changes of random cards, each its
 * own update, spread over the event's hours. The command document gets posts and periods, each agency shifts.
 */
export async function writeExportEvent(db: Kysely<DB>, size: ExportEventSize): Promise<{ updates: number; rows: number }> {
	const rand = mulberry32(20261124);
	const pick = <T>(list: readonly T[]) => list[Math.floor(rand() * list.length)];
	const startsAt = Date.now() - 10 * 3_600_000;
	const at = (ms: number) => isoWithOffset(new Date(ms), OFFSET_MIN);
	await createEvent(
		db,
		{ name: EXPORT_EVENT.name, venue: '古城墙灯会核心区', startsAt: new Date(startsAt), endsAt: new Date(startsAt + 12 * 3_600_000), timezone: 'Asia/Shanghai', checkinGraceMinutes: 10, locale: 'zh-CN' },
		null,
		EXPORT_EVENT.id
	);
	await db.updateTable('events').set({ status: 'active' }).where('id', '=', EXPORT_EVENT.id).execute();
	const people = DEMO_USERS.filter((u) => u.role);
	for (const u of people) await setMember(db, EXPORT_EVENT.id, { userId: u.id, role: u.role!.role, agencyCode: u.role!.agencyCode });
	const actors = (agency: string) => people.filter((u) => u.role!.agencyCode === agency || u.role!.role === 'commander');

	const entries: AppendEntry[] = [];
	let clock = startsAt;
	// The log spans nine of the event's hours, ending before now.
	const step = (9 * 3_600_000) / (size.activity + 200);
	/**
	 * Runs `change` on `doc` and logs what it produced as one entry per update, with `activity` on the first;
	 * returns how many activity rows that logged (none when the change changed nothing).
	 */
	const record = (doc: Y.Doc, name: string, userId: string, change: () => void, activity: ActivityDraft[]): number => {
		const captured: Uint8Array[] = [];
		const grab = (u: Uint8Array) => captured.push(u);
		doc.on('update', grab);
		change();
		doc.off('update', grab);
		clock += Math.round(step * (0.5 + rand()));
		captured.forEach((bytes, i) =>
			entries.push({ doc: name, eventId: EXPORT_EVENT.id, userId, connId: null, at: new Date(clock), bytes, activity: i === 0 ? activity : [], newClients: i === 0 ? [doc.clientID] : [] })
		);
		return captured.length ? activity.length : 0;
	};
	const draft = (entityType: ActivityDraft['entityType'], entityId: string, action: ActivityDraft['action'], rest: Partial<ActivityDraft> = {}): ActivityDraft => ({
		entityType, entityId, action, field: null, subject: null, from: null, to: null, ...rest
	});

	const commanderId = people.find((u) => u.role!.role === 'commander')!.id;
	const command = new Y.Doc();
	const commandName = commandDocName(EXPORT_EVENT.id);
	for (const [id, name, start, end] of [['day', '白班', 0, 6], ['night', '夜班', 6, 12]] as const) {
		record(command, commandName, commanderId, () => savePeriod(command, id, { name, startsAt: at(startsAt + start * 3_600_000), endsAt: at(startsAt + end * 3_600_000) }), [draft('period', id, 'created', { to: name })]);
	}
	const posts = AGENCIES.flatMap((agency) => Array.from({ length: 10 }, (_, i) => ({ id: `post-${agency}-${i}`, agency, name: `${agency} 岗位 ${i + 1}` })));
	for (const p of posts) {
		record(command, commandName, commanderId, () => savePost(command, p.id, { name: p.name, kind: 'post', agency: p.agency, location: '灯会核心区', minStaff: 2 }), [draft('post', p.id, 'created', { to: p.name })]);
	}

	const docs = new Map(AGENCIES.map((a) => [a, new Y.Doc()]));
	const status = new Map<string, { agency: string; status: CardStatus }>();
	for (let n = 0; n < size.cards; n++) {
		const agency = AGENCIES[n % AGENCIES.length];
		const doc = docs.get(agency)!;
		const id = `card-${n}`;
		const title = `巡查点位 ${n + 1}：人流与消防通道检查`;
		const created = clock;
		record(doc, agencyDocName(EXPORT_EVENT.id, agency), pick(actors(agency)).id, () =>
			addCard(doc, id, { title, status: 'todo', priority: pick(CARD_PRIORITIES), agency, location: `核心区 ${1 + (n % 40)} 号点`, createdAt: at(created), dueAt: at(created + (30 + (n % 240)) * 60_000), order: n }),
			[draft('card', id, 'created', { to: title })]
		);
		status.set(id, { agency, status: 'todo' });
	}
	for (const [agency, doc] of docs) {
		for (const p of posts.filter((x) => x.agency === agency)) {
			for (const [period, h] of [['day', 0], ['night', 6]] as const) {
				const id = `shift-${p.id}-${period}`;
				const start = startsAt + h * 3_600_000;
				const ppl = [0, 1].map((k) => ({ id: `${id}-${k}`, userId: null, name: `队员${k + 1}`, role: null }));
				record(doc, agencyDocName(EXPORT_EVENT.id, agency), pick(actors(agency)).id, () =>
					addShift(doc, { id, postId: p.id, periodId: period, startsAt: at(start), endsAt: at(start + 6 * 3_600_000), notes: null, people: ppl, checkins: { [ppl[0].id]: { inAt: at(start + 5 * 60_000), outAt: null, recordedBy: null } } }),
					[draft('shift', id, 'created', { to: p.id })]
				);
			}
		}
	}
	let rows = entries.reduce((n, e) => n + e.activity.length, 0);
	while (rows < size.activity) {
		const id = `card-${Math.floor(rand() * size.cards)}`;
		const card = status.get(id)!;
		const doc = docs.get(card.agency)!;
		const name = agencyDocName(EXPORT_EVENT.id, card.agency);
		const by = pick(actors(card.agency)).id;
		if (rand() < 0.7) {
			const to = pick(CARD_STATUSES.filter((s) => s !== card.status));
			rows += record(doc, name, by, () => updateCard(doc, id, { status: to }), [draft('card', id, 'changed', { field: 'status', from: card.status, to })]);
			card.status = to;
		} else {
			// Setting the priority it has changes nothing and logs nothing; the loop then simply goes round again.
			const to = pick(CARD_PRIORITIES);
			rows += record(doc, name, by, () => updateCard(doc, id, { priority: to }), [draft('card', id, 'changed', { field: 'priority', to })]);
		}
	}
	for (let i = 0; i < entries.length; i += WRITE_BATCH) {
		const batch = entries.slice(i, i + WRITE_BATCH);
		await db.transaction().execute((tx) => appendUpdates(tx, batch));
	}
	return { updates: entries.length, rows };
}

/**
 * Asks /healthz every PROBE_MS on a fresh connection until stopped and returns the longest wait: how long the
 * server could not answer anyone (its event loop held by synchronous work) while an export ran.
 */
function stallProbe(base: string): () => Promise<number> {
	let worst = 0;
	let running = true;
	const loop = (async () => {
		while (running) {
			const t = performance.now();
			await fetch(`${base}/healthz`, { headers: { connection: 'close' } }).catch(() => null);
			worst = Math.max(worst, performance.now() - t);
			await new Promise((r) => setTimeout(r, PROBE_MS));
		}
	})();
	return async () => {
		running = false;
		await loop;
		return Math.round(worst);
	};
}

/** Exports every format through the HTTP API and returns the time from the request to the last byte. */
async function timeExports(base: string, cookie: string, label: string): Promise<ExportFigures[]> {
	const out: ExportFigures[] = [];
	// A fresh connection per request: a keep-alive socket the server closes after a long stall resets the next.
	const headers = { cookie, origin: base, connection: 'close' };
	for (const format of FORMATS) {
		const stall = stallProbe(base);
		const t0 = performance.now();
		const start = await fetch(`${base}/api/events/${EXPORT_EVENT.id}/record/exports`, {
			method: 'POST',
			headers: { ...headers, 'content-type': 'application/json' },
			body: JSON.stringify({ format })
		});
		if (start.status !== 202) throw new Error(`export ${format} answered ${start.status}: ${await start.text()}`);
		const { job } = (await start.json()) as { job: { id: string } };
		const until = Date.now() + EXPORT_TIMEOUT_MS;
		for (;;) {
			const view = ((await (await fetch(`${base}/api/events/${EXPORT_EVENT.id}/record/exports/${job.id}`, { headers })).json()) as { job: { state: string; error: string | null } }).job;
			if (view.state === 'done') break;
			if (view.state === 'failed') throw new Error(`export ${format} failed: ${view.error}`);
			if (Date.now() > until) throw new Error(`export ${format} took longer than ${EXPORT_TIMEOUT_MS / 60_000} minutes`);
			await new Promise((r) => setTimeout(r, POLL_MS));
		}
		const file = await fetch(`${base}/api/events/${EXPORT_EVENT.id}/record/exports/${job.id}/file`, { headers });
		const bytes = (await file.arrayBuffer()).byteLength;
		const ms = Math.round(performance.now() - t0);
		out.push({ format: `${format} (${label})`, ms, bytes, stallMs: await stall() });
	}
	return out;
}

async function formPost(base: string, cookie: string, action: string): Promise<void> {
	const res = await fetch(`${base}/events/${EXPORT_EVENT.id}/review?/${action}`, {
		method: 'POST',
		headers: { cookie, origin: base, 'content-type': 'application/x-www-form-urlencoded', 'x-sveltekit-action': 'true', accept: 'application/json' },
		body: new URLSearchParams({ confirm: 'yes' })
	});
	const body = (await res.json()) as { type: string };
	if (body.type !== 'success') throw new Error(`?/${action} answered ${JSON.stringify(body)}`);
}

/**
 * The phase: with the server stopped, writes the event into its database; starts it again and times the exports
 * of the draft, then closes the event, finalizes the record and times them again. Leaves the server running.
 */
export async function measureExports(
	server: TestServer,
	size: ExportEventSize,
	restart: (s: TestServer) => Promise<void>,
	log: (m: string) => void
): Promise<ExportFigures[]> {
	await server.stop();
	log(`exports: writing an event with ${size.cards} cards and ${size.activity} activity rows`);
	const t = performance.now();
	const written = await withServerDatabase(server, (db) => writeExportEvent(db, size));
	log(`exports: ${written.updates} updates with ${written.rows} activity rows written in ${Math.round((performance.now() - t) / 100) / 10} s`);
	await restart(server);
	const sessions = new Sessions(server.url);
	// The commander is cleared for personal data: the exports carry the parties annex (of which this event has none).
	const [commander, reviewer] = await Promise.all([sessions.cookie('commander'), sessions.cookie('reviewer')]);
	log('exports: timing each format of the draft');
	const figures = await timeExports(server.url, commander, 'draft');
	await formPost(server.url, commander, 'close');
	await formPost(server.url, reviewer, 'finalize');
	log('exports: timing each format of the final record');
	figures.push(...(await timeExports(server.url, commander, 'final')));
	return figures;
}

/** Alone: `node bench/exports.ts [--embedded] [--quick]` on a fresh server with the demo installation. */
if (import.meta.main) {
	const argv = process.argv.slice(2);
	if (argv.includes('--embedded')) delete process.env.DATABASE_URL;
	else process.env.DATABASE_URL ||= 'postgres://postgres@127.0.0.1:5432/postgres';
	const quick = argv.includes('--quick');
	const log = (m: string) => console.log(`[bench] ${m}`);
	const server = await startServer({ demo: true });
	try {
		const figures = await measureExports(server, quick ? { cards: 500, activity: 5_000 } : { cards: 5_000, activity: 50_000 }, (s) => s.restart(), log);
		for (const f of figures) {
			console.log(`export ${f.format.padEnd(14)} ${String(f.ms).padStart(7)} ms  ${(f.bytes / 2 ** 20).toFixed(2).padStart(6)} MiB  longest stall ${f.stallMs} ms`);
		}
	} catch (err) {
		console.error(`[bench] exports failed: ${err instanceof Error ? err.message : err}\n${server.output().split('\n').slice(-30).join('\n')}`);
		process.exitCode = 1;
	} finally {
		await server.dispose();
	}
}
