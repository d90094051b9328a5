/**
 * The sitrep pages' reader: their context in the event, and whether they are the commander (who alone reads drafts
 * and writes reports; the rule and its reason are in src/lib/domain/sitrep.ts, readsSitrepDrafts).
 */
import { error } from '@sveltejs/kit';
import { loadEventContext, type EventContext } from '../event-context.ts';
import { mayWriteSitreps as mayWrite, readsSitrepDrafts } from '../../domain/sitrep.ts';
import { m } from '$lib/paraglide/messages';

export interface SitrepReader extends EventContext {
	userId: string;
	userName: string;
	/** Reads drafts (the commander). */
	commander: boolean;
}

/** The reader's context in the event; 401 without a session, 404 when not a member. */
export async function requireSitrepReader(locals: App.Locals, eventId: string): Promise<SitrepReader> {
	if (!locals.user) error(401, { message: m.error_sign_in_first() });
	const ctx = await loadEventContext(locals.db, eventId, locals.user);
	if (!ctx) error(404, { message: m.error_event_not_member() });
	return { ...ctx, userId: locals.user.id, userName: locals.user.displayName, commander: readsSitrepDrafts(ctx.principal) };
}

/** May this reader change reports now (draft, edit, issue, schedule)? */
export function mayWriteSitreps(r: SitrepReader): boolean {
	return mayWrite(r.principal, r.event.status);
}
