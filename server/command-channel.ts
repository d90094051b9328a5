/**
 * The socket.io command channel: "saved" notices for the sync hub, lifecycle pushes, and the commands that
 * cross a document boundary. One typed event map (src/lib/domain/wire.ts) serves both ends.
 */
import type http from 'node:http';
import { Server, type Socket } from 'socket.io';
import type pg from 'pg';
import { createAdapter } from '@socket.io/postgres-adapter';
import type { Kysely } from 'kysely';
import type { DB } from '../src/lib/server/db/schema.ts';
import type { ClientToServerEvents, CommandResult, ServerToClientEvents } from '../src/lib/domain/wire.ts';
import { authenticateLive, liveDisplayTokenIds, liveSessionIds, type LiveActor } from '../src/lib/server/auth/principal.ts';
import { getEvent, getMembership } from '../src/lib/server/repositories/event.repository.ts';
import { RateLimiter } from './hub/awareness-guard.ts';
import type { SyncHub } from './hub/hub.ts';
import { registerCardCommands } from './commands/cards.ts';
import { registerInstructionCommands } from './commands/instructions.ts';
import { registerRosterCommands } from './commands/roster.ts';
import { registerDisputeCommands } from './commands/disputes.ts';
import { registerPositionCommands } from './commands/positions.ts';
import { registerRollCallCommands } from './commands/roll-calls.ts';
import { registerPatrolCommands } from './commands/patrol.ts';
import { registerPlaybookCommands } from './commands/playbooks.ts';
import { presenceChanged, registerLifecycleCommands, syncEventMeta } from './commands/event-lifecycle.ts';
import { commandDocName } from '../src/lib/domain/documents.ts';
import { isId } from '../src/lib/domain/ids.ts';
import { log } from '../src/lib/server/log.ts';

export interface SocketData {
	actor: LiveActor;
	limiter: RateLimiter;
	/** The event this socket's page shows, with the user's role and agency in it (set by event:join). */
	joined?: { eventId: string; role: string; agencyCode: string | null };
}

export type CommandServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
export type CommandSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

export interface CommandContext {
	db: Kysely<DB>;
	hub: SyncHub;
	io: CommandServer;
}

/** Commands a socket may send: 5 a second on average, bursts of 20. */
const COMMAND_RATE = 5;
const COMMAND_BURST = 20;

export function userRoom(userId: string): string {
	return `user:${userId}`;
}

export function eventRoom(eventId: string): string {
	return `event:${eventId}`;
}

export function agencyRoom(eventId: string, agency: string): string {
	return `event:${eventId}:agency:${agency}`;
}

/**
 * Who may see the shared positions of an agency's people: the event's commander (the agency '*') or that agency's
 * lead. A room per pair, so that every instance's sockets hear a position shared on any of them.
 */
export function positionsRoom(eventId: string, agency: string): string {
	return `event:${eventId}:positions:${agency}`;
}

/** The rooms of positions a member of an event with this role and agency joins. */
export function positionRooms(eventId: string, role: string, agencyCode: string | null): string[] {
	if (role === 'commander') return [positionsRoom(eventId, '*')];
	return role === 'lead' && agencyCode ? [positionsRoom(eventId, agencyCode)] : [];
}

/** The triage desk of an event (接报台): its commander and every agency's lead hear of new field reports. */
export function triageRoom(eventId: string): string {
	return `event:${eventId}:triage`;
}

/** Whether a member with this role sits at the triage desk. */
export function atTriageDesk(role: string): boolean {
	return role === 'commander' || role === 'lead';
}

/** Commanders, reviewers and wall displays of an event: they see every instruction and presence. */
export function seeAllRoom(eventId: string): string {
	return `event:${eventId}:all`;
}

