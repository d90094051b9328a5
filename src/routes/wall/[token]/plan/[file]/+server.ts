import { error } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { loadWallContext } from '$lib/server/wall';
import { attachmentResponse, getAttachment } from '$lib/server/repositories/attachment.repository';
import { m } from '$lib/paraglide/messages';

/** GET /wall/<token>/plan/<file>: the event's plan for a wall display with a live link. */
export const GET: RequestHandler = async ({ locals, params }) => {
	const ctx = await loadWallContext(locals.db, params.token);
	if (!ctx) error(404, { message: m.error_display_link_unknown() });
	if (!/^[0-9a-f]{64}$/.test(params.file)) error(404, { message: m.error_not_found() });
	const file = await getAttachment(locals.db, ctx.event.id, params.file, { kind: 'plan' });
	if (!file) error(404, { message: m.error_not_found() });
	return attachmentResponse(file);
};
