// Frozen in time: this migration never imports app code and only ever uses Kysely<any>.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
	// One row per document: its last sequence number. Appenders update it, so its row lock orders the appends
	// of one document across every instance, and sequence numbers commit in order without gaps.
	await db.schema
		.createTable('documents')
		.addColumn('name', 'text', (c) => c.primaryKey())
		.addColumn('event_id', 'text', (c) => c.notNull().references('events.id').onDelete('cascade'))
		.addColumn('seq', 'bigint', (c) => c.notNull().defaultTo(0))
		.addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.execute();
	await db.schema.createIndex('documents_event_idx').on('documents').column('event_id').execute();

	// The update log: every accepted update, kept for the event's life (audit trail and replay).
	await db.schema
		.createTable('doc_updates')
		.addColumn('doc', 'text', (c) => c.notNull().references('documents.name').onDelete('cascade'))
		.addColumn('seq', 'bigint', (c) => c.notNull())
		.addColumn('user_id', 'text', (c) => c.references('users.id').onDelete('set null'))
		.addColumn('conn_id', 'text')
		.addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.addColumn('bytes', 'bytea', (c) => c.notNull())
		.addPrimaryKeyConstraint('doc_updates_pk', ['doc', 'seq'])
		.execute();

	await db.schema
		.createTable('doc_snapshots')
		.addColumn('doc', 'text', (c) => c.notNull().references('documents.name').onDelete('cascade'))
		.addColumn('upto_seq', 'bigint', (c) => c.notNull())
		.addColumn('state', 'bytea', (c) => c.notNull())
		.addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.addPrimaryKeyConstraint('doc_snapshots_pk', ['doc', 'upto_seq'])
		.execute();

	// Each Yjs client id, per document, belongs to the user who first used it.
	await db.schema
		.createTable('doc_clients')
		.addColumn('doc', 'text', (c) => c.notNull().references('documents.name').onDelete('cascade'))
		.addColumn('client_id', 'bigint', (c) => c.notNull())
		.addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
		.addColumn('first_seen_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.addPrimaryKeyConstraint('doc_clients_pk', ['doc', 'client_id'])
		.execute();

	await db.schema
		.createTable('activity')
		.addColumn('id', 'bigserial', (c) => c.primaryKey())
		.addColumn('event_id', 'text', (c) => c.notNull().references('events.id').onDelete('cascade'))
		.addColumn('doc', 'text', (c) => c.notNull())
		.addColumn('seq', 'bigint')
		.addColumn('user_id', 'text', (c) => c.references('users.id').onDelete('set null'))
		.addColumn('at', 'timestamptz', (c) => c.notNull())
		.addColumn('entity_type', 'text', (c) => c.notNull())
		.addColumn('entity_id', 'text', (c) => c.notNull())
		.addColumn('action', 'text', (c) => c.notNull())
		.addColumn('field', 'text')
		.addColumn('subject', 'text')
		.addColumn('from_value', 'text')
		.addColumn('to_value', 'text')
		.execute();
	await db.schema.createIndex('activity_event_at_idx').on('activity').columns(['event_id', 'at']).execute();
	await db.schema.createIndex('activity_entity_idx').on('activity').columns(['doc', 'entity_id', 'at']).execute();

	// Used by socket.io's PostgreSQL adapter to pass large packets between instances.
	await db.schema
		.createTable('socket_io_attachments')
		.addColumn('id', 'bigserial', (c) => c.unique())
		.addColumn('created_at', 'timestamptz', (c) => c.defaultTo(sql`now()`))
		.addColumn('payload', 'bytea')
		.execute();
}

export async function down(db: Kysely<any>): Promise<void> {
	for (const t of ['socket_io_attachments', 'activity', 'doc_clients', 'doc_snapshots', 'doc_updates', 'documents']) {
		await db.schema.dropTable(t).ifExists().execute();
	}
}
