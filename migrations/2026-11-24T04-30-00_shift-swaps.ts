// Frozen in time: this migration never imports app code and only ever uses Kysely<any>.
import { sql, type Kysely } from 'kysely';

/**
 * Shift swap requests (换班): who asked whom to swap or take over which shift, the colleague's answer and the
 * lead's decision. The shifts themselves live in the agency's Yjs document; this is the paper trail.
 */
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.createTable('shift_swaps')
		.addColumn('id', 'text', (c) => c.primaryKey())
		.addColumn('event_id', 'text', (c) => c.notNull().references('events.id').onDelete('cascade'))
		.addColumn('agency_code', 'text', (c) => c.notNull())
		.addColumn('from_shift_id', 'text', (c) => c.notNull())
		.addColumn('from_person_id', 'text', (c) => c.notNull())
		.addColumn('from_user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
		// Null when the colleague takes the shift over instead of swapping one of theirs.
		.addColumn('to_shift_id', 'text')
		.addColumn('to_person_id', 'text')
		.addColumn('to_user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
		.addColumn('note', 'text', (c) => c.notNull().defaultTo(''))
		.addColumn('status', 'text', (c) =>
			c.notNull().check(sql`status in ('proposed', 'accepted', 'approved', 'declined', 'rejected', 'cancelled')`)
		)
		.addColumn('requested_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.addColumn('responded_at', 'timestamptz')
		.addColumn('decided_at', 'timestamptz')
		.addColumn('decided_by', 'text', (c) => c.references('users.id').onDelete('set null'))
		.execute();
	await db.schema.createIndex('shift_swaps_event_idx').on('shift_swaps').columns(['event_id', 'agency_code', 'requested_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.dropTable('shift_swaps').ifExists().execute();
}
