// Frozen in time: this migration never imports app code and only ever uses Kysely<any>.
import { sql, type Kysely } from 'kysely';

/**
 * Positions people on duty chose to share (off by default), kept for the event's life as personal data: command and
 * their own agency's lead see them live; the record shows the tracks to cleared readers only.
 */
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.createTable('positions')
		.addColumn('id', 'bigserial', (c) => c.primaryKey())
		.addColumn('event_id', 'text', (c) => c.notNull().references('events.id').onDelete('cascade'))
		.addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
		.addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.addColumn('lng', 'double precision', (c) => c.notNull())
		.addColumn('lat', 'double precision', (c) => c.notNull())
		.addColumn('accuracy', 'real')
		.execute();
	await db.schema.createIndex('positions_event_user_at').on('positions').columns(['event_id', 'user_id', 'at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.dropTable('positions').execute();
}
