import { error } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { loadWallContext } from '$lib/server/wall';
import { attachmentResponse, getAttachment, linksOf } from '$lib/server/repositories/attachment.repository';
import { mayViewFile } from '$lib/server/field-reports';
import { m } from '$lib/paraglide/messages';

/** GET /wall/<token>/files/<sha256>[?size=thumb]: a photo the commander put on the wall, for a live display link only. */
export const GET: RequestHandler = async ({ locals, params, url }) => {
	const ctx = await loadWallContext(locals.db, params.token);
	if (!ctx) error(404, { message: m.error_display_link_unknown() });
	if (!/^[0-9a-f]{64}$/.test(params.file)) error(404, { message: m.error_not_found() });
	const links = await linksOf(locals.db, ctx.event.id, params.file);
	if (!mayViewFile({ kind: 'display', eventId: ctx.event.id }, links)) error(404, { message: m.error_not_found() });
	const file = await getAttachment(locals.db, ctx.event.id, params.file, { thumbnail: url.searchParams.get('size') === 'thumb' });
	if (!file) error(404, { message: m.error_not_found() });
	return attachmentResponse(file);
};
