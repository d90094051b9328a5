// Frozen in time: this migration never imports app code and only ever uses Kysely<any>.
import { type Kysely } from 'kysely';

/**
 * Where an event came from and what it is: `based_on` names the event or template it was made from (the record
 * compares its figures with that event's), `template_name` and `template_version` the template when one was used, and
 * `drill` marks an exercise (演练), whose figures stay out of comparisons with real events. Playbooks (预案) are the
 * commander's own incident kinds, each a list of cards to create across agencies, kept as JSON per event.
 */
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.alterTable('events')
		.addColumn('drill', 'boolean', (c) => c.notNull().defaultTo(false))
		.execute();
	await db.schema.alterTable('events').addColumn('based_on', 'text', (c) => c.references('events.id').onDelete('set null')).execute();
	await db.schema.alterTable('events').addColumn('template_name', 'text').execute();
	await db.schema.alterTable('events').addColumn('template_version', 'integer').execute();
	await db.schema
		.createTable('event_templates')
		.addColumn('id', 'text', (c) => c.primaryKey())
		.addColumn('name', 'text', (c) => c.notNull())
		.addColumn('version', 'integer', (c) => c.notNull())
		.addColumn('body', 'text', (c) => c.notNull())
		.addColumn('created_by', 'text', (c) => c.references('users.id').onDelete('set null'))
		.addColumn('created_at', 'timestamptz', (c) => c.notNull())
		.addUniqueConstraint('event_templates_name_version', ['name', 'version'])
		.execute();
	await db.schema
		.createTable('playbooks')
		.addColumn('id', 'text', (c) => c.primaryKey())
		.addColumn('event_id', 'text', (c) => c.notNull().references('events.id').onDelete('cascade'))
		.addColumn('name', 'text', (c) => c.notNull())
		.addColumn('body', 'text', (c) => c.notNull())
		.addColumn('created_by', 'text', (c) => c.references('users.id').onDelete('set null'))
		.addColumn('updated_at', 'timestamptz', (c) => c.notNull())
		.execute();
	await db.schema.createIndex('playbooks_event').on('playbooks').columns(['event_id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.dropTable('playbooks').execute();
	await db.schema.dropTable('event_templates').execute();
	for (const c of ['template_version', 'template_name', 'based_on', 'drill']) await db.schema.alterTable('events').dropColumn(c).execute();
}
