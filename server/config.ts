/** Configuration from the environment; every variable here is documented in the README. */
import { readFileSync } from 'node:fs';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { EMBEDDED_SHARED_BUFFERS_MB, StartupError } from '../src/lib/server/db/database.ts';
import { DEFAULT_QUOTAS, type QuotaLimits } from './hub/quotas.ts';
import { HEARTBEAT_MS } from '../src/lib/domain/wire.ts';
import { SITREP_LEAD_MINUTES } from '../src/lib/domain/sitrep-schedule.ts';
import { LOG_LEVELS, type LogLevel } from '../src/lib/server/log.ts';

export interface AppConfig {
	port: number;
	host: string;
	dataDir: string;
	databaseUrl: string | undefined;
	origin: string | undefined;
	/** Shared buffers of the embedded database, in MB. */
	embeddedSharedBuffersMb: number;
	/** Largest Yjs or socket.io message accepted, in bytes. */
	maxMessageBytes: number;
	/** How often live connections are pinged; one silent for a whole period is dropped. */
	heartbeatMs: number;
	/**
	 * Serve HTTPS with this certificate and key (PEM), so that phones on the venue's network get a secure context
	 * (service worker, camera, notifications). `redirectPort`, when set, answers plain HTTP with a redirect.
	 */
	tls: { cert: Buffer; key: Buffer; redirectPort: number | null } | null;
	/** Budgets per document and per user (server/hub/quotas.ts). */
	quotas: QuotaLimits;
	/** How often due situation reports are looked for, and how long before its due time a report's draft is made. */
	rollCalls: { everyMs: number };
	sitreps: { everyMs: number; leadMs: number };
	/** The bearer token /metrics asks for; without one, /metrics does not exist (404). */
	metricsToken: string | undefined;
	/** The `instance` label on every metric; the host name and port when not set. */
	instanceName: string | undefined;
	/** The least severe level logged (the logger reads LOG_LEVEL itself; checked here so a typo stops the start). */
	logLevel: LogLevel;
	/** Days after an event's close before its parties' personal data and people's positions are purged; how often to look. */
	personalData: { days: number; everyMs: number };
}

/** Reads the certificate and key named by TLS_CERT and TLS_KEY, checking they are PEM and belong together. */
function readTls(env: NodeJS.ProcessEnv): AppConfig['tls'] {
	const certPath = env.TLS_CERT?.trim();
	const keyPath = env.TLS_KEY?.trim();
	if (!certPath && !keyPath) return null;
	if (!certPath || !keyPath) throw new StartupError('TLS_CERT and TLS_KEY go together: set both (PEM files) or neither.');
	const read = (name: string, path: string) => {
		try {
			return readFileSync(path);
		} catch (err) {
			throw new StartupError(`${name} cannot be read (${path}): ${(err as NodeJS.ErrnoException).code ?? err}.`);
		}
	};
	const cert = read('TLS_CERT', certPath);
	const key = read('TLS_KEY', keyPath);
	let certificate: X509Certificate;
	try {
		certificate = new X509Certificate(cert);
	} catch {
		throw new StartupError(`TLS_CERT is not a PEM certificate (${certPath}).`);
	}
	try {
		if (!certificate.checkPrivateKey(createPrivateKey(key))) throw new Error();
	} catch {
		throw new StartupError(`TLS_KEY is not the private key of the certificate in TLS_CERT (${keyPath}).`);
	}
	const redirect = intFrom(env, 'HTTP_REDIRECT_PORT', -1, 0, 65535);
	return { cert, key, redirectPort: redirect < 0 ? null : redirect };
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

function metricsTokenFrom(env: NodeJS.ProcessEnv): string | undefined {
	const token = env.METRICS_TOKEN?.trim();
	if (!token) return undefined;
	// A scraper sends it in a header: printable ASCII without spaces, and long enough not to be guessed.
	if (!/^[\x21-\x7e]{16,256}$/.test(token)) {
		throw new StartupError('METRICS_TOKEN must be 16 to 256 printable characters without spaces (for example: openssl rand -hex 24).');
	}
	return token;
}

function logLevelFrom(env: NodeJS.ProcessEnv): LogLevel {
	const raw = env.LOG_LEVEL?.trim().toLowerCase();
	if (!raw) return 'info';
	if (!(LOG_LEVELS as readonly string[]).includes(raw)) throw new StartupError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}; got "${env.LOG_LEVEL}".`);
	return raw as LogLevel;
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
		embeddedSharedBuffersMb: intFrom(env, 'EMBEDDED_SHARED_BUFFERS_MB', EMBEDDED_SHARED_BUFFERS_MB, 1, 4096),
		maxMessageBytes: intFrom(env, 'MAX_MESSAGE_BYTES', 1024 * 1024, 1024, 64 * 1024 * 1024),
		heartbeatMs: intFrom(env, 'LIVE_HEARTBEAT_MS', HEARTBEAT_MS, 100, 600_000),
		tls: readTls(env),
		quotas: {
			docBytes: intFrom(env, 'QUOTA_DOC_MB', DEFAULT_QUOTAS.docBytes / 2 ** 20, 1, 4096) * 2 ** 20,
			userBytesPerMinute: intFrom(env, 'QUOTA_USER_MB_PER_MINUTE', DEFAULT_QUOTAS.userBytesPerMinute / 2 ** 20, 1, 4096) * 2 ** 20,
			userUpdatesPerMinute: intFrom(env, 'QUOTA_USER_UPDATES_PER_MINUTE', DEFAULT_QUOTAS.userUpdatesPerMinute, 10, 1_000_000),
			userConnections: intFrom(env, 'QUOTA_USER_CONNECTIONS', DEFAULT_QUOTAS.userConnections, 1, 100_000)
		},
		rollCalls: {
			/** How often the server looks for roll calls halfway to their close, to remind those who have not answered. */
			everyMs: intFrom(env, 'ROLL_CALL_CHECK_MS', 5_000, 100, 600_000)
		},
		sitreps: {
			everyMs: intFrom(env, 'SITREP_CHECK_MS', 30_000, 100, 600_000),
			leadMs: intFrom(env, 'SITREP_LEAD_MINUTES', SITREP_LEAD_MINUTES, 1, 240) * 60_000
		},
		metricsToken: metricsTokenFrom(env),
		instanceName: env.INSTANCE_NAME?.trim() || undefined,
		logLevel: logLevelFrom(env),
		personalData: {
			days: intFrom(env, 'PERSONAL_DATA_DAYS', 30, 0, 3650),
			everyMs: intFrom(env, 'PURGE_CHECK_MS', 3_600_000, 100, 86_400_000)
		}
	};
}
