import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { apiContext, jsonBody, problemAnswer } from '$lib/server/report-api';
import { mayViewFile } from '$lib/server/field-reports';
import { attachmentResponse, getAttachment, linksOf, markAttachment } from '$lib/server/repositories/attachment.repository';
import { mayMarkAttachment } from '$lib/domain/field-reports';

const HASH = /^[0-9a-f]{64}$/;

/**
 * GET /api/events/<id>/files/<sha256>[?size=thumb]: a stored photo or file, to a signed-in member of the event who
 * may see something it is attached to. The address is the content's hash (not guessable, and the same bytes are
 * never two files), but the address alone opens nothing: every request is checked.
 */
export const GET: RequestHandler = async ({ locals, params, url }) => {
	const got = await apiContext(locals.db, locals.user, params.id);
	if (got instanceof Response) return got;
	if (!HASH.test(params.file)) return problemAnswer('notFound', 404);
	const links = await linksOf(locals.db, got.ctx.event.id, params.file);
	if (!links.length) return problemAnswer('notFound', 404);
	if (!mayViewFile(got.ctx.principal, links)) return problemAnswer('forbidden', 403);
	const file = await getAttachment(locals.db, got.ctx.event.id, params.file, { thumbnail: url.searchParams.get('size') === 'thumb' });
	if (!file) return problemAnswer('notFound', 404);
	const name = file.mime === 'application/pdf' ? links.find((l) => l.target !== 'report') && `${params.file.slice(0, 12)}.pdf` : undefined;
	return attachmentResponse(file, name || undefined);
};

/**
 * PATCH /api/events/<id>/files/<sha256> with JSON `{people?: boolean, onWall?: boolean}`: the commander marks a
 * file as showing people (personal data; it then leaves the wall) or puts it on the wall (never one showing people).
 */
export const PATCH: RequestHandler = async ({ locals, params, request }) => {
	const got = await apiContext(locals.db, locals.user, params.id);
	if (got instanceof Response) return got;
	if (got.ctx.event.status === 'closed') return problemAnswer('eventClosed', 409);
	if (!mayMarkAttachment(got.ctx.principal, got.ctx.event.status)) return problemAnswer('forbidden', 403);
	if (!HASH.test(params.file)) return problemAnswer('notFound', 404);
	const body = await jsonBody(request);
	const people = body?.people;
	const onWall = body?.onWall;
	if (!body || (people !== undefined && typeof people !== 'boolean') || (onWall !== undefined && typeof onWall !== 'boolean')) return problemAnswer('malformed', 400);
	const links = await linksOf(locals.db, got.ctx.event.id, params.file);
	if (!links.length) return problemAnswer('notFound', 404);
	if (onWall === true && people !== false && links.some((l) => l.people)) return problemAnswer('forbidden', 409);
	await markAttachment(locals.db, got.ctx.event.id, params.file, { people, onWall });
	for (const l of links) locals.services.attachmentsChanged(got.ctx.event.id, { target: l.target, targetId: l.targetId });
	return json({ ok: true });
};
