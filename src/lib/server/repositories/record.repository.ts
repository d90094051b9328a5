import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { EMPTY_FINDINGS, type Findings } from '../../domain/findings.ts';
import { EMPTY_EXERCISE, parseExercise, type ExerciseEvaluation } from '../../domain/exercise.ts';

export interface RecordRow {
	status: 'draft' | 'final';
	findings: Findings;
	/** A drill's exercise evaluation (empty for a real event, or before a reviewer saves one). */
	exercise: ExerciseEvaluation;
	updatedAt: Date | null;
	finalizedAt: Date | null;
	finalizedBy: string | null;
	canonicalJson: string | null;
	sha256: string | null;
}

export async function getRecord(db: Kysely<DB>, eventId: string): Promise<RecordRow> {
	const r = await db
		.selectFrom('records')
		.select(['status', 'findings', 'exercise', 'updated_at', 'finalized_at', 'finalized_by', 'canonical_json', 'sha256'])
		.where('event_id', '=', eventId)
		.executeTakeFirst();
	if (!r) return { status: 'draft', findings: EMPTY_FINDINGS, exercise: EMPTY_EXERCISE, updatedAt: null, finalizedAt: null, finalizedBy: null, canonicalJson: null, sha256: null };
	return {
		status: r.status,
		findings: JSON.parse(r.findings) as Findings,
		exercise: parseExercise(r.exercise),
		updatedAt: new Date(r.updated_at),
		finalizedAt: r.finalized_at ? new Date(r.finalized_at) : null,
		finalizedBy: r.finalized_by,
		canonicalJson: r.canonical_json,
		sha256: r.sha256
	};
}

/** Saves the findings of a draft record. Returns false when the record is already final. */
export async function saveFindings(db: Kysely<DB>, eventId: string, findings: Findings, userId: string): Promise<boolean> {
	const json = JSON.stringify(findings);
	const r = await db
		.insertInto('records')
		.values({ event_id: eventId, findings: json, updated_by: userId })
		.onConflict((oc) =>
			oc
				.column('event_id')
				.doUpdateSet({ findings: json, updated_by: userId, updated_at: new Date() })
				.where('records.status', '=', 'draft')
		)
		.executeTakeFirst();
	return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
}

/** Saves a drill's exercise evaluation into its draft record. Returns false when the record is already final. */
export async function saveExercise(db: Kysely<DB>, eventId: string, exercise: ExerciseEvaluation, userId: string): Promise<boolean> {
	const json = JSON.stringify(exercise);
	const r = await db
		.insertInto('records')
		.values({ event_id: eventId, exercise: json, updated_by: userId })
		.onConflict((oc) =>
			oc
				.column('event_id')
				.doUpdateSet({ exercise: json, updated_by: userId, updated_at: new Date() })
				.where('records.status', '=', 'draft')
		)
		.executeTakeFirst();
	return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
}

/**
 * Freezes the record: stores its canonical JSON and hash; from then on it never changes. Returns false when
 * it was already final (the first finalization stands).
 */
export async function finalizeRecord(
	db: Kysely<DB>,
	eventId: string,
	input: { canonicalJson: string; sha256: string; userId: string; at: Date }
): Promise<boolean> {
	return db.transaction().execute(async (tx) => {
		await tx.insertInto('records').values({ event_id: eventId }).onConflict((oc) => oc.column('event_id').doNothing()).execute();
		const r = await tx
			.updateTable('records')
			.set({ status: 'final', canonical_json: input.canonicalJson, sha256: input.sha256, finalized_at: input.at, finalized_by: input.userId })
			.where('event_id', '=', eventId)
			.where('status', '=', 'draft')
			.executeTakeFirst();
		return Number(r.numUpdatedRows) > 0;
	});
}
