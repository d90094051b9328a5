/** Saved event templates (模板): one row per name and version, the body the template's canonical JSON. */
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { newId } from '../../domain/ids.ts';

export interface TemplateSummary {
	id: string;
	name: string;
	version: number;
	createdAt: Date;
	/** Who saved it, by name; null when that account is gone. */
	createdByName: string | null;
}

/** Saves a body under a name as the next version of that name; returns the id and the version it got. */
export async function insertTemplate(db: Kysely<DB>, name: string, makeBody: (version: number) => string, createdBy: string | null): Promise<{ id: string; version: number }> {
	// Two saves of one name at once: the unique (name, version) refuses the second; it takes the next number.
	for (let attempt = 0; ; attempt++) {
		const row = await db.selectFrom('event_templates').select(sql<number>`coalesce(max(version), 0)`.as('v')).where('name', '=', name).executeTakeFirst();
		const version = Number(row?.v ?? 0) + 1;
		const id = newId();
		try {
			await db.insertInto('event_templates').values({ id, name, version, body: makeBody(version), created_by: createdBy, created_at: new Date() }).execute();
			return { id, version };
		} catch (err) {
			if (attempt >= 3) throw err;
		}
	}
}

export async function listTemplates(db: Kysely<DB>): Promise<TemplateSummary[]> {
	const rows = await db
		.selectFrom('event_templates as t')
		.leftJoin('users as u', 'u.id', 't.created_by')
		.select(['t.id', 't.name', 't.version', 't.created_at', 'u.display_name'])
		.orderBy('t.name')
		.orderBy('t.version', 'desc')
		.execute();
	return rows.map((r) => ({ id: r.id, name: r.name, version: r.version, createdAt: new Date(r.created_at), createdByName: r.display_name ?? null }));
}

export async function getTemplateRow(db: Kysely<DB>, id: string): Promise<{ id: string; name: string; version: number; body: string } | null> {
	const r = await db.selectFrom('event_templates').select(['id', 'name', 'version', 'body']).where('id', '=', id).executeTakeFirst();
	return r ?? null;
}
