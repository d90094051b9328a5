/**
 * Patrol-point checks on the server: routes, checkpoints and scans as stored; the labels' signatures; the label
 * sheet as a PDF. A label's code carries the checkpoint id and an HMAC of the event and that id under a secret kept
 * in the database, so a code can be neither guessed nor moved to another event (the same checkpoint id signed for
 * another event gives another signature, and checkpoint ids are random).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from './db/schema.ts';
import { labelCode, parseLabel, type Checkpoint, type PatrolScan } from '../domain/patrol.ts';
import { newId } from '../domain/ids.ts';

const SECRET_KEY = 'patrol_secret';

/** The installation's signing secret, made once (several instances agree: the first insert wins). */
export async function patrolSecret(db: Kysely<DB>): Promise<string> {
	const row = await db.selectFrom('settings').select('value').where('key', '=', SECRET_KEY).executeTakeFirst();
	if (row) return row.value;
	await db
		.insertInto('settings')
		.values({ key: SECRET_KEY, value: randomBytes(32).toString('hex'), updated_at: new Date() })
		.onConflict((oc) => oc.column('key').doNothing())
		.execute();
	return (await db.selectFrom('settings').select('value').where('key', '=', SECRET_KEY).executeTakeFirstOrThrow()).value;
}

export function signCheckpoint(secret: string, eventId: string, checkpointId: string): string {
	return createHmac('sha256', secret).update(`${eventId}\u0000${checkpointId}`).digest('hex').slice(0, 24);
}

export async function listCheckpoints(db: Kysely<DB>, eventId: string): Promise<Checkpoint[]> {
	const rows = await db
		.selectFrom('patrol_checkpoints')
		.select(['id', 'post_id', 'name', 'seq', 'x', 'y'])
		.where('event_id', '=', eventId)
		.where('archived', '=', false)
		.orderBy('post_id')
		.orderBy('seq')
		.execute();
	return rows.map((r) => ({ id: r.id, postId: r.post_id, name: r.name, seq: r.seq, point: r.x !== null && r.y !== null ? [r.x, r.y] : null }));
}

export async function listRouteIntervals(db: Kysely<DB>, eventId: string): Promise<Map<string, number>> {
	const rows = await db.selectFrom('patrol_routes').select(['post_id', 'interval_minutes']).where('event_id', '=', eventId).execute();
	return new Map(rows.map((r) => [r.post_id, r.interval_minutes]));
}

export async function setRouteInterval(db: Kysely<DB>, eventId: string, postId: string, minutes: number): Promise<void> {
	await db
		.insertInto('patrol_routes')
		.values({ event_id: eventId, post_id: postId, interval_minutes: minutes })
		.onConflict((oc) => oc.columns(['event_id', 'post_id']).doUpdateSet({ interval_minutes: minutes }))
		.execute();
}

export async function addCheckpoint(db: Kysely<DB>, eventId: string, postId: string, name: string, point: [number, number] | null): Promise<string> {
	const last = await db
		.selectFrom('patrol_checkpoints')
		.select(({ fn }) => fn.max('seq').as('seq'))
		.where('event_id', '=', eventId)
		.where('post_id', '=', postId)
		.executeTakeFirst();
	const id = newId();
	await db
		.insertInto('patrol_checkpoints')
		.values({ id, event_id: eventId, post_id: postId, name, seq: Number(last?.seq ?? 0) + 1, x: point?.[0] ?? null, y: point?.[1] ?? null })
		.execute();
	return id;
}

/** Takes a checkpoint off its route; its scans stay in the record. */
export async function archiveCheckpoint(db: Kysely<DB>, eventId: string, id: string): Promise<boolean> {
	const res = await db.updateTable('patrol_checkpoints').set({ archived: true }).where('event_id', '=', eventId).where('id', '=', id).executeTakeFirst();
	return Number(res.numUpdatedRows) > 0;
}

export async function listScans(db: Kysely<DB>, eventId: string, since?: Date): Promise<PatrolScan[]> {
	let q = db
		.selectFrom('patrol_scans as s')
		.leftJoin('users as u', 'u.id', 's.user_id')
		.select(['s.checkpoint_id', 's.user_id', 'u.display_name', 's.scanned_at', 's.received_at'])
		.where('s.event_id', '=', eventId);
	if (since) q = q.where('s.scanned_at', '>=', since);
	const rows = await q.orderBy('s.scanned_at').execute();
	return rows.map((r) => ({ checkpointId: r.checkpoint_id, userId: r.user_id, userName: r.display_name, scannedAt: r.scanned_at.toISOString(), receivedAt: r.received_at.toISOString() }));
}

export type ScanProblem = 'notALabel' | 'unknownLabel' | 'otherEvent' | 'retired';

