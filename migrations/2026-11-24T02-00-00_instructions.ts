// Frozen in time: this migration never imports app code and only ever uses Kysely<any>.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.createTable('instructions')
		.addColumn('id', 'text', (c) => c.primaryKey())
		.addColumn('event_id', 'text', (c) => c.notNull().references('events.id').onDelete('cascade'))
		.addColumn('sender_id', 'text', (c) => c.references('users.id').onDelete('set null'))
		.addColumn('sender_agency', 'text')
		// everyone | agencies | teams, with the chosen codes or team ids as a JSON array.
		.addColumn('scope', 'text', (c) => c.notNull().check(sql`scope in ('everyone', 'agencies', 'teams')`))
		.addColumn('targets', 'text', (c) => c.notNull().defaultTo('[]'))
		.addColumn('priority', 'text', (c) => c.notNull().check(sql`priority in ('routine', 'urgent', 'alarm')`))
		.addColumn('body', 'text', (c) => c.notNull())
		.addColumn('ack_by', 'timestamptz')
		.addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.execute();
	await db.schema.createIndex('instructions_event_idx').on('instructions').columns(['event_id', 'created_at']).execute();

	// Recipients are fixed when the instruction is sent; each acknowledges once.
	await db.schema
		.createTable('instruction_recipients')
		.addColumn('instruction_id', 'text', (c) => c.notNull().references('instructions.id').onDelete('cascade'))
		.addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
		.addColumn('agency_code', 'text')
		.addColumn('acked_at', 'timestamptz')
		.addPrimaryKeyConstraint('instruction_recipients_pk', ['instruction_id', 'user_id'])
		.execute();
	await db.schema.createIndex('instruction_recipients_user_idx').on('instruction_recipients').column('user_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.dropTable('instruction_recipients').ifExists().execute();
	await db.schema.dropTable('instructions').ifExists().execute();
}
