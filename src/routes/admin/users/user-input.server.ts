/** The user form's server-side checks, shared by the create and edit actions. */
import type { Kysely } from 'kysely';
import type { DB } from '$lib/server/db/schema';
import type { FieldErrors, UserInput } from '$lib/domain/validation';
import { agencyExists } from '$lib/server/repositories/agency.repository';
import { getTeam } from '$lib/server/repositories/team.repository';

/**
 * Checks that the chosen agency and team exist and belong together. A team chosen without an agency brings its
 * own agency along. Returns the input to save, or field errors.
 */
export async function checkUserRefs(
	db: Kysely<DB>,
	input: UserInput
): Promise<{ ok: true; value: UserInput } | { ok: false; errors: FieldErrors }> {
	const errors: FieldErrors = {};
	let agencyCode = input.agencyCode;
	if (agencyCode && !(await agencyExists(db, agencyCode))) errors.agencyCode = 'notFound';
	if (input.teamId) {
		const team = await getTeam(db, input.teamId);
		if (!team) errors.teamId = 'notFound';
		else if (!agencyCode) agencyCode = team.agencyCode;
		else if (team.agencyCode !== agencyCode) errors.teamId = 'invalidChoice';
	}
	return Object.keys(errors).length ? { ok: false, errors } : { ok: true, value: { ...input, agencyCode } };
}
