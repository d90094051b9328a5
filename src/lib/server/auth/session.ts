/**
 * Sessions as Lucia's guide teaches: a random token lives only in the user's cookie, the database keeps its
 * SHA-256 as the session id, and expiry slides forward while the session is used. Framework-free: the same
 * validation serves SvelteKit's hooks, the socket.io handshake and the Yjs upgrade.
 */
import { sha256 } from '@oslojs/crypto/sha2';
import { encodeBase32LowerCaseNoPadding, encodeHexLowerCase } from '@oslojs/encoding';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';

export const SESSION_COOKIE = 'session';
export const SESSION_LIFETIME_MS = 30 * 24 * 60 * 60 * 1000;
/** A session used in its last half gets a fresh 30 days. */
const SESSION_RENEW_WITHIN_MS = SESSION_LIFETIME_MS / 2;

/** What the app knows about a signed-in user. Never the password hash. */
export interface SessionUser {
	id: string;
	username: string;
	displayName: string;
	agencyCode: string | null;
	teamId: string | null;
	isAdmin: boolean;
	clearedPersonalData: boolean;
	locale: string | null;
}

export interface Session {
	id: string;
	userId: string;
	expiresAt: Date;
}

export type SessionValidationResult =
	| { session: Session; user: SessionUser; renewed: boolean }
	| { session: null; user: null; renewed: false };

export function generateSessionToken(): string {
	const bytes = new Uint8Array(20);
	crypto.getRandomValues(bytes);
	return encodeBase32LowerCaseNoPadding(bytes);
}

export function sessionIdFromToken(token: string): string {
	return encodeHexLowerCase(sha256(new TextEncoder().encode(token)));
}

export async function createSession(
	db: Kysely<DB>,
	token: string,
	userId: string,
	meta: { ip?: string | null; userAgent?: string | null } = {},
	now = new Date()
): Promise<Session> {
	const session: Session = {
		id: sessionIdFromToken(token),
		userId,
		expiresAt: new Date(now.getTime() + SESSION_LIFETIME_MS)
	};
	await db
		.insertInto('sessions')
		.values({
			id: session.id,
			user_id: userId,
			expires_at: session.expiresAt,
			created_at: now,
			ip: meta.ip ?? null,
			user_agent: meta.userAgent?.slice(0, 300) ?? null
		})
		.execute();
	return session;
}

export async function validateSessionToken(
	db: Kysely<DB>,
	token: string,
	now = new Date()
): Promise<SessionValidationResult> {
	const none = { session: null, user: null, renewed: false } as const;
	if (!/^[a-z2-7]{32}$/.test(token)) return none;
	const sessionId = sessionIdFromToken(token);
	const row = await db
		.selectFrom('sessions')
		.innerJoin('users', 'users.id', 'sessions.user_id')
		.select([
			'sessions.id as session_id',
			'sessions.expires_at',
			'users.id as user_id',
			'users.username',
			'users.display_name',
			'users.agency_code',
			'users.team_id',
			'users.is_admin',
			'users.cleared_personal_data',
			'users.locale',
			'users.disabled_at'
		])
		.where('sessions.id', '=', sessionId)
		.executeTakeFirst();
	if (!row) return none;
	if (row.disabled_at !== null || now.getTime() >= new Date(row.expires_at).getTime()) {
		await db.deleteFrom('sessions').where('id', '=', sessionId).execute();
		return none;
	}
	let expiresAt = new Date(row.expires_at);
	let renewed = false;
	if (now.getTime() >= expiresAt.getTime() - SESSION_RENEW_WITHIN_MS) {
		expiresAt = new Date(now.getTime() + SESSION_LIFETIME_MS);
		renewed = true;
		await db.updateTable('sessions').set({ expires_at: expiresAt }).where('id', '=', sessionId).execute();
	}
	return {
		session: { id: sessionId, userId: row.user_id, expiresAt },
		user: {
			id: row.user_id,
			username: row.username,
			displayName: row.display_name,
			agencyCode: row.agency_code,
			teamId: row.team_id,
			isAdmin: row.is_admin,
			clearedPersonalData: row.cleared_personal_data,
			locale: row.locale
		},
		renewed
	};
}

export async function invalidateSession(db: Kysely<DB>, sessionId: string): Promise<void> {
	await db.deleteFrom('sessions').where('id', '=', sessionId).execute();
}

export async function invalidateUserSessions(db: Kysely<DB>, userId: string): Promise<void> {
	await db.deleteFrom('sessions').where('user_id', '=', userId).execute();
}

/** Removes sessions past their expiry; run now and then. */
export async function deleteExpiredSessions(db: Kysely<DB>, now = new Date()): Promise<void> {
	await db.deleteFrom('sessions').where('expires_at', '<=', now).execute();
}
