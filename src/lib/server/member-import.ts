/**
 * Members in bulk, as the administrator's page and the CLI's `members import` both do it: the list is checked by
 * the domain's `readMemberList` against the users, agencies and members read in one transaction, and saved in the
 * same transaction only when every row is good. Either every row is saved or none.
 */
import type { Kysely } from 'kysely';
import type { DB } from './db/schema.ts';
import { readMemberList, type MemberListContext, type MemberListResult } from '../domain/member-list.ts';
import { listAgencies } from './repositories/agency.repository.ts';
import { listMembers, setMember } from './repositories/event.repository.ts';
import { listUsers } from './repositories/user.repository.ts';

/** A list's text may be at most this long: 2,000 rows of a username, a role and an agency fit in a tenth of it. */
export const MAX_MEMBER_LIST_BYTES = 512 * 1024;

/** UTF-8 as spreadsheets export it with a BOM; a file saved by Excel on a Chinese Windows is GB18030. */
export function decodeListBytes(bytes: Uint8Array): string {
	try {
		return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
	} catch {
		return new TextDecoder('gb18030').decode(bytes);
	}
}

async function contextOf(db: Kysely<DB>, eventId: string): Promise<MemberListContext> {
	const [users, agencies, members] = await Promise.all([listUsers(db), listAgencies(db), listMembers(db, eventId)]);
	return {
		users: users.map((u) => ({ id: u.id, username: u.username, displayName: u.displayName, disabled: u.disabled })),
		agencies,
		members
	};
}

/** Checks a list against the database as it is now, saving nothing: the preview. */
export async function checkMemberList(db: Kysely<DB>, eventId: string, text: string): Promise<MemberListResult> {
	return readMemberList(text, await contextOf(db, eventId));
}

/**
 * Checks the list again and saves every row in one transaction, or nothing when any row is bad now (a user may
 * have been disabled since the preview). Returns the check's answer; its rows are what was saved.
 */
export async function importMemberList(
	db: Kysely<DB>,
	eventId: string,
	text: string,
	alsoInTransaction?: (tx: Kysely<DB>, counts: { add: number; change: number }) => Promise<void>
): Promise<MemberListResult> {
	return db.transaction().execute(async (tx) => {
		const result = readMemberList(text, await contextOf(tx, eventId));
		if (!result.ok) return result;
		for (const row of result.rows) {
			if (row.change !== 'same') await setMember(tx, eventId, { userId: row.userId, role: row.role, agencyCode: row.agencyCode });
		}
		const count = (change: string) => result.rows.filter((r) => r.change === change).length;
		await alsoInTransaction?.(tx, { add: count('add'), change: count('change') });
		return result;
	});
}
