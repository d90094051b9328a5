/**
 * `npm run cli -- <command>`: administration from a shell. Opens the database exactly as the server does
 * (same DATA_DIR or DATABASE_URL, migrations, standard agencies), so on the embedded database it refuses to
 * run beside a live server rather than corrupt the data folder (backup, restore and verify open it their own way:
 * server/cli/backup-commands.ts). `help` lists the commands.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { userInfo } from 'node:os';
import { readConfig } from './config.ts';
import { formatHelp, parseCliArgs, type ParsedCommand } from './cli-args.ts';
import { CliError, type CliContext, type CommandHandler } from './cli/context.ts';
import { readAllStdin, readSecret } from './cli/stdin.ts';
import { USER_COMMANDS } from './cli/user-commands.ts';
import { ORG_COMMANDS } from './cli/org-commands.ts';
import { EVENT_COMMANDS } from './cli/event-commands.ts';
import { TOKEN_COMMANDS } from './cli/token-commands.ts';
import { MEMBER_IMPORT_COMMANDS } from './cli/member-import-command.ts';
import { TEMPLATE_COMMANDS } from './cli/template-commands.ts';
import { BACKUP_COMMANDS } from './cli/backup-commands.ts';
import { AUDIT_COMMANDS } from './cli/audit-commands.ts';
import { openDatabase, StartupError, type DatabaseHandle } from '../src/lib/server/db/database.ts';
import { migrateToLatest } from '../src/lib/server/db/migrate.ts';
import { seedAgencies } from '../src/lib/server/repositories/agency.repository.ts';

const MIGRATIONS = fileURLToPath(new URL('../migrations', import.meta.url));

const HANDLERS: Record<string, CommandHandler> = {
	...USER_COMMANDS,
	...ORG_COMMANDS,
	...EVENT_COMMANDS,
	...TOKEN_COMMANDS,
	...MEMBER_IMPORT_COMMANDS,
	...TEMPLATE_COMMANDS,
	...AUDIT_COMMANDS
};

/** Exit statuses: 0 done, 1 failed, 2 bad command line or value (as `help` says). */
const EXIT_FAILED = 1;
const EXIT_BAD_INPUT = 2;

async function openLikeTheServer(): Promise<DatabaseHandle> {
	const config = readConfig();
	// The CLI runs one statement at a time; a small pool leaves the server's connections alone.
	const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 2, sharedBuffersMb: config.embeddedSharedBuffersMb });
	try {
		await migrateToLatest(database.db, MIGRATIONS);
		await seedAgencies(database.db);
	} catch (err) {
		await database.close().catch(() => {});
		throw new StartupError(`Cannot prepare the database (${database.describe}): ${err instanceof Error ? err.message : err}`);
	}
	return database;
}

function readVersion(): string {
	try {
		return JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;
	} catch {
		return '0.0.0';
	}
}

/** The OS account running the command, for the audit log; `unknown` where the system cannot say. */
function osUser(): string {
	try {
		return userInfo().username;
	} catch {
		return 'unknown';
	}
}

async function runCommand(parsed: ParsedCommand): Promise<number> {
	// Backups open the database their own way: they never migrate what they read, and restore needs it empty.
	const standalone = BACKUP_COMMANDS[parsed.command];
	if (standalone) {
		await standalone({ print: (line) => process.stdout.write(`${line}\n`), migrations: MIGRATIONS, appVersion: readVersion() }, parsed);
		return 0;
	}
	const handler = HANDLERS[parsed.command];
	if (!handler) throw new Error(`no handler for ${parsed.command}`);
	const database = await openLikeTheServer();
	const ctx: CliContext = {
		db: database.db,
		actor: { kind: 'cli', name: `cli (${osUser()})` },
		print: (line) => process.stdout.write(`${line}\n`),
		printJson: (value) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`),
		readSecret: (what) => readSecret(what),
		readStdin: (maxBytes) => readAllStdin(maxBytes)
	};
	try {
		await handler(ctx, parsed);
		return 0;
	} finally {
		await database.close();
	}
}

async function main(argv: string[]): Promise<number> {
	const result = parseCliArgs(argv);
	if (result.kind === 'help') {
		process.stdout.write(`${formatHelp(result.topic)}\n`);
		return 0;
	}
	if (result.kind === 'error') {
		process.stderr.write(`${result.message}\nRun "npm run cli -- help" for the commands.\n`);
		return EXIT_BAD_INPUT;
	}
	try {
		return await runCommand(result.parsed);
	} catch (err) {
		if (err instanceof CliError) {
			process.stderr.write(`${err.message}\n`);
			return err.exitCode;
		}
		if (err instanceof StartupError) {
			process.stderr.write(`Cannot open the database: ${err.message}\n`);
			return EXIT_FAILED;
		}
		process.stderr.write(`${result.parsed.command} failed: ${err instanceof Error ? err.message : String(err)}\n`);
		return EXIT_FAILED;
	}
}

main(process.argv.slice(2)).then(
	(code) => {
		process.exitCode = code;
	},
	(err: unknown) => {
		process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
		process.exitCode = EXIT_FAILED;
	}
);
