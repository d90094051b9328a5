/**
 * What travels between browser and server besides page loads: the close codes of the sync hub and the typed
 * socket.io event map. Imported by both ends; imports nothing from the server.
 */

import type { RosterClientEvents, RosterServerEvents } from './roster-wire.ts';
import type { DisputeClientEvents, DisputeServerEvents } from './dispute-wire.ts';
import type { QueuedEnvelope } from './queued-actions.ts';

/**
 * Close codes of a `/yjs/<document>` WebSocket. 44xx: do not retry as is (the client must change something
 * first: sign in, reload, or drop its local copy). 45xx: retry later with backoff.
 */
export const CLOSE_CODES = {
	/** No valid session or display token. Sign in again. */
	unauthenticated: 4401,
	/** The signed-in user or display has no right to this document. */
	forbidden: 4403,
	/** No such event, agency or document. */
	unknownDocument: 4404,
	/** A write arrived on a read-only connection. */
	readOnly: 4405,
	/** The user's rights changed (event closed, role changed); reconnect to get the new ones. */
	accessChanged: 4409,
	/** The session or display token was revoked, expired, or the user disabled. */
	sessionEnded: 4410,
	/** A message was larger than the server accepts. */
	tooLarge: 4413,
	/** An update was refused (undecodable, breaks the schema, foreign client id); drop local changes and reload. */
	refused: 4422,
	/** The document could not be loaded; nothing was changed. Retry later. */
	loadFailed: 4500,
	/** Storage is unavailable; nothing sent since the last "saved" was stored. Retry later. */
	storageUnavailable: 4503,
	/** The server is shutting down. Retry later. */
	shuttingDown: 4504,
	/** A budget was used up (the reason names which: quota:userRate, quota:connections); retry later, slower. */
	overQuota: 4529,
	/** The document is full (quota:docBytes): nothing more can be stored in it until someone makes room. */
	documentFull: 4414
} as const;

export type CloseCode = (typeof CLOSE_CODES)[keyof typeof CLOSE_CODES];

/**
 * How often the hub pings every live connection (LIVE_HEARTBEAT_MS overrides it); a connection that answered
 * nothing since the previous ping is dropped, so a phone that lost its network stops showing as present within
 * two periods.
 */
export const HEARTBEAT_MS = 30_000;

/** Whether a client should reconnect after this close code. */
export function shouldReconnect(code: number): boolean {
	return code < 4400 || code >= 4500 || code === CLOSE_CODES.accessChanged;
}

/**
 * A command's answer: done, or refused with a code the UI translates and a plain-English reason for logs; `problem`
 * names a more precise reason the UI also translates (a swap's or a check-in's, a queued action's tap time).
 */
export type CommandResult<T = Record<string, never>> = ({ ok: true } & T) | { ok: false; error: CommandError; message: string; problem?: string };

export type CommandError =
	| 'unauthenticated'
	| 'forbidden'
	| 'invalid'
	| 'notFound'
	| 'eventClosed'
	| 'rateLimited'
	| 'unavailable';

export interface RequestHelpInput {
	eventId: string;
	/** The agency asking. */
	fromAgency: string;
	/** The agency asked. */
	toAgency: string;
	title: string;
	notes?: string;
	priority?: 'routine' | 'urgent' | 'critical';
	location?: string;
	dueAt?: string | null;
	/** A card of the asking agency this request is about. */
	relatedCardId?: string;
	/** Sent from the offline queue: done once per action id, with the tap time kept. */
	queued?: QueuedEnvelope;
}

export interface ReassignCardInput {
	eventId: string;
	cardId: string;
	fromAgency: string;
	toAgency: string;
}

export interface RunPlaybookInput {
	eventId: string;
	/** A built-in playbook (`builtin-…`) or one of the event's own. */
	playbookId: string;
	/** The agency starting it: a lead's own, which must have a card in the playbook. The commander may leave it out. */
	fromAgency?: string;
	/** Sent from the offline queue: done once per action id. */
	queued?: QueuedEnvelope;
}

