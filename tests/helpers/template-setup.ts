/**
 * Global setup of the suites that start servers: one server starts on a database nothing has touched (PGlite's initdb
 * or an empty PostgreSQL database, then every migration) and stops; what it left is the template that every other
 * test server of the run starts from, copied (the embedded data folder) or cloned (`create database … template`).
 * A start from nothing is thus still made, once a run and by the tests that ask for it (`fresh`), and each other
 * start saves initdb and the migrations: about three seconds on the embedded database.
 */
import { join } from 'node:path';
import { startServer, TEMPLATE_DATABASE, TEMPLATE_PGDATA } from './server.ts';

export default async function setup(): Promise<() => Promise<void>> {
	const server = await startServer({ fresh: true });
	await server.stop();
	const variable = server.env.DATABASE_URL ? TEMPLATE_DATABASE : TEMPLATE_PGDATA;
	process.env[variable] = server.env.DATABASE_URL ? new URL(server.env.DATABASE_URL).pathname.slice(1) : join(server.env.DATA_DIR, 'pgdata');
	return async () => {
		delete process.env[variable];
		await server.dispose();
	};
}
