/**
 * A multipart/form-data body read as a stream (busboy): each file goes into upload parts in the database piece by
 * piece as it arrives, so a request holds at most one piece in memory however large its files are and however many
 * phones send at once. The fields come back as text; the files as upload ids for the same path as resumable
 * uploads. Limits are applied while reading: a file past its limit or a file too many is a refusal, not a buffer.
 */
import { Readable } from 'node:stream';
import busboy from 'busboy';
import type { Kysely } from 'kysely';
import type { DB } from './db/schema.ts';
import { newId } from '../domain/ids.ts';
import { UPLOAD_PART_BYTES } from '../domain/field-reports.ts';
import { dropUploads, putUploadPart } from './repositories/attachment.repository.ts';

export interface MultipartFile {
	uploadId: string;
	field: string;
	name: string;
	size: number;
}

export type MultipartResult =
	| { ok: true; fields: Record<string, string>; files: MultipartFile[] }
	| { ok: false; problem: 'malformed' | 'tooLarge' | 'tooManyPhotos' | 'incomplete'; file?: number };

export interface MultipartLimits {
	maxFiles: number;
	maxFileBytes: number;
}

/**
 * Reads a multipart body into upload parts owned by `owner`. On any refusal or a body cut short, every part it
 * stored is removed again before it answers.
 */
export async function readMultipart(db: Kysely<DB>, request: Request, owner: { eventId: string; userId: string }, limits: MultipartLimits): Promise<MultipartResult> {
	const type = request.headers.get('content-type') ?? '';
	if (!request.body || !/^multipart\/form-data/i.test(type)) return { ok: false, problem: 'malformed' };
	const fields: Record<string, string> = {};
	const files: MultipartFile[] = [];
	let refusal: Extract<MultipartResult, { ok: false }> | null = null;
	let parser: busboy.Busboy;
	try {
		parser = busboy({
			headers: { 'content-type': type },
			limits: { files: limits.maxFiles, fileSize: limits.maxFileBytes, fields: 30, fieldSize: 8 * 1024, parts: limits.maxFiles + 31 },
			defParamCharset: 'utf8'
		});
	} catch {
		return { ok: false, problem: 'malformed' };
	}
	const work: Array<Promise<void>> = [];
	const storeFile = async (field: string, name: string, stream: Readable, index: number) => {
		const uploadId = newId();
		const file: MultipartFile = { uploadId, field, name, size: 0 };
		files.push(file);
		let pending: Buffer[] = [];
		let pendingBytes = 0;
		const flush = async () => {
			if (!pendingBytes) return;
			const bytes = Buffer.concat(pending, pendingBytes);
			pending = [];
			pendingBytes = 0;
			// The total is known only at the end; -1 until then, so an unfinished file never assembles.
			await putUploadPart(db, { ...owner, uploadId, start: file.size - bytes.length, total: -1, bytes });
		};
		stream.on('limit', () => {
			refusal ??= { ok: false, problem: 'tooLarge', file: index };
		});
		for await (const chunk of stream as AsyncIterable<Buffer>) {
			if (refusal) continue;
			pending.push(chunk);
			pendingBytes += chunk.length;
			file.size += chunk.length;
			if (pendingBytes >= UPLOAD_PART_BYTES) await flush();
		}
		if (refusal) return;
		if (file.size === 0) {
			// A file input left empty sends a part with no file name and no bytes: that is no file. An empty file under
			// a name is kept as an empty upload, to be refused as empty (not as unfinished) in its turn among the checks.
			if (file.name) await putUploadPart(db, { ...owner, uploadId, start: 0, total: 0, bytes: new Uint8Array(0) });
			else files.splice(files.indexOf(file), 1);
			return;
		}
		await flush();
		await db.updateTable('upload_parts').set({ total: file.size }).where('event_id', '=', owner.eventId).where('user_id', '=', owner.userId).where('upload_id', '=', uploadId).execute();
	};
	parser.on('field', (name, value, info) => {
		if (info.valueTruncated) refusal ??= { ok: false, problem: 'malformed' };
		else fields[name] = value;
	});
	let index = 0;
	parser.on('file', (field, stream, info) => {
		index++;
		work.push(storeFile(field, info.filename ?? '', stream, index));
	});
	parser.on('filesLimit', () => {
		refusal ??= { ok: false, problem: 'tooManyPhotos' };
	});
	parser.on('partsLimit', () => {
		refusal ??= { ok: false, problem: 'malformed' };
	});
	parser.on('fieldsLimit', () => {
		refusal ??= { ok: false, problem: 'malformed' };
	});
	try {
		await new Promise<void>((resolve, reject) => {
			parser.on('close', resolve);
			parser.on('error', reject);
			const body = Readable.fromWeb(request.body as import('node:stream/web').ReadableStream<Uint8Array>);
			body.on('error', (err) => {
				// A body cut off (the phone lost its connection) ends the parser too: pipe() would leave it, and the file
				// it was reading, waiting for bytes that never come, with that file's first pieces stored.
				parser.destroy(err);
				reject(err);
			});
			body.pipe(parser);
		});
		await Promise.all(work);
	} catch {
		await Promise.allSettled(work);
		refusal ??= { ok: false, problem: 'incomplete', file: Math.max(1, files.length) };
	}
	if (refusal) {
		await dropUploads(db, owner.eventId, owner.userId, files.map((f) => f.uploadId)).catch(() => {});
		return refusal;
	}
	return { ok: true, fields, files };
}
