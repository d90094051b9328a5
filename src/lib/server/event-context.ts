/**
 * Everything an event's pages need to know about the signed-in user in that event: the event, their role,
 * what they may read and write, and the people and teams to choose from. Computed with the same permission
 * functions the server enforces.
 */
import type { Kysely } from 'kysely';
import type { DB } from './db/schema.ts';
import type { SessionUser } from './auth/session.ts';
import { getEvent, getMembership, listMembers, type EventSummary } from './repositories/event.repository.ts';
import { listAgencies, type Agency } from './repositories/agency.repository.ts';
import { listTeams, type Team } from './repositories/team.repository.ts';
import { documentAccess, EVENT_ACTIONS, mayPerform, type Access, type EventAction, type Principal } from '../domain/permissions.ts';
import { agencyDocName, commandDocName, restrictedDocName } from '../domain/documents.ts';
import type { EventRole } from '../domain/roles.ts';

export interface EventAccess {
	command: Access;
	agencies: Record<string, Access>;
	restricted: Access;
}

export interface EventContext {
	event: EventSummary;
	role: EventRole | null;
	agencyCode: string | null;
	principal: Principal;
	access: EventAccess;
	actions: Record<EventAction, boolean>;
	agencies: Agency[];
	teams: Team[];
	people: Array<{ id: string; name: string; agencyCode: string | null; role: EventRole }>;
}

/** The context of a user in an event, or null when the event does not exist or they may not see it. */
export async function loadEventContext(db: Kysely<DB>, eventId: string, user: SessionUser): Promise<EventContext | null> {
	const event = await getEvent(db, eventId);
	if (!event) return null;
	const membership = await getMembership(db, eventId, user.id);
	if (!membership) return null;
	const principal: Principal = {
		kind: 'user',
		userId: user.id,
		isAdmin: user.isAdmin,
		clearedPersonalData: user.clearedPersonalData,
		membership
	};
	const [agencies, teams, members] = await Promise.all([listAgencies(db), listTeams(db), listMembers(db, eventId)]);
	const access: EventAccess = {
		command: documentAccess(principal, { eventId, kind: 'command' }, event.status),
		agencies: Object.fromEntries(
			agencies.map((a) => [a.code, documentAccess(principal, { eventId, kind: 'agency', agency: a.code }, event.status)])
		),
		restricted: documentAccess(principal, { eventId, kind: 'restricted' }, event.status)
	};
	const actions = Object.fromEntries(
		EVENT_ACTIONS.map((a) => [a, mayPerform(principal, a, { status: event.status, fromAgency: membership.agencyCode ?? undefined })])
	) as Record<EventAction, boolean>;
	return {
		event,
		role: membership.role,
		agencyCode: membership.agencyCode,
		principal,
		access,
		actions,
		agencies,
		teams,
		people: members.map((m) => ({ id: m.userId, name: m.displayName, agencyCode: m.agencyCode, role: m.role }))
	};
}

/** The documents a principal may read in an event (for filtering activity and exports). */
export function readableDocs(ctx: Pick<EventContext, 'event' | 'access'>): string[] {
	const id = ctx.event.id;
	const docs: string[] = [];
	if (ctx.access.command !== 'none') docs.push(commandDocName(id));
	for (const [code, a] of Object.entries(ctx.access.agencies)) if (a !== 'none') docs.push(agencyDocName(id, code));
	if (ctx.access.restricted !== 'none') docs.push(restrictedDocName(id));
	return docs;
}
