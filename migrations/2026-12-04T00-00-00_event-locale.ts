// Frozen in time: this migration never imports app code and only ever uses Kysely<any>.
import { sql, type Kysely } from 'kysely';

/**
 * The language an event's shared screens speak (a wall display has nobody to pick one): zh-CN unless the
 * administrator chooses English.
 */
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema.alterTable('events').addColumn('locale', 'text', (c) => c.notNull().defaultTo(sql`'zh-CN'`)).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.alterTable('events').dropColumn('locale').execute();
}
