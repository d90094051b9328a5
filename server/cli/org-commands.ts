/** `agency add|list` and `team add|list`: the standing organisation that events draw on. */
import { checkAgency, checkTeam } from '../../src/lib/domain/validation.ts';
import { agencyExists, createAgency, listAgencies } from '../../src/lib/server/repositories/agency.repository.ts';
import { createTeam, listTeams, teamParentProblem, type Team } from '../../src/lib/server/repositories/team.repository.ts';
import type { CommandHandler } from './context.ts';
import { failed, formatTable, invalidFields, optionText } from './context.ts';

const AGENCY_LABELS: Record<string, string> = { code: 'code', nameZh: '--zh', nameEn: '--en', color: '--color' };
const TEAM_LABELS: Record<string, string> = { agencyCode: '--agency', level: '--level', name: '--name', parentId: '--parent' };
const LEVEL_WORDS: Record<Team['level'], string> = { brigade: '大队 brigade', squadron: '中队 squadron', unit: '分队 unit' };

const addAgency: CommandHandler = async (ctx, cmd) => {
	const checked = checkAgency({
		code: cmd.args.code,
		nameZh: optionText(cmd, 'zh'),
		nameEn: optionText(cmd, 'en'),
		color: optionText(cmd, 'color')
	});
	const action = `Cannot add agency ${cmd.args.code}`;
	if (!checked.ok) throw invalidFields(action, checked.errors, AGENCY_LABELS);
	const agency = checked.value;
	if (await agencyExists(ctx.db, agency.code)) throw failed(`${action}: code ${agency.code} is already taken.`);
	await createAgency(ctx.db, agency);
	ctx.print(`Added agency ${agency.code}: ${agency.nameZh} / ${agency.nameEn} (${agency.color}).`);
};

const listAllAgencies: CommandHandler = async (ctx, cmd) => {
	const agencies = await listAgencies(ctx.db);
	if (cmd.json) {
		ctx.printJson(agencies);
		return;
	}
	const rows = agencies.map((a) => [a.code, a.nameZh, a.nameEn, a.color]);
	for (const line of formatTable(['CODE', '中文', 'ENGLISH', 'COLOR'], rows)) ctx.print(line);
};

const addTeam: CommandHandler = async (ctx, cmd) => {
	const action = `Cannot add team ${optionText(cmd, 'name') ?? ''}`.trimEnd();
	const checked = checkTeam({
		agencyCode: optionText(cmd, 'agency'),
		level: optionText(cmd, 'level'),
		name: optionText(cmd, 'name'),
		parentId: optionText(cmd, 'parent')
	});
	if (!checked.ok) throw invalidFields(action, checked.errors, TEAM_LABELS);
	const team = checked.value;
	if (!(await agencyExists(ctx.db, team.agencyCode))) {
		throw failed(`${action}: --agency ${team.agencyCode} does not exist. See: agency list`);
	}
	if (await teamParentProblem(ctx.db, team)) {
		const wanted = team.level === 'unit' ? 'squadron' : 'brigade';
		throw failed(
			`${action}: --parent ${team.parentId} is not a ${wanted} of agency ${team.agencyCode}. ` +
				`See: team list --agency ${team.agencyCode}`
		);
	}
	const id = await createTeam(ctx.db, team);
	ctx.print(`Added ${LEVEL_WORDS[team.level]} ${team.name} (agency ${team.agencyCode}), id ${id}.`);
};

/** Teams in tree order: each brigade, then its squadrons, each followed by its units. */
export function teamTree(teams: Team[]): Array<{ team: Team; depth: number }> {
	const children = new Map<string | null, Team[]>();
	for (const t of teams) {
		const key = t.parentId && teams.some((p) => p.id === t.parentId) ? t.parentId : null;
		children.set(key, [...(children.get(key) ?? []), t]);
	}
	const out: Array<{ team: Team; depth: number }> = [];
	const walk = (parent: string | null, depth: number) => {
		for (const t of children.get(parent) ?? []) {
			out.push({ team: t, depth });
			walk(t.id, depth + 1);
		}
	};
	walk(null, 0);
	return out;
}

const listAllTeams: CommandHandler = async (ctx, cmd) => {
	const agency = optionText(cmd, 'agency');
	if (agency && !(await agencyExists(ctx.db, agency))) throw failed(`--agency ${agency} does not exist. See: agency list`);
	const teams = await listTeams(ctx.db, agency);
	if (cmd.json) {
		ctx.printJson(teams);
		return;
	}
	if (teams.length === 0) {
		ctx.print(`No teams${agency ? ` in ${agency}` : ''} yet. Add one: team add --agency <code> --level brigade --name <name>`);
		return;
	}
	const rows = teamTree(teams).map(({ team, depth }) => [
		team.agencyCode,
		`${'  '.repeat(depth)}${team.name}`,
		team.level,
		team.id
	]);
	for (const line of formatTable(['AGENCY', 'TEAM', 'LEVEL', 'ID'], rows)) ctx.print(line);
};

export const ORG_COMMANDS: Record<string, CommandHandler> = {
	'agency add': addAgency,
	'agency list': listAllAgencies,
	'team add': addTeam,
	'team list': listAllTeams
};
