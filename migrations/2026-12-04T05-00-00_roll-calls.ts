// Frozen in time: this migration never imports app code and only ever uses Kysely<any>.
import { sql, type Kysely } from 'kysely';

/**
 * Roll calls (查岗点名): who started one, over which posts, until when; and one row per person on duty on a covered
 * post at the start, with the moment they tapped 在岗 and the moment that reached the server.
 */
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.createTable('roll_calls')
		.addColumn('id', 'text', (c) => c.primaryKey())
		.addColumn('event_id', 'text', (c) => c.notNull().references('events.id').onDelete('cascade'))
		.addColumn('scope', 'text', (c) => c.notNull())
		.addColumn('started_by', 'text', (c) => c.references('users.id').onDelete('set null'))
		.addColumn('started_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.addColumn('closes_at', 'timestamptz', (c) => c.notNull())
		.addColumn('reminded_at', 'timestamptz')
		.execute();
	await db.schema.createIndex('roll_calls_event').on('roll_calls').columns(['event_id', 'started_at']).execute();
	await db.schema
		.createTable('roll_call_targets')
		.addColumn('roll_call_id', 'text', (c) => c.notNull().references('roll_calls.id').onDelete('cascade'))
		.addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
		.addColumn('name', 'text', (c) => c.notNull())
		.addColumn('post_id', 'text', (c) => c.notNull())
		.addColumn('post_name', 'text', (c) => c.notNull())
		.addColumn('post_agency', 'text')
		.addColumn('answered_at', 'timestamptz')
		.addColumn('received_at', 'timestamptz')
		.addPrimaryKeyConstraint('roll_call_targets_pk', ['roll_call_id', 'user_id', 'post_id'])
		.execute();
}

export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.dropTable('roll_call_targets').execute();
	await db.schema.dropTable('roll_calls').execute();
}
