import { error } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { loadEventContext } from '$lib/server/event-context';
import { labelCode, labelSheet, patrolRoutes, patrolSecret, signCheckpoint } from '$lib/server/patrol';
import { commandDocName } from '$lib/domain/documents';
import { readPosts } from '$lib/domain/roster';
import { mayManagePatrol } from '$lib/domain/patrol';
import { m } from '$lib/paraglide/messages';

/** GET /events/<id>/patrol/labels/<post>: the route's QR label sheet (PDF), for whoever sets the route up. */
export const GET: RequestHandler = async ({ locals, params, url }) => {
	if (!locals.user) error(401, { message: m.error_sign_in_first() });
	const ctx = await loadEventContext(locals.db, params.id, locals.user);
	if (!ctx) error(404, { message: m.error_event_not_member() });
	const route = (await patrolRoutes(locals.db, readPosts(await locals.services.readDocument(commandDocName(ctx.event.id))), ctx.event.id)).find((r) => r.postId === params.post);
	if (!route) error(404, { message: m.error_not_found() });
	// A closed event's labels may still be printed for the record by those who managed them.
	if (!mayManagePatrol(ctx.principal, route.agency, 'active')) error(403, { message: m.command_error_forbidden() });
	const secret = await patrolSecret(locals.db);
	const pdf = await labelSheet(
		route.checkpoints.map((c) => ({ name: c.name, code: labelCode(c.id, signCheckpoint(secret, ctx.event.id, c.id)) })),
		{ event: ctx.event.name, route: route.postName, origin: url.origin, note: m.patrol_labels_note({ minutes: route.intervalMinutes }) }
	);
	return new Response(Buffer.from(pdf), {
		headers: {
			'content-type': 'application/pdf',
			'content-disposition': `inline; filename*=UTF-8''${encodeURIComponent(`${route.postName}-巡更点.pdf`)}`,
			'cache-control': 'private, no-store'
		}
	});
};
