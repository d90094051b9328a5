// Frozen in time: this migration never imports app code and only ever uses Kysely<any>.
import { sql, type Kysely } from 'kysely';

/**
 * The audit log: who did what to accounts, tokens and memberships, who signed in or failed to, and who read or
 * exported personal data. Append-only: a trigger refuses every UPDATE, DELETE and TRUNCATE, so not even the
 * application's own connection can change what it wrote. Names are copied at the time of the action, so a later
 * rename or a purge leaves the line as it was; details hold ids and counts, never a party's personal data.
 *
 * Also the purge of personal data after an event closes: the event row says when it was done.
 */
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.createTable('audit_log')
		.addColumn('id', 'bigserial', (c) => c.primaryKey())
		.addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.addColumn('actor_kind', 'text', (c) => c.notNull())
		.addColumn('actor_id', 'text')
		.addColumn('actor_name', 'text', (c) => c.notNull().defaultTo(''))
		.addColumn('action', 'text', (c) => c.notNull())
		.addColumn('target_kind', 'text')
		.addColumn('target_id', 'text')
		.addColumn('target_name', 'text')
		.addColumn('event_id', 'text')
		.addColumn('details', 'text', (c) => c.notNull().defaultTo('{}'))
		.addColumn('ip', 'text')
		.execute();
	await db.schema.createIndex('audit_log_at_idx').on('audit_log').column('at').execute();
	await db.schema.createIndex('audit_log_event_idx').on('audit_log').columns(['event_id', 'at']).execute();
	await db.schema.createIndex('audit_log_actor_idx').on('audit_log').columns(['actor_id', 'at']).execute();

	await sql`
		create function audit_log_refuse_change() returns trigger language plpgsql as $$
		begin
			raise exception 'audit_log is append-only: % refused', tg_op using errcode = '42501';
		end
		$$`.execute(db);
	await sql`
		create trigger audit_log_append_only before update or delete on audit_log
		for each row execute function audit_log_refuse_change()`.execute(db);
	await sql`
		create trigger audit_log_no_truncate before truncate on audit_log
		for each statement execute function audit_log_refuse_change()`.execute(db);

	await db.schema.alterTable('events').addColumn('personal_data_purged_at', 'timestamptz').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.alterTable('events').dropColumn('personal_data_purged_at').execute();
	await db.schema.dropTable('audit_log').execute();
	await sql`drop function audit_log_refuse_change()`.execute(db);
}
