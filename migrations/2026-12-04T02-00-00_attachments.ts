// Frozen in time: this migration never imports app code and only ever uses Kysely<any>.
import { sql, type Kysely } from 'kysely';

/**
 * Files stored in the database (venue plans first; field photos later), addressed by the SHA-256 of their content:
 * the same plan uploaded twice is stored once. Each file belongs to an event; who may read it follows the event.
 */
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.createTable('attachments')
		.addColumn('id', 'text', (c) => c.notNull())
		.addColumn('event_id', 'text', (c) => c.notNull().references('events.id').onDelete('cascade'))
		.addColumn('kind', 'text', (c) => c.notNull())
		.addColumn('mime', 'text', (c) => c.notNull())
		.addColumn('width', 'integer')
		.addColumn('height', 'integer')
		.addColumn('bytes', 'bytea', (c) => c.notNull())
		.addColumn('created_by', 'text', (c) => c.references('users.id').onDelete('set null'))
		.addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.addPrimaryKeyConstraint('attachments_pk', ['event_id', 'id'])
		.execute();
}

export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.dropTable('attachments').execute();
}
