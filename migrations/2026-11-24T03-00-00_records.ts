// Frozen in time: this migration never imports app code and only ever uses Kysely<any>.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
	// One after-action record per event: the reviewers' findings while it is a draft, and once finalized the
	// canonical JSON that every export is made from, with its SHA-256.
	await db.schema
		.createTable('records')
		.addColumn('event_id', 'text', (c) => c.primaryKey().references('events.id').onDelete('cascade'))
		.addColumn('status', 'text', (c) => c.notNull().defaultTo('draft').check(sql`status in ('draft', 'final')`))
		.addColumn('findings', 'text', (c) => c.notNull().defaultTo('{"strengths":[],"improvements":[],"plan":[]}'))
		.addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.addColumn('updated_by', 'text', (c) => c.references('users.id').onDelete('set null'))
		.addColumn('finalized_at', 'timestamptz')
		.addColumn('finalized_by', 'text', (c) => c.references('users.id').onDelete('set null'))
		.addColumn('canonical_json', 'text')
		.addColumn('sha256', 'text')
		.execute();
}

export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.dropTable('records').ifExists().execute();
}
