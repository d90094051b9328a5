/**
 * The CLI's command table, argument parser and help text. Pure: no I/O, so the whole command line surface is
 * unit-tested in cli-args.spec.ts, and a bad command line is refused before the database is opened.
 */
import { parseArgs } from 'node:util';
import { EVENT_ROLES, TEAM_LEVELS } from '../src/lib/domain/roles.ts';

export interface OptionSpec {
	type: 'string' | 'boolean';
	/** Placeholder shown in help for a string option, e.g. `code`. */
	value?: string;
	required?: boolean;
	choices?: readonly string[];
}

export interface ArgSpec {
	name: string;
	choices?: readonly string[];
	/** May be left off (only the last arguments); absent from `args` then. */
	optional?: boolean;
}

export interface CommandSpec {
	/** Two words, area and verb (`user add`), or one for a command that stands alone (`purge`). */
	name: string;
	args: ArgSpec[];
	options: Record<string, OptionSpec>;
	summary: string;
	/** What the command reads from stdin, if anything (`the password from the first line of stdin`). */
	stdin?: string;
	examples: string[];
	/** List commands take `--json` for scripts. */
	list?: boolean;
	/** The heading the command is listed under in help, when not its first word (one-word commands share one). */
	area?: string;
}

const ROLE_CHOICES = EVENT_ROLES;
/** Closing an event freezes its documents, which only the server's command channel may do. */
const SETTABLE_STATUSES = ['planning', 'active'] as const;

