/**
 * What the report, upload and attachment endpoints share: the signed-in user's context in the event, and a refusal
 * as a JSON answer that names the problem in the user's language.
 */
import { json } from '@sveltejs/kit';
import type { Kysely } from 'kysely';
import type { DB } from './db/schema.ts';
import type { SessionUser } from './auth/session.ts';
import { loadEventContext, type EventContext } from './event-context.ts';
import { reportProblemText } from '../report-text.ts';
import { m } from '$lib/paraglide/messages';

export function problemAnswer(problem: string, status: number, file?: number): Response {
	return json({ error: problem, message: reportProblemText(problem, file), ...(file ? { file } : {}) }, { status });
}

/** The user's context in the event, or the answer to give instead (401 without a session, 404 when not a member). */
export async function apiContext(db: Kysely<DB>, user: SessionUser | null, eventId: string): Promise<{ ctx: EventContext; user: SessionUser } | Response> {
	if (!user) return json({ error: 'unauthenticated', message: m.error_sign_in_first() }, { status: 401 });
	const ctx = await loadEventContext(db, eventId, user);
	if (!ctx) return json({ error: 'notFound', message: m.error_event_not_member() }, { status: 404 });
	return { ctx, user };
}

/** A JSON body as an object, or null when it is not one (or larger than `max` bytes). */
export async function jsonBody(request: Request, max = 64 * 1024): Promise<Record<string, unknown> | null> {
	if (!/^application\/json/i.test(request.headers.get('content-type') ?? '')) return null;
	const text = await request.text().catch(() => null);
	if (text === null || text.length > max) return null;
	try {
		const v = JSON.parse(text);
		return v && typeof v === 'object' && !Array.isArray(v) ? v : null;
	} catch {
		return null;
	}
}
