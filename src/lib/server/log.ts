/**
 * The server's structured log: one JSON object a line on standard output (pino), with `level`, `time` and `msg`,
 * and ids (request, user, event, document, connection) as fields of child loggers. The CLI prints for people and
 * does not use it.
 *
 * What may go in a line: ids, counts, names of routes and documents, error messages. What may not: document
 * contents, request bodies, query strings, and above all the personal data of dispute parties. The redaction
 * below is the second guard for that; the first is that no call passes such things.
 */
import pino, { type Logger } from 'pino';

export type { Logger };

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** LOG_LEVEL when it names a level, otherwise info (server/config.ts refuses a bad value at start-up). */
export function logLevelFrom(env: NodeJS.ProcessEnv = process.env): LogLevel {
	const raw = env.LOG_LEVEL?.trim().toLowerCase();
	return (LOG_LEVELS as readonly string[]).includes(raw ?? '') ? (raw as LogLevel) : 'info';
}

/**
 * Field names that hold a party's or a person's data wherever they appear (two levels deep), and the headers that
 * carry credentials. A line that names one of them shows "[redacted]" in its place.
 */
const REDACTED_FIELDS = ['parties', 'party', 'phone', 'idNumber', 'address', 'password', 'token', 'cookie', 'body', 'query'];
export const REDACT_PATHS = [
	...REDACTED_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`]),
	'headers.authorization',
	'*.headers.authorization',
	'*.headers.cookie',
	// A database error's detail repeats the values of the row it refused ("Key (x)=(…) already exists").
	'err.detail',
	'err.parameters',
	'*.err.detail'
];

/** Makes a logger writing to `destination` (standard output by default). Tests pass a stream to read lines back. */
export function createLogger(options: { level?: LogLevel; destination?: pino.DestinationStream } = {}): Logger {
	return pino(
		{
			level: options.level ?? logLevelFrom(),
			base: { pid: process.pid },
			timestamp: pino.stdTimeFunctions.isoTime,
			formatters: { level: (label) => ({ level: label }) },
			redact: { paths: REDACT_PATHS, censor: '[redacted]' },
			serializers: { err: pino.stdSerializers.err }
		},
		// Written synchronously: a line logged just before the process exits (a failed start, a signal) is not lost,
		// and nothing is logged per message, so the cost stays small.
		options.destination ?? pino.destination({ dest: 1, sync: true })
	);
}

/**
 * The process's logger. SvelteKit's build holds its own copy of this module; both write to standard output with
 * the same settings, and a request's logger (with its id) comes to SvelteKit code through `event.locals.log`.
 */
export const log: Logger = createLogger();

/** Whether an id-like value may go into a line as it is (a bounded id, not free text). */
export function loggableId(value: unknown): string | undefined {
	return typeof value === 'string' && /^[A-Za-z0-9._:-]{1,80}$/.test(value) ? value : undefined;
}
