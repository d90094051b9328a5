// Frozen in time: this migration never imports app code and only ever uses Kysely<any>.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.createTable('settings')
		.addColumn('key', 'text', (c) => c.primaryKey())
		.addColumn('value', 'text', (c) => c.notNull())
		.addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.execute();

	await db.schema
		.createTable('agencies')
		.addColumn('code', 'text', (c) => c.primaryKey())
		.addColumn('name_zh', 'text', (c) => c.notNull())
		.addColumn('name_en', 'text', (c) => c.notNull())
		.addColumn('color', 'text', (c) => c.notNull())
		.addColumn('sort', 'integer', (c) => c.notNull().defaultTo(100))
		.addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.execute();

	await db.schema
		.createTable('teams')
		.addColumn('id', 'text', (c) => c.primaryKey())
		.addColumn('agency_code', 'text', (c) => c.notNull().references('agencies.code').onDelete('restrict'))
		.addColumn('parent_id', 'text', (c) => c.references('teams.id').onDelete('restrict'))
		.addColumn('level', 'text', (c) => c.notNull().check(sql`level in ('brigade', 'squadron', 'unit')`))
		.addColumn('name', 'text', (c) => c.notNull())
		.addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.execute();
	await db.schema.createIndex('teams_agency_idx').on('teams').column('agency_code').execute();

	await db.schema
		.createTable('users')
		.addColumn('id', 'text', (c) => c.primaryKey())
		.addColumn('username', 'text', (c) => c.notNull().unique())
		.addColumn('display_name', 'text', (c) => c.notNull())
		.addColumn('password_hash', 'text', (c) => c.notNull())
		.addColumn('agency_code', 'text', (c) => c.references('agencies.code').onDelete('restrict'))
		.addColumn('team_id', 'text', (c) => c.references('teams.id').onDelete('set null'))
		.addColumn('is_admin', 'boolean', (c) => c.notNull().defaultTo(false))
		.addColumn('cleared_personal_data', 'boolean', (c) => c.notNull().defaultTo(false))
		.addColumn('phone', 'text')
		.addColumn('locale', 'text')
		.addColumn('disabled_at', 'timestamptz')
		.addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.execute();

	await db.schema
		.createTable('sessions')
		.addColumn('id', 'text', (c) => c.primaryKey())
		.addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
		.addColumn('expires_at', 'timestamptz', (c) => c.notNull())
		.addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.addColumn('ip', 'text')
		.addColumn('user_agent', 'text')
		.execute();
	await db.schema.createIndex('sessions_user_idx').on('sessions').column('user_id').execute();

	await db.schema
		.createTable('login_failures')
		.addColumn('id', 'bigserial', (c) => c.primaryKey())
		.addColumn('key', 'text', (c) => c.notNull())
		.addColumn('failed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.execute();
	await db.schema.createIndex('login_failures_key_idx').on('login_failures').columns(['key', 'failed_at']).execute();

	await db.schema
		.createTable('events')
		.addColumn('id', 'text', (c) => c.primaryKey())
		.addColumn('name', 'text', (c) => c.notNull())
		.addColumn('venue', 'text', (c) => c.notNull().defaultTo(''))
		.addColumn('starts_at', 'timestamptz', (c) => c.notNull())
		.addColumn('ends_at', 'timestamptz', (c) => c.notNull())
		.addColumn('timezone', 'text', (c) => c.notNull().defaultTo('Asia/Shanghai'))
		.addColumn('status', 'text', (c) =>
			c.notNull().defaultTo('planning').check(sql`status in ('planning', 'active', 'closed')`)
		)
		.addColumn('checkin_grace_minutes', 'integer', (c) => c.notNull().defaultTo(10))
		.addColumn('created_by', 'text', (c) => c.references('users.id').onDelete('set null'))
		.addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.addColumn('closed_at', 'timestamptz')
		.addCheckConstraint('events_time_order', sql`ends_at > starts_at`)
		.execute();

	await db.schema
		.createTable('event_members')
		.addColumn('event_id', 'text', (c) => c.notNull().references('events.id').onDelete('cascade'))
		.addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
		.addColumn('role', 'text', (c) =>
			c.notNull().check(sql`role in ('commander', 'lead', 'member', 'reviewer', 'observer')`)
		)
		.addColumn('agency_code', 'text', (c) => c.references('agencies.code').onDelete('restrict'))
		.addColumn('added_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.addPrimaryKeyConstraint('event_members_pk', ['event_id', 'user_id'])
		.execute();
	await db.schema.createIndex('event_members_user_idx').on('event_members').column('user_id').execute();

	await db.schema
		.createTable('display_tokens')
		.addColumn('id', 'text', (c) => c.primaryKey())
		.addColumn('event_id', 'text', (c) => c.notNull().references('events.id').onDelete('cascade'))
		.addColumn('name', 'text', (c) => c.notNull())
		.addColumn('created_by', 'text', (c) => c.references('users.id').onDelete('set null'))
		.addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.addColumn('last_used_at', 'timestamptz')
		.addColumn('revoked_at', 'timestamptz')
		.execute();
	await db.schema.createIndex('display_tokens_event_idx').on('display_tokens').column('event_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
	for (const table of [
		'display_tokens',
		'event_members',
		'events',
		'login_failures',
		'sessions',
		'users',
		'teams',
		'agencies',
		'settings'
	]) {
		await db.schema.dropTable(table).ifExists().execute();
	}
}
