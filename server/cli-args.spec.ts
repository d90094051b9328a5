import { describe, expect, it } from 'vitest';
import { COMMANDS, formatHelp, parseCliArgs, usageLine, type ParseResult } from './cli-args.ts';

function run(argv: string[]) {
	const result = parseCliArgs(argv);
	if (result.kind !== 'run') throw new Error(`expected a command, got ${JSON.stringify(result)}`);
	return result.parsed;
}

function errorOf(argv: string[]): string {
	const result: ParseResult = parseCliArgs(argv);
	if (result.kind !== 'error') throw new Error(`expected an error, got ${JSON.stringify(result)}`);
	return result.message;
}

describe('parseCliArgs', () => {
	it('reads positionals by name, string options and flags', () => {
		expect(run(['user', 'add', 'wang.jg', '--name', '王建国', '--agency=station', '--admin'])).toEqual({
			command: 'user add',
			args: { username: 'wang.jg' },
			options: { name: '王建国', agency: 'station', admin: true },
			json: false
		});
	});

	it('takes --json on list commands and keeps it out of the options', () => {
		expect(run(['user', 'list', '--json'])).toEqual({ command: 'user list', args: {}, options: {}, json: true });
		expect(run(['team', 'list', '--agency', 'cid'])).toMatchObject({ options: { agency: 'cid' }, json: false });
	});

	it('refuses --json on a command that is not a list', () => {
		expect(errorOf(['user', 'disable', 'wang.jg', '--json'])).toBe('user disable: unknown option --json.');
	});

	it('accepts values that start with a dash when given after the option', () => {
		expect(run(['user', 'add', 'a.b', '--name', '-dash-'])).toMatchObject({ options: { name: '-dash-' } });
	});

	it('reads the one-word backup commands with their file', () => {
		expect(run(['backup', 'a.backup'])).toEqual({ command: 'backup', args: { file: 'a.backup' }, options: {}, json: false });
		expect(run(['verify', 'a.backup'])).toMatchObject({ command: 'verify', args: { file: 'a.backup' } });
		expect(run(['restore', 'a.backup'])).toMatchObject({ command: 'restore', args: { file: 'a.backup' } });
		expect(errorOf(['restore'])).toBe('restore: missing <file>.');
		expect(errorOf(['backup', 'a', 'b'])).toBe('backup: unexpected argument "b".');
		expect(parseCliArgs(['verify', '--help'])).toEqual({ kind: 'help', topic: 'verify' });
	});

	it('lists backup, verify and restore under one heading in help', () => {
		const help = formatHelp('backup');
		expect(help).toMatch(/^Back up and restore\n {2}backup <file>/);
		expect(help).toContain('  verify <file>');
		expect(help).toContain('  restore <file>');
		expect(help).not.toContain('user add');
	});

	it('treats words after -- as positionals', () => {
		expect(run(['user', 'disable', '--', '--odd'])).toMatchObject({ args: { username: '--odd' } });
	});

	it('asks for help with help, --help, -h, or --help after a command', () => {
		expect(parseCliArgs(['help'])).toEqual({ kind: 'help', topic: null });
		expect(parseCliArgs(['--help'])).toEqual({ kind: 'help', topic: null });
		expect(parseCliArgs(['help', 'user'])).toEqual({ kind: 'help', topic: 'user' });
		expect(parseCliArgs(['help', 'user', 'add'])).toEqual({ kind: 'help', topic: 'user add' });
		expect(parseCliArgs(['team', '-h'])).toEqual({ kind: 'help', topic: 'team' });
		expect(parseCliArgs(['user', 'add', '--help'])).toEqual({ kind: 'help', topic: 'user add' });
	});

	it('names an unknown command or subcommand', () => {
		expect(errorOf([])).toBe('No command given.');
		expect(errorOf(['frobnicate'])).toBe('Unknown command "frobnicate".');
		expect(errorOf(['user'])).toBe('"user" needs a subcommand: add, list, disable, enable, reset-password.');
		expect(errorOf(['user', 'delete', 'x'])).toBe(
			'Unknown command "user delete"; "user" takes add, list, disable, enable, reset-password.'
		);
	});

	it('names a missing or extra positional argument', () => {
		expect(errorOf(['user', 'disable'])).toBe('user disable: missing <username>.');
		expect(errorOf(['user', 'disable', 'a', 'b'])).toBe('user disable: unexpected argument "b".');
		expect(errorOf(['member', 'set', 'ev1', 'wang.jg'])).toBe('member set: missing <role>.');
	});

	it('names an unknown option, a flag given a value and a string option without one', () => {
		expect(errorOf(['user', 'add', 'a', '--name', 'A', '--colour', 'red'])).toBe('user add: unknown option --colour.');
		expect(errorOf(['user', 'add', 'a', '--name', 'A', '--admin=yes'])).toBe('user add: --admin is a flag and takes no value.');
		expect(errorOf(['user', 'add', 'a', '--name'])).toBe('user add: --name needs a value (display name).');
	});

	it('names a missing required option', () => {
		expect(errorOf(['user', 'add', 'a'])).toBe('user add: missing --name <display name>.');
		expect(errorOf(['event', 'create', '--name', 'x', '--starts', '2026-12-01T08:00'])).toBe(
			'event create: missing --ends <time>.'
		);
	});

	it('checks choices of options and positionals', () => {
		expect(errorOf(['team', 'add', '--agency', 'station', '--level', 'platoon', '--name', 'x'])).toBe(
			'team add: --level must be one of brigade, squadron, unit; got "platoon".'
		);
		expect(errorOf(['event', 'status', 'ev1', 'closed'])).toBe(
			'event status: <planning|active> must be one of planning, active; got "closed".'
		);
		expect(errorOf(['member', 'set', 'ev1', 'wang.jg', 'boss'])).toMatch(/<role> must be one of commander, lead/);
		expect(run(['member', 'set', 'ev1', 'wang.jg', 'lead', '--agency', 'station'])).toEqual({
			command: 'member set',
			args: { 'event id': 'ev1', username: 'wang.jg', role: 'lead' },
			options: { agency: 'station' },
			json: false
		});
	});
});

describe('formatHelp', () => {
	it('lists every command with its usage, summary and an example', () => {
		const help = formatHelp();
		for (const spec of COMMANDS) {
			expect(help).toContain(usageLine(spec));
			expect(help).toContain(spec.summary);
			expect(help).toContain(spec.examples[0]);
		}
		expect(help).toContain('Exit status');
	});

	it('narrows to one area and says so for an unknown topic', () => {
		const help = formatHelp('token');
		expect(help).toContain('token create <event id> --name <name>');
		expect(help).not.toContain('user add');
		expect(formatHelp('nothing')).toMatch(/^No help for "nothing"/);
	});

	it('shows that passwords come from stdin', () => {
		expect(usageLine(COMMANDS.find((c) => c.name === 'user add')!)).toBe(
			'user add <username> --name <display name> [--agency <code>] [--team <team id>] [--admin] [--cleared] [--phone <number>]'
		);
		expect(formatHelp('user add')).toContain('Reads the password from the first line of stdin, never from the command line.');
	});
});
