/**
 * The permission matrix. One set of functions decides what the server enforces and what the UI offers, so a
 * control that is shown always works and a refused action is never shown.
 */
import type { DocAddress } from './documents.ts';
import type { EventRole, EventStatus } from './roles.ts';

/** Who is asking. A display is a wall screen signed in with a display token for one event. */
export type Principal =
	| {
			kind: 'user';
			userId: string;
			isAdmin: boolean;
			clearedPersonalData: boolean;
			/** The user's membership in the event the question is about; null when not a member. */
			membership: { role: EventRole; agencyCode: string | null } | null;
	  }
	| { kind: 'display'; eventId: string };

export type Access = 'write' | 'read' | 'none';

/** May this principal read or write this document of an event in this state? */
export function documentAccess(p: Principal, doc: DocAddress, status: EventStatus): Access {
	const access = openAccess(p, doc);
	// A closed event is a record: everyone who could read it still can, nobody writes.
	return status === 'closed' && access === 'write' ? 'read' : access;
}

function openAccess(p: Principal, doc: DocAddress): Access {
	if (p.kind === 'display') {
		if (p.eventId !== doc.eventId) return 'none';
		return doc.kind === 'restricted' ? 'none' : 'read';
	}
	const m = p.membership;
	if (!m) return 'none';
	if (m.role === 'commander') return 'write';
	switch (doc.kind) {
		case 'command':
			return 'read';
		case 'agency':
			return (m.role === 'lead' || m.role === 'member') && m.agencyCode === doc.agency ? 'write' : 'read';
		case 'restricted':
			if (!p.clearedPersonalData) return 'none';
			return m.role === 'lead' || m.role === 'member' ? 'write' : 'read';
	}
}

/**
 * Actions that cross a document boundary or change the event, authorised by the server. A list, so that the
 * pages, the permission-matrix test and the README's table (`npm run matrix`) go through every one of them.
 */
export const EVENT_ACTIONS = [
	'card.requestHelp',
	'card.reassign',
	'dispute.escalate',
	'instruction.send',
	'event.setStatus',
	'event.close',
	'record.review',
	'displayToken.manage',
	'roster.approveSwap',
	'playbook.run'
] as const;
export type EventAction = (typeof EVENT_ACTIONS)[number];

export interface ActionContext {
	status: EventStatus;
	/** For agency-scoped actions: the agency the action starts from. */
	fromAgency?: string;
}

/** May this principal perform this action in an event? */
export function mayPerform(p: Principal, action: EventAction, ctx: ActionContext): boolean {
	if (p.kind !== 'user' || !p.membership) return false;
	const { role, agencyCode } = p.membership;
	const open = ctx.status !== 'closed';
	const ownAgency = ctx.fromAgency !== undefined && agencyCode === ctx.fromAgency;
	switch (action) {
		case 'card.requestHelp':
			return open && (role === 'commander' || (role === 'lead' && ownAgency));
		case 'card.reassign':
			return open && role === 'commander';
		case 'dispute.escalate':
			return open && (role === 'commander' || (role === 'lead' && ownAgency));
		case 'instruction.send':
			return open && (role === 'commander' || (role === 'lead' && ownAgency));
		case 'roster.approveSwap':
			return open && (role === 'commander' || (role === 'lead' && ownAgency));
		case 'playbook.run':
			// A lead starts a playbook from their own agency (it must have a card there), as they ask others for help.
			return open && (role === 'commander' || (role === 'lead' && ownAgency));
		case 'event.setStatus':
		case 'event.close':
		case 'displayToken.manage':
			return role === 'commander' && open;
		case 'record.review':
			return role === 'commander' || role === 'reviewer';
	}
}

/**
 * May this principal edit an agency's shifts (times, people, check-ins for others)? The agency document is
 * writable by its members too (they check themselves in), so this is the rule the roster pages offer controls by
 * and the CSV import enforces: the commander, or a lead of that agency, with write access.
 */
export function mayEditShifts(p: Principal, eventId: string, agency: string, status: EventStatus): boolean {
	if (p.kind !== 'user' || !p.membership) return false;
	if (documentAccess(p, { eventId, kind: 'agency', agency }, status) !== 'write') return false;
	const { role, agencyCode } = p.membership;
	return role === 'commander' || (role === 'lead' && agencyCode === agency);
}

/**
 * May this principal add, change or delete the event's own playbooks (预案)? The commander's alone: a playbook
 * decides what every agency is asked to do. Running one is `playbook.run`.
 */
export function mayManagePlaybooks(p: Principal, status: EventStatus): boolean {
	return p.kind === 'user' && p.membership?.role === 'commander' && status !== 'closed';
}

/**
 * May this principal read the audit log? An administrator reads all of it; an event's commander reads the lines
 * of their own event (who opened its parties, who exported them, its memberships and wall tokens); nobody else.
 */
export function mayReadAudit(p: Principal, scope: 'all' | 'event'): boolean {
	if (p.kind !== 'user') return false;
	if (p.isAdmin) return true;
	return scope === 'event' && p.membership?.role === 'commander';
}
