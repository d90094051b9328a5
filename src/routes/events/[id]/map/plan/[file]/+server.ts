import { error } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { loadEventContext } from '$lib/server/event-context';
import { attachmentResponse, getAttachment } from '$lib/server/repositories/attachment.repository';
import { m } from '$lib/paraglide/messages';

/** An event's plan image, for its members. Content-addressed, so it never changes under its address. */
export const GET: RequestHandler = async ({ locals, params }) => {
	if (!locals.user) error(401, { message: m.error_sign_in_first() });
	const ctx = await loadEventContext(locals.db, params.id, locals.user);
	if (!ctx) error(404, { message: m.error_no_such_event() });
	if (!/^[0-9a-f]{64}$/.test(params.file)) error(404, { message: m.error_not_found() });
	const file = await getAttachment(locals.db, ctx.event.id, params.file, { kind: 'plan' });
	if (!file) error(404, { message: m.error_not_found() });
	return attachmentResponse(file);
};