export function createCommandChannel(
	server: http.Server,
	options: {
		db: Kysely<DB>;
		hub: SyncHub;
		pool: pg.Pool | null;
		maxMessageBytes: number;
		origin?: string;
		/** Told each command's name, outcome and time to its answer (server/metrics.ts). */
		onCommand?: (name: string, outcome: string, seconds: number) => void;
	}
): CommandServer {
	const io: CommandServer = new Server(server, {
		path: '/socket.io',
		// The sync hub routes its own upgrades; socket.io must leave them alone.
		destroyUpgrade: false,
		maxHttpBufferSize: options.maxMessageBytes,
		serveClient: false,
		allowRequest: (req, callback) => {
			const origin = req.headers.origin;
			if (!origin) return callback(null, true);
			if (options.origin) return callback(null, origin === options.origin);
			try {
				callback(null, new URL(origin).host === req.headers.host);
			} catch {
				callback(null, false);
			}
		}
	});
	if (options.pool) io.adapter(createAdapter(options.pool));

	io.use(async (socket, next) => {
		try {
			const token = typeof socket.handshake.auth?.token === 'string' ? socket.handshake.auth.token : null;
			const actor = await authenticateLive(options.db, { cookieHeader: socket.handshake.headers.cookie, displayToken: token });
			if (!actor) return next(new Error('unauthenticated'));
			socket.data.actor = actor;
			socket.data.limiter = new RateLimiter(COMMAND_RATE, COMMAND_BURST);
			next();
		} catch {
			next(new Error('unavailable'));
		}
	});

	const ctx: CommandContext = { db: options.db, hub: options.hub, io };
	io.on('connection', (socket) => {
		const actor = socket.data.actor;
		if (actor.kind === 'user') void socket.join(userRoom(actor.user.id));
		else {
			void socket.join([eventRoom(actor.eventId), seeAllRoom(actor.eventId)]);
			presenceChanged(io, actor.eventId);
		}
		if (options.onCommand) observeCommands(socket, options.onCommand);
		socket.on('disconnect', () => {
			const eventId = socket.data.joined?.eventId ?? (actor.kind === 'display' ? actor.eventId : null);
			if (eventId) presenceChanged(io, eventId);
		});

		socket.on('event:join', (eventId, ack) =>
			guarded(socket, ack, async () => {
				if (!isId(eventId)) return refused('invalid', 'event id must be an id');
				const event = await getEvent(options.db, eventId);
				if (!event) return refused('notFound', 'no such event');
				const principal = await options.hub.principalFor(actor, eventId);
				if (principal.kind === 'display' ? principal.eventId !== eventId : !principal.membership) {
					return refused('forbidden', 'not a member of this event');
				}
				await socket.join(eventRoom(eventId));
				// Events made before their first page view (CLI, admin) get their meta on the first visit.
				const command = await options.hub.document(commandDocName(eventId));
				if (!command.durable.getMap('meta').has('schema')) await syncEventMeta(options.db, options.hub, eventId, null);
				if (principal.kind === 'user' && principal.membership) {
					const { role, agencyCode } = principal.membership;
					socket.data.joined = { eventId, role, agencyCode };
					if (agencyCode) await socket.join(agencyRoom(eventId, agencyCode));
					if (role === 'commander' || role === 'reviewer') await socket.join(seeAllRoom(eventId));
					if (atTriageDesk(role)) await socket.join(triageRoom(eventId));
					for (const room of positionRooms(eventId, role, agencyCode)) await socket.join(room);
					presenceChanged(io, eventId);
				}
				return { ok: true };
			})
		);
		registerCardCommands(socket, ctx);
		registerInstructionCommands(socket, ctx);
		registerLifecycleCommands(socket, ctx);
		registerRosterCommands(socket, ctx);
		registerDisputeCommands(socket, ctx);
		registerPositionCommands(socket, ctx);
		registerRollCallCommands(socket, ctx);
		registerPatrolCommands(socket, ctx);
		registerPlaybookCommands(socket, ctx);
	});
	return io;
}

/**
 * Gives this instance's sockets of one user the rights the database holds now: the account's flags (clearance,
 * administrator) that commands read from the socket, and the rooms of the event it joined — left when the user is
 * no longer a member, moved when the role or agency changed. A disabled account's sockets end. Returns how many
 * sockets changed.
 */
export async function refreshUserSockets(io: CommandServer, db: Kysely<DB>, userId: string): Promise<number> {
	const sockets = [...io.of('/').sockets.values()].filter((s) => s.data.actor?.kind === 'user' && s.data.actor.user.id === userId);
	if (!sockets.length) return 0;
	const row = await db
		.selectFrom('users')
		.select(['display_name', 'agency_code', 'team_id', 'is_admin', 'cleared_personal_data', 'disabled_at'])
		.where('id', '=', userId)
		.executeTakeFirst();
	let changed = 0;
	for (const s of sockets) {
		const actor = s.data.actor as Extract<LiveActor, { kind: 'user' }>;
		if (!row || row.disabled_at !== null) {
			s.emit('session:ended', { reason: 'disabled' });
			s.disconnect(true);
			changed++;
			continue;
		}
		actor.user = { ...actor.user, displayName: row.display_name, agencyCode: row.agency_code, teamId: row.team_id, isAdmin: row.is_admin, clearedPersonalData: row.cleared_personal_data };
		const joined = s.data.joined;
		if (!joined) continue;
		const membership = await getMembership(db, joined.eventId, userId);
		if (membership && membership.role === joined.role && membership.agencyCode === joined.agencyCode) continue;
		changed++;
		if (joined.agencyCode) await s.leave(agencyRoom(joined.eventId, joined.agencyCode));
		await s.leave(seeAllRoom(joined.eventId));
		await s.leave(triageRoom(joined.eventId));
		for (const room of positionRooms(joined.eventId, joined.role, joined.agencyCode)) await s.leave(room);
		if (!membership) {
			await s.leave(eventRoom(joined.eventId));
			s.data.joined = undefined;
		} else {
			s.data.joined = { eventId: joined.eventId, role: membership.role, agencyCode: membership.agencyCode };
			if (membership.agencyCode) await s.join(agencyRoom(joined.eventId, membership.agencyCode));
			if (membership.role === 'commander' || membership.role === 'reviewer') await s.join(seeAllRoom(joined.eventId));
			if (atTriageDesk(membership.role)) await s.join(triageRoom(joined.eventId));
			for (const room of positionRooms(joined.eventId, membership.role, membership.agencyCode)) await s.join(room);
		}
		presenceChanged(io, joined.eventId);
	}
	return changed;
}

