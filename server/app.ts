/**
 * The one Node process: opens the database once, migrates it, and serves SvelteKit's handler, the Yjs sync hub
 * (`/yjs/...`) and the socket.io command channel on one http server.
 */
import { BasemapLibrary } from './basemap/pmtiles.ts';
import http from 'node:http';
import https from 'node:https';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Socket } from 'node:net';
import { openDatabase, StartupError, type DatabaseHandle } from '../src/lib/server/db/database.ts';
import { migrateToLatest } from '../src/lib/server/db/migrate.ts';
import { seedAgencies } from '../src/lib/server/repositories/agency.repository.ts';
import type { AppServices, ServicedRequest } from '../src/lib/server/services.ts';
import type { AppConfig } from './config.ts';
import { answerHealth } from './health.ts';
import { GroupCommitter, notifyAppends } from './hub/group-commit.ts';
import { SyncHub, type LiveFilter } from './hub/hub.ts';
import { createCommandChannel, endRevokedSockets, eventRoom, refreshUserSockets, SOCKET_SWEEP_MS, triageRoom, userRoom, type CommandServer } from './command-channel.ts';
import { startFanout, REVOKE_CHANNEL, type Fanout } from './fanout.ts';
import { announceEventChange, closeEvent } from './commands/event-lifecycle.ts';
import { pruneClientActions } from './commands/queued.ts';
import { pruneUploadParts } from '../src/lib/server/repositories/attachment.repository.ts';
import { sendInstruction, startAutomaticReminders } from './commands/instructions.ts';
import { startSitrepSchedule } from './commands/sitreps.ts';
import { startRollCallReminders } from './commands/roll-calls.ts';
import { startPurgeSchedule } from './personal-data-sweep.ts';
import { JobRegistry } from '../src/lib/server/jobs.ts';
import { startAdminSocket } from './admin-socket.ts';
import { CLOSE_CODES } from '../src/lib/domain/wire.ts';
import { isId, newId } from '../src/lib/domain/ids.ts';
import { sql } from 'kysely';
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { log } from '../src/lib/server/log.ts';
import type { RequestObservation } from '../src/lib/server/services.ts';
import { answerMetrics, createMetrics, type AppMetrics } from './metrics.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MIGRATIONS = fileURLToPath(new URL('../migrations', import.meta.url));
const HANDLER = new URL('../build/handler.js', import.meta.url);
/** A header we set on every request ourselves so SvelteKit knows whether the socket was TLS. */
const PROTOCOL_HEADER = 'x-liandong-protocol';

export interface RunningApp {
	server: http.Server | https.Server;
	database: DatabaseHandle;
	services: AppServices;
	hub: SyncHub;
	io: CommandServer;
	committer: GroupCommitter;
	metrics: AppMetrics;
	url: string;
	close(): Promise<void>;
}

type NodeHandler = (req: http.IncomingMessage, res: http.ServerResponse, next: () => void) => void;

function readVersion(): string {
	try {
		return JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;
	} catch {
		return '0.0.0';
	}
}