/** What a playbook run created: one card per line, by agency. */
export interface PlaybookRunView {
	runId: string;
	playbookId: string;
	name: string;
	cards: Array<{ agency: string; cardId: string; title: string; dueAt: string }>;
}

export interface RefusedNotice {
	doc: string;
	code: number;
	reason: string;
}

export interface ServerToClientEvents extends RosterServerEvents, DisputeServerEvents {
	/** An update from this user was refused; the page should say why and reload the document. */
	'doc:refused': (notice: RefusedNotice) => void;
	/** The session or display token ended; the page should say why and go to sign-in. */
	'session:ended': (info: { reason: string }) => void;
	/** The event's status changed. */
	'event:status': (info: { eventId: string; status: 'planning' | 'active' | 'closed' }) => void;
	/** A new instruction this socket may see. */
	'instruction:new': (instruction: InstructionView) => void;
	/** Someone acknowledged an instruction this socket may see. */
	'instruction:acked': (ack: InstructionAck) => void;
	/** Who is online in the event changed; fetch it again with presence:list. */
	'presence:changed': (info: { eventId: string }) => void;
	/** This user has not acknowledged an instruction and is reminded to. */
	'instruction:reminder': (reminder: InstructionReminder) => void;
	/** A person on duty shared their position (to the commander and their agency's lead only). */
	'position:update': (position: SharedPosition) => void;
	/** A field report arrived or was triaged (to the desk and to its reporter); fetch it from the reports API. */
	'report:changed': (notice: ReportNotice) => void;
	/** The files on a card, dispute entry or report changed; fetch them again. */
	'attachments:changed': (notice: AttachmentsNotice) => void;
	/** A roll call started, was answered or closed; fetch it again with rollcall:list. */
	'rollcall:changed': (notice: { eventId: string; rollCallId: string }) => void;
	/** A patrol checkpoint was scanned or a route changed; fetch the patrol status again. */
	'patrol:changed': (notice: { eventId: string }) => void;
	/** This user is asked to answer 在岗 (at the start, and once more as a reminder halfway). */
	'rollcall:prompt': (prompt: RollCallPrompt) => void;
	/** A situation report of the event was drafted, edited or issued; pages fetch what they may read. */
	'sitrep:changed': (notice: { eventId: string; reportId: string }) => void;
	/** To the commander: a situation report is due soon, and its draft is ready. */
	'sitrep:due': (notice: SitrepDueNotice) => void;
}

export interface SitrepDueNotice {
	eventId: string;
	reportId: string;
	title: string;
	dueAt: string;
}

export interface RollCallPrompt {
	eventId: string;
	rollCallId: string;
	posts: string[];
	startedByName: string | null;
	closesAt: string;
	reminder: boolean;
}

export interface ReportNotice {
	eventId: string;
	reportId: string;
	state: import('./field-reports.ts').ReportState;
	/** A report that just arrived (the desk sounds), rather than a triage. */
	fresh: boolean;
}

export interface AttachmentsNotice {
	eventId: string;
	target: 'report' | 'card' | 'dispute';
	targetId: string;
}

/** A position a person on duty shared: personal data, for command and their own agency's lead. */
export interface SharedPosition {
	eventId: string;
	userId: string;
	name: string;
	agencyCode: string | null;
	lng: number;
	lat: number;
	accuracy: number | null;
	at: string;
}

