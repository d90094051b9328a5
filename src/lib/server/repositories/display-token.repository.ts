/**
 * Display tokens let a wall screen show one event, read only, without a login. Like session tokens, only the
 * SHA-256 of a token is stored; the token itself is shown once, when it is made.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { generateSessionToken, sessionIdFromToken } from '../auth/session.ts';

export interface DisplayToken {
	id: string;
	eventId: string;
	name: string;
	createdAt: Date;
	lastUsedAt: Date | null;
	revoked: boolean;
}

export async function createDisplayToken(
	db: Kysely<DB>,
	eventId: string,
	name: string,
	createdBy: string | null
): Promise<{ token: string; id: string }> {
	const token = generateSessionToken();
	const id = sessionIdFromToken(token);
	await db.insertInto('display_tokens').values({ id, event_id: eventId, name, created_by: createdBy }).execute();
	return { token, id };
}

export async function listDisplayTokens(db: Kysely<DB>, eventId: string): Promise<DisplayToken[]> {
	const rows = await db
		.selectFrom('display_tokens')
		.select(['id', 'event_id', 'name', 'created_at', 'last_used_at', 'revoked_at'])
		.where('event_id', '=', eventId)
		.orderBy('created_at', 'desc')
		.execute();
	return rows.map((r) => ({
		id: r.id,
		eventId: r.event_id,
		name: r.name,
		createdAt: new Date(r.created_at),
		lastUsedAt: r.last_used_at ? new Date(r.last_used_at) : null,
		revoked: r.revoked_at !== null
	}));
}

export async function revokeDisplayToken(db: Kysely<DB>, eventId: string, id: string): Promise<boolean> {
	const r = await db
		.updateTable('display_tokens')
		.set({ revoked_at: new Date() })
		.where('id', '=', id)
		.where('event_id', '=', eventId)
		.where('revoked_at', 'is', null)
		.executeTakeFirst();
	return Number(r.numUpdatedRows) > 0;
}

/** The event a live token opens, or null for an unknown or revoked one. */
export async function validateDisplayToken(
	db: Kysely<DB>,
	token: string
): Promise<{ tokenId: string; eventId: string; name: string } | null> {
	if (!/^[a-z2-7]{32}$/.test(token)) return null;
	const id = sessionIdFromToken(token);
	const r = await db
		.selectFrom('display_tokens')
		.select(['id', 'event_id', 'name'])
		.where('id', '=', id)
		.where('revoked_at', 'is', null)
		.executeTakeFirst();
	if (!r) return null;
	await db.updateTable('display_tokens').set({ last_used_at: new Date() }).where('id', '=', id).execute();
	return { tokenId: r.id, eventId: r.event_id, name: r.name };
}

/** A token's name, revoked or not (for the audit line of its revocation). */
export async function displayTokenName(db: Kysely<DB>, eventId: string, id: string): Promise<string | null> {
	const row = await db.selectFrom('display_tokens').select('name').where('id', '=', id).where('event_id', '=', eventId).executeTakeFirst();
	return row?.name ?? null;
}
