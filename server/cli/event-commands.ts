/** `event create|list|status` and `member set|remove|list`. */
import { announceAccessChange } from '../fanout.ts';
import { checkEvent, checkMember } from '../../src/lib/domain/validation.ts';
import type { EventStatus } from '../../src/lib/domain/roles.ts';
import { agencyExists } from '../../src/lib/server/repositories/agency.repository.ts';
import {
	createEvent,
	getEvent,
	getMembership,
	listEvents,
	listMembers,
	removeMember,
	setEventStatus,
	setMember,
	type EventSummary
} from '../../src/lib/server/repositories/event.repository.ts';
import type { CliContext, CommandHandler } from './context.ts';
import { badInput, failed, formatLocalTime, formatTable, invalidFields, optionText } from './context.ts';
import { requireUser } from './user-commands.ts';

const EVENT_LABELS: Record<string, string> = {
	name: '--name',
	venue: '--venue',
	startsAt: '--starts',
	endsAt: '--ends',
	timezone: '--timezone'
};
const MEMBER_LABELS: Record<string, string> = { userId: 'username', role: 'role', agencyCode: '--agency' };

/** The event with this id, or a failure naming it. */
export async function requireEvent(ctx: CliContext, id: string): Promise<EventSummary> {
	const event = await getEvent(ctx.db, id);
	if (!event) throw failed(`No event "${id}". See: event list`);
	return event;
}

function span(e: EventSummary): string {
	return `${formatLocalTime(e.startsAt, e.timezone)} – ${formatLocalTime(e.endsAt, e.timezone)} ${e.timezone}`;
}

function eventJson(e: EventSummary) {
	return { ...e, startsAt: e.startsAt.toISOString(), endsAt: e.endsAt.toISOString() };
}

const create: CommandHandler = async (ctx, cmd) => {
	const checked = checkEvent({
		name: optionText(cmd, 'name'),
		venue: optionText(cmd, 'venue'),
		startsAt: optionText(cmd, 'starts'),
		endsAt: optionText(cmd, 'ends'),
		timezone: optionText(cmd, 'timezone'),
		drill: cmd.options.drill === true
	});
	if (!checked.ok) {
		throw invalidFields(`Cannot create event ${optionText(cmd, 'name') ?? ''}`.trimEnd(), checked.errors, EVENT_LABELS);
	}
	const id = await createEvent(ctx.db, checked.value, null);
	const event = (await getEvent(ctx.db, id))!;
	ctx.print(`Created ${event.drill ? 'drill (演练)' : 'event'} ${event.name} (planning), ${span(event)}.`);
	ctx.print(`Event id: ${id}`);
	ctx.print(`Next: member set ${id} <username> commander`);
};

const list: CommandHandler = async (ctx, cmd) => {
	const events = await listEvents(ctx.db);
	if (cmd.json) {
		ctx.printJson(events.map(eventJson));
		return;
	}
	if (events.length === 0) {
		ctx.print('No events yet. Create one: event create --name <name> --starts <time> --ends <time>');
		return;
	}
	const rows = events.map((e) => [e.id, e.status, e.drill ? `${e.name} [DRILL 演练]` : e.name, span(e), e.venue || '-']);
	for (const line of formatTable(['ID', 'STATUS', 'NAME', 'WHEN', 'VENUE'], rows)) ctx.print(line);
};

const status: CommandHandler = async (ctx, cmd) => {
	const event = await requireEvent(ctx, cmd.args['event id']);
	const next = cmd.args['planning|active'] as EventStatus;
	// A closed event's documents are frozen and its record built; reopening it would falsify the record.
	if (event.status === 'closed') throw failed(`Event ${event.name} is closed; a closed event stays closed.`);
	if (event.status === next) {
		ctx.print(`Event ${event.name} is already ${next}.`);
		return;
	}
	await setEventStatus(ctx.db, event.id, next);
	ctx.print(`Event ${event.name}: ${event.status} → ${next}.`);
};

const memberSet: CommandHandler = async (ctx, cmd) => {
	const event = await requireEvent(ctx, cmd.args['event id']);
	const user = await requireUser(ctx, cmd.args.username);
	const role = cmd.args.role;
	const agencyCode = optionText(cmd, 'agency') ?? user.agencyCode ?? undefined;
	const action = `Cannot make ${user.username} ${role} of ${event.name}`;
	const checked = checkMember({ userId: user.id, role, agencyCode });
	if (!checked.ok) {
		const errors = { ...checked.errors };
		if (errors.agencyCode === 'required') {
			throw badInput(`${action}: a ${role} acts for one agency; ${user.username} has none, so give --agency <code>.`);
		}
		throw invalidFields(action, errors, MEMBER_LABELS);
	}
	const member = checked.value;
	if (member.agencyCode && !(await agencyExists(ctx.db, member.agencyCode))) {
		throw failed(`${action}: --agency ${member.agencyCode} does not exist. See: agency list`);
	}
	const before = await getMembership(ctx.db, event.id, user.id);
	await setMember(ctx.db, event.id, member);
	await announceAccessChange(ctx.db, user.id);
	const after = await getMembership(ctx.db, event.id, user.id);
	const as = `${after!.role}${after!.agencyCode ? ` (${after!.agencyCode})` : ''}`;
	ctx.print(
		before
			? `${user.username} (${user.displayName}) is now ${as} of ${event.name}, was ${before.role}.`
			: `Added ${user.username} (${user.displayName}) to ${event.name} as ${as}.`
	);
};

const memberRemove: CommandHandler = async (ctx, cmd) => {
	const event = await requireEvent(ctx, cmd.args['event id']);
	const user = await requireUser(ctx, cmd.args.username);
	if (!(await getMembership(ctx.db, event.id, user.id))) {
		throw failed(`${user.username} is not a member of ${event.name}.`);
	}
	await removeMember(ctx.db, event.id, user.id);
	await announceAccessChange(ctx.db, user.id);
	ctx.print(`Removed ${user.username} (${user.displayName}) from ${event.name}.`);
};

const memberList: CommandHandler = async (ctx, cmd) => {
	const event = await requireEvent(ctx, cmd.args['event id']);
	const members = await listMembers(ctx.db, event.id);
	if (cmd.json) {
		ctx.printJson(members);
		return;
	}
	if (members.length === 0) {
		ctx.print(`${event.name} has no members yet. Add one: member set ${event.id} <username> commander`);
		return;
	}
	const rows = members.map((m) => [m.username, m.displayName, m.role, m.agencyCode ?? '-']);
	for (const line of formatTable(['USERNAME', 'NAME', 'ROLE', 'AGENCY'], rows)) ctx.print(line);
	ctx.print(`${members.length} member${members.length === 1 ? '' : 's'} of ${event.name}.`);
};

export const EVENT_COMMANDS: Record<string, CommandHandler> = {
	'event create': create,
	'event list': list,
	'event status': status,
	'member set': memberSet,
	'member remove': memberRemove,
	'member list': memberList
};
