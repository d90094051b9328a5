import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Kysely, PGliteDialect } from 'kysely';
import { PGlite } from '@electric-sql/pglite';
import type { DB } from '../db/schema.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { seedAgencies } from '../repositories/agency.repository.ts';
import { createUser } from '../repositories/user.repository.ts';
import {
	SESSION_LIFETIME_MS,
	createSession,
	deleteExpiredSessions,
	generateSessionToken,
	invalidateSession,
	invalidateUserSessions,
	sessionIdFromToken,
	validateSessionToken
} from './session.ts';

const MIGRATIONS = fileURLToPath(new URL('../../../../migrations', import.meta.url));
const DAY = 24 * 60 * 60 * 1000;
const T0 = new Date('2026-02-12T10:00:00.000Z');

describe('the session core', () => {
	let pglite: PGlite;
	let db: Kysely<DB>;
	let userId: string;

	async function storedSession(id: string) {
		return db.selectFrom('sessions').select(['id', 'user_id', 'expires_at']).where('id', '=', id).executeTakeFirst();
	}

	async function newUser(username: string): Promise<string> {
		return createUser(db, {
			username,
			displayName: username,
			password: 'a-password-1',
			agencyCode: 'station',
			teamId: null,
			isAdmin: false,
			clearedPersonalData: false,
			phone: null
		});
	}

	beforeAll(async () => {
		pglite = new PGlite();
		db = new Kysely<DB>({ dialect: new PGliteDialect({ pglite }) });
		await migrateToLatest(db, MIGRATIONS);
		await seedAgencies(db);
		userId = await newUser('wang');
	});
	afterAll(async () => {
		await db?.destroy();
	});

	it('makes tokens of 32 base32 characters, different every time', () => {
		const a = generateSessionToken();
		const b = generateSessionToken();
		expect(a).toMatch(/^[a-z2-7]{32}$/);
		expect(b).not.toBe(a);
	});

	it('stores the SHA-256 hex of the token as the session id, never the token itself', async () => {
		const token = generateSessionToken();
		const session = await createSession(db, token, userId, {}, T0);
		const expected = createHash('sha256').update(token).digest('hex');
		expect(session.id).toBe(expected);
		expect(sessionIdFromToken(token)).toBe(expected);
		expect(await storedSession(expected)).toMatchObject({ id: expected, user_id: userId });
		const byToken = await db.selectFrom('sessions').select('id').where('id', '=', token).execute();
		expect(byToken).toEqual([]);
		const anyColumnHoldsToken = await db
			.selectFrom('sessions')
			.select('id')
			.where((eb) => eb.or([eb('id', '=', token), eb('ip', '=', token), eb('user_agent', '=', token)]))
			.execute();
		expect(anyColumnHoldsToken).toEqual([]);
	});

	it('gives a new session 30 days', async () => {
		const token = generateSessionToken();
		const session = await createSession(db, token, userId, {}, T0);
		expect(session.expiresAt.getTime()).toBe(T0.getTime() + 30 * DAY);
		expect(SESSION_LIFETIME_MS).toBe(30 * DAY);
		expect(new Date((await storedSession(session.id))!.expires_at).getTime()).toBe(T0.getTime() + 30 * DAY);
	});

	it('accepts a session early in its life, with its user and without renewing it', async () => {
		const token = generateSessionToken();
		const session = await createSession(db, token, userId, {}, T0);
		const result = await validateSessionToken(db, token, new Date(T0.getTime() + 14 * DAY));
		expect(result.renewed).toBe(false);
		expect(result.session).toEqual({ id: session.id, userId, expiresAt: session.expiresAt });
		expect(result.user).toMatchObject({ id: userId, username: 'wang', agencyCode: 'station', isAdmin: false });
		expect(result.user).not.toHaveProperty('password_hash');
		expect(result.user).not.toHaveProperty('passwordHash');
		expect(new Date((await storedSession(session.id))!.expires_at).getTime()).toBe(session.expiresAt.getTime());
	});

	it('extends a session used in its last 15 days to 30 days from that use, in the database too', async () => {
		const token = generateSessionToken();
		const session = await createSession(db, token, userId, {}, T0);
		const now = new Date(T0.getTime() + 16 * DAY);
		const result = await validateSessionToken(db, token, now);
		expect(result.renewed).toBe(true);
		expect(result.session!.expiresAt.getTime()).toBe(now.getTime() + 30 * DAY);
		expect(new Date((await storedSession(session.id))!.expires_at).getTime()).toBe(now.getTime() + 30 * DAY);
	});

	it('renews from exactly 15 days before expiry, and not a millisecond earlier', async () => {
		const early = generateSessionToken();
		await createSession(db, early, userId, {}, T0);
		expect((await validateSessionToken(db, early, new Date(T0.getTime() + 15 * DAY - 1))).renewed).toBe(false);

		const onTime = generateSessionToken();
		await createSession(db, onTime, userId, {}, T0);
		expect((await validateSessionToken(db, onTime, new Date(T0.getTime() + 15 * DAY))).renewed).toBe(true);
	});

	it('keeps a renewed session alive past its first expiry', async () => {
		const token = generateSessionToken();
		await createSession(db, token, userId, {}, T0);
		await validateSessionToken(db, token, new Date(T0.getTime() + 20 * DAY));
		const later = await validateSessionToken(db, token, new Date(T0.getTime() + 40 * DAY));
		expect(later.session).not.toBeNull();
		expect(later.user?.id).toBe(userId);
	});

	it('rejects a session past its expiry and deletes it', async () => {
		const token = generateSessionToken();
		const session = await createSession(db, token, userId, {}, T0);
		const result = await validateSessionToken(db, token, new Date(T0.getTime() + 30 * DAY + 1));
		expect(result).toEqual({ session: null, user: null, renewed: false });
		expect(await storedSession(session.id)).toBeUndefined();
	});

	it('rejects a session at the very moment it expires', async () => {
		const token = generateSessionToken();
		await createSession(db, token, userId, {}, T0);
		const result = await validateSessionToken(db, token, new Date(T0.getTime() + 30 * DAY));
		expect(result.session).toBeNull();
	});

	it('rejects an unknown token and a token of the wrong shape without touching other sessions', async () => {
		const token = generateSessionToken();
		const session = await createSession(db, token, userId, {}, T0);
		expect((await validateSessionToken(db, generateSessionToken(), T0)).session).toBeNull();
		expect((await validateSessionToken(db, `${token}x`, T0)).session).toBeNull();
		expect((await validateSessionToken(db, token.toUpperCase(), T0)).session).toBeNull();
		// The stored id itself is not a token: knowing the database row does not let one sign in.
		expect((await validateSessionToken(db, session.id, T0)).session).toBeNull();
		expect(await storedSession(session.id)).toBeDefined();
	});

	it('rejects and deletes the session of a disabled user even when the row is still there', async () => {
		const erin = await newUser('erin');
		const token = generateSessionToken();
		const session = await createSession(db, token, erin, {}, T0);
		await db.updateTable('users').set({ disabled_at: T0 }).where('id', '=', erin).execute();
		const result = await validateSessionToken(db, token, new Date(T0.getTime() + DAY));
		expect(result.session).toBeNull();
		expect(await storedSession(session.id)).toBeUndefined();
	});

	it('ends one session on invalidation, and every session of a user on invalidating the user', async () => {
		const zhao = await newUser('zhao');
		const tokens = [generateSessionToken(), generateSessionToken(), generateSessionToken()];
		const sessions = await Promise.all(tokens.map((t) => createSession(db, t, zhao, {}, T0)));
		const otherToken = generateSessionToken();
		await createSession(db, otherToken, userId, {}, T0);

		await invalidateSession(db, sessions[0].id);
		expect((await validateSessionToken(db, tokens[0], T0)).session).toBeNull();
		expect((await validateSessionToken(db, tokens[1], T0)).session).not.toBeNull();

		await invalidateUserSessions(db, zhao);
		expect((await validateSessionToken(db, tokens[1], T0)).session).toBeNull();
		expect((await validateSessionToken(db, tokens[2], T0)).session).toBeNull();
		expect((await validateSessionToken(db, otherToken, T0)).session).not.toBeNull();
	});

	it('sweeps only expired sessions', async () => {
		const li = await newUser('li');
		const old = await createSession(db, generateSessionToken(), li, {}, new Date(T0.getTime() - 31 * DAY));
		const fresh = await createSession(db, generateSessionToken(), li, {}, T0);
		await deleteExpiredSessions(db, T0);
		expect(await storedSession(old.id)).toBeUndefined();
		expect(await storedSession(fresh.id)).toBeDefined();
	});
});
