// Frozen in time: this migration never imports app code and only ever uses Kysely<any>.
import { sql, type Kysely } from 'kysely';

/**
 * Actions sent from a phone's offline queue: one row per user and action id, so the same action sent twice is
 * done once and answered with its first answer. `result` is null while the action is being done. Acknowledgements
 * keep the time the server received them beside the tap time (`acked_at`).
 */
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.createTable('client_actions')
		.addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
		.addColumn('action_id', 'text', (c) => c.notNull())
		.addColumn('command', 'text', (c) => c.notNull())
		.addColumn('event_id', 'text')
		.addColumn('tapped_at', 'timestamptz', (c) => c.notNull())
		.addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.addColumn('result', 'jsonb')
		.addPrimaryKeyConstraint('client_actions_pk', ['user_id', 'action_id'])
		.execute();
	await db.schema.alterTable('instruction_recipients').addColumn('ack_received_at', 'timestamptz').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.alterTable('instruction_recipients').dropColumn('ack_received_at').execute();
	await db.schema.dropTable('client_actions').execute();
}
