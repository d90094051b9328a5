/**
 * Run as a process of its own by database.ts: creates a new embedded data folder (PGlite's initdb) and exits.
 * Arguments: the folder, then PGlite's start parameters as JSON.
 */
import { PGlite } from '@electric-sql/pglite';

const [folder, params] = process.argv.slice(2);
try {
	await (await PGlite.create(folder, { startParams: JSON.parse(params) as string[] })).close();
} catch (err) {
	process.stderr.write(`${describe(err)}\n`);
	process.exitCode = 1;
}

/** PGlite's file system throws plain objects ({ name: 'ErrnoError', errno }) rather than Errors. */
function describe(err: unknown): string {
	if (err instanceof Error) return err.message;
	const errno = (err as { errno?: unknown } | null)?.errno;
	if (typeof errno === 'number') return `the file system refused it (error ${errno}); is something other than a folder there?`;
	return String(err);
}
