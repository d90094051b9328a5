/**
 * Who reads and writes situation reports. Every member of the event reads issued reports (through the page and the
 * API). Drafts are the commander's alone, and only the commander edits, issues and sets the schedule. Leads do not
 * read drafts: a draft is not yet an order — a lead who acted on its 下步工作 before it was issued would act on
 * words the commander may still change — and every figure in it is on the board, roster and wall for them already.
 */
import { error } from '@sveltejs/kit';
import { loadEventContext, type EventContext } from '../event-context.ts';
import { m } from '$lib/paraglide/messages';

export interface SitrepReader extends EventContext {
	userId: string;
	userName: string;
	/** The commander: reads drafts, edits, issues, sets the schedule. */
	commander: boolean;
}

/** The reader's context in the event; 401 without a session, 404 when not a member. */
export async function requireSitrepReader(locals: App.Locals, eventId: string): Promise<SitrepReader> {
	if (!locals.user) error(401, { message: m.error_sign_in_first() });
	const ctx = await loadEventContext(locals.db, eventId, locals.user);
	if (!ctx) error(404, { message: m.error_event_not_member() });
	return { ...ctx, userId: locals.user.id, userName: locals.user.displayName, commander: ctx.role === 'commander' };
}

/** May this reader change reports now: the commander, while the event is not closed. */
export function mayWriteSitreps(r: SitrepReader): boolean {
	return r.commander && r.event.status !== 'closed';
}
