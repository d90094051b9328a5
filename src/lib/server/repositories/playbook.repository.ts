/**
 * The commander's own playbooks (预案) of an event, stored as JSON bodies; the built-in ones live in
 * src/lib/domain/playbooks.ts. Callers get `Playbook`s, never rows. A stored body that no longer passes the checks
 * (an agency was removed since) is listed with no cards and cannot be run.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { BUILTIN_PLAYBOOKS, builtinPlaybook, parsePlaybookBody, playbookBody, type Playbook, type PlaybookCard } from '../../domain/playbooks.ts';

export interface StoredPlaybook extends Playbook {
	/** False when the stored cards no longer pass the checks. */
	runnable: boolean;
	updatedAt: string;
}

function toPlaybook(row: { id: string; name: string; body: string; updated_at: Date | string }, agencies: readonly string[]): StoredPlaybook {
	const cards = parsePlaybookBody(row.name, row.body, agencies);
	return { id: row.id, name: row.name, builtIn: false, cards: cards ?? [], runnable: cards !== null, updatedAt: new Date(row.updated_at).toISOString() };
}

/** The event's own playbooks, by name. */
export async function listOwnPlaybooks(db: Kysely<DB>, eventId: string, agencies: readonly string[]): Promise<StoredPlaybook[]> {
	const rows = await db.selectFrom('playbooks').select(['id', 'name', 'body', 'updated_at']).where('event_id', '=', eventId).orderBy('name').orderBy('id').execute();
	return rows.map((r) => toPlaybook(r, agencies));
}

/** A playbook an event may run: a built-in one, or one of the event's own. */
export async function findPlaybook(db: Kysely<DB>, eventId: string, id: string, agencies: readonly string[]): Promise<StoredPlaybook | null> {
	const builtIn = builtinPlaybook(id);
	if (builtIn) return { ...builtIn, runnable: builtIn.cards.every((c) => agencies.includes(c.agency)), updatedAt: '' };
	const row = await db.selectFrom('playbooks').select(['id', 'name', 'body', 'updated_at']).where('event_id', '=', eventId).where('id', '=', id).executeTakeFirst();
	return row ? toPlaybook(row, agencies) : null;
}

/** Every playbook of an event: the built-in ones first, then the event's own. */
export async function listPlaybooks(db: Kysely<DB>, eventId: string, agencies: readonly string[]): Promise<StoredPlaybook[]> {
	const builtIn = BUILTIN_PLAYBOOKS.map((p) => ({ ...p, runnable: p.cards.every((c) => agencies.includes(c.agency)), updatedAt: '' }));
	return [...builtIn, ...(await listOwnPlaybooks(db, eventId, agencies))];
}

export async function insertPlaybook(db: Kysely<DB>, p: { id: string; eventId: string; name: string; cards: PlaybookCard[]; createdBy: string }): Promise<void> {
	await db
		.insertInto('playbooks')
		.values({ id: p.id, event_id: p.eventId, name: p.name, body: playbookBody(p.cards), created_by: p.createdBy, updated_at: new Date() })
		.execute();
}

/** Changes an own playbook; false when the event has no such playbook. */
export async function updatePlaybook(db: Kysely<DB>, p: { id: string; eventId: string; name: string; cards: PlaybookCard[] }): Promise<boolean> {
	const r = await db
		.updateTable('playbooks')
		.set({ name: p.name, body: playbookBody(p.cards), updated_at: new Date() })
		.where('event_id', '=', p.eventId)
		.where('id', '=', p.id)
		.executeTakeFirst();
	return Number(r.numUpdatedRows) > 0;
}

export async function deletePlaybook(db: Kysely<DB>, eventId: string, id: string): Promise<boolean> {
	const r = await db.deleteFrom('playbooks').where('event_id', '=', eventId).where('id', '=', id).executeTakeFirst();
	return Number(r.numDeletedRows) > 0;
}