export interface ClientToServerEvents extends RosterClientEvents, DisputeClientEvents {
	/** Starts a roll call over every post ('*', the commander) or one agency's posts (a lead's own), open `minutes`. */
	'rollcall:start': (
		input: { eventId: string; scope: string; minutes?: number },
		ack: (result: CommandResult<{ rollCall: import('./roll-calls.ts').RollCallView }>) => void
	) => void;
	/** 在岗: the person answers a roll call (queued offline with the tap time like other field actions). */
	'rollcall:answer': (
		input: { eventId: string; rollCallId: string; queued?: import('./queued-actions.ts').QueuedEnvelope },
		ack: (result: CommandResult<{ answeredAt: string; receivedAt: string }>) => void
	) => void;
	/** 巡更: a scanned checkpoint label (queued offline with the scan's moment). */
	'patrol:scan': (
		input: { eventId: string; code: string; queued?: import('./queued-actions.ts').QueuedEnvelope },
		ack: (result: CommandResult<{ checkpoint: string; route: string; at: string }> & { problem?: string }) => void
	) => void;
	/** The event's roll calls this socket may follow (a member: those asking them, with their own lines only). */
	'rollcall:list': (eventId: string, ack: (result: CommandResult<{ rollCalls: import('./roll-calls.ts').RollCallView[] }>) => void) => void;
	'event:join': (eventId: string, ack: (result: CommandResult) => void) => void;
	'card:requestHelp': (input: RequestHelpInput, ack: (result: CommandResult<{ cardId: string }>) => void) => void;
	'card:reassign': (input: ReassignCardInput, ack: (result: CommandResult<{ cardId: string }>) => void) => void;
	/** 启动预案: creates every card of a playbook in every agency's document at once, or none of them. */
	'playbook:run': (input: RunPlaybookInput, ack: (result: CommandResult<{ run: PlaybookRunView }>) => void) => void;
	'instruction:send': (
		input: import('./instructions.ts').InstructionInput,
		ack: (result: CommandResult<{ instruction: InstructionView }>) => void
	) => void;
	'instruction:ack': (input: { instructionId: string; queued?: QueuedEnvelope }, ack: (result: CommandResult<{ ackedAt: string }>) => void) => void;
	/** Reminds everyone who has not acknowledged (the sender or the commander; once a minute per instruction). */
	'instruction:remind': (input: { instructionId: string }, ack: (result: CommandResult<{ reminded: number }>) => void) => void;
	/** Every instruction of the event this socket may see, newest first (also how a reconnecting page catches up). */
	'instruction:list': (eventId: string, ack: (result: CommandResult<{ instructions: InstructionView[] }>) => void) => void;
	'presence:list': (eventId: string, ack: (result: CommandResult<{ presence: PresenceView }>) => void) => void;
	'event:setStatus': (input: { eventId: string; status: 'planning' | 'active' }, ack: (result: CommandResult) => void) => void;
	/** Shares this person's position while they are checked in (they chose to; off by default). */
	'position:share': (input: { eventId: string; lng: number; lat: number; accuracy?: number | null }, ack: (result: CommandResult) => void) => void;
	/** The latest shared positions this person may see (command: everyone's; a lead: their agency's), of the last 15 minutes. */
	'position:list': (eventId: string, ack: (result: CommandResult<{ positions: SharedPosition[] }>) => void) => void;
}

/** An instruction as its sender, the commander and walls see it: with everyone's acknowledgement. */
export interface InstructionView {
	id: string;
	eventId: string;
	senderId: string | null;
	senderName: string | null;
	senderAgency: string | null;
	scope: 'everyone' | 'agencies' | 'teams';
	targets: string[];
	priority: 'routine' | 'urgent' | 'alarm';
	body: string;
	ackBy: string | null;
	createdAt: string;
	/** `ackedAt` is the tap; `ackReceivedAt` when it reached the server (later when it waited offline). */
	recipients: Array<{ userId: string; name: string; agencyCode: string | null; teamName: string | null; ackedAt: string | null; ackReceivedAt?: string | null }>;
	/** When the last reminder went to those who had not acknowledged; null when none did. */
	remindedAt: string | null;
}

/** A reminder to acknowledge an instruction, sent to a recipient who has not. */
export interface InstructionReminder {
	instructionId: string;
	eventId: string;
	body: string;
	priority: InstructionView['priority'];
	/** Sent by the sender (or the commander) with one click, or by the server at the acknowledge-by time. */
	automatic: boolean;
}

export interface InstructionAck {
	instructionId: string;
	userId: string;
	ackedAt: string;
}

/** The presence group of command staff (the commander), whatever agency their account belongs to. */
export const PRESENCE_COMMAND = 'command';

export interface PresenceView {
	/** Online people by agency code (`PRESENCE_COMMAND` for command staff, '' for people without an agency). */
	byAgency: Record<string, Array<{ userId: string; name: string; role: string }>>;
	displays: number;
}
