/**
 * The fuzz suite's checks of stored field reports and files, read with the server stopped (fuzz-storage.ts): every
 * report passes the domain's report check as it stood when it arrived and its triage fields fit its state; every
 * link points at a stored file and, for a report, at a stored report; every file is addressed by the SHA-256 of its
 * bytes, and a photo is a JPEG that decodes, carries no metadata and is no larger than the server makes photos;
 * no file but a plan hangs on nothing; and what is left of uploads is whole pieces, in order from the start.
 */
import { createHash } from 'node:crypto';
import sharp from 'sharp';
import type { Kysely } from 'kysely';
import type { DB } from '../../src/lib/server/db/schema.ts';
import { checkReportInput, MAX_FILE_BYTES, MAX_PART_BYTES, MAX_REASON_TEXT, PHOTO_SIDE, REPORT_STATES, THUMB_SIDE } from '../../src/lib/domain/field-reports.ts';
import { isId } from '../../src/lib/domain/ids.ts';

const show = (row: object) => JSON.stringify(row, (_k, v) => (v instanceof Uint8Array ? `<${v.length} bytes>` : v)).slice(0, 400);

/** Returns one line per problem found. */
export async function checkFileRows(db: Kysely<DB>): Promise<string[]> {
	const problems: string[] = [];
	const reportIds = await checkReports(db, problems);
	const fileIds = await checkFiles(db, problems);
	await checkLinks(db, problems, reportIds, fileIds);
	await checkUploadParts(db, problems);
	return problems;
}

async function checkReports(db: Kysely<DB>, problems: string[]): Promise<Set<string>> {
	const rows = await db
		.selectFrom('field_reports')
		.select(['event_id', 'id', 'kind', 'body', 'level', 'head_count', 'pin_x', 'pin_y', 'lng', 'lat', 'reported_at', 'received_at', 'state', 'triaged_at', 'card_agency', 'card_id', 'duplicate_of', 'reason'])
		.execute();
	const ids = new Set(rows.map((r) => `${r.event_id}/${r.id}`));
	for (const r of rows) {
		const bad = (why: string) => problems.push(`table field_reports holds an invalid row (${why}): ${show(r)}`);
		const raw = {
			id: r.id,
			kind: r.kind,
			body: r.body,
			level: r.level,
			headCount: r.head_count,
			pin: r.pin_x === null && r.pin_y === null ? null : [r.pin_x, r.pin_y],
			position: r.lng === null && r.lat === null ? null : { lng: r.lng, lat: r.lat },
			reportedAt: r.reported_at.toISOString()
		};
		// As the report stood when it arrived: a report checked then is valid for good.
		const c = checkReportInput(raw, r.received_at);
		if (!c.ok) bad(`fails the report check at ${c.problem}`);
		else if (c.input.body !== r.body || c.input.pin?.join() !== (raw.pin as number[] | null)?.join() || c.input.reportedAt.getTime() !== r.reported_at.getTime()) bad('not in the form the check makes of it');
		if (!(REPORT_STATES as readonly string[]).includes(r.state)) bad(`state ${r.state}`);
		const triaged = r.state !== 'new';
		if (triaged !== (r.triaged_at !== null)) bad('triage time does not fit the state');
		const card = r.state === 'card' || r.state === 'attached';
		if (card !== (isId(r.card_agency) && isId(r.card_id))) bad('card does not fit the state');
		if ((r.state === 'duplicate') !== (r.duplicate_of !== null) || (r.duplicate_of !== null && (r.duplicate_of === r.id || !ids.has(`${r.event_id}/${r.duplicate_of}`)))) bad('duplicate of a report that is none');
		const reason = r.reason ?? '';
		if ((r.state === 'closed') !== (reason !== '') || reason !== reason.trim() || reason.includes('\u0000') || [...reason].length > MAX_REASON_TEXT) bad('reason does not fit the state');
	}
	return ids;
}

async function checkFiles(db: Kysely<DB>, problems: string[]): Promise<Set<string>> {
	const rows = await db.selectFrom('attachments').select(['event_id', 'id', 'kind', 'mime', 'bytes', 'thumbnail', 'size', 'width', 'height']).execute();
	for (const r of rows) {
		const bad = (why: string) => problems.push(`table attachments holds an invalid row (${why}): ${show(r)}`);
		const bytes = new Uint8Array(r.bytes);
		if (createHash('sha256').update(bytes).digest('hex') !== r.id) bad('its id is not the SHA-256 of its bytes');
		if (r.size !== bytes.length) bad(`size ${r.size} for ${bytes.length} bytes`);
		if (r.kind === 'photo') {
			const problem = await checkPhoto(bytes, r.mime, r.width, r.height, r.thumbnail ? new Uint8Array(r.thumbnail) : null);
			if (problem) bad(problem);
		} else if (r.kind === 'file') {
			if (r.mime !== 'application/pdf' || !Buffer.from(bytes.subarray(0, 5)).equals(Buffer.from('%PDF-')) || r.thumbnail) bad('a file that is no PDF as kept');
		} else if (r.kind !== 'plan') bad(`kind ${r.kind}`);
		if (bytes.length > MAX_FILE_BYTES && r.kind !== 'plan') bad('larger than a file may be');
	}
	const linked = new Set((await db.selectFrom('attachment_links').select(['event_id', 'attachment_id']).execute()).map((l) => `${l.event_id}/${l.attachment_id}`));
	for (const r of rows) if (r.kind !== 'plan' && !linked.has(`${r.event_id}/${r.id}`)) problems.push(`table attachments keeps a ${r.kind} attached to nothing: ${r.id}`);
	return new Set(rows.map((r) => `${r.event_id}/${r.id}`));
}

