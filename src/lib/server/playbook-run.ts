/**
 * One run of a playbook (预案), as the board's 启动预案 and the report desk's 按预案处置 both make it: the cards'
 * drafts (due times counted from the moment of the run, linked by a line in their notes), the document writes that
 * create them in every agency's document at once, and one activity row per card naming the run. The caller writes
 * them through the hub's one server write, so that a refusal by any document creates none.
 */
import type { Kysely } from 'kysely';
import type { DB } from './db/schema.ts';
import { agencyDocName } from '../domain/documents.ts';
import { addCard } from '../domain/board.ts';
import { buildRunDrafts, playbookAgencies, type Playbook, type PlaybookDraft } from '../domain/playbooks.ts';
import { mayPerform, type Principal } from '../domain/permissions.ts';
import { newId } from '../domain/ids.ts';
import type { DocWrite } from './services.ts';
import { recordActivity } from './repositories/doc-log.repository.ts';

export interface PlaybookRun {
	runId: string;
	drafts: PlaybookDraft[];
	writes: DocWrite[];
	/** The run's activity rows, for the write's transaction. */
	activity: (tx: Kysely<DB>) => Promise<void>;
}

/** "14:02" in the event's time zone: the hour a reader on the ground knows. */
function clockIn(timeZone: string): (at: Date) => string {
	const f = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
	return (at) => f.format(at);
}

/**
 * Whether this principal may run this playbook now: the commander any, a lead one with a card for their own agency
 * (`fromAgency`, the lead's agency unless given). Null when allowed, else the reason.
 */
export function playbookRunRefusal(principal: Principal, playbook: Playbook & { runnable?: boolean }, status: 'planning' | 'active' | 'closed', fromAgencyAsked?: string): 'forbidden' | 'notRunnable' | null {
	const membership = principal.kind === 'user' ? principal.membership : null;
	const fromAgency = fromAgencyAsked ?? (membership?.role === 'lead' ? (membership.agencyCode ?? undefined) : undefined);
	if (!mayPerform(principal, 'playbook.run', { status, fromAgency })) return 'forbidden';
	if (playbook.runnable === false || playbook.cards.length === 0) return 'notRunnable';
	if (fromAgency !== undefined && !playbookAgencies(playbook).includes(fromAgency)) return 'forbidden';
	return null;
}

export function preparePlaybookRun(
	playbook: Playbook,
	ctx: { eventId: string; timezone: string; user: { id: string; displayName: string }; now: Date; agencyName: (code: string) => string }
): PlaybookRun {
	const drafts = buildRunDrafts(playbook.cards, {
		name: playbook.name,
		runBy: ctx.user.id,
		runByName: ctx.user.displayName,
		now: ctx.now,
		agencyName: ctx.agencyName,
		newId: () => newId(),
		clock: clockIn(ctx.timezone)
	});
	const runId = newId();
	const at = new Date();
	return {
		runId,
		drafts,
		writes: drafts.map((d) => ({ doc: agencyDocName(ctx.eventId, d.agency), change: (doc) => addCard(doc, d.cardId, d.card) })),
		// One row per card: which playbook made it, in which run (the subject groups a run's cards).
		activity: (tx) =>
			recordActivity(
				tx,
				drafts.map((d) => ({
					eventId: ctx.eventId,
					doc: agencyDocName(ctx.eventId, d.agency),
					userId: ctx.user.id,
					at,
					entityType: 'card',
					entityId: d.cardId,
					action: 'playbookRun',
					field: null,
					subject: runId,
					from: null,
					to: playbook.name
				}))
			)
	};
}
