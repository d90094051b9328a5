// Frozen in time: this migration never imports app code and only ever uses Kysely<any>.
import type { Kysely } from 'kysely';

/**
 * Reminders of instructions not yet acknowledged: when the last one went out (a sender may remind once a minute),
 * and whether the automatic one at the acknowledge-by time was sent (set by whichever instance sends it, once).
 */
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.alterTable('instructions')
		.addColumn('reminded_at', 'timestamptz')
		.addColumn('auto_reminded', 'boolean', (c) => c.notNull().defaultTo(false))
		.execute();
}

export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.alterTable('instructions').dropColumn('reminded_at').dropColumn('auto_reminded').execute();
}
