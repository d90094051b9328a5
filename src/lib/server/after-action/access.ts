/** Who may review an event's record, and whether they see personal data. */
import { error } from '@sveltejs/kit';
import { loadEventContext, type EventContext } from '../event-context.ts';
import { m } from '$lib/paraglide/messages';

/** The event context of a reviewer or the commander; 401/403/404 otherwise. */
export async function requireReviewer(locals: App.Locals, eventId: string): Promise<EventContext & { cleared: boolean; userId: string }> {
	if (!locals.user) error(401, { message: m.error_sign_in_first() });
	const ctx = await loadEventContext(locals.db, eventId, locals.user);
	if (!ctx) error(404, { message: m.error_event_not_member() });
	if (!ctx.actions['record.review']) error(403, { message: m.error_record_forbidden() });
	return { ...ctx, cleared: locals.user.clearedPersonalData, userId: locals.user.id };
}
