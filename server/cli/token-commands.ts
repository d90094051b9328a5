/** `token create|list|revoke`: display tokens that let a wall screen show one event, read only. */
import { LIMITS } from '../../src/lib/domain/validation.ts';
import {
	createDisplayToken,
	listDisplayTokens,
	revokeDisplayToken,
	type DisplayToken
} from '../../src/lib/server/repositories/display-token.repository.ts';
import { writeAudit } from '../../src/lib/server/repositories/audit.repository.ts';
import type { CommandHandler } from './context.ts';
import { badInput, failed, formatLocalTime, formatTable, invalidFields, optionText } from './context.ts';
import { requireEvent } from './event-commands.ts';

/** Token ids are 64 hex characters (a SHA-256); lists show this many and revoke accepts any unique prefix this long. */
const SHORT_ID = 12;
const MIN_PREFIX = 8;

const create: CommandHandler = async (ctx, cmd) => {
	const event = await requireEvent(ctx, cmd.args['event id']);
	const name = (optionText(cmd, 'name') ?? '').trim();
	const action = `Cannot create a display token for ${event.name}`;
	if (!name) throw invalidFields(action, { name: 'required' }, { name: '--name' });
	if ([...name].length > LIMITS.name) throw invalidFields(action, { name: 'tooLong' }, { name: '--name' });
	if (event.status === 'closed') throw failed(`${action}: the event is closed.`);
	const { token, id } = await ctx.db.transaction().execute(async (tx) => {
		const made = await createDisplayToken(tx, event.id, name, null);
		await writeAudit(tx, { actor: ctx.actor, action: 'displayToken.create', target: { kind: 'displayToken', id: made.id, name }, eventId: event.id });
		return made;
	});
	ctx.print(`Display token "${name}" for ${event.name} (id ${id.slice(0, SHORT_ID)}).`);
	ctx.print(`Token: ${token}`);
	ctx.print(`Wall:  /wall/${token}`);
	ctx.print("Open the wall path on the board's address. The token is shown only now; revoke it with token revoke.");
};

const list: CommandHandler = async (ctx, cmd) => {
	const event = await requireEvent(ctx, cmd.args['event id']);
	const tokens = await listDisplayTokens(ctx.db, event.id);
	if (cmd.json) {
		ctx.printJson(
			tokens.map((t) => ({
				...t,
				createdAt: t.createdAt.toISOString(),
				lastUsedAt: t.lastUsedAt ? t.lastUsedAt.toISOString() : null
			}))
		);
		return;
	}
	if (tokens.length === 0) {
		ctx.print(`${event.name} has no display tokens. Make one: token create ${event.id} --name <screen name>`);
		return;
	}
	const time = (d: Date | null) => (d ? formatLocalTime(d, event.timezone) : '-');
	const rows = tokens.map((t) => [
		t.id.slice(0, SHORT_ID),
		t.name,
		t.revoked ? 'revoked' : 'live',
		time(t.createdAt),
		time(t.lastUsedAt)
	]);
	for (const line of formatTable(['ID', 'NAME', 'STATE', 'CREATED', 'LAST USED'], rows)) ctx.print(line);
};

/** The one token whose id starts with `prefix`. */
function pickToken(tokens: DisplayToken[], prefix: string): DisplayToken {
	const wanted = prefix.toLowerCase();
	if (wanted.length < MIN_PREFIX) throw badInput(`<token id> needs at least ${MIN_PREFIX} characters; got "${prefix}".`);
	const matches = tokens.filter((t) => t.id.startsWith(wanted));
	if (matches.length === 0) throw failed(`No display token ${prefix} in this event. See: token list <event id>`);
	if (matches.length > 1) throw badInput(`${prefix} matches ${matches.length} tokens; give more characters.`);
	return matches[0];
}

const revoke: CommandHandler = async (ctx, cmd) => {
	const event = await requireEvent(ctx, cmd.args['event id']);
	const token = pickToken(await listDisplayTokens(ctx.db, event.id), cmd.args['token id']);
	if (token.revoked) {
		ctx.print(`Display token "${token.name}" is already revoked.`);
		return;
	}
	await ctx.db.transaction().execute(async (tx) => {
		await revokeDisplayToken(tx, event.id, token.id);
		await writeAudit(tx, { actor: ctx.actor, action: 'displayToken.revoke', target: { kind: 'displayToken', id: token.id, name: token.name }, eventId: event.id });
	});
	ctx.print(`Revoked display token "${token.name}" of ${event.name}; it no longer opens the wall.`);
};

export const TOKEN_COMMANDS: Record<string, CommandHandler> = {
	'token create': create,
	'token list': list,
	'token revoke': revoke
};
