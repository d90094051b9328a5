/**
 * Node's own options for the server process. They must be given as the process starts (V8 sizes its heap then), so
 * they are written where it is started: package.json's start, serve and demo scripts and the Dockerfile's CMD; the
 * tests and the bench start it with these too, a test checks that all of them agree, and a server started without
 * them says so in its log.
 *
 * `--max-semi-space-size=16`: V8 lets its young generation grow to 128 MiB (64 MiB semi-spaces) on a machine with
 * plenty of memory (the README's reference machine has 23.5 GiB), and a server taking a burst of connections or
 * edits grows it that far and keeps it. Capped at
 * 16 MiB semi-spaces, the idle board uses 15-20 MiB less, and 2,000 connected clients cost 15.5-18.7 KiB each instead
 * of 51.6 KiB (`npm run bench -- --only load`); the CPU per delivery did not rise (`--only peers`, three runs of
 * each: 34-36 µs against 39-54 µs with V8's default, on the same day). 8 MiB saved a little more memory and cost CPU.
 */
export const SERVER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=16'];

/**
 * Which of SERVER_NODE_FLAGS a process was started without (on its command line or in NODE_OPTIONS). An option
 * given with another value counts as given: an operator may have sized it on purpose.
 */
export function missingNodeFlags(execArgv: readonly string[], nodeOptions: string | undefined): string[] {
	const nameOf = (option: string) => option.split('=')[0].replaceAll('_', '-');
	const given = new Set([...execArgv, ...(nodeOptions ?? '').split(/\s+/)].map(nameOf));
	return SERVER_NODE_FLAGS.filter((f) => !given.has(nameOf(f)));
}
