/**
 * The periodic purge of personal data after an event closes (src/lib/server/personal-data-purge.ts). Every
 * instance sweeps; the claim on each event row inside its purge transaction lets only one of them purge it.
 * After a purge the restricted document is dropped from the hub of this instance and, through the notification
 * channel, of every other, so no instance keeps serving the parties from memory.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../src/lib/server/db/schema.ts';
import { purgeDueEvents } from '../src/lib/server/personal-data-purge.ts';
import { restrictedDocName } from '../src/lib/domain/documents.ts';

export interface PurgeScheduleDeps {
	db: Kysely<DB>;
	/** Drops a document this instance and the others hold in memory (after its stored state was rewritten). */
	dropDocument(name: string): Promise<void>;
}

/** Starts the sweep; returns its stop function. */
export function startPurgeSchedule(deps: PurgeScheduleDeps, config: { days: number; everyMs: number }): () => void {
	let running = false;
	const sweep = async () => {
		if (running) return;
		running = true;
		try {
			await purgeDueEvents(deps.db, config.days, { kind: 'system' }, { purged: (r) => deps.dropDocument(restrictedDocName(r.eventId)) });
		} catch (err) {
			// The database may be unreachable for a moment; the next sweep tries again.
			console.error('[purge] sweep failed:', err instanceof Error ? err.message : err);
		} finally {
			running = false;
		}
	};
	const timer = setInterval(() => void sweep(), config.everyMs);
	timer.unref();
	void sweep();
	return () => clearInterval(timer);
}
