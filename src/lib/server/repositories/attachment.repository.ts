/**
 * Files kept in the database (venue plans, photos and documents), addressed by the SHA-256 of their content within
 * their event, and what each is attached to. Who may read one is decided by the caller from its links
 * (src/lib/domain/field-reports.ts `mayViewAttachment`); rows never leave this file.
 */
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { AttachmentLink } from '../../domain/field-reports.ts';

export type FileKind = 'plan' | 'photo' | 'file';

export interface StoredFile {
	id: string;
	mime: string;
	bytes: Uint8Array;
	width: number | null;
	height: number | null;
}

/** Stores a file once per event (the same content again is the same row); returns its id. */
export async function putAttachment(
	db: Kysely<DB>,
	file: { id: string; eventId: string; kind: FileKind; mime: string; bytes: Uint8Array; width: number | null; height: number | null; thumbnail?: Uint8Array | null; createdBy: string }
): Promise<string> {
	await db
		.insertInto('attachments')
		.values({
			id: file.id,
			event_id: file.eventId,
			kind: file.kind,
			mime: file.mime,
			bytes: Buffer.from(file.bytes),
			thumbnail: file.thumbnail ? Buffer.from(file.thumbnail) : null,
			size: file.bytes.length,
			width: file.width,
			height: file.height,
			created_by: file.createdBy
		})
		.onConflict((oc) => oc.columns(['event_id', 'id']).doNothing())
		.execute();
	return file.id;
}

/** A stored file as an HTTP answer: content-addressed, so it never changes under its address. */
export function attachmentResponse(file: StoredFile, download?: string): Response {
	const headers: Record<string, string> = {
		'content-type': file.mime,
		'cache-control': 'private, max-age=31536000, immutable',
		'x-content-type-options': 'nosniff',
		// A stored PDF opens as a document, never as a page of this site that could run anything.
		'content-security-policy': "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
	};
	if (download) headers['content-disposition'] = `attachment; filename*=UTF-8''${encodeURIComponent(download)}`;
	return new Response(Buffer.from(file.bytes), { headers });
}

/** A stored file of one kind (a plan endpoint never serves a photo), full size or its thumbnail. */
export async function getAttachment(db: Kysely<DB>, eventId: string, id: string, options: { kind?: FileKind; thumbnail?: boolean } = {}): Promise<StoredFile | null> {
	let q = db
		.selectFrom('attachments')
		.select(['id', 'mime', 'width', 'height'])
		.select(options.thumbnail ? sql<Uint8Array | null>`coalesce(thumbnail, bytes)`.as('bytes') : 'bytes')
		.where('event_id', '=', eventId)
		.where('id', '=', id);
	if (options.kind) q = q.where('kind', '=', options.kind);
	const row = await q.executeTakeFirst();
	if (!row || !row.bytes) return null;
	const thumb = options.thumbnail && row.mime.startsWith('image/');
	return { id: row.id, mime: thumb ? 'image/jpeg' : row.mime, bytes: new Uint8Array(row.bytes), width: row.width, height: row.height };
}

/** Bytes of every file an event keeps (for its limit). */
export async function eventFileBytes(db: Kysely<DB>, eventId: string): Promise<number> {
	const row = await db
		.selectFrom('attachments')
		.select(sql<string>`coalesce(sum(coalesce(size, 0)), 0)`.as('total'))
		.where('event_id', '=', eventId)
		.executeTakeFirst();
	return Number(row?.total ?? 0);
}

export interface NewLink {
	eventId: string;
	attachmentId: string;
	target: AttachmentLink['target'];
	targetId: string;
	agency: string | null;
	name?: string;
	people?: boolean;
	createdBy: string;
}

/** Attaches a stored file to a report, card or dispute entry; attaching twice is one link. */
export async function linkAttachment(db: Kysely<DB>, link: NewLink): Promise<void> {
	await db
		.insertInto('attachment_links')
		.values({
			event_id: link.eventId,
			attachment_id: link.attachmentId,
			target: link.target,
			target_id: link.targetId,
			agency: link.agency,
			name: link.name ?? '',
			people: link.people ?? false,
			created_by: link.createdBy
		})
		.onConflict((oc) => oc.columns(['event_id', 'attachment_id', 'target', 'target_id']).doNothing())
		.execute();
}

/** Every way a stored file is attached (with a report's reporter), for deciding who may see it. */
export async function linksOf(db: Kysely<DB>, eventId: string, attachmentId: string): Promise<AttachmentLink[]> {
	const rows = await db
		.selectFrom('attachment_links as l')
		.leftJoin('field_reports as r', (j) => j.onRef('r.event_id', '=', 'l.event_id').onRef('r.id', '=', 'l.target_id').on('l.target', '=', 'report'))
		.select(['l.target', 'l.target_id', 'l.agency', 'l.people', 'l.on_wall', 'r.reporter_id'])
		.where('l.event_id', '=', eventId)
		.where('l.attachment_id', '=', attachmentId)
		.execute();
	return rows.map((r) => ({ target: r.target, targetId: r.target_id, agency: r.agency, people: r.people, onWall: r.on_wall, reporterId: r.reporter_id }));
}

export interface AttachmentListing {
	id: string;
	target: AttachmentLink['target'];
	targetId: string;
	agency: string | null;
	name: string;
	mime: string;
	size: number;
	width: number | null;
	height: number | null;
	people: boolean;
	onWall: boolean;
	createdBy: string | null;
	createdByName: string | null;
	createdAt: Date;
	/** For a report's file: who sent the report (a reporter sees their own report's photos). */
	reporterId: string | null;
}

