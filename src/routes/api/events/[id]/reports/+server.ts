import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { apiContext, jsonBody, problemAnswer } from '$lib/server/report-api';
import { reportViews, submitReport } from '$lib/server/field-reports';
import { readMultipart } from '$lib/server/multipart';
import { MAX_FILE_BYTES, MAX_PHOTOS_PER_REPORT, mayReport } from '$lib/domain/field-reports';
import { dropUploads } from '$lib/server/repositories/attachment.repository';

/**
 * GET /api/events/<id>/reports: the field reports the user may read (every one for the commander, leads and
 * reviewers; their own for a member), newest first, with triage state and the ids of the photos they may see.
 */
export const GET: RequestHandler = async ({ locals, params }) => {
	const got = await apiContext(locals.db, locals.user, params.id);
	if (got instanceof Response) return got;
	return json({ reports: await reportViews(locals.db, got.ctx) });
};

/**
 * POST /api/events/<id>/reports: a new report. Either multipart (fields `id`, `kind`, `body`, `level`, `headCount`,
 * `pin` as "x,y", `lng` and `lat` to attach a position, `reportedAt`; files `photos`), read as a stream; or JSON with
 * the same fields and `uploads`, the ids of resumable uploads already sent. Without an `id` the server makes one.
 * 201 with the report when stored, 200 when it was stored before (a second sending), else the refusal in words.
 */
export const POST: RequestHandler = async ({ locals, params, request }) => {
	const got = await apiContext(locals.db, locals.user, params.id);
	if (got instanceof Response) return got;
	const { ctx, user } = got;
	let raw: Record<string, unknown>;
	let uploads: string[];
	let streamed = false;
	if (/^multipart\/form-data/i.test(request.headers.get('content-type') ?? '')) {
		// Refuse before reading a byte of the files when the user may not report at all.
		if (ctx.event.status === 'closed') return problemAnswer('eventClosed', 409);
		if (!mayReport(ctx.principal, ctx.event.status)) return problemAnswer('forbidden', 403);
		const body = await readMultipart(locals.db, request, { eventId: ctx.event.id, userId: user.id }, { maxFiles: MAX_PHOTOS_PER_REPORT, maxFileBytes: MAX_FILE_BYTES });
		if (!body.ok) return problemAnswer(body.problem, body.problem === 'tooLarge' ? 413 : 400, body.file);
		const f = body.fields;
		raw = { ...f, position: f.lng || f.lat ? { lng: f.lng, lat: f.lat } : null };
		uploads = body.files.map((x) => x.uploadId);
		streamed = true;
	} else {
		const body = await jsonBody(request);
		if (!body) return problemAnswer('malformed', 400);
		raw = body;
		if (body.uploads != null && (!Array.isArray(body.uploads) || body.uploads.some((u) => typeof u !== 'string'))) return problemAnswer('incomplete', 400, 1);
		uploads = (body.uploads as string[] | undefined) ?? [];
	}
	if (raw.id == null || raw.id === '') raw.id = crypto.randomUUID();
	const result = await submitReport(locals.services, ctx, user, raw, uploads);
	if (!result.ok) {
		// Files read from this request belong to it alone; resumable uploads stay for the phone to send again.
		if (streamed) await dropUploads(locals.db, ctx.event.id, user.id, uploads);
		return problemAnswer(result.problem, result.status, result.file);
	}
	return json({ report: result.report }, { status: result.replay ? 200 : 201 });
};
