/**
 * What every CLI command gets: the database, a way to print, a way to read a password. Also the CLI's error
 * type and the English wording of the shared validation codes (the browser words them through its catalog).
 */
import type { Kysely } from 'kysely';
import type { DB } from '../../src/lib/server/db/schema.ts';
import type { FieldErrorCode, FieldErrors } from '../../src/lib/domain/validation.ts';
import { toLocalInputValue } from '../../src/lib/domain/validation.ts';
import type { ParsedCommand } from '../cli-args.ts';
import type { AuditActor } from '../../src/lib/server/repositories/audit.repository.ts';

export interface CliContext {
	db: Kysely<DB>;
	/** Who the audit log names for what this command changes: the command line and the OS user running it. */
	actor: AuditActor;
	/** Prints one line of the answer on stdout. */
	print(line: string): void;
	/** Prints a value as JSON on stdout, for scripts (`--json`). */
	printJson(value: unknown): void;
	/** Reads a password: the first line of stdin, or typed without echo (twice) on a terminal. */
	readSecret(what: string): Promise<string>;
	/** Reads the whole of stdin as bytes, up to `maxBytes`; says so when there is more, or stdin is a terminal. */
	readStdin(maxBytes: number): Promise<Uint8Array | 'terminal' | 'tooLarge'>;
}

export type CommandHandler = (ctx: CliContext, cmd: ParsedCommand) => Promise<void>;

/** An expected failure: printed as its message alone, exiting with 1 (failed) or 2 (bad input). */
export class CliError extends Error {
	readonly exitCode: 1 | 2;
	constructor(message: string, exitCode: 1 | 2) {
		super(message);
		this.name = 'CliError';
		this.exitCode = exitCode;
	}
}

/** The command line or a value on it is wrong (exit 2). */
export function badInput(message: string): CliError {
	return new CliError(message, 2);
}

/** The command was understood but could not be done: not found, already exists (exit 1). */
export function failed(message: string): CliError {
	return new CliError(message, 1);
}

const PHRASES: Record<FieldErrorCode, string> = {
	required: 'is required',
	tooLong: 'is too long',
	tooShort: 'is too short',
	invalidFormat: 'is not in the right format',
	invalidChoice: 'is not one of the choices',
	invalidTime: 'is not a valid time: use YYYY-MM-DDTHH:mm in the event time zone, or ISO with an offset',
	endBeforeStart: 'must be after the start',
	invalidTimezone: 'is not a valid time zone (e.g. Asia/Shanghai)',
	taken: 'is already taken',
	notFound: 'does not exist',
	wrongParent: 'is at the wrong level: a squadron belongs to a brigade, a unit to a squadron, of the same agency',
	outOfRange: 'is out of range'
};

/** What a well-formed value looks like, for fields whose format is not obvious. */
const FORMAT_HINTS: Record<string, string> = {
	username: 'lowercase letters, digits, ".", "_" and "-", starting with a letter or digit',
	phone: '3 to 20 digits, spaces, "+" or "-"',
	color: 'like #1d4ed8',
	code: 'lowercase letters, digits and "-", starting with a letter'
};

/**
 * Words a set of field errors, one line per field, naming each field as the user typed it (`labels` maps the
 * shared field names to the CLI's: displayName → --name).
 */
export function describeFieldErrors(errors: FieldErrors, labels: Record<string, string>): string {
	return Object.entries(errors)
		.filter((entry): entry is [string, FieldErrorCode] => entry[1] !== undefined)
		.map(([field, code]) => {
			let phrase = PHRASES[code];
			if (code === 'invalidFormat' && FORMAT_HINTS[field]) phrase += ` (${FORMAT_HINTS[field]})`;
			if (field === 'password' && code === 'tooShort') phrase += ' (at least 8 characters)';
			return `  ${labels[field] ?? field} ${phrase}.`;
		})
		.join('\n');
}

/** Throws the field errors as one bad-input error headed by `action` ("Cannot add user wang.jg:"). */
export function invalidFields(action: string, errors: FieldErrors, labels: Record<string, string>): CliError {
	return badInput(`${action}:\n${describeFieldErrors(errors, labels)}`);
}

/** Columns on a terminal: CJK characters take two. */
export function displayWidth(text: string): number {
	let width = 0;
	for (const ch of text) {
		width += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u.test(ch) ? 2 : 1;
	}
	return width;
}

/** Lines of an aligned table with a header row. */
export function formatTable(header: string[], rows: string[][]): string[] {
	const widths = header.map((h, i) => Math.max(displayWidth(h), ...rows.map((r) => displayWidth(r[i] ?? ''))));
	const line = (cells: string[]) =>
		cells
			.map((cell, i) => (i === cells.length - 1 ? cell : cell + ' '.repeat(widths[i] - displayWidth(cell))))
			.join('  ')
			.trimEnd();
	return [line(header), ...rows.map(line)];
}

/** A time as the wall clock of `timeZone`: `2026-11-23 16:00`. */
export function formatLocalTime(at: Date, timeZone: string): string {
	return toLocalInputValue(at, timeZone).replace('T', ' ');
}

/** A string option's value, or undefined when it was not given. */
export function optionText(cmd: ParsedCommand, name: string): string | undefined {
	const v = cmd.options[name];
	return typeof v === 'string' ? v : undefined;
}
