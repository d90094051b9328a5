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

/**
 * A request's body, or null when it is longer than `max` bytes or was cut off. Bytes past `max` are read and
 * dropped, never held: a piece declared as a few bytes may come with megabytes, and the connection must be left
 * ready for the next request.
 */
export async function boundedBody(request: Request, max: number): Promise<Uint8Array | null> {
	if (!request.body) return new Uint8Array(0);
	const reader = request.body.getReader();
	const chunks: Uint8Array[] = [];
	let length = 0;
	try {
		for (;;) {
			const { done, value } = await reader.read();
			if (done) break;
			length += value.length;
			if (length <= max) chunks.push(value);
		}
	} catch {
		return null;
	}
	if (length > max) return null;
	const out = new Uint8Array(length);
	let at = 0;
	for (const c of chunks) {
		out.set(c, at);
		at += c.length;
	}
	return out;
}

/** A JSON body as an object, or null when it is not one (or longer than `max` characters). */
export async function jsonBody(request: Request, max = 64 * 1024): Promise<Record<string, unknown> | null> {
	if (!/^application\/json/i.test(request.headers.get('content-type') ?? '')) return null;
	// A character takes at most three bytes of UTF-8 (four for two UTF-16 units), so no more bytes are needed.
	const bytes = await boundedBody(request, 3 * max);
	const text = bytes && new TextDecoder().decode(bytes);
	if (!text || text.length > max) return null;
	try {
		const v = JSON.parse(text);
		return v && typeof v === 'object' && !Array.isArray(v) ? v : null;
	} catch {
		return null;
	}
}
