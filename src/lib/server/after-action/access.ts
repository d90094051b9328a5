/** Who may review an event's record, and whether they see personal data. */
import { error } from '@sveltejs/kit';
import { loadEventContext, type EventContext } from '../event-context.ts';

/** The event context of a reviewer or the commander; 401/403/404 otherwise. */
export async function requireReviewer(locals: App.Locals, eventId: string): Promise<EventContext & { cleared: boolean; userId: string }> {
	if (!locals.user) error(401, { message: 'Sign in first.' });
	const ctx = await loadEventContext(locals.db, eventId, locals.user);
	if (!ctx) error(404, { message: 'No such event, or you are not a member of it.' });
	if (!ctx.actions['record.review']) error(403, { message: 'Only reviewers and the commander see the after-action record.' });
	return { ...ctx, cleared: locals.user.clearedPersonalData, userId: locals.user.id };
}
