import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { sql } from 'kysely';
import { apiContext, boundedBody, problemAnswer } from '$lib/server/report-api';
import { putUploadPart, uploadProgress } from '$lib/server/repositories/attachment.repository';
import { MAX_FILE_BYTES, MAX_PART_BYTES, MAX_PHOTOS_PER_REPORT, mayReport } from '$lib/domain/field-reports';
import { isId } from '$lib/domain/ids';
import { reportProblemText } from '$lib/report-text';

/** Unfinished uploads one user may hold in an event: a full report's photos, twice over. */
const MAX_PENDING_BYTES = 2 * MAX_PHOTOS_PER_REPORT * MAX_FILE_BYTES;

/** GET /api/events/<id>/uploads/<upload>: how much of this user's upload has arrived, to resume from there. */
export const GET: RequestHandler = async ({ locals, params }) => {
	const got = await apiContext(locals.db, locals.user, params.id);
	if (got instanceof Response) return got;
	if (!isId(params.upload)) return problemAnswer('incomplete', 400, 1);
	return json(await uploadProgress(locals.db, got.ctx.event.id, got.user.id, params.upload));
};

/**
 * PUT /api/events/<id>/uploads/<upload> with `Content-Range: bytes <start>-<end>/<total>` and the piece as the body
 * (at most 1 MB): a resumable upload. A piece must start where what arrived ends (409 with `received` otherwise);
 * the same piece sent twice is kept once. The file is checked when the report or attachment that names it is sent.
 */
export const PUT: RequestHandler = async ({ locals, params, request }) => {
	const got = await apiContext(locals.db, locals.user, params.id);
	if (got instanceof Response) return got;
	const { ctx, user } = got;
	if (ctx.event.status === 'closed') return problemAnswer('eventClosed', 409);
	if (!mayReport(ctx.principal, ctx.event.status)) return problemAnswer('forbidden', 403);
	if (!isId(params.upload)) return problemAnswer('incomplete', 400, 1);
	const range = /^bytes (\d{1,9})-(\d{1,9})\/(\d{1,9})$/.exec(request.headers.get('content-range') ?? '');
	if (!range) return problemAnswer('malformed', 400);
	const [start, end, total] = range.slice(1).map(Number);
	if (total > MAX_FILE_BYTES) return problemAnswer('tooLarge', 413, 1);
	if (end < start || end >= total || end - start + 1 > MAX_PART_BYTES) return problemAnswer('malformed', 400);
	// Held only up to the piece's declared length: a body longer than its range is refused without being kept.
	const bytes = await boundedBody(request, end - start + 1);
	if (!bytes || bytes.length !== end - start + 1) return problemAnswer('incomplete', 400, 1);
	const progress = await uploadProgress(locals.db, ctx.event.id, user.id, params.upload);
	if (progress.total !== null && progress.total !== total) return problemAnswer('malformed', 400);
	if (start < progress.received) return json(progress);
	if (start > progress.received) return json({ error: 'partOrder', message: reportProblemText('partOrder'), ...progress }, { status: 409 });
	const pending = await locals.db
		.selectFrom('upload_parts')
		.select(sql<string>`coalesce(sum(octet_length(bytes)), 0)`.as('n'))
		.where('event_id', '=', ctx.event.id)
		.where('user_id', '=', user.id)
		.executeTakeFirst();
	if (Number(pending?.n ?? 0) + bytes.length > MAX_PENDING_BYTES) return problemAnswer('pendingFull', 429);
	await putUploadPart(locals.db, { eventId: ctx.event.id, userId: user.id, uploadId: params.upload, start, total, bytes });
	return json({ received: start + bytes.length, total });
};
