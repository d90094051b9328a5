import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { apiContext, jsonBody, problemAnswer } from '$lib/server/report-api';
import { attachFiles } from '$lib/server/field-reports';
import { listAttachments } from '$lib/server/repositories/attachment.repository';
import { mayViewAttachment } from '$lib/domain/field-reports';
import { isId } from '$lib/domain/ids';

const TARGETS = ['card', 'dispute'] as const;

/**
 * GET /api/events/<id>/attachments?target=card|dispute&id=<card or dispute id>: the files on it the user may see,
 * and how many more there are that they may not.
 */
export const GET: RequestHandler = async ({ locals, params, url }) => {
	const got = await apiContext(locals.db, locals.user, params.id);
	if (got instanceof Response) return got;
	const target = url.searchParams.get('target');
	const id = url.searchParams.get('id');
	if (!TARGETS.includes(target as (typeof TARGETS)[number]) || !isId(id)) return problemAnswer('target', 400);
	const all = await listAttachments(locals.db, got.ctx.event.id, { target: target as 'card' | 'dispute', targetIds: [id] });
	const visible = all.filter((f) => mayViewAttachment(got.ctx.principal, { target: f.target, targetId: f.targetId, agency: f.agency, people: f.people, onWall: f.onWall }));
	return json({
		attachments: visible.map((f) => ({
			id: f.id,
			name: f.name,
			mime: f.mime,
			size: f.size,
			width: f.width,
			height: f.height,
			people: f.people,
			onWall: f.onWall,
			byName: f.createdByName,
			at: f.createdAt.toISOString()
		})),
		hidden: all.length - visible.length
	});
};

/**
 * POST /api/events/<id>/attachments with JSON `{target, targetId, agency, files: [{uploadId, name, people}]}`: attaches
 * resumable uploads (images or PDFs, checked by content) to a card or dispute entry of an agency.
 */
export const POST: RequestHandler = async ({ locals, params, request }) => {
	const got = await apiContext(locals.db, locals.user, params.id);
	if (got instanceof Response) return got;
	const body = await jsonBody(request);
	if (!body || !TARGETS.includes(body.target as (typeof TARGETS)[number]) || typeof body.targetId !== 'string' || typeof body.agency !== 'string') {
		return problemAnswer('target', 400);
	}
	const files = Array.isArray(body.files) ? body.files : null;
	if (!files || files.some((f) => !f || typeof f !== 'object' || typeof f.uploadId !== 'string')) return problemAnswer('incomplete', 400, 1);
	const result = await attachFiles(
		locals.services,
		got.ctx,
		got.user,
		{ target: body.target as 'card' | 'dispute', targetId: body.targetId, agency: body.agency },
		files.map((f: { uploadId: string; name?: unknown; people?: unknown }) => ({ uploadId: f.uploadId, name: typeof f.name === 'string' ? f.name : '', people: f.people === true }))
	);
	if (!result.ok) return problemAnswer(result.problem, result.status, result.file);
	return json({ ids: result.ids }, { status: 201 });
};
