// Frozen in time: this migration never imports app code and only ever uses Kysely<any>.
import { sql, type Kysely } from 'kysely';

/**
 * Patrol-point checks (巡更): a patrol route (a post of the roster) gets a round interval and named checkpoints,
 * each with a printed QR label; a scan records who checked which point and when (the tap, and its arrival).
 */
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.createTable('patrol_routes')
		.addColumn('event_id', 'text', (c) => c.notNull().references('events.id').onDelete('cascade'))
		.addColumn('post_id', 'text', (c) => c.notNull())
		.addColumn('interval_minutes', 'integer', (c) => c.notNull())
		.addPrimaryKeyConstraint('patrol_routes_pk', ['event_id', 'post_id'])
		.execute();
	await db.schema
		.createTable('patrol_checkpoints')
		.addColumn('id', 'text', (c) => c.primaryKey())
		.addColumn('event_id', 'text', (c) => c.notNull().references('events.id').onDelete('cascade'))
		.addColumn('post_id', 'text', (c) => c.notNull())
		.addColumn('name', 'text', (c) => c.notNull())
		.addColumn('seq', 'integer', (c) => c.notNull())
		.addColumn('x', 'double precision')
		.addColumn('y', 'double precision')
		.addColumn('archived', 'boolean', (c) => c.notNull().defaultTo(false))
		.addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.execute();
	await db.schema.createIndex('patrol_checkpoints_route').on('patrol_checkpoints').columns(['event_id', 'post_id']).execute();
	await db.schema
		.createTable('patrol_scans')
		.addColumn('id', 'text', (c) => c.primaryKey())
		.addColumn('event_id', 'text', (c) => c.notNull().references('events.id').onDelete('cascade'))
		.addColumn('checkpoint_id', 'text', (c) => c.notNull().references('patrol_checkpoints.id').onDelete('cascade'))
		.addColumn('user_id', 'text', (c) => c.references('users.id').onDelete('set null'))
		.addColumn('scanned_at', 'timestamptz', (c) => c.notNull())
		.addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.execute();
	await db.schema.createIndex('patrol_scans_event').on('patrol_scans').columns(['event_id', 'scanned_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.dropTable('patrol_scans').execute();
	await db.schema.dropTable('patrol_checkpoints').execute();
	await db.schema.dropTable('patrol_routes').execute();
}
