/**
 * Who is behind a live connection (WebSocket or socket.io): a signed-in user from the session cookie, or a
 * wall display from its token. The same checks as for pages, in one place for both live channels.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { SESSION_COOKIE, validateSessionToken, type SessionUser } from './session.ts';
import { validateDisplayToken } from '../repositories/display-token.repository.ts';

export type LiveActor =
	| { kind: 'user'; user: SessionUser; sessionId: string }
	| { kind: 'display'; tokenId: string; eventId: string; name: string };

/** Reads one cookie from a Cookie header. */
export function readCookie(header: string | undefined, name: string): string | null {
	if (!header) return null;
	for (const part of header.split(';')) {
		const eq = part.indexOf('=');
		if (eq < 0) continue;
		if (part.slice(0, eq).trim() === name) {
			try {
				return decodeURIComponent(part.slice(eq + 1).trim());
			} catch {
				return null;
			}
		}
	}
	return null;
}

/** Authenticates a live connection: a display token if one is given, else the session cookie. */
export async function authenticateLive(
	db: Kysely<DB>,
	input: { cookieHeader?: string; displayToken?: string | null }
): Promise<LiveActor | null> {
	if (input.displayToken) {
		const t = await validateDisplayToken(db, input.displayToken);
		return t ? { kind: 'display', tokenId: t.tokenId, eventId: t.eventId, name: t.name } : null;
	}
	const token = readCookie(input.cookieHeader, SESSION_COOKIE);
	if (!token) return null;
	const result = await validateSessionToken(db, token);
	return result.session ? { kind: 'user', user: result.user, sessionId: result.session.id } : null;
}

/** Which of these sessions are still valid (exist, not expired, user not disabled). */
export async function liveSessionIds(db: Kysely<DB>, ids: string[]): Promise<Set<string>> {
	if (!ids.length) return new Set();
	const rows = await db
		.selectFrom('sessions')
		.innerJoin('users', 'users.id', 'sessions.user_id')
		.select('sessions.id')
		.where('sessions.id', 'in', ids)
		.where('sessions.expires_at', '>', new Date())
		.where('users.disabled_at', 'is', null)
		.execute();
	return new Set(rows.map((r) => r.id));
}

/** Which of these display tokens are still valid (not revoked). */
export async function liveDisplayTokenIds(db: Kysely<DB>, ids: string[]): Promise<Set<string>> {
	if (!ids.length) return new Set();
	const rows = await db.selectFrom('display_tokens').select('id').where('id', 'in', ids).where('revoked_at', 'is', null).execute();
	return new Set(rows.map((r) => r.id));
}
