/**
 * Instructions (指令): messages from command to all or some agencies that each recipient must acknowledge.
 * Who receives one is fixed when it is sent, by the rule below, so a later change of membership does not
 * rewrite history.
 */
import type { EventRole } from './roles.ts';
import { isId } from './ids.ts';

export const INSTRUCTION_PRIORITIES = ['routine', 'urgent', 'alarm'] as const;
export type InstructionPriority = (typeof INSTRUCTION_PRIORITIES)[number];
export const INSTRUCTION_SCOPES = ['everyone', 'agencies', 'teams'] as const;
export type InstructionScope = (typeof INSTRUCTION_SCOPES)[number];

export const INSTRUCTION_BODY_MAX = 1000;

export interface InstructionInput {
	eventId: string;
	scope: InstructionScope;
	/** Agency codes (scope `agencies`) or team ids (scope `teams`). */
	targets: string[];
	priority: InstructionPriority;
	body: string;
	/** ISO time by which recipients must acknowledge, or null. */
	ackBy: string | null;
}

export interface MemberForTargeting {
	userId: string;
	role: EventRole;
	agencyCode: string | null;
	teamId: string | null;
}

export interface TeamForTargeting {
	id: string;
	parentId: string | null;
}

/** Checks an instruction's input; returns the problem in words for the log, or null. */
export function checkInstruction(input: Partial<InstructionInput> | null | undefined): string | null {
	if (!input || typeof input !== 'object') return 'missing input';
	if (!isId(input.eventId)) return 'eventId is required';
	if (!INSTRUCTION_SCOPES.includes(input.scope as InstructionScope)) return 'scope must be everyone, agencies or teams';
	if (!Array.isArray(input.targets) || input.targets.some((t) => typeof t !== 'string') || input.targets.length > 100) {
		return 'targets must be a list of codes';
	}
	if (input.scope !== 'everyone' && input.targets.length === 0) return 'choose at least one recipient';
	if (!INSTRUCTION_PRIORITIES.includes(input.priority as InstructionPriority)) return 'priority must be routine, urgent or alarm';
	if (typeof input.body !== 'string' || !input.body.trim()) return 'the instruction text is required';
	if ([...input.body].length > INSTRUCTION_BODY_MAX) return `the instruction text is longer than ${INSTRUCTION_BODY_MAX}`;
	// Stored in a text column, which refuses NUL; no real instruction holds one.
	if (input.body.includes('\u0000')) return 'the instruction text holds a NUL character';
	if (input.ackBy !== null && input.ackBy !== undefined) {
		if (typeof input.ackBy !== 'string' || Number.isNaN(Date.parse(input.ackBy))) return 'ackBy must be a time';
		// JavaScript reads years up to ±275760; the database's timestamps stop at 4713 BC, and no deadline is that old.
		const year = new Date(input.ackBy).getUTCFullYear();
		if (year < 2000 || year > 9999) return 'ackBy must be a time between the years 2000 and 9999';
	}
	return null;
}

/** Team ids of the given teams and every team below them. */
export function withDescendants(teamIds: string[], teams: TeamForTargeting[]): Set<string> {
	const out = new Set(teamIds);
	let grew = true;
	while (grew) {
		grew = false;
		for (const t of teams) {
			if (t.parentId && out.has(t.parentId) && !out.has(t.id)) {
				out.add(t.id);
				grew = true;
			}
		}
	}
	return out;
}

/**
 * The members who must acknowledge: everyone with a part in the event's work (commanders, leads, members)
 * within the chosen scope, except the sender. Reviewers and observers watch; they do not acknowledge.
 */
export function instructionRecipients(
	members: MemberForTargeting[],
	teams: TeamForTargeting[],
	scope: InstructionScope,
	targets: string[],
	senderId: string
): MemberForTargeting[] {
	const acting = members.filter((m) => m.userId !== senderId && (m.role === 'commander' || m.role === 'lead' || m.role === 'member'));
	if (scope === 'everyone') return acting;
	if (scope === 'agencies') return acting.filter((m) => m.agencyCode !== null && targets.includes(m.agencyCode));
	const inTeams = withDescendants(targets, teams);
	return acting.filter((m) => m.teamId !== null && inTeams.has(m.teamId));
}
