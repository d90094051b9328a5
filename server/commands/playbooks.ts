/**
 * 启动预案: running a playbook creates its cards in every agency's document in one server write — the hub takes
 * the locks of all the documents and commits them in one transaction, so a refusal by any one of them (a schema
 * limit, a full document) leaves every document as it was. Authorised here as one cross-agency command
 * (`playbook.run`), written by the server on the user's behalf, with one activity row per card naming the run.
 */
import { mayPerform } from '../../src/lib/domain/permissions.ts';
import { isId } from '../../src/lib/domain/ids.ts';
import type { CommandResult, PlaybookRunView, RunPlaybookInput } from '../../src/lib/domain/wire.ts';
import { getEvent } from '../../src/lib/server/repositories/event.repository.ts';
import { listAgencies } from '../../src/lib/server/repositories/agency.repository.ts';
import { findPlaybook } from '../../src/lib/server/repositories/playbook.repository.ts';
import { playbookRunRefusal, preparePlaybookRun } from '../../src/lib/server/playbook-run.ts';
import { Refusal } from '../hub/hub-document.ts';
import { runOnce } from './queued.ts';
import { guarded, refused, type CommandContext, type CommandSocket } from '../command-channel.ts';

type Refused = Extract<CommandResult, { ok: false }>;

export function registerPlaybookCommands(socket: CommandSocket, ctx: CommandContext): void {
	const actor = socket.data.actor;
	socket.on('playbook:run', (input: RunPlaybookInput, ack) =>
		guarded(socket, ack, async (): Promise<CommandResult<{ run: PlaybookRunView }> | Refused> => {
			if (actor.kind !== 'user') return refused('forbidden', 'displays only read');
			if (!isId(input?.eventId) || !isId(input.playbookId)) return refused('invalid', 'eventId and playbookId are required');
			if (input.fromAgency !== undefined && !isId(input.fromAgency)) return refused('invalid', 'fromAgency must be an agency code');
			const event = await getEvent(ctx.db, input.eventId);
			if (!event) return refused('notFound', 'no such event');
			if (event.status === 'closed') return refused('eventClosed', 'the event is closed');
			const principal = await ctx.hub.principalFor(actor, input.eventId);
			const membership = principal.kind === 'user' ? principal.membership : null;
			// The commander runs any playbook; a lead starts one from their own agency.
			const fromAgency = input.fromAgency ?? (membership?.role === 'lead' ? (membership.agencyCode ?? undefined) : undefined);
			if (!mayPerform(principal, 'playbook.run', { status: event.status, fromAgency })) return refused('forbidden', 'your role may not run this playbook');
			const agencies = await listAgencies(ctx.db);
			const playbook = await findPlaybook(ctx.db, input.eventId, input.playbookId, agencies.map((a) => a.code));
			if (!playbook) return refused('notFound', 'no such playbook');
			const refusal = playbookRunRefusal(principal, playbook, event.status, input.fromAgency);
			if (refusal === 'notRunnable') return refused('invalid', 'this playbook names an agency that no longer exists; edit it first');
			if (refusal) return refused('forbidden', 'this playbook has no card for your agency');
			return runOnce(ctx.db, actor.user.id, 'playbook:run', input.eventId, input.queued, async (time) => {
				const nameOf = new Map(agencies.map((a) => [a.code, a.nameZh]));
				const run = preparePlaybookRun(playbook, {
					eventId: input.eventId,
					timezone: event.timezone,
					user: actor.user,
					now: time.tappedAt,
					agencyName: (code) => nameOf.get(code) ?? code
				});
				try {
					await ctx.hub.serverWrite(actor.user.id, run.writes, run.activity);
				} catch (err) {
					if (err instanceof Refusal) return refused('invalid', `nothing was created: ${err.message}`);
					throw err;
				}
				return {
					ok: true,
					run: {
						runId: run.runId,
						playbookId: playbook.id,
						name: playbook.name,
						cards: run.drafts.map((d) => ({ agency: d.agency, cardId: d.cardId, title: d.card.title, dueAt: d.card.dueAt! }))
					}
				};
			});
		})
	);
}
