/**
 * `npm run demo` seeds a ready-to-try installation: the demo event with its teams, accounts and roles (see
 * demo-data.ts). Idempotent: every row has a fixed id or username and is inserted only when missing, so a
 * restart with --demo changes nothing and an edit made in the demo (a renamed team, a changed role) survives.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { hashPassword } from '../auth/password.ts';
import { seedAgencies } from '../repositories/agency.repository.ts';
import { closeSetup } from '../repositories/setup.repository.ts';
import { DEMO_EVENT, DEMO_PASSWORD, DEMO_TEAMS, DEMO_USERS, demoSchedule } from './demo-data.ts';

export { DEMO_EVENT, DEMO_PASSWORD, DEMO_TEAMS, DEMO_USERS, demoSchedule } from './demo-data.ts';

export interface DemoSeedResult {
	/** True when this run inserted anything; false when everything was already there. */
	created: boolean;
	eventName: string;
	eventId: string;
}

export async function seedDemo(db: Kysely<DB>): Promise<DemoSeedResult> {
	const usernames = DEMO_USERS.map((u) => u.username);
	const existing = new Set(
		(await db.selectFrom('users').select('username').where('username', 'in', usernames).execute()).map((r) => r.username)
	);
	// argon2 is deliberately slow: hash the one shared demo password once, and only when someone is missing.
	const passwordHash = existing.size < usernames.length ? await hashPassword(DEMO_PASSWORD) : null;

	const inserted = await db.transaction().execute(async (tx) => {
		let count = 0;
		const add = (r: { numInsertedOrUpdatedRows?: bigint }) => (count += Number(r.numInsertedOrUpdatedRows ?? 0));
		await seedAgencies(tx);

		for (const team of DEMO_TEAMS) {
			add(
				await tx
					.insertInto('teams')
					.values({ id: team.id, agency_code: team.agencyCode, parent_id: team.parentId, level: team.level, name: team.name })
					.onConflict((oc) => oc.column('id').doNothing())
					.executeTakeFirst()
			);
		}

		if (passwordHash) {
			add(
				await tx
					.insertInto('users')
					.values(
						DEMO_USERS.filter((u) => !existing.has(u.username)).map((u) => ({
							id: u.id,
							username: u.username,
							display_name: u.displayName,
							password_hash: passwordHash,
							agency_code: u.agencyCode,
							team_id: u.teamId,
							is_admin: u.isAdmin,
							cleared_personal_data: u.clearedPersonalData,
							phone: u.phone
						}))
					)
					// Any unique column: another instance seeding at the same moment, or an `admin` made on /setup.
					.onConflict((oc) => oc.doNothing())
					.executeTakeFirst()
			);
		}
		// Memberships go to whoever holds each username now, which is the installation's own `admin` if it
		// made one before the demo was seeded.
		const ids = new Map(
			(await tx.selectFrom('users').select(['id', 'username']).where('username', 'in', usernames).execute()).map((r) => [
				r.username,
				r.id
			])
		);

		// Dated around now when first seeded; a rerun finds the event and moves nothing.
		const schedule = demoSchedule(Date.now());
		add(
			await tx
				.insertInto('events')
				.values({
					id: DEMO_EVENT.id,
					name: DEMO_EVENT.name,
					venue: DEMO_EVENT.venue,
					starts_at: schedule.startsAt,
					ends_at: schedule.endsAt,
					timezone: DEMO_EVENT.timezone,
					status: DEMO_EVENT.status,
					checkin_grace_minutes: DEMO_EVENT.checkinGraceMinutes,
					created_by: ids.get('admin') ?? null
				})
				.onConflict((oc) => oc.column('id').doNothing())
				.executeTakeFirst()
		);

		const members = DEMO_USERS.flatMap((u) =>
			u.role && ids.has(u.username)
				? [{ event_id: DEMO_EVENT.id, user_id: ids.get(u.username)!, role: u.role.role, agency_code: u.role.agencyCode }]
				: []
		);
		add(
			await tx
				.insertInto('event_members')
				.values(members)
				.onConflict((oc) => oc.columns(['event_id', 'user_id']).doNothing())
				.executeTakeFirst()
		);

		// The demo has its administrator, so first-run setup must not offer to make another.
		await closeSetup(tx);
		return count;
	});

	const boardDocuments = await seedDemoBoard(db, DEMO_EVENT.id);
	return { created: inserted + boardDocuments > 0, eventName: DEMO_EVENT.name, eventId: DEMO_EVENT.id };
}

/**
 * The place for the demo board's content: posts and operational periods in `event/<id>/command`; cards, shifts
 * with check-ins and dispute entries in each `event/<id>/agency/<code>`; dispute parties in
 * `event/<id>/restricted` (DESIGN.md, "Document schema"). That content lives in Yjs documents, not in these
 * tables, so it waits for the hub's update log. When it comes, write each document here through the same
 * persistence the hub uses, only when the document has no updates yet (so a rerun stays a no-op), refer to
 * teams and people by the fixed ids in demo-data.ts, and return how many documents were written.
 *
 * Today it writes nothing.
 */
export async function seedDemoBoard(_db: Kysely<DB>, _eventId: string): Promise<number> {
	return 0;
}