export async function startApp(config: AppConfig, hooks: { beforeListen?: (app: Omit<RunningApp, 'url' | 'close'>) => Promise<void> } = {}): Promise<RunningApp> {
	if (!existsSync(HANDLER)) {
		throw new StartupError(`The web app is not built (${fileURLToPath(HANDLER)} is missing). Run npm run build, or start with npm start.`);
	}
	const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, sharedBuffersMb: config.embeddedSharedBuffersMb });
	try {
		await migrateToLatest(database.db, MIGRATIONS);
		await seedAgencies(database.db);
	} catch (err) {
		await database.close().catch(() => {});
		throw new StartupError(`Cannot prepare the database (${database.describe}): ${err instanceof Error ? err.message : err}`);
	}

	// adapter-node reads these when its handler is imported. Without ORIGIN it would assume https; instead we
	// tell it per request what the socket really was.
	if (config.origin) process.env.ORIGIN = config.origin;
	// adapter-node stops a body past this (512 KB by default). A venue plan (20 MB) and a report through the API with
	// six photos of 10 MB each fit; each route still applies its own, smaller limits while it streams.
	process.env.BODY_SIZE_LIMIT ??= '64M';
	const useOwnProtocolHeader = !config.origin && !process.env.PROTOCOL_HEADER;
	if (useOwnProtocolHeader) process.env.PROTOCOL_HEADER = PROTOCOL_HEADER;
	const { handler } = (await import(HANDLER.href)) as { handler: NodeHandler };

	const startedAt = new Date();
	const version = readVersion();
	const instanceId = newId(10);
	const pool = database.pool;
	if (pool) {
		// pg-pool listens for errors only on idle clients. A client that is checked out when its server goes away
		// (the socket.io adapter holds one for LISTEN for the life of the process; a transaction holds one
		// between its queries) emits 'error' with no listener, and that takes the whole process down. Give every
		// client a listener of its own; the next query on it reports the failure where it can be handled.
		const guarded = new WeakSet<object>();
		pool.on('acquire', (client) => {
			if (guarded.has(client)) return;
			guarded.add(client);
			client.on('error', (err) => log.error({ reason: err.message }, '[db] connection error'));
		});
	}
	const notifyPeers = pool
		? (tx: Parameters<typeof notifyAppends>[0], entries: Parameters<typeof notifyAppends>[2], seqs: number[]) =>
				notifyAppends(tx, instanceId, entries, seqs)
		: undefined;
	const metrics = createMetrics();
	const committer = new GroupCommitter(database.db, { notifyAs: pool ? instanceId : undefined, pglite: database.pglite, pool, metrics: metrics.hub });
	let io: CommandServer | null = null;
	const hub = new SyncHub({
		db: database.db,
		committer,
		metrics: metrics.hub,
		maxMessageBytes: config.maxMessageBytes,
		heartbeatMs: config.heartbeatMs,
		origin: config.origin,
		quotas: config.quotas,
		inTransaction: notifyPeers,
		onRefused(userId, doc, code, reason) {
			io?.to(userRoom(userId)).emit('doc:refused', { doc, code, reason });
		}
	});

	/** Gives this instance's live connections of one user the rights they have now (see userAccessChanged). */
	const narrowLocal = async (userId: string) => {
		await hub.refreshUserAccess(userId);
		if (io) await refreshUserSockets(io, database.db, userId);
	};

	/** Ends the live connections of a session, user or display token, on this and every other instance. */
	const closeLocal = (filter: LiveFilter, reason: string) => {
		hub.closeWhere(filter, CLOSE_CODES.sessionEnded, reason);
		// Each instance ends its own sockets, told by the notification below. Ending other instances' sockets
		// through fetchSockets() sent the notice and the disconnect as two separate adapter messages, and the
		// disconnect often arrived first: the page was dropped without being told why, and never reconnected.
		for (const s of io?.of('/').sockets.values() ?? []) {
			const a = s.data.actor;
			const match =
				(filter.sessionId && a?.kind === 'user' && a.sessionId === filter.sessionId) ||
				(filter.userId && a?.kind === 'user' && a.user.id === filter.userId) ||
				(filter.displayTokenId && a?.kind === 'display' && a.tokenId === filter.displayTokenId);
			if (match) {
				s.emit('session:ended', { reason });
				s.disconnect(true);
			}
		}
	};
	const basemaps = new BasemapLibrary(config.dataDir);
	const services: AppServices = {
		db: database.db,
		databaseKind: database.kind,
		version,
		writeDocuments: (userId, writes, alsoInTransaction, firstInTransaction) => hub.serverWrite(userId, writes, alsoInTransaction, firstInTransaction),
		readDocument: async (name) => (await hub.document(name)).durable,
		storedBytes: async (name) => (await hub.document(name)).storedBytes,
		jobs: new JobRegistry({ metrics: metrics.jobs }),
		basemaps,
		closeEvent: async (eventId, byUserId) => {
			if (!io) return false;
			const closed = await closeEvent(database.db, hub, io, eventId, byUserId);
			if (closed && pool) {
				const payload = JSON.stringify({ i: instanceId, refreshEvent: eventId });
				await sql`select pg_notify(${REVOKE_CHANNEL}, ${payload})`.execute(database.db);
			}
			return closed;
		},
		eventChanged: async (eventId, byUserId) => {
			if (io) await announceEventChange(database.db, hub, io, eventId, byUserId);
			if (pool) {
				// Other instances re-check the rights of their own live connections to this event.
				const payload = JSON.stringify({ i: instanceId, refreshEvent: eventId });
				await sql`select pg_notify(${REVOKE_CHANNEL}, ${payload})`.execute(database.db);
			}
		},
		userAccessChanged: async (userId) => {
			if (!isId(userId)) return;
			await narrowLocal(userId);
			if (!pool) return;
			const payload = JSON.stringify({ i: instanceId, accessOf: userId });
			await sql`select pg_notify(${REVOKE_CHANNEL}, ${payload})`.execute(database.db);
		},
		reportChanged: (eventId, notice, reporterId) => {
			const rooms = [triageRoom(eventId), ...(reporterId ? [userRoom(reporterId)] : [])];
			io?.to(rooms).emit('report:changed', { eventId, ...notice });
		},
		patrolChanged: (eventId) => {
			io?.to(eventRoom(eventId)).emit('patrol:changed', { eventId });
		},
		attachmentsChanged: (eventId, notice) => {
			io?.to(eventRoom(eventId)).emit('attachments:changed', { eventId, ...notice });
		},
		sendInstruction: async (principal, input, alsoInTransaction) => {
			if (!io) return { ok: false, error: 'unavailable', message: 'the command channel is not running yet' };
			return sendInstruction({ db: database.db, io }, principal, input, alsoInTransaction);
		},
		sitrepLeadMinutes: config.sitreps.leadMs / 60_000,
		sitrepChanged: (eventId, reportId) => {
			io?.to(eventRoom(eventId)).emit('sitrep:changed', { eventId, reportId });
		},
		closeLiveConnections: (filter, reason) => {
			// Only ids can match a connection; anything else would only lengthen the notification (8000 bytes at most).
			if (Object.values(filter).some((v) => v !== undefined && !isId(v))) return;
			closeLocal(filter, reason);
			if (!pool) return;
			// Every other instance closes its own connections of this session, user or token (onRevoke below).
			const payload = JSON.stringify({ i: instanceId, filter, reason });
			void sql`select pg_notify(${REVOKE_CHANNEL}, ${payload})`
				.execute(database.db)
				.catch((err) => log.error({ err }, '[app] closing live connections failed'));
		}
	};

	/** Set when the process is shutting down: no new work is taken, what is in flight is finished. */
	let draining = false;
	const listener = (req: ServicedRequest, res: http.ServerResponse) => {
		const observed = observeRequest(req, res, metrics);
		if (req.url === '/healthz' || req.url?.startsWith('/healthz?')) {
			observed.route = '/healthz';
			if (draining) {
				// A proxy that still holds a connection to this process stops sending here.
				res.writeHead(503, { 'content-type': 'application/json', 'cache-control': 'no-store', connection: 'close' });
				res.end(JSON.stringify({ status: 'draining', version }));
				return;
			}
			void answerHealth(res, database.db, { version, database: database.kind, startedAt });
			return;
		}
		if (req.url === '/metrics' || req.url?.startsWith('/metrics?')) {
			observed.route = '/metrics';
			answerMetrics(req, res, metrics, config.metricsToken).catch((err) => {
				observed.log.error({ err }, '[metrics] scrape failed');
				if (!res.headersSent) res.writeHead(500);
				res.end();
			});
			return;
		}
		if (useOwnProtocolHeader) {
			req.headers[PROTOCOL_HEADER] = 'encrypted' in req.socket && req.socket.encrypted ? 'https' : 'http';
		}
		req.liandong = services;
		res.once('finish', () => dropUnreadBody(req));
		handler(req, res, () => {
			res.statusCode = 404;
			res.end('Not found');
		});
	};
	const server = config.tls ? https.createServer({ cert: config.tls.cert, key: config.tls.key }, listener) : http.createServer(listener);
	// With TLS, plain HTTP on its own port only says where the board is: a phone that typed the address without
	// https:// lands on the secure page.
	const redirector = config.tls?.redirectPort != null ? http.createServer(redirectToHttps(config.port, config.origin)) : null;
	server.on('upgrade', (req: http.IncomingMessage, socket: Socket, head: Buffer) => {
		const path = req.url ?? '';
		if (draining && path.startsWith('/yjs/')) {
			// Shutting down: the client retries, and its proxy sends it to another instance.
			socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
			return;
		}
		if (path.startsWith('/yjs/')) hub.handleUpgrade(req, socket, head);
		// socket.io handles its own path through its own upgrade listener (destroyUpgrade: false).
		else if (!path.startsWith('/socket.io/')) socket.destroy();
	});
	io = createCommandChannel(server, {
		db: database.db,
		hub,
		pool,
		maxMessageBytes: config.maxMessageBytes,
		origin: config.origin,
		onCommand: metrics.command
	});
	metrics.sources = {
		yjsConnections: () => hub.connectionCount,
		socketConnections: () => io!.of('/').sockets.size,
		loadedDocuments: () => hub.loadedDocumentCount,
		jobs: () => services.jobs.counts,
		pool
	};
	const stopReminders = startAutomaticReminders(database.db, io);
	const stopRollCallReminders = startRollCallReminders(database.db, io, config.rollCalls.everyMs);
	const stopSitrepSchedule = startSitrepSchedule({ db: database.db, services, io }, config.sitreps);
	const stopPurgeSchedule = startPurgeSchedule(
		{
			db: database.db,
			dropDocument: async (name) => {
				await hub.dropDocument(name, CLOSE_CODES.accessChanged, 'personal data purged');
				if (pool) await sql`select pg_notify(${REVOKE_CHANNEL}, ${JSON.stringify({ i: instanceId, dropDoc: name })})`.execute(database.db);
			}
		},
		config.personalData
	);
	let sweeps = 0;
	const socketSweep = setInterval(() => {
		// The database may be unreachable for a moment; the next sweep tries again.
		endRevokedSockets(io!, database.db).catch(() => {});
		// Once an hour: answers kept for queued actions outlive the oldest tap the server still takes.
		if (++sweeps % Math.round(3_600_000 / SOCKET_SWEEP_MS) === 0) {
			pruneClientActions(database.db).catch(() => {});
			pruneUploadParts(database.db).catch(() => {});
		}
	}, SOCKET_SWEEP_MS).unref();
	let fanout: Fanout | null = null;
	if (pool) {
		fanout = await startFanout(pool.options, instanceId, {
			onDocs: (ranges) => ranges.forEach(([doc, , to]) => hub.applyRemote(doc, to)),
			onRevoke: (data) => {
				const { filter, reason, refreshEvent, accessOf, dropDoc } = data as { filter?: LiveFilter; reason?: string; refreshEvent?: string; accessOf?: string; dropDoc?: string };
				if (typeof dropDoc === 'string') void hub.dropDocument(dropDoc, CLOSE_CODES.accessChanged, 'personal data purged').catch(() => {});
				if (filter && typeof reason === 'string') closeLocal(filter, reason);
				if (typeof refreshEvent === 'string') void hub.refreshAccess(refreshEvent).catch(() => {});
				if (typeof accessOf === 'string' && isId(accessOf)) void narrowLocal(accessOf).catch(() => {});
			},
			onReconnected: () => hub.catchUpAll()
		});
	}

	const partial = { server, database, services, hub, io, committer, metrics };
	await hooks.beforeListen?.(partial);

	await new Promise<void>((resolve, reject) => {
		server.once('error', (err: NodeJS.ErrnoException) => {
			reject(
				new StartupError(
					err.code === 'EADDRINUSE'
						? `Port ${config.port} on ${config.host} is already in use. Stop the other program or set PORT.`
						: `Cannot listen on ${config.host}:${config.port}: ${err.message}`
				)
			);
		});
		server.listen(config.port, config.host, () => resolve());
	});
	if (redirector) {
		await new Promise<void>((resolve, reject) => {
			redirector.once('error', (err: Error) => reject(new StartupError(`Cannot listen for HTTP redirects on ${config.host}:${config.tls!.redirectPort}: ${err.message}`)));
			redirector.listen(config.tls!.redirectPort!, config.host, () => resolve());
		});
	}
	// Only the process holding the embedded data folder can read it; the backup command asks it here.
	const adminSocket = database.kind === 'embedded' ? await startAdminSocket(config.dataDir, database.db, version) : null;
	const address = server.address();
	const port = typeof address === 'object' && address ? address.port : config.port;
	const url = `${config.tls ? 'https' : 'http'}://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port}`;
	metrics.registry.setDefaultLabels({ instance: config.instanceName ?? `${hostname()}:${port}` });

	let closing: Promise<void> | null = null;
	return {
		...partial,
		url,
		close() {
			closing ??= (async () => {
				// First take no new connections (and answer health checks and upgrades on kept-alive ones with 503),
				// then finish: the hub commits what it has staged and tells each client to reconnect (4504).
				draining = true;
				server.close();
				clearInterval(socketSweep);
				stopReminders();
				stopRollCallReminders();
				stopSitrepSchedule();
				stopPurgeSchedule();
				metrics.stop();
				await hub.close();
				// No disconnectSockets() here: its DISCONNECT packet tells socket.io clients the server dropped them
				// on purpose, and they then never reconnect (a wall stayed offline after a restart). io.close() ends
				// the transports without it, so every page reconnects to the next process by itself.
				await new Promise<void>((resolve) => io!.close(() => resolve()));
				server.closeAllConnections();
				await new Promise<void>((resolve) => server.close(() => resolve()));
				if (redirector) {
					redirector.closeAllConnections();
					await new Promise<void>((resolve) => redirector.close(() => resolve()));
				}
				await fanout?.close();
				await adminSocket?.close();
				await basemaps.close();
				await database.close();
			})();
			return closing;
		}
	};
}

