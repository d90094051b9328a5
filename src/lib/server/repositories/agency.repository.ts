import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { AgencyInput } from '../../domain/validation.ts';
import { SEED_AGENCIES } from '../../domain/roles.ts';

export interface Agency {
	code: string;
	nameZh: string;
	nameEn: string;
	color: string;
	sort: number;
}

export async function listAgencies(db: Kysely<DB>): Promise<Agency[]> {
	const rows = await db
		.selectFrom('agencies')
		.select(['code', 'name_zh', 'name_en', 'color', 'sort'])
		.orderBy('sort')
		.orderBy('code')
		.execute();
	return rows.map((r) => ({ code: r.code, nameZh: r.name_zh, nameEn: r.name_en, color: r.color, sort: r.sort }));
}

export async function agencyExists(db: Kysely<DB>, code: string): Promise<boolean> {
	return !!(await db.selectFrom('agencies').select('code').where('code', '=', code).executeTakeFirst());
}

export async function createAgency(db: Kysely<DB>, input: AgencyInput): Promise<void> {
	const last = await db.selectFrom('agencies').select((eb) => eb.fn.max('sort').as('sort')).executeTakeFirst();
	await db
		.insertInto('agencies')
		.values({
			code: input.code,
			name_zh: input.nameZh,
			name_en: input.nameEn,
			color: input.color,
			sort: Number(last?.sort ?? 0) + 10
		})
		.execute();
}

export async function updateAgency(db: Kysely<DB>, input: AgencyInput): Promise<boolean> {
	const result = await db
		.updateTable('agencies')
		.set({ name_zh: input.nameZh, name_en: input.nameEn, color: input.color })
		.where('code', '=', input.code)
		.executeTakeFirst();
	return Number(result.numUpdatedRows) > 0;
}

/** Inserts the four standard agencies where missing; safe to run at every start. */
export async function seedAgencies(db: Kysely<DB>): Promise<void> {
	await db
		.insertInto('agencies')
		.values(
			SEED_AGENCIES.map((a) => ({ code: a.code, name_zh: a.nameZh, name_en: a.nameEn, color: a.color, sort: a.sort }))
		)
		.onConflict((oc) => oc.column('code').doNothing())
		.execute();
}
