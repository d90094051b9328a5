/** Configuration from the environment; every variable here is documented in the README. */
import { StartupError } from '../src/lib/server/db/database.ts';

export interface AppConfig {
	port: number;
	host: string;
	dataDir: string;
	databaseUrl: string | undefined;
	origin: string | undefined;
	/** Largest Yjs or socket.io message accepted, in bytes. */
	maxMessageBytes: number;
}

function intFrom(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
	const raw = env[name];
	if (raw === undefined || raw === '') return fallback;
	const n = Number(raw);
	if (!Number.isInteger(n) || n < min || n > max) {
		throw new StartupError(`${name} must be a whole number from ${min} to ${max}; got "${raw}".`);
	}
	return n;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
	const origin = env.ORIGIN?.trim() || undefined;
	if (origin) {
		try {
			const u = new URL(origin);
			if (u.pathname !== '/' || !/^https?:$/.test(u.protocol)) throw new Error();
		} catch {
			throw new StartupError(`ORIGIN must be like https://board.example.org (no path); got "${origin}".`);
		}
	}
	return {
		port: intFrom(env, 'PORT', 3000, 0, 65535),
		host: env.HOST?.trim() || '0.0.0.0',
		dataDir: env.DATA_DIR?.trim() || './data',
		databaseUrl: env.DATABASE_URL?.trim() || undefined,
		origin,
		maxMessageBytes: intFrom(env, 'MAX_MESSAGE_BYTES', 1024 * 1024, 1024, 64 * 1024 * 1024)
	};
}
