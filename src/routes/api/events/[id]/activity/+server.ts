import { error, json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { loadEventContext, readableDocs } from '$lib/server/event-context';
import { listActivity } from '$lib/server/repositories/doc-log.repository';
import { m } from '$lib/paraglide/messages';
import { parseInstant } from '$lib/domain/validation';

/**
 * GET /api/events/<id>/activity[?entity=<id>&kind=<card|shift|dispute|…>&agency=<code>&limit=<n>&before=<iso>&beforeId=<id>]:
 * the event's activity, newest first, from the documents the user may read only.
 */
export const GET: RequestHandler = async ({ locals, params, url }) => {
	if (!locals.user) return json({ error: 'unauthenticated', message: 'Sign in first.' }, { status: 401 });
	const ctx = await loadEventContext(locals.db, params.id, locals.user);
	if (!ctx) error(404, { message: m.error_event_not_member() });
	const limit = Math.min(1000, Math.max(1, Number(url.searchParams.get('limit') ?? 200) || 200));
	const beforeRaw = url.searchParams.get('before');
	const before = beforeRaw ? parseInstant(beforeRaw) : undefined;
	if (before === null) return json({ error: 'invalid', message: 'before must be an ISO time between the years 1970 and 9999' }, { status: 400 });
	// The id of the last row of the previous page, with `before` its time: the next page starts right after it.
	const beforeId = url.searchParams.get('beforeId') ?? undefined;
	if (beforeId !== undefined && !/^\d{1,19}$/.test(beforeId)) return json({ error: 'invalid', message: 'beforeId must be an activity id' }, { status: 400 });
	const agency = url.searchParams.get('agency');
	const docs = readableDocs(ctx).filter((d) => !agency || d.endsWith(`/agency/${agency}`));
	const rows = await listActivity(locals.db, params.id, {
		docs,
		entityType: url.searchParams.get('kind') ?? undefined,
		entityId: url.searchParams.get('entity') ?? undefined,
		limit,
		before,
		beforeId
	});
	return json({
		activity: rows.map((r) => ({
			id: r.id,
			doc: r.doc,
			seq: r.seq,
			userId: r.userId,
			userName: r.userName,
			at: r.at.toISOString(),
			entityType: r.entityType,
			entityId: r.entityId,
			action: r.action,
			field: r.field,
			subject: r.subject,
			from: r.from,
			to: r.to
		}))
	});
};
