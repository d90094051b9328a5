import type { ServerResponse } from 'node:http';
import type { Kysely } from 'kysely';
import type { DB } from '../src/lib/server/db/schema.ts';
import { pingDatabase } from '../src/lib/server/db/database.ts';

/** GET /healthz: 200 with `status: ok` when the database answers, 503 with the reason when it does not. */
export async function answerHealth(
	res: ServerResponse,
	db: Kysely<DB>,
	info: { version: string; database: 'embedded' | 'postgres'; startedAt: Date }
): Promise<void> {
	const ping = await pingDatabase(db);
	const body = {
		status: ping.ok ? 'ok' : 'unavailable',
		version: info.version,
		database: { kind: info.database, reachable: ping.ok, ...(ping.ok ? {} : { reason: ping.reason }) },
		uptimeSeconds: Math.round((Date.now() - info.startedAt.getTime()) / 1000)
	};
	res.writeHead(ping.ok ? 200 : 503, { 'content-type': 'application/json', 'cache-control': 'no-store' });
	res.end(JSON.stringify(body));
}
