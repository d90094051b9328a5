/** `user add|list|disable|enable|reset-password`. Passwords come from stdin, never from the command line. */
import { announceAccessChange } from '../fanout.ts';
import { checkPassword, checkUser, type UserInput } from '../../src/lib/domain/validation.ts';
import { agencyExists } from '../../src/lib/server/repositories/agency.repository.ts';
import { getTeam, listTeams } from '../../src/lib/server/repositories/team.repository.ts';
import {
	createUser,
	getUserByUsername,
	listUsers,
	setUserDisabled,
	setUserPassword,
	usernameTaken,
	type UserSummary
} from '../../src/lib/server/repositories/user.repository.ts';
import { closeSetup, isSetupOpen } from '../../src/lib/server/repositories/setup.repository.ts';
import { writeAudit } from '../../src/lib/server/repositories/audit.repository.ts';
import type { CliContext, CommandHandler } from './context.ts';
import { badInput, failed, formatTable, invalidFields, optionText } from './context.ts';

/** The shared validation's field names as this command spells them. */
const USER_LABELS: Record<string, string> = {
	username: 'username',
	displayName: '--name',
	password: 'password (stdin)',
	agencyCode: '--agency',
	teamId: '--team',
	phone: '--phone'
};

/** The user with this username, or a failure naming it. */
export async function requireUser(ctx: CliContext, username: string): Promise<UserSummary> {
	const user = await getUserByUsername(ctx.db, username);
	if (!user) throw failed(`No user "${username}". See: user list`);
	return user;
}

const addUser: CommandHandler = async (ctx, cmd) => {
	const draft = {
		username: cmd.args.username,
		displayName: optionText(cmd, 'name'),
		agencyCode: optionText(cmd, 'agency'),
		teamId: optionText(cmd, 'team'),
		isAdmin: cmd.options.admin === true,
		clearedPersonalData: cmd.options.cleared === true,
		phone: optionText(cmd, 'phone')
	};
	const action = `Cannot add user ${cmd.args.username}`;
	// Everything the command line says is checked before anyone is asked to type a password.
	const shape = checkUser(draft, false);
	if (!shape.ok) throw invalidFields(action, shape.errors, USER_LABELS);
	const input: UserInput = shape.value;
	let teamName: string | null = null;
	if (await usernameTaken(ctx.db, input.username)) throw failed(`${action}: username ${input.username} is already taken.`);
	if (input.teamId) {
		const team = await getTeam(ctx.db, input.teamId);
		if (!team) throw failed(`${action}: --team ${input.teamId} does not exist. See: team list`);
		if (input.agencyCode && team.agencyCode !== input.agencyCode) {
			throw badInput(`${action}: --team ${team.name} belongs to agency ${team.agencyCode}, not ${input.agencyCode}.`);
		}
		input.agencyCode = team.agencyCode;
		teamName = team.name;
	}
	if (input.agencyCode && !(await agencyExists(ctx.db, input.agencyCode))) {
		throw failed(`${action}: --agency ${input.agencyCode} does not exist. See: agency list`);
	}

	const password = await ctx.readSecret('password');
	const full = checkUser({ ...draft, password }, true);
	if (!full.ok) throw invalidFields(action, full.errors, USER_LABELS);

	const closedSetup = await ctx.db.transaction().execute(async (tx) => {
		const id = await createUser(tx, { ...input, password });
		await writeAudit(tx, {
			actor: ctx.actor,
			action: 'user.create',
			target: { kind: 'user', id, name: input.displayName },
			details: { username: input.username, isAdmin: input.isAdmin, clearedPersonalData: input.clearedPersonalData }
		});
		// An administrator made here is the first one as much as one made on /setup: setup must not stay open.
		if (!input.isAdmin || !(await isSetupOpen(tx))) return false;
		await closeSetup(tx);
		return true;
	});
	const details = [
		input.isAdmin ? 'administrator' : null,
		input.agencyCode ? `agency ${input.agencyCode}` : null,
		teamName ? `team ${teamName}` : null,
		input.clearedPersonalData ? 'cleared for personal data' : null
	].filter(Boolean);
	ctx.print(`Added user ${input.username} (${input.displayName})${details.length ? `: ${details.join(', ')}` : ''}.`);
	if (closedSetup) ctx.print('First-run setup is now closed; /setup no longer opens.');
};

const listAllUsers: CommandHandler = async (ctx, cmd) => {
	const users = await listUsers(ctx.db);
	if (cmd.json) {
		ctx.printJson(users);
		return;
	}
	if (users.length === 0) {
		ctx.print('No users yet. Add one: user add <username> --name <display name> --admin');
		return;
	}
	const teamNames = new Map((await listTeams(ctx.db)).map((t) => [t.id, t.name]));
	const rows = users.map((u) => [
		u.username,
		u.displayName,
		u.agencyCode ?? '-',
		u.teamId ? (teamNames.get(u.teamId) ?? u.teamId) : '-',
		[u.isAdmin && 'admin', u.clearedPersonalData && 'cleared', u.disabled && 'DISABLED'].filter(Boolean).join(', ')
	]);
	for (const line of formatTable(['USERNAME', 'NAME', 'AGENCY', 'TEAM', 'FLAGS'], rows)) ctx.print(line);
	ctx.print(`${users.length} user${users.length === 1 ? '' : 's'}.`);
};

function setDisabled(disabled: boolean): CommandHandler {
	return async (ctx, cmd) => {
		const user = await requireUser(ctx, cmd.args.username);
		if (user.disabled === disabled) {
			ctx.print(`${user.username} is already ${disabled ? 'disabled' : 'enabled'}.`);
			return;
		}
		await ctx.db.transaction().execute(async (tx) => {
			await setUserDisabled(tx, user.id, disabled);
			await writeAudit(tx, { actor: ctx.actor, action: disabled ? 'user.disable' : 'user.enable', target: { kind: 'user', id: user.id, name: user.displayName } });
		});
		// Running servers on the same PostgreSQL close the account's live connections now, not at their next sweep.
		await announceAccessChange(ctx.db, user.id);
		ctx.print(
			disabled
				? `Disabled ${user.username} (${user.displayName}); their sessions have ended.`
				: `Enabled ${user.username} (${user.displayName}); they can sign in again.`
		);
	};
}

const resetPassword: CommandHandler = async (ctx, cmd) => {
	const user = await requireUser(ctx, cmd.args.username);
	const password = await ctx.readSecret(`new password for ${user.username}`);
	const problem = checkPassword(password);
	if (problem) {
		throw invalidFields(`Cannot reset the password of ${user.username}`, { password: problem }, USER_LABELS);
	}
	await ctx.db.transaction().execute(async (tx) => {
		await setUserPassword(tx, user.id, password);
		await writeAudit(tx, { actor: ctx.actor, action: 'user.passwordReset', target: { kind: 'user', id: user.id, name: user.displayName } });
	});
	ctx.print(`New password set for ${user.username} (${user.displayName}); their sessions have ended.`);
};

export const USER_COMMANDS: Record<string, CommandHandler> = {
	'user add': addUser,
	'user list': listAllUsers,
	'user disable': setDisabled(true),
	'user enable': setDisabled(false),
	'user reset-password': resetPassword
};
