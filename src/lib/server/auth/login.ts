/**
 * Password login with throttling. Failures are counted in the database so that every instance behind a load
 * balancer sees the same count: per username and address together (with a growing delay between tries), per
 * address, and, much higher, per username alone.
 */
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { dummyPasswordHash, verifyPasswordHash } from './password.ts';

export const LOGIN_WINDOW_MS = 15 * 60 * 1000;
/**
 * Failures allowed per username and address together in the window: someone guessing from one place is stopped,
 * while the account itself stays usable from everywhere else (a commander mid-event must not be locked out by
 * whoever types their username elsewhere).
 */
export const LOGIN_MAX_FAILURES_PER_PAIR = 10;
/** Failures allowed per username from all addresses together: only a spread-out attack reaches this. */
export const LOGIN_MAX_FAILURES_PER_USERNAME = 100;
/**
 * Failures allowed per address in the window. Kept higher than per pair because a venue's phones often share one
 * carrier address; one mistyping member must not lock out everyone behind it.
 */
export const LOGIN_MAX_FAILURES_PER_ADDRESS = 30;
/** Failures from one address for one username after which each further try must wait, twice as long each time. */
export const LOGIN_FREE_FAILURES = 3;
/** The longest wait between two tries of one username from one address. */
export const LOGIN_MAX_DELAY_MS = 60_000;

/** The wait a pair owes after `failures` failures: none for the first few, then 1 s, 2 s, 4 s … up to a minute. */
export function loginDelayMs(failures: number): number {
	return failures < LOGIN_FREE_FAILURES ? 0 : Math.min(LOGIN_MAX_DELAY_MS, 1000 * 2 ** (failures - LOGIN_FREE_FAILURES));
}

export type LoginResult =
	| { ok: true; userId: string; displayName: string; locale: string | null }
	| { ok: false; reason: 'invalid' | 'throttled'; retryAfterSeconds?: number };

function usernameKey(username: string): string {
	return `user:${username.trim().toLowerCase()}`;
}

function addressKey(address: string): string {
	return `addr:${address}`;
}

function pairKey(username: string, address: string): string {
	return `pair:${username.trim().toLowerCase()}|${address}`;
}

async function failureCount(db: Kysely<DB>, key: string, since: Date): Promise<{ count: number; oldest: Date | null; newest: Date | null }> {
	const row = await db
		.selectFrom('login_failures')
		.select([sql<string>`count(*)`.as('count'), sql<Date | null>`min(failed_at)`.as('oldest'), sql<Date | null>`max(failed_at)`.as('newest')])
		.where('key', '=', key)
		.where('failed_at', '>', since)
		.executeTakeFirstOrThrow();
	return { count: Number(row.count), oldest: row.oldest ? new Date(row.oldest) : null, newest: row.newest ? new Date(row.newest) : null };
}

/** How long until one username may be tried again from one address: the growing delay, or the pair's limit. */
async function pairWaitFor(db: Kysely<DB>, key: string, now: Date): Promise<number> {
	const { count, oldest, newest } = await failureCount(db, key, new Date(now.getTime() - LOGIN_WINDOW_MS));
	if (count >= LOGIN_MAX_FAILURES_PER_PAIR && oldest) return Math.max(1, Math.ceil((oldest.getTime() + LOGIN_WINDOW_MS - now.getTime()) / 1000));
	const due = newest ? newest.getTime() + loginDelayMs(count) : 0;
	return due > now.getTime() ? Math.ceil((due - now.getTime()) / 1000) : 0;
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
	const keys = [usernameKey(input.username), addressKey(input.address), pairKey(input.username, input.address)];
	const waits = await Promise.all([
		throttledFor(db, keys[0], LOGIN_MAX_FAILURES_PER_USERNAME, now),
		throttledFor(db, keys[1], LOGIN_MAX_FAILURES_PER_ADDRESS, now),
		pairWaitFor(db, keys[2], now)
	]);
	const wait = Math.max(...waits);
	if (wait > 0) return { ok: false, reason: 'throttled', retryAfterSeconds: wait };

	const user = await db
		.selectFrom('users')
		.select(['id', 'display_name', 'password_hash', 'disabled_at', 'locale'])
		.where(sql`lower(username)`, '=', input.username.trim().toLowerCase())
		.executeTakeFirst();
	const valid = await verifyPasswordHash(user?.password_hash ?? (await dummyPasswordHash()), input.password);
	// A disabled account answers exactly as a wrong password: whether an account exists, or was disabled, is
	// nothing a stranger at the login page may learn.
	if (!user || !valid || user.disabled_at !== null) {
		await recordFailure(db, keys, now);
		return { ok: false, reason: 'invalid' };
	}
	await db.deleteFrom('login_failures').where('key', 'in', [keys[0], keys[2]]).execute();
	return { ok: true, userId: user.id, displayName: user.display_name, locale: user.locale };
}

/** Drops failures older than the window; run now and then. */
export async function pruneLoginFailures(db: Kysely<DB>, now = new Date()): Promise<void> {
	await db
		.deleteFrom('login_failures')
		.where('failed_at', '<=', new Date(now.getTime() - LOGIN_WINDOW_MS))
		.execute();
}