/** The files attached to some targets (or to every target of the event when `targetIds` is omitted). */
export async function listAttachments(
	db: Kysely<DB>,
	eventId: string,
	filter: { target?: AttachmentLink['target']; targetIds?: string[]; onWall?: boolean } = {}
): Promise<AttachmentListing[]> {
	if (filter.targetIds && filter.targetIds.length === 0) return [];
	let q = db
		.selectFrom('attachment_links as l')
		.innerJoin('attachments as a', (j) => j.onRef('a.event_id', '=', 'l.event_id').onRef('a.id', '=', 'l.attachment_id'))
		.leftJoin('users as u', 'u.id', 'l.created_by')
		.leftJoin('field_reports as r', (j) => j.onRef('r.event_id', '=', 'l.event_id').onRef('r.id', '=', 'l.target_id').on('l.target', '=', 'report'))
		.select(['l.attachment_id', 'l.target', 'l.target_id', 'l.agency', 'l.name', 'l.people', 'l.on_wall', 'l.created_by', 'l.created_at', 'u.display_name', 'a.mime', 'a.size', 'a.width', 'a.height', 'r.reporter_id'])
		.where('l.event_id', '=', eventId);
	if (filter.target) q = q.where('l.target', '=', filter.target);
	if (filter.targetIds) q = q.where('l.target_id', 'in', filter.targetIds);
	if (filter.onWall !== undefined) q = q.where('l.on_wall', '=', filter.onWall);
	const rows = await q.orderBy('l.created_at').orderBy('l.attachment_id').execute();
	return rows.map((r) => ({
		id: r.attachment_id,
		target: r.target,
		targetId: r.target_id,
		agency: r.agency,
		name: r.name,
		mime: r.mime,
		size: r.size ?? 0,
		width: r.width,
		height: r.height,
		people: r.people,
		onWall: r.on_wall,
		createdBy: r.created_by,
		createdByName: r.display_name,
		createdAt: r.created_at,
		reporterId: r.reporter_id
	}));
}

/**
 * Marks a stored file as showing people (personal data) or for the wall, wherever it is attached: a photo of a
 * person is one whatever it hangs on. A file showing people never goes on the wall.
 */
export async function markAttachment(db: Kysely<DB>, eventId: string, attachmentId: string, flags: { people?: boolean; onWall?: boolean }): Promise<number> {
	const set: { people?: boolean; on_wall?: boolean } = {};
	if (flags.people !== undefined) set.people = flags.people;
	if (flags.onWall !== undefined) set.on_wall = flags.onWall;
	if (flags.people === true) set.on_wall = false;
	if (!Object.keys(set).length) return 0;
	let q = db.updateTable('attachment_links').set(set).where('event_id', '=', eventId).where('attachment_id', '=', attachmentId);
	// Going on the wall is refused for a file that shows people, unless the same mark says it does not after all
	// (the condition sees the rows as they were before this update).
	if (flags.onWall === true && flags.people !== false) q = q.where('people', '=', false);
	const res = await q.executeTakeFirst();
	return Number(res.numUpdatedRows);
}

/** The bytes of a resumable upload received so far (its pieces are contiguous from 0) and its declared total. */
export async function uploadProgress(db: Kysely<DB>, eventId: string, userId: string, uploadId: string): Promise<{ received: number; total: number | null }> {
	const rows = await db
		.selectFrom('upload_parts')
		.select(['start', 'total', sql<number>`octet_length(bytes)`.as('length')])
		.where('event_id', '=', eventId)
		.where('user_id', '=', userId)
		.where('upload_id', '=', uploadId)
		.orderBy('start')
		.execute();
	let received = 0;
	for (const r of rows) {
		if (r.start !== received) break;
		received += Number(r.length);
	}
	return { received, total: rows[0]?.total ?? null };
}

/** Keeps one piece of an upload; the same piece again changes nothing. */
export async function putUploadPart(db: Kysely<DB>, part: { eventId: string; userId: string; uploadId: string; start: number; total: number; bytes: Uint8Array }): Promise<void> {
	await db
		.insertInto('upload_parts')
		.values({ event_id: part.eventId, user_id: part.userId, upload_id: part.uploadId, start: part.start, total: part.total, bytes: Buffer.from(part.bytes) })
		.onConflict((oc) => oc.columns(['event_id', 'user_id', 'upload_id', 'start']).doNothing())
		.execute();
}

/** The whole file of an upload, or null while pieces are missing. */
export async function assembleUpload(db: Kysely<DB>, eventId: string, userId: string, uploadId: string): Promise<Uint8Array | null> {
	const rows = await db
		.selectFrom('upload_parts')
		.select(['start', 'total', 'bytes'])
		.where('event_id', '=', eventId)
		.where('user_id', '=', userId)
		.where('upload_id', '=', uploadId)
		.orderBy('start')
		.execute();
	if (!rows.length) return null;
	const total = rows[0].total;
	const out = new Uint8Array(total);
	let at = 0;
	for (const r of rows) {
		if (r.start !== at || r.total !== total || at + r.bytes.length > total) return null;
		out.set(r.bytes, at);
		at += r.bytes.length;
	}
	return at === total ? out : null;
}

export async function dropUploads(db: Kysely<DB>, eventId: string, userId: string, uploadIds: string[]): Promise<void> {
	if (!uploadIds.length) return;
	await db.deleteFrom('upload_parts').where('event_id', '=', eventId).where('user_id', '=', userId).where('upload_id', 'in', uploadIds).execute();
}

/** Uploads abandoned half-way (a phone that never came back) are dropped after a day. */
export async function pruneUploadParts(db: Kysely<DB>, now = new Date()): Promise<void> {
	await db.deleteFrom('upload_parts').where('created_at', '<', new Date(now.getTime() - 24 * 3_600_000)).execute();
}
