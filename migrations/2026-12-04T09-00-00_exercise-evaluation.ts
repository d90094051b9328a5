// Frozen in time: this migration never imports app code and only ever uses Kysely<any>.
import { type Kysely } from 'kysely';

/**
 * The exercise evaluation of a drill (HSEEP): its objectives with their capabilities' P/S/M/U ratings, strengths
 * and areas for improvement, kept as JSON beside the findings of the event's draft record. Null until a reviewer
 * saves one; a final record carries it inside its canonical JSON.
 */
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema.alterTable('records').addColumn('exercise', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.alterTable('records').dropColumn('exercise').execute();
}