export const COMMANDS: readonly CommandSpec[] = [
	{
		name: 'user add',
		args: [{ name: 'username' }],
		options: {
			name: { type: 'string', value: 'display name', required: true },
			agency: { type: 'string', value: 'code' },
			team: { type: 'string', value: 'team id' },
			admin: { type: 'boolean' },
			cleared: { type: 'boolean' },
			phone: { type: 'string', value: 'number' }
		},
		summary: 'Create a user. --admin makes an administrator, --cleared grants access to personal data.',
		stdin: 'the password from the first line of stdin',
		examples: ["printf '%s\\n' 'a-long-password' | npm run cli -- user add wang.jg --name 王建国 --agency station"]
	},
	{ name: 'user list', args: [], options: {}, list: true, summary: 'List all users.', examples: ['npm run cli -- user list --json'] },
	{
		name: 'user disable',
		args: [{ name: 'username' }],
		options: {},
		summary: 'Stop a user from signing in and end their sessions.',
		examples: ['npm run cli -- user disable wang.jg']
	},
	{
		name: 'user enable',
		args: [{ name: 'username' }],
		options: {},
		summary: 'Let a disabled user sign in again.',
		examples: ['npm run cli -- user enable wang.jg']
	},
	{
		name: 'user reset-password',
		args: [{ name: 'username' }],
		options: {},
		summary: "Set a new password and end the user's sessions.",
		stdin: 'the new password from the first line of stdin',
		examples: ["printf '%s\\n' 'another-password' | npm run cli -- user reset-password wang.jg"]
	},
	{
		name: 'agency add',
		args: [{ name: 'code' }],
		options: {
			zh: { type: 'string', value: 'Chinese name', required: true },
			en: { type: 'string', value: 'English name', required: true },
			color: { type: 'string', value: '#rrggbb', required: true }
		},
		summary: 'Add an agency (警种), e.g. fire or medical.',
		examples: ["npm run cli -- agency add fire --zh 消防 --en 'Fire brigade' --color '#dc2626'"]
	},
	{ name: 'agency list', args: [], options: {}, list: true, summary: 'List agencies.', examples: ['npm run cli -- agency list'] },
	{
		name: 'team add',
		args: [],
		options: {
			agency: { type: 'string', value: 'code', required: true },
			level: { type: 'string', value: TEAM_LEVELS.join('|'), required: true, choices: TEAM_LEVELS },
			name: { type: 'string', value: 'name', required: true },
			parent: { type: 'string', value: 'team id' }
		},
		summary: 'Add a team: a brigade (大队), a squadron (中队) under a brigade, or a unit (分队) under a squadron.',
		examples: [
			'npm run cli -- team add --agency station --level brigade --name 城关派出所',
			'npm run cli -- team add --agency station --level squadron --name 治安中队 --parent <brigade id>'
		]
	},
	{
		name: 'team list',
		args: [],
		options: { agency: { type: 'string', value: 'code' } },
		list: true,
		summary: 'List teams as a tree, with their ids.',
		examples: ['npm run cli -- team list --agency traffic']
	},
	{
		name: 'event create',
		args: [],
		options: {
			name: { type: 'string', value: 'name', required: true },
			starts: { type: 'string', value: 'time', required: true },
			ends: { type: 'string', value: 'time', required: true },
			venue: { type: 'string', value: 'venue' },
			timezone: { type: 'string', value: 'zone' },
			drill: { type: 'boolean' }
		},
		summary:
			'Create an event in planning. Times are ISO with an offset, or YYYY-MM-DDTHH:mm in the event time zone (default Asia/Shanghai). --drill marks an exercise (演练).',
		examples: ["npm run cli -- event create --name '国际马拉松安保' --starts 2026-12-06T05:00 --ends 2026-12-06T14:00 --venue 滨江大道"]
	},
	{ name: 'event list', args: [], options: {}, list: true, summary: 'List events with their ids.', examples: ['npm run cli -- event list'] },
	{
		name: 'event copy',
		args: [{ name: 'event id' }],
		options: {
			name: { type: 'string', value: 'name', required: true },
			starts: { type: 'string', value: 'time', required: true },
			ends: { type: 'string', value: 'time', required: true },
			venue: { type: 'string', value: 'venue' },
			timezone: { type: 'string', value: 'zone' },
			only: { type: 'string', value: 'parts' },
			template: { type: 'boolean' }
		},
		summary:
			'Make a new event from a previous one (or, with --template, from the saved template with that id): members, posts, plan and zones, periods, shifts re-timed to the new dates, standard cards. --only takes some of members,posts,map,periods,shifts,cards,settings. Never copied: activity, check-ins, disputes, reports, photos, display tokens, people without accounts.',
		examples: [
			"npm run cli -- event copy <event id> --name '2027古城灯会开幕周安保' --starts 2027-02-01T10:00 --ends 2027-02-08T22:00",
			'npm run cli -- event copy <template id> --template --name 春节庙会安保 --starts 2027-02-06T08:00 --ends 2027-02-06T22:00 --only posts,periods,shifts'
		]
	},

	{
		name: 'event status',
		args: [{ name: 'event id' }, { name: SETTABLE_STATUSES.join('|'), choices: SETTABLE_STATUSES }],
		options: {},
		summary: 'Move an event between planning and active (closing is done on the board).',
		examples: ['npm run cli -- event status <event id> active']
	},
	{
		name: 'member set',
		args: [{ name: 'event id' }, { name: 'username' }, { name: 'role', choices: ROLE_CHOICES }],
		options: { agency: { type: 'string', value: 'code' } },
		summary: "Add a user to an event or change their role; --agency defaults to the user's own agency.",
		examples: ['npm run cli -- member set <event id> wang.jg lead --agency station']
	},
	{
		name: 'member remove',
		args: [{ name: 'event id' }, { name: 'username' }],
		options: {},
		summary: 'Take a user out of an event.',
		examples: ['npm run cli -- member remove <event id> wang.jg']
	},
	{
		name: 'member list',
		args: [{ name: 'event id' }],
		options: {},
		list: true,
		summary: "List an event's members and roles.",
		examples: ['npm run cli -- member list <event id>']
	},
	{ name: 'template list', args: [], options: {}, list: true, summary: 'List saved event templates (name, version, id).', examples: ['npm run cli -- template list'] },
	{
		name: 'template save',
		args: [{ name: 'event id' }],
		options: { name: { type: 'string', value: 'name', required: true } },
		summary: "Save an event's setup as a template; a name that exists gets its next version.",
		examples: ['npm run cli -- template save <event id> --name 灯会安保']
	},
	{
		name: 'template export',
		args: [{ name: 'template id' }],
		options: { out: { type: 'string', value: 'file' } },
		summary: 'Write a saved template as its JSON file (to standard output, or to --out).',
		examples: ['npm run cli -- template export <template id> --out 灯会安保-v1.json']
	},
	{
		name: 'template import',
		args: [{ name: 'file' }],
		options: {},
		summary: 'Import a template file (- reads standard input). Checked whole first: every problem is listed and nothing is saved if any.',
		examples: ['npm run cli -- template import 灯会安保-v1.json']
	},
	{
		name: 'members import',
		args: [{ name: 'event id' }, { name: 'file', optional: true }],
		options: { 'dry-run': { type: 'boolean' } },
		summary:
			'Add or change many members at once from a CSV list: username, role, agency (code or name), one person a line; a header row in English or Chinese is optional. Reads the file, or stdin when no file is given. Every line is checked first; with any bad line nothing is saved. --dry-run only checks and shows what would change.',
		examples: ['npm run cli -- members import <event id> members.csv', 'npm run cli -- members import <event id> --dry-run < members.csv']
	},
	{
		name: 'token create',
		args: [{ name: 'event id' }],
		options: { name: { type: 'string', value: 'name', required: true } },
		summary: 'Make a display token for a wall screen (read only); the token is shown once.',
		examples: ['npm run cli -- token create <event id> --name 指挥大厅大屏']
	},
	{
		name: 'token list',
		args: [{ name: 'event id' }],
		options: {},
		list: true,
		summary: "List an event's display tokens.",
		examples: ['npm run cli -- token list <event id>']
	},
	{
		name: 'token revoke',
		args: [{ name: 'event id' }, { name: 'token id' }],
		options: {},
		summary: 'Revoke a display token (the id from token list, or its first 8 or more characters).',
		examples: ['npm run cli -- token revoke <event id> 3f9a2c71']
	},
	{
		name: 'backup',
		area: 'backup',
		args: [{ name: 'file' }],
		options: {},
		summary:
			'Write a backup of the whole database to a new file, while the server runs: one consistent moment, with a manifest and checksums. On the embedded database it asks the running server (or reads the data folder when no server holds it).',
		examples: ['npm run cli -- backup liandong-2026-12-04.backup']
	},
	{
		name: 'verify',
		area: 'backup',
		args: [{ name: 'file' }],
		options: {},
		summary: "Check a backup's manifest and every checksum and show its tables, rows and sizes; exit 1 on any problem.",
		examples: ['npm run cli -- verify liandong-2026-12-04.backup']
	},
	{
		name: 'restore',
		area: 'backup',
		args: [{ name: 'file' }],
		options: {},
		summary:
			'Load a backup into an empty data folder (DATA_DIR) or an empty database (DATABASE_URL), then bring its schema up to this version. All or nothing: on any problem the target is left as it was.',
		examples: ['DATA_DIR=./data-restored npm run cli -- restore liandong-2026-12-04.backup']
	},
	{
		name: 'audit export',
		args: [],
		options: {
			event: { type: 'string', value: 'event id' },
			since: { type: 'string', value: 'date or ISO time' },
			format: { type: 'string', value: 'csv|json', choices: ['csv', 'json'] },
			out: { type: 'string', value: 'file' }
		},
		summary: 'Write the audit log, oldest line first, as CSV (default) or JSON to stdout or --out <file>; --event keeps one event\'s lines, --since those from a moment on.',
		examples: ['npm run cli -- audit export --format csv > audit.csv', 'npm run cli -- audit export --event <event id> --since 2026-12-01 --format json --out audit.json']
	},
	{
		name: 'purge',
		args: [],
		options: { 'dry-run': { type: 'boolean' } },
		list: true,
		summary:
			"Purge the personal data of closed events older than PERSONAL_DATA_DAYS (parties, people's positions, photos of people on disputes), as the server's own sweep does; --dry-run only counts.",
		examples: ['npm run cli -- purge --dry-run', 'npm run cli -- purge']
	}
];