/** An id a proxy in front may already have given the request (Caddy, nginx): kept when it is a plain token. */
const REQUEST_ID = /^[A-Za-z0-9._-]{8,64}$/;

/**
 * Gives a request its id (sent back as x-request-id) and its logger, and once it is answered counts it by route and
 * status and writes one line about it. The line names the route id (set by SvelteKit's hooks), never the address:
 * a query string may carry a name or a phone number. Static files, /healthz and /metrics are logged at debug only.
 */
function observeRequest(req: ServicedRequest, res: http.ServerResponse, metrics: AppMetrics): RequestObservation {
	const given = req.headers['x-request-id'];
	const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
	res.setHeader('x-request-id', id);
	const observed: RequestObservation = { id, log: log.child({ reqId: id }), route: null, userId: null, eventId: null };
	req.observed = observed;
	const started = performance.now();
	res.once('finish', () => {
		const seconds = (performance.now() - started) / 1000;
		const status = res.statusCode;
		// Without a route id the handler served a built file, or nothing matched.
		const route = observed.route ?? (status < 400 ? '(static)' : '(unmatched)');
		metrics.http(req.method ?? 'GET', route, status, seconds);
		const quiet = observed.route === null || observed.route === '/healthz' || observed.route === '/metrics';
		const fields = { method: req.method, route, status, ms: Math.round(seconds * 1000), userId: observed.userId ?? undefined, eventId: observed.eventId ?? undefined };
		if (status >= 500) observed.log.warn(fields, 'request failed');
		else if (quiet) observed.log.debug(fields, 'request');
		else observed.log.info(fields, 'request');
	});
	return observed;
}

/**
 * Answers plain HTTP with a permanent redirect to the same path over HTTPS: at ORIGIN when it is set, otherwise at
 * the host the request named, on `httpsPort` unless that is 443.
 */
function redirectToHttps(httpsPort: number, origin: string | undefined): http.RequestListener {
	return (req, res) => {
		const path = req.url?.startsWith('/') ? req.url : '/';
		const host = (req.headers.host ?? 'localhost').replace(/:\d+$/, '');
		const base = origin?.startsWith('https://') ? origin : `https://${host}${httpsPort !== 443 ? `:${httpsPort}` : ''}`;
		res.writeHead(308, { location: `${base}${path}` });
		res.end();
	};
}

/**
 * Reads and drops what is left of a request's body once its answer is sent. SvelteKit starts reading every body
 * into a stream of its own and pauses it when no one reads; a route that answers without reading (an upload's
 * piece refused before its bytes are looked at) would leave the rest unread, and the client's next request on the
 * connection would wait behind it until the connection is reset. Node does the same for a body no one touched.
 */
function dropUnreadBody(req: http.IncomingMessage): void {
	if (req.complete || req.destroyed) return;
	req.removeAllListeners('data');
	req.resume();
}

export { ROOT };