/** A photo as the server makes them: a JPEG that decodes whole, without EXIF, at most PHOTO_SIDE, with its thumbnail. */
async function checkPhoto(bytes: Uint8Array, mime: string, width: number | null, height: number | null, thumbnail: Uint8Array | null): Promise<string | null> {
	if (mime !== 'image/jpeg') return `photo kept as ${mime}`;
	try {
		const meta = await sharp(bytes).metadata();
		if (meta.format !== 'jpeg') return `photo is ${meta.format}`;
		if (meta.exif || meta.xmp || meta.iptc) return 'photo keeps metadata (EXIF, XMP or IPTC)';
		if (meta.width !== width || meta.height !== height) return `photo is ${meta.width}×${meta.height}, recorded as ${width}×${height}`;
		if (Math.max(meta.width ?? 0, meta.height ?? 0) > PHOTO_SIDE) return 'photo larger than the server makes them';
		await sharp(bytes, { failOn: 'truncated' }).raw().toBuffer();
		if (!thumbnail) return 'photo without a thumbnail';
		const thumb = await sharp(thumbnail).metadata();
		if (thumb.format !== 'jpeg' || Math.max(thumb.width ?? 0, thumb.height ?? 0) > THUMB_SIDE || thumb.exif) return 'thumbnail is no small JPEG without metadata';
	} catch (err) {
		return `photo does not decode: ${(err as Error).message}`;
	}
	return null;
}

async function checkLinks(db: Kysely<DB>, problems: string[], reportIds: Set<string>, fileIds: Set<string>): Promise<void> {
	const rows = await db.selectFrom('attachment_links').select(['event_id', 'attachment_id', 'target', 'target_id', 'agency', 'name', 'people', 'on_wall']).execute();
	for (const r of rows) {
		const bad = (why: string) => problems.push(`table attachment_links holds an invalid row (${why}): ${show(r)}`);
		if (!fileIds.has(`${r.event_id}/${r.attachment_id}`)) bad('no such file');
		if (!['report', 'card', 'dispute'].includes(r.target) || !isId(r.target_id)) bad('no such kind of target');
		if (r.target === 'report' && !reportIds.has(`${r.event_id}/${r.target_id}`)) bad('no such report');
		if (r.agency !== null && !isId(r.agency)) bad('agency is no code');
		if (r.target !== 'report' && r.agency === null) bad('a card or dispute entry of no agency');
		if (/[\u0000-\u001f\u007f/\\]/.test(r.name) || [...r.name].length > 120 || r.name !== r.name.trim()) bad('name is not as cleaned');
		if (r.people && r.on_wall) bad('shows people and is on the wall');
	}
}

/** Pieces of unfinished uploads: whole, of one declared total, in order from the start, none past the total. */
async function checkUploadParts(db: Kysely<DB>, problems: string[]): Promise<void> {
	const rows = await db.selectFrom('upload_parts').select(['event_id', 'user_id', 'upload_id', 'start', 'total', 'bytes']).orderBy('event_id').orderBy('user_id').orderBy('upload_id').orderBy('start').execute();
	const uploads = new Map<string, typeof rows>();
	for (const r of rows) {
		const key = `${r.event_id}/${r.user_id}/${r.upload_id}`;
		if (!uploads.has(key)) uploads.set(key, []);
		uploads.get(key)!.push(r);
	}
	for (const [key, parts] of uploads) {
		const total = parts[0].total;
		let at = 0;
		for (const p of parts) {
			const why =
				p.total !== total ? `declares total ${p.total} where its first piece says ${total}`
				: total < 1 || total > MAX_FILE_BYTES ? `declares total ${total}, which no upload may have (an unfinished streamed file?)`
				: p.start !== at ? `starts at ${p.start} where the upload has ${at} bytes`
				: p.bytes.length < 1 || p.bytes.length > MAX_PART_BYTES || p.start + p.bytes.length > total ? `piece of ${p.bytes.length} bytes at ${p.start} of ${total}`
				: null;
			if (why) {
				problems.push(`table upload_parts holds a piece that is not whole or in order (upload ${key}: ${why})`);
				break;
			}
			at += p.bytes.length;
		}
	}
}
