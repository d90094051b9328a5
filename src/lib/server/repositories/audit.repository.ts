/**
 * The append-only audit log. `writeAudit` takes a Kysely handle so the line commits in the same transaction as
 * the change it records; the table's trigger refuses any UPDATE or DELETE, so nothing here ever changes a line.
 * Details are ids and counts: never a dispute party's name, phone or ID number, never a password.
 */
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';

/** Everything that is audited. The pages word them through the catalog (`audit_action_<name with _>`). */
export const AUDIT_ACTIONS = [
	'user.create',
	'user.update',
	'user.disable',
	'user.enable',
	'user.passwordReset',
	'user.clearanceChange',
	'user.adminChange',
	'member.add',
	'member.change',
	'member.remove',
	'member.bulk',
	'displayToken.create',
	'displayToken.revoke',
	'apiToken.create',
	'apiToken.revoke',
	'session.signIn',
	'session.signInFailed',
	'session.signOut',
	'parties.open',
	'export.personal',
	'personalData.purge'
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** Who did it: a signed-in user, the command line (with the OS user), the server itself, or someone not signed in. */
export type AuditActor =
	| { kind: 'user'; id: string; name: string }
	| { kind: 'cli'; name: string }
	| { kind: 'system' }
	| { kind: 'anonymous' };

export interface AuditEntry {
	actor: AuditActor;
	action: AuditAction;
	target?: { kind: string; id?: string | null; name?: string | null };
	eventId?: string | null;
	details?: Record<string, string | number | boolean | null | string[]>;
	ip?: string | null;
}

/** The actor for a signed-in user. */
export function userActor(user: { id: string; displayName: string }): AuditActor {
	return { kind: 'user', id: user.id, name: user.displayName };
}

/** Appends one line. Pass the transaction of the change it records where there is one. */
export async function writeAudit(db: Kysely<DB>, entry: AuditEntry, at = new Date()): Promise<void> {
	const a = entry.actor;
	await db
		.insertInto('audit_log')
		.values({
			at,
			actor_kind: a.kind,
			actor_id: a.kind === 'user' ? a.id : null,
			actor_name: a.kind === 'user' || a.kind === 'cli' ? a.name : '',
			action: entry.action,
			target_kind: entry.target?.kind ?? null,
			target_id: entry.target?.id ?? null,
			target_name: entry.target?.name ?? null,
			event_id: entry.eventId ?? null,
			details: JSON.stringify(entry.details ?? {}),
			ip: entry.ip ?? null
		})
		.execute();
}

export interface AuditRow {
	id: string;
	at: Date;
	actorKind: string;
	actorId: string | null;
	actorName: string;
	action: string;
	targetKind: string | null;
	targetId: string | null;
	targetName: string | null;
	eventId: string | null;
	eventName: string | null;
	/** The event's time zone, where the line belongs to an event (times are shown in it). */
	eventTimezone: string | null;
	details: Record<string, unknown>;
	ip: string | null;
}

export interface AuditFilter {
	eventId?: string;
	actorId?: string;
	action?: string;
	since?: Date;
	until?: Date;
	limit?: number;
	/** Only lines with an id below this one (paging backwards through time). */
	beforeId?: string;
}

function parseDetails(text: string): Record<string, unknown> {
	try {
		const v = JSON.parse(text);
		return v && typeof v === 'object' && !Array.isArray(v) ? v : {};
	} catch {
		return {};
	}
}

/** Lines newest first, filtered; with the event's name as it is now. */
export async function listAudit(db: Kysely<DB>, filter: AuditFilter = {}): Promise<AuditRow[]> {
	let q = db
		.selectFrom('audit_log as a')
		.leftJoin('events as e', 'e.id', 'a.event_id')
		.select([
			'a.id',
			'a.at',
			'a.actor_kind',
			'a.actor_id',
			'a.actor_name',
			'a.action',
			'a.target_kind',
			'a.target_id',
			'a.target_name',
			'a.event_id',
			'e.name as event_name',
			'e.timezone as event_timezone',
			'a.details',
			'a.ip'
		]);
	if (filter.eventId) q = q.where('a.event_id', '=', filter.eventId);
	if (filter.actorId) q = q.where('a.actor_id', '=', filter.actorId);
	if (filter.action) q = q.where('a.action', '=', filter.action);
	if (filter.since) q = q.where('a.at', '>=', filter.since);
	if (filter.until) q = q.where('a.at', '<', filter.until);
	if (filter.beforeId) q = q.where(sql`a.id`, '<', sql`${filter.beforeId}::bigint`);
	const rows = await q
		.orderBy('a.id', 'desc')
		.limit(filter.limit ?? 500)
		.execute();
	return rows.map((r) => ({
		id: String(r.id),
		at: new Date(r.at),
		actorKind: r.actor_kind,
		actorId: r.actor_id,
		actorName: r.actor_name,
		action: r.action,
		targetKind: r.target_kind,
		targetId: r.target_id,
		targetName: r.target_name,
		eventId: r.event_id,
		eventName: r.event_name,
		eventTimezone: r.event_timezone,
		details: parseDetails(r.details),
		ip: r.ip
	}));
}

/** The people who appear as actors in the log (for the administrator's filter), by their name at the time. */
export async function listAuditActors(db: Kysely<DB>, eventId?: string): Promise<{ id: string; name: string }[]> {
	let q = db.selectFrom('audit_log').select(['actor_id', sql<string>`max(actor_name)`.as('name')]).where('actor_id', 'is not', null);
	if (eventId) q = q.where('event_id', '=', eventId);
	const rows = await q.groupBy('actor_id').orderBy('name').execute();
	return rows.map((r) => ({ id: r.actor_id!, name: r.name }));
}
