import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { UserInput } from '../../domain/validation.ts';
import { createUser } from './user.repository.ts';
import { writeAudit } from './audit.repository.ts';

const SETUP_KEY = 'setup_completed_at';

/** Setup is open until the first administrator exists; after that it is closed for good. */
export async function isSetupOpen(db: Kysely<DB>): Promise<boolean> {
	const r = await db.selectFrom('settings').select('key').where('key', '=', SETUP_KEY).executeTakeFirst();
	return !r;
}

/**
 * Creates the first administrator and closes setup, in one transaction. Two browsers racing here both try to
 * insert the settings row; the primary key lets exactly one win.
 */
export async function completeSetup(
	db: Kysely<DB>,
	input: UserInput & { password: string },
	ip: string | null = null
): Promise<{ ok: true; userId: string } | { ok: false }> {
	return db.transaction().execute(async (tx) => {
		const inserted = await tx
			.insertInto('settings')
			.values({ key: SETUP_KEY, value: new Date().toISOString() })
			.onConflict((oc) => oc.column('key').doNothing())
			.executeTakeFirst();
		if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return { ok: false as const };
		const userId = await createUser(tx, { ...input, isAdmin: true });
		// The first administrator makes themselves: they are the actor of their own account's first line.
		await writeAudit(tx, {
			actor: { kind: 'user', id: userId, name: input.displayName },
			action: 'user.create',
			target: { kind: 'user', id: userId, name: input.displayName },
			details: { username: input.username, isAdmin: true, clearedPersonalData: input.clearedPersonalData },
			ip
		});
		return { ok: true as const, userId };
	});
}

/** Marks setup complete without creating anyone (the CLI and the demo seed make their own administrator). */
export async function closeSetup(db: Kysely<DB>): Promise<void> {
	await db
		.insertInto('settings')
		.values({ key: SETUP_KEY, value: new Date().toISOString() })
		.onConflict((oc) => oc.column('key').doNothing())
		.execute();
}
