// Frozen in time: this migration never imports app code and only ever uses Kysely<any>.
import { sql, type Kysely } from 'kysely';

/**
 * Situation reports (警情通报): drafts filled from the board and edited by the commander, then issued — frozen as
 * canonical JSON with its SHA-256 and sent as an instruction. Each event's schedule of due times, and one row per
 * due time that an instance has claimed, so that with several instances a due report is prepared once.
 */
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.createTable('situation_reports')
		.addColumn('id', 'text', (c) => c.primaryKey())
		.addColumn('event_id', 'text', (c) => c.notNull().references('events.id').onDelete('cascade'))
		.addColumn('status', 'text', (c) => c.notNull().defaultTo('draft'))
		.addColumn('title', 'text', (c) => c.notNull())
		.addColumn('period_id', 'text')
		.addColumn('period_name', 'text')
		.addColumn('due_at', 'timestamptz')
		.addColumn('locale', 'text', (c) => c.notNull())
		.addColumn('figures', 'text', (c) => c.notNull())
		.addColumn('generated', 'text', (c) => c.notNull())
		.addColumn('sections', 'text', (c) => c.notNull())
		.addColumn('created_by', 'text', (c) => c.references('users.id').onDelete('set null'))
		.addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.addColumn('updated_by', 'text', (c) => c.references('users.id').onDelete('set null'))
		.addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.addColumn('issued_at', 'timestamptz')
		.addColumn('issued_by', 'text', (c) => c.references('users.id').onDelete('set null'))
		.addColumn('instruction_id', 'text')
		.addColumn('canonical_json', 'text')
		.addColumn('sha256', 'text')
		.execute();
	await db.schema.createIndex('situation_reports_event').on('situation_reports').columns(['event_id', 'created_at']).execute();
	await db.schema
		.createTable('sitrep_schedules')
		.addColumn('event_id', 'text', (c) => c.primaryKey().references('events.id').onDelete('cascade'))
		.addColumn('times', 'text', (c) => c.notNull().defaultTo('[]'))
		.addColumn('period_ends', 'boolean', (c) => c.notNull().defaultTo(false))
		.addColumn('updated_by', 'text', (c) => c.references('users.id').onDelete('set null'))
		.addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.execute();
	await db.schema
		.createTable('sitrep_slots')
		.addColumn('event_id', 'text', (c) => c.notNull().references('events.id').onDelete('cascade'))
		.addColumn('due_at', 'timestamptz', (c) => c.notNull())
		.addColumn('kind', 'text', (c) => c.notNull())
		.addColumn('period_id', 'text')
		.addColumn('claimed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.addColumn('report_id', 'text')
		.addPrimaryKeyConstraint('sitrep_slots_pk', ['event_id', 'due_at'])
		.execute();
}

export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.dropTable('sitrep_slots').execute();
	await db.schema.dropTable('sitrep_schedules').execute();
	await db.schema.dropTable('situation_reports').execute();
}