/** How often this instance's sockets are checked against ended sessions and tokens: the hub's sweep interval. */
export const SOCKET_SWEEP_MS = 15_000;

/**
 * Ends this instance's sockets whose session or display token is no longer valid. Revoking from a page closes
 * sockets at once (closeLiveConnections); this catches every other way a session ends while its socket stays
 * open: expiry, a user disabled or a token revoked from the CLI. Before it, such a socket kept listing the event's
 * instructions and presence for as long as it stayed connected. Returns how many were ended.
 */
export async function endRevokedSockets(io: CommandServer, db: Kysely<DB>): Promise<number> {
	const sockets = [...io.of('/').sockets.values()];
	const sessionIds = [...new Set(sockets.flatMap((s) => (s.data.actor?.kind === 'user' ? [s.data.actor.sessionId] : [])))];
	const tokenIds = [...new Set(sockets.flatMap((s) => (s.data.actor?.kind === 'display' ? [s.data.actor.tokenId] : [])))];
	const [liveSessions, liveTokens] = await Promise.all([liveSessionIds(db, sessionIds), liveDisplayTokenIds(db, tokenIds)]);
	let ended = 0;
	for (const s of sockets) {
		const a = s.data.actor;
		if (!a || (a.kind === 'user' ? liveSessions.has(a.sessionId) : liveTokens.has(a.tokenId))) continue;
		s.emit('session:ended', { reason: 'ended' });
		s.disconnect(true);
		ended++;
	}
	return ended;
}

/**
 * Tells `onCommand` of every command a socket sends, when it is answered: the one place all commands pass. A name no
 * handler listens to is counted as "unknown" (the client chooses names, and a label must come from a fixed set).
 */
function observeCommands(socket: CommandSocket, onCommand: (name: string, outcome: string, seconds: number) => void): void {
	socket.use((packet, next) => {
		const started = performance.now();
		const name = typeof packet[0] === 'string' && socket.listenerCount(packet[0] as 'event:join') > 0 ? packet[0] : 'unknown';
		const last = packet.length - 1;
		const ack = packet[last];
		if (last > 0 && typeof ack === 'function') {
			packet[last] = (result: unknown, ...rest: unknown[]) => {
				const r = result as { ok?: unknown; error?: unknown } | null;
				const outcome = r?.ok === true ? 'ok' : typeof r?.error === 'string' && /^[A-Za-z]{1,32}$/.test(r.error) ? r.error : 'other';
				onCommand(name, outcome, (performance.now() - started) / 1000);
				(ack as (...args: unknown[]) => void)(result, ...rest);
			};
		} else {
			onCommand(name, 'noAck', 0);
		}
		next();
	});
}

export function refused(error: Extract<CommandResult, { ok: false }>['error'], message: string): Extract<CommandResult, { ok: false }> {
	return { ok: false, error, message };
}

/**
 * Runs a command handler with the checks every command shares: a rate limit, an ack that is a function,
 * and an answer even when the handler throws.
 */
export function guarded<R extends CommandResult<any>>(
	socket: CommandSocket,
	ack: unknown,
	handler: () => Promise<R | Extract<CommandResult, { ok: false }>>
): void {
	const reply = typeof ack === 'function' ? (ack as (r: unknown) => void) : () => {};
	if (!socket.data.limiter.take()) {
		reply(refused('rateLimited', 'too many commands; slow down'));
		return;
	}
	handler().then(reply, (err: unknown) => {
		const actor = socket.data.actor;
		log.error({ err, userId: actor?.kind === 'user' ? actor.user.id : undefined, eventId: socket.data.joined?.eventId }, '[commands] a command failed');
		reply(refused('unavailable', 'the command could not be completed; nothing was changed'));
	});
}
