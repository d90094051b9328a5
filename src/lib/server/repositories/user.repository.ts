import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { UserInput } from '../../domain/validation.ts';
import { newId } from '../../domain/ids.ts';
import { hashPassword } from '../auth/password.ts';
import { invalidateUserSessions } from '../auth/session.ts';

export interface UserSummary {
	id: string;
	username: string;
	displayName: string;
	agencyCode: string | null;
	teamId: string | null;
	isAdmin: boolean;
	clearedPersonalData: boolean;
	phone: string | null;
	disabled: boolean;
}

const USER_COLUMNS = [
	'id',
	'username',
	'display_name',
	'agency_code',
	'team_id',
	'is_admin',
	'cleared_personal_data',
	'phone',
	'disabled_at'
] as const;

type UserRow = {
	id: string;
	username: string;
	display_name: string;
	agency_code: string | null;
	team_id: string | null;
	is_admin: boolean;
	cleared_personal_data: boolean;
	phone: string | null;
	disabled_at: Date | null;
};

function toUser(r: UserRow): UserSummary {
	return {
		id: r.id,
		username: r.username,
		displayName: r.display_name,
		agencyCode: r.agency_code,
		teamId: r.team_id,
		isAdmin: r.is_admin,
		clearedPersonalData: r.cleared_personal_data,
		phone: r.phone,
		disabled: r.disabled_at !== null
	};
}

export async function listUsers(db: Kysely<DB>): Promise<UserSummary[]> {
	const rows = await db.selectFrom('users').select(USER_COLUMNS).orderBy('username').execute();
	return rows.map(toUser);
}

export async function getUser(db: Kysely<DB>, id: string): Promise<UserSummary | null> {
	const row = await db.selectFrom('users').select(USER_COLUMNS).where('id', '=', id).executeTakeFirst();
	return row ? toUser(row) : null;
}

export async function getUserByUsername(db: Kysely<DB>, username: string): Promise<UserSummary | null> {
	const row = await db
		.selectFrom('users')
		.select(USER_COLUMNS)
		.where(sql`lower(username)`, '=', username.trim().toLowerCase())
		.executeTakeFirst();
	return row ? toUser(row) : null;
}

export async function usernameTaken(db: Kysely<DB>, username: string, exceptId?: string): Promise<boolean> {
	let q = db.selectFrom('users').select('id').where(sql`lower(username)`, '=', username.toLowerCase());
	if (exceptId) q = q.where('id', '!=', exceptId);
	return !!(await q.executeTakeFirst());
}

export async function countUsers(db: Kysely<DB>): Promise<number> {
	const r = await db.selectFrom('users').select(sql<string>`count(*)`.as('n')).executeTakeFirstOrThrow();
	return Number(r.n);
}

/** Creates a user; the caller has checked the input. The password hash is computed before any write. */
export async function createUser(db: Kysely<DB>, input: UserInput & { password: string }, id = newId()): Promise<string> {
	const passwordHash = await hashPassword(input.password);
	await db
		.insertInto('users')
		.values({
			id,
			username: input.username,
			display_name: input.displayName,
			password_hash: passwordHash,
			agency_code: input.agencyCode,
			team_id: input.teamId,
			is_admin: input.isAdmin,
			cleared_personal_data: input.clearedPersonalData,
			phone: input.phone
		})
		.execute();
	return id;
}

export async function updateUser(db: Kysely<DB>, id: string, input: UserInput): Promise<boolean> {
	const passwordHash = input.password ? await hashPassword(input.password) : null;
	const r = await db
		.updateTable('users')
		.set({
			username: input.username,
			display_name: input.displayName,
			agency_code: input.agencyCode,
			team_id: input.teamId,
			is_admin: input.isAdmin,
			cleared_personal_data: input.clearedPersonalData,
			phone: input.phone,
			...(passwordHash ? { password_hash: passwordHash } : {})
		})
		.where('id', '=', id)
		.executeTakeFirst();
	return Number(r.numUpdatedRows) > 0;
}

export async function setUserPassword(db: Kysely<DB>, id: string, password: string): Promise<boolean> {
	const passwordHash = await hashPassword(password);
	const r = await db.updateTable('users').set({ password_hash: passwordHash }).where('id', '=', id).executeTakeFirst();
	// A reset password ends every session that knew the old one.
	await invalidateUserSessions(db, id);
	return Number(r.numUpdatedRows) > 0;
}

/** Disables or re-enables a user. Disabling ends all of the user's sessions in the same transaction. */
export async function setUserDisabled(db: Kysely<DB>, id: string, disabled: boolean): Promise<boolean> {
	// Inside a caller's transaction (with its audit line) the work joins it; alone it opens its own.
	const inTransaction = <T>(work: (tx: Kysely<DB>) => Promise<T>) => (db.isTransaction ? work(db) : db.transaction().execute(work));
	return inTransaction(async (tx) => {
		const r = await tx
			.updateTable('users')
			.set({ disabled_at: disabled ? new Date() : null })
			.where('id', '=', id)
			.executeTakeFirst();
		if (disabled) await invalidateUserSessions(tx, id);
		return Number(r.numUpdatedRows) > 0;
	});
}

export async function setUserLocale(db: Kysely<DB>, id: string, locale: string): Promise<void> {
	await db.updateTable('users').set({ locale }).where('id', '=', id).execute();
}
