/**
 * Files kept in the database (venue plans), addressed by the SHA-256 of their content within their event. Who may
 * read one is decided by the caller from the event; rows never leave this file.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';

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
	file: { id: string; eventId: string; kind: 'plan'; mime: string; bytes: Uint8Array; width: number; height: number; createdBy: string }
): Promise<string> {
	await db
		.insertInto('attachments')
		.values({
			id: file.id,
			event_id: file.eventId,
			kind: file.kind,
			mime: file.mime,
			bytes: Buffer.from(file.bytes),
			width: file.width,
			height: file.height,
			created_by: file.createdBy
		})
		.onConflict((oc) => oc.columns(['event_id', 'id']).doNothing())
		.execute();
	return file.id;
}

/** A stored file as an HTTP answer: content-addressed, so it never changes under its address. */
export function attachmentResponse(file: StoredFile): Response {
	return new Response(Buffer.from(file.bytes), {
		headers: { 'content-type': file.mime, 'cache-control': 'private, max-age=31536000, immutable', 'x-content-type-options': 'nosniff' }
	});
}

export async function getAttachment(db: Kysely<DB>, eventId: string, id: string): Promise<StoredFile | null> {
	const row = await db
		.selectFrom('attachments')
		.select(['id', 'mime', 'bytes', 'width', 'height'])
		.where('event_id', '=', eventId)
		.where('id', '=', id)
		.executeTakeFirst();
	return row ? { id: row.id, mime: row.mime, bytes: new Uint8Array(row.bytes), width: row.width, height: row.height } : null;
}
