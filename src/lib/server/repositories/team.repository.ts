import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { TeamInput } from '../../domain/validation.ts';
import type { TeamLevel } from '../../domain/roles.ts';
import { parentLevelFor } from '../../domain/roles.ts';
import { newId } from '../../domain/ids.ts';

export interface Team {
	id: string;
	agencyCode: string;
	parentId: string | null;
	level: TeamLevel;
	name: string;
}

export async function listTeams(db: Kysely<DB>, agencyCode?: string): Promise<Team[]> {
	let q = db.selectFrom('teams').select(['id', 'agency_code', 'parent_id', 'level', 'name']);
	if (agencyCode) q = q.where('agency_code', '=', agencyCode);
	const rows = await q.orderBy('agency_code').orderBy('name').execute();
	return rows.map((r) => ({
		id: r.id,
		agencyCode: r.agency_code,
		parentId: r.parent_id,
		level: r.level,
		name: r.name
	}));
}

export async function getTeam(db: Kysely<DB>, id: string): Promise<Team | null> {
	const r = await db
		.selectFrom('teams')
		.select(['id', 'agency_code', 'parent_id', 'level', 'name'])
		.where('id', '=', id)
		.executeTakeFirst();
	return r ? { id: r.id, agencyCode: r.agency_code, parentId: r.parent_id, level: r.level, name: r.name } : null;
}

/**
 * Checks the parent of a team: a squadron under a brigade, a unit under a squadron, of the same agency.
 * Returns the name of the field at fault, or null.
 */
export async function teamParentProblem(db: Kysely<DB>, input: TeamInput): Promise<'parentId' | null> {
	const wanted = parentLevelFor(input.level);
	if (!wanted) return input.parentId ? 'parentId' : null;
	if (!input.parentId) return 'parentId';
	const parent = await getTeam(db, input.parentId);
	if (!parent || parent.level !== wanted || parent.agencyCode !== input.agencyCode) return 'parentId';
	return null;
}

export async function createTeam(db: Kysely<DB>, input: TeamInput, id = newId()): Promise<string> {
	await db
		.insertInto('teams')
		.values({ id, agency_code: input.agencyCode, parent_id: input.parentId, level: input.level, name: input.name })
		.execute();
	return id;
}

export async function renameTeam(db: Kysely<DB>, id: string, name: string): Promise<boolean> {
	const r = await db.updateTable('teams').set({ name }).where('id', '=', id).executeTakeFirst();
	return Number(r.numUpdatedRows) > 0;
}