/**
 * Checks a scanned text against this event's checkpoints and records the scan. A label of another event, or one
 * whose signature does not match, is refused without saying which of the two it was to whoever probes codes.
 */
export async function recordScan(
	db: Kysely<DB>,
	eventId: string,
	userId: string,
	text: unknown,
	time: { tappedAt: Date; receivedAt: Date }
): Promise<{ ok: true; checkpoint: { id: string; name: string; postId: string } } | { ok: false; problem: ScanProblem }> {
	const label = parseLabel(text);
	if (!label) return { ok: false, problem: 'notALabel' };
	const row = await db.selectFrom('patrol_checkpoints').select(['id', 'event_id', 'post_id', 'name', 'archived']).where('id', '=', label.checkpointId).executeTakeFirst();
	const expected = signCheckpoint(await patrolSecret(db), eventId, label.checkpointId);
	const signed = timingSafeEqual(Buffer.from(expected), Buffer.from(label.signature));
	if (!row || !signed) return { ok: false, problem: row && row.event_id !== eventId ? 'otherEvent' : 'unknownLabel' };
	if (row.archived) return { ok: false, problem: 'retired' };
	await db.insertInto('patrol_scans').values({ id: newId(), event_id: eventId, checkpoint_id: row.id, user_id: userId, scanned_at: time.tappedAt, received_at: time.receivedAt }).execute();
	return { ok: true, checkpoint: { id: row.id, name: row.name, postId: row.post_id } };
}

/**
 * The label sheet of one route: A4, two columns of labels, each with its QR code (a URL of this site ending in the
 * code, so a phone's own camera opens it as well as the app's scanner), the checkpoint's name, route and event.
 */
export async function labelSheet(
	labels: Array<{ name: string; code: string }>,
	heading: { event: string; route: string; origin: string; note: string }
): Promise<Uint8Array> {
	// Loaded when a sheet is printed, not with the command channel at start-up.
	const [{ newPdf }, { default: QRCode }] = await Promise.all([import('./after-action/pdf-layout.ts'), import('qrcode')]);
	const { doc, bytes } = newPdf(`${heading.event} · ${heading.route}`);
	const cols = 2;
	const cellW = (595.28 - 72) / cols;
	const cellH = 240;
	const top = 80;
	const header = () => {
		doc.fontSize(14).fillColor('#14213d').text(`${heading.event} · ${heading.route}`, 36, 36, { width: 595.28 - 72 });
		doc.fontSize(9).fillColor('#5b6475').text(heading.note, 36, 56, { width: 595.28 - 72 });
	};
	header();
	for (const [i, label] of labels.entries()) {
		const onPage = i % (cols * 3);
		if (i > 0 && onPage === 0) {
			doc.addPage();
			header();
		}
		const x = 36 + (onPage % cols) * cellW;
		const y = top + Math.floor(onPage / cols) * cellH;
		doc.rect(x + 6, y + 6, cellW - 12, cellH - 12).lineWidth(0.8).dash(4, { space: 3 }).strokeColor('#94a3b8').stroke().undash();
		const png = await QRCode.toBuffer(`${heading.origin}/scan/${label.code}`, { errorCorrectionLevel: 'M', margin: 1, width: 420 });
		doc.image(png, x + (cellW - 150) / 2, y + 18, { width: 150 });
		doc.fontSize(16).fillColor('#14213d').text(label.name, x + 12, y + 176, { width: cellW - 24, align: 'center' });
		doc.fontSize(8).fillColor('#5b6475').text(label.code, x + 12, y + 202, { width: cellW - 24, align: 'center' });
	}
	doc.end();
	return bytes;
}

export { labelCode };

/** Every patrol route of an event as pages show it: patrol posts (and any post given an interval), with their checkpoints. */
export async function patrolRoutes(
	db: Kysely<DB>,
	posts: Array<{ id: string; name: string; kind: string; agency: string | null; archived: boolean }>,
	eventId: string
): Promise<import('../domain/patrol.ts').PatrolRoute[]> {
	const [intervals, checkpoints, firsts] = await Promise.all([
		listRouteIntervals(db, eventId),
		listCheckpoints(db, eventId),
		db.selectFrom('patrol_checkpoints').select(['post_id', ({ fn }) => fn.min('created_at').as('since')]).where('event_id', '=', eventId).groupBy('post_id').execute()
	]);
	const since = new Map(firsts.map((f) => [f.post_id, f.since ? new Date(f.since as unknown as string).toISOString() : null]));
	return posts
		.filter((p) => !p.archived && (p.kind === 'patrol' || intervals.has(p.id)))
		.map((p) => ({
			postId: p.id,
			postName: p.name,
			agency: p.agency,
			intervalMinutes: intervals.get(p.id) ?? 60,
			checkpoints: checkpoints.filter((c) => c.postId === p.id),
			since: since.get(p.id) ?? null
		}));
}