export interface ParsedCommand {
	command: string;
	/** Positional arguments by their spec name. */
	args: Record<string, string>;
	/** Options by name: strings, or true for a given flag; absent when not given. */
	options: Record<string, string | boolean>;
	json: boolean;
}

export type ParseResult =
	| { kind: 'run'; parsed: ParsedCommand }
	| { kind: 'help'; topic: string | null }
	| { kind: 'error'; message: string };

const HELP_FLAGS = new Set(['--help', '-h']);

function findCommand(area: string | undefined, verb: string | undefined): CommandSpec | undefined {
	return COMMANDS.find((c) => c.name === `${area} ${verb}`);
}

function areas(): string[] {
	return [...new Set(COMMANDS.map((c) => c.name.split(' ')[0]))];
}

/** Parses the words after `cli.ts`. Never throws: a bad command line is an `error` naming the problem. */
export function parseCliArgs(argv: readonly string[]): ParseResult {
	const [area, verb, ...rest] = argv;
	if (area === undefined) return { kind: 'error', message: 'No command given.' };
	if (area === 'help' || HELP_FLAGS.has(area)) return { kind: 'help', topic: argv.slice(1).join(' ') || null };
	if (!areas().includes(area)) return { kind: 'error', message: `Unknown command "${area}".` };
	// A command of one word (`purge`) takes everything after it as its arguments and options.
	const single = COMMANDS.find((c) => c.name === area);
	if (single) {
		if (argv.slice(1).some((word) => HELP_FLAGS.has(word))) return { kind: 'help', topic: single.name };
		return parseCommand(single, argv.slice(1));
	}
	const verbs = COMMANDS.filter((c) => c.name.startsWith(`${area} `)).map((c) => c.name.split(' ')[1]);
	if (verb === undefined || HELP_FLAGS.has(verb)) {
		return verb === undefined
			? { kind: 'error', message: `"${area}" needs a subcommand: ${verbs.join(', ')}.` }
			: { kind: 'help', topic: area };
	}
	const spec = findCommand(area, verb);
	if (!spec) return { kind: 'error', message: `Unknown command "${area} ${verb}"; "${area}" takes ${verbs.join(', ')}.` };
	if (rest.some((word) => HELP_FLAGS.has(word))) return { kind: 'help', topic: spec.name };
	return parseCommand(spec, rest);
}

