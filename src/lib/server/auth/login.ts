/**
 * Password login with throttling. Failures are counted in the database so that every instance behind a load
 * balancer sees the same count.
 */
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { dummyPasswordHash, verifyPasswordHash } from './password.ts';

export const LOGIN_WINDOW_MS = 15 * 60 * 1000;
/** Failures allowed per username in the window. */
export const LOGIN_MAX_FAILURES_PER_USERNAME = 10;
/**
 * Failures allowed per address in the window. Kept higher than per username because a venue's phones often
 * share one carrier address; one mistyping member must not lock out everyone behind it.
 */
export const LOGIN_MAX_FAILURES_PER_ADDRESS = 30;

export type LoginResult =
	| { ok: true; userId: string; locale: string | null }
	| { ok: false; reason: 'invalid' | 'disabled' | 'throttled'; retryAfterSeconds?: number };

function usernameKey(username: string): string {
	return `user:${username.trim().toLowerCase()}`;
}

function addressKey(address: string): string {
	return `addr:${address}`;
}

async function failureCount(db: Kysely<DB>, key: string, since: Date): Promise<{ count: number; oldest: Date | null }> {
	const row = await db
		.selectFrom('login_failures')
		.select([sql<string>`count(*)`.as('count'), sql<Date | null>`min(failed_at)`.as('oldest')])
		.where('key', '=', key)
		.where('failed_at', '>', since)
		.executeTakeFirstOrThrow();
	return { count: Number(row.count), oldest: row.oldest ? new Date(row.oldest) : null };
}

/** How long until a key drops under its limit, or 0 when it is under it now. */
async function throttledFor(db: Kysely<DB>, key: string, limit: number, now: Date): Promise<number> {
	const { count, oldest } = await failureCount(db, key, new Date(now.getTime() - LOGIN_WINDOW_MS));
	if (count < limit || !oldest) return 0;
	return Math.max(1, Math.ceil((oldest.getTime() + LOGIN_WINDOW_MS - now.getTime()) / 1000));
}

async function recordFailure(db: Kysely<DB>, keys: string[], now: Date): Promise<void> {
	await db
		.insertInto('login_failures')
		.values(keys.map((key) => ({ key, failed_at: now })))
		.execute();
}

export async function attemptLogin(
	db: Kysely<DB>,
	input: { username: string; password: string; address: string },
	now = new Date()
): Promise<LoginResult> {
	const keys = [usernameKey(input.username), addressKey(input.address)];
	const waits = await Promise.all([
		throttledFor(db, keys[0], LOGIN_MAX_FAILURES_PER_USERNAME, now),
		throttledFor(db, keys[1], LOGIN_MAX_FAILURES_PER_ADDRESS, now)
	]);
	const wait = Math.max(...waits);
	if (wait > 0) return { ok: false, reason: 'throttled', retryAfterSeconds: wait };

	const user = await db
		.selectFrom('users')
		.select(['id', 'password_hash', 'disabled_at', 'locale'])
		.where(sql`lower(username)`, '=', input.username.trim().toLowerCase())
		.executeTakeFirst();
	const valid = await verifyPasswordHash(user?.password_hash ?? (await dummyPasswordHash()), input.password);
	if (!user || !valid) {
		await recordFailure(db, keys, now);
		return { ok: false, reason: 'invalid' };
	}
	if (user.disabled_at !== null) return { ok: false, reason: 'disabled' };
	await db.deleteFrom('login_failures').where('key', '=', keys[0]).execute();
	return { ok: true, userId: user.id, locale: user.locale };
}

/** Drops failures older than the window; run now and then. */
export async function pruneLoginFailures(db: Kysely<DB>, now = new Date()): Promise<void> {
	await db
		.deleteFrom('login_failures')
		.where('failed_at', '<=', new Date(now.getTime() - LOGIN_WINDOW_MS))
		.execute();
}
