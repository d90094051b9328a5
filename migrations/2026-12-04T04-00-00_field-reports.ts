// Frozen in time: this migration never imports app code and only ever uses Kysely<any>.
import { sql, type Kysely } from 'kysely';

/**
 * Field reports (警情上报) and what may carry files: a report's photos, a card's or a dispute entry's attachments.
 * A file is stored once per event in `attachments` (content-addressed, now with its thumbnail); `attachment_links`
 * says what it is attached to, which decides who may see it. An upload in progress lives in `upload_parts` until
 * its report or attachment is stored whole; a part is never visible anywhere else.
 */
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema.alterTable('attachments').addColumn('thumbnail', 'bytea').execute();
	await db.schema.alterTable('attachments').addColumn('size', 'integer').execute();
	await sql`update attachments set size = octet_length(bytes)`.execute(db);

	await db.schema
		.createTable('field_reports')
		.addColumn('event_id', 'text', (c) => c.notNull().references('events.id').onDelete('cascade'))
		.addColumn('id', 'text', (c) => c.notNull())
		.addColumn('reporter_id', 'text', (c) => c.references('users.id').onDelete('set null'))
		.addColumn('reporter_agency', 'text')
		.addColumn('kind', 'text', (c) => c.notNull())
		.addColumn('body', 'text', (c) => c.notNull())
		.addColumn('level', 'integer')
		.addColumn('head_count', 'integer')
		.addColumn('pin_x', 'double precision')
		.addColumn('pin_y', 'double precision')
		.addColumn('lng', 'double precision')
		.addColumn('lat', 'double precision')
		.addColumn('reported_at', 'timestamptz', (c) => c.notNull())
		.addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.addColumn('state', 'text', (c) => c.notNull().defaultTo('new'))
		.addColumn('triaged_at', 'timestamptz')
		.addColumn('triaged_by', 'text', (c) => c.references('users.id').onDelete('set null'))
		.addColumn('card_agency', 'text')
		.addColumn('card_id', 'text')
		.addColumn('duplicate_of', 'text')
		.addColumn('reason', 'text')
		.addPrimaryKeyConstraint('field_reports_pk', ['event_id', 'id'])
		.execute();
	await db.schema.createIndex('field_reports_received').on('field_reports').columns(['event_id', 'received_at']).execute();

	await db.schema
		.createTable('attachment_links')
		.addColumn('event_id', 'text', (c) => c.notNull())
		.addColumn('attachment_id', 'text', (c) => c.notNull())
		.addColumn('target', 'text', (c) => c.notNull())
		.addColumn('target_id', 'text', (c) => c.notNull())
		.addColumn('agency', 'text')
		.addColumn('name', 'text', (c) => c.notNull().defaultTo(''))
		.addColumn('people', 'boolean', (c) => c.notNull().defaultTo(false))
		.addColumn('on_wall', 'boolean', (c) => c.notNull().defaultTo(false))
		.addColumn('created_by', 'text', (c) => c.references('users.id').onDelete('set null'))
		.addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.addPrimaryKeyConstraint('attachment_links_pk', ['event_id', 'attachment_id', 'target', 'target_id'])
		.addForeignKeyConstraint('attachment_links_file', ['event_id', 'attachment_id'], 'attachments', ['event_id', 'id'], (c) => c.onDelete('cascade'))
		.execute();
	await db.schema.createIndex('attachment_links_target').on('attachment_links').columns(['event_id', 'target', 'target_id']).execute();

	await db.schema
		.createTable('upload_parts')
		.addColumn('event_id', 'text', (c) => c.notNull().references('events.id').onDelete('cascade'))
		.addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
		.addColumn('upload_id', 'text', (c) => c.notNull())
		.addColumn('start', 'integer', (c) => c.notNull())
		.addColumn('total', 'integer', (c) => c.notNull())
		.addColumn('bytes', 'bytea', (c) => c.notNull())
		.addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.addPrimaryKeyConstraint('upload_parts_pk', ['event_id', 'user_id', 'upload_id', 'start'])
		.execute();
}

export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.dropTable('upload_parts').execute();
	await db.schema.dropTable('attachment_links').execute();
	await db.schema.dropTable('field_reports').execute();
	await db.schema.alterTable('attachments').dropColumn('size').execute();
	await db.schema.alterTable('attachments').dropColumn('thumbnail').execute();
}