function parseCommand(spec: CommandSpec, words: string[]): ParseResult {
	const known: Record<string, OptionSpec> = { ...spec.options };
	if (spec.list) known.json = { type: 'boolean' };
	// Not strict: we read the tokens ourselves so every message names the command and the option at fault.
	const { tokens } = parseArgs({
		args: words,
		options: Object.fromEntries(Object.entries(known).map(([name, o]) => [name, { type: o.type }])),
		allowPositionals: true,
		strict: false,
		tokens: true
	});
	const positionals: string[] = [];
	const options: Record<string, string | boolean> = {};
	const fail = (message: string): ParseResult => ({ kind: 'error', message: `${spec.name}: ${message}` });
	for (const token of tokens) {
		if (token.kind === 'positional') {
			positionals.push(token.value);
			continue;
		}
		if (token.kind !== 'option') continue;
		const option = known[token.name];
		if (!option) return fail(`unknown option ${token.rawName}.`);
		if (option.type === 'boolean') {
			if (token.value !== undefined) return fail(`${token.rawName} is a flag and takes no value.`);
			options[token.name] = true;
			continue;
		}
		if (token.value === undefined || token.value === null) return fail(`${token.rawName} needs a value (${option.value}).`);
		if (option.choices && !option.choices.includes(token.value)) {
			return fail(`${token.rawName} must be one of ${option.choices.join(', ')}; got "${token.value}".`);
		}
		options[token.name] = token.value;
	}
	const missingArg = spec.args[positionals.length];
	if (missingArg && !missingArg.optional) return fail(`missing <${missingArg.name}>.`);
	if (positionals.length > spec.args.length) return fail(`unexpected argument "${positionals[spec.args.length]}".`);
	const args: Record<string, string> = {};
	for (const [i, arg] of spec.args.entries()) {
		if (i >= positionals.length) break;
		if (arg.choices && !arg.choices.includes(positionals[i])) {
			return fail(`<${arg.name}> must be one of ${arg.choices.join(', ')}; got "${positionals[i]}".`);
		}
		args[arg.name] = positionals[i];
	}
	for (const [name, option] of Object.entries(spec.options)) {
		if (option.required && options[name] === undefined) return fail(`missing --${name} <${option.value}>.`);
	}
	const json = options.json === true;
	delete options.json;
	return { kind: 'run', parsed: { command: spec.name, args, options, json } };
}

