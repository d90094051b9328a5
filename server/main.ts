/** `npm start`: runs the board. `--demo` first seeds the demo event (see README). */
import { readConfig } from './config.ts';
import { startApp } from './app.ts';
import { StartupError } from '../src/lib/server/db/database.ts';
import { log } from '../src/lib/server/log.ts';
import { missingNodeFlags } from './node-flags.ts';

async function main(): Promise<void> {
	const demo = process.argv.includes('--demo');
	const config = readConfig();
	const app = await startApp(config, {
		async beforeListen({ database, hub }) {
			if (demo) {
				const { seedDemo } = await import('../src/lib/server/demo/seed.ts');
				const { seedDemoBoardContent } = await import('./demo-board.ts');
				const { seedDemoRoster } = await import('./demo-roster.ts');
				const { seedDemoDisputes } = await import('./demo-disputes.ts');
				const { seedDemoMap } = await import('./demo-map.ts');
				const result = await seedDemo(database.db);
				const boards =
					(await seedDemoBoardContent(hub, result.eventId)) +
					(await seedDemoRoster(hub, result.eventId)) +
					(await seedDemoDisputes(hub, result.eventId)) +
					(await seedDemoMap(hub, database.db, result.eventId, config.dataDir));
				log.info({ eventId: result.eventId }, `[demo] ${result.created || boards ? 'seeded' : 'already seeded'}: ${result.eventName}`);
			}
		}
	});
	log.info(
		{ version: app.services.version, url: app.url, database: app.database.kind, metrics: config.metricsToken ? 'on' : 'off' },
		`Liandong ${app.services.version} on ${app.url} (${app.database.describe})`
	);
	if (demo) log.info('[demo] sign in as commander / liandong-demo (demo accounts only; see README)');
	const missing = missingNodeFlags(process.execArgv, process.env.NODE_OPTIONS);
	if (missing.length) log.warn({ missing }, `started without Node's options ${missing.join(' ')}: the server will use more memory per connection (see server/node-flags.ts)`);

	let stopping = false;
	const stop = (signal: string) => {
		if (stopping) return;
		stopping = true;
		log.info({ signal }, `${signal}: shutting down`);
		const began = performance.now();
		// Commits in flight get up to 10 s; a shutdown that takes longer is cut, and says so by its exit code.
		const force = setTimeout(() => {
			log.error({ signal }, 'shutdown took over 10 s; exiting anyway');
			process.exit(1);
		}, 10_000);
		force.unref();
		app.close().then(
			() => {
				log.info({ ms: Math.round(performance.now() - began) }, 'stopped: every commit finished, clients told to reconnect');
				process.exit(0);
			},
			(err: unknown) => {
				log.error({ err }, 'shutdown failed');
				process.exit(1);
			}
		);
	};
	process.on('SIGINT', () => stop('SIGINT'));
	process.on('SIGTERM', () => stop('SIGTERM'));
}

// A start that fails is told in one plain line on stderr, for the person who just ran the command (and whose
// process supervisor shows it as it is); the server's JSON log begins once it runs.
main().catch((err: unknown) => {
	if (err instanceof StartupError) {
		console.error(`Liandong cannot start: ${err.message}`);
	} else {
		console.error('Liandong cannot start:', err);
	}
	process.exit(1);
});