/** One line of usage: `user add <username> --name <display name> [--admin]`. */
export function usageLine(spec: CommandSpec): string {
	const parts = [spec.name, ...spec.args.map((a) => (a.optional ? `[<${a.name}>]` : `<${a.name}>`))];
	for (const [name, o] of Object.entries(spec.options)) {
		const word = o.type === 'boolean' ? `--${name}` : `--${name} <${o.value}>`;
		parts.push(o.required ? word : `[${word}]`);
	}
	if (spec.list) parts.push('[--json]');
	return parts.join(' ');
}

const AREA_TITLES: Record<string, string> = {
	user: 'Users',
	agency: 'Agencies (警种)',
	team: 'Teams (大队 / 中队 / 分队)',
	event: 'Events',
	member: 'Event members',
	members: 'Event members in bulk',
	token: 'Display tokens for wall screens',
	template: 'Event templates (模板)',
	backup: 'Back up and restore'
};

/** The help text: every command, or those of one area or one command when `topic` names it. */
export function formatHelp(topic: string | null = null): string {
	const chosen = topic ? COMMANDS.filter((c) => c.name === topic || c.name.startsWith(`${topic} `) || c.area === topic) : COMMANDS;
	const lines: string[] = [];
	if (!topic || chosen.length === 0) {
		if (topic) lines.push(`No help for "${topic}"; these are all the commands.`, '');
		lines.push(
			'Liandong command line: users, agencies, teams, events, members, display tokens, templates and backups.',
			'Run as: npm run cli -- <command> [arguments]',
			'It opens the database the server uses (DATA_DIR, or DATABASE_URL when set). With the embedded',
			'database, stop the server first: two processes must never open one data folder (backup excepted:',
			'it asks the running server).',
			''
		);
	}
	let area = '';
	for (const spec of chosen.length ? chosen : COMMANDS) {
		const thisArea = spec.area ?? spec.name.split(' ')[0];
		if (thisArea !== area) {
			if (area) lines.push('');
			lines.push(AREA_TITLES[thisArea] ?? thisArea);
			area = thisArea;
		}
		lines.push(`  ${usageLine(spec)}`, `      ${spec.summary}`);
		if (spec.stdin) lines.push(`      Reads ${spec.stdin}, never from the command line.`);
		for (const example of spec.examples) lines.push(`      e.g. ${example}`);
	}
	lines.push(
		'',
		'  help [command]',
		'      Show this help, or the help of one area or command (e.g. help user).',
		'',
		'Exit status: 0 done; 1 failed (not found, already exists, database unavailable);',
		'2 bad command line or invalid value.'
	);
	return lines.join('\n');
}
