/**
 * What the Node entry hands to SvelteKit code on every request (through `event.locals`): the one database handle
 * and the process-wide parts that pages need. Built once in server/app.ts; nothing here opens anything.
 */
import type { Kysely } from 'kysely';
import type { IncomingMessage } from 'node:http';
import type { DB } from './db/schema.ts';
import type { JobRegistry } from './jobs.ts';
import type * as Y from 'yjs';
import type { AttachmentsNotice, CommandResult, InstructionView, ReportNotice } from '../domain/wire.ts';
import type { InstructionInput } from '../domain/instructions.ts';
import type { Principal } from '../domain/permissions.ts';
import type { Logger } from './log.ts';
import type { BasemapInfo } from '../domain/venue-map.ts';

/** One change the server makes in a document on a user's behalf. */
export interface DocWrite {
	doc: string;
	change(doc: Y.Doc): void;
	/**
	 * The command logs the action in words itself (a swap approved, say): the rows derived from this change
	 * (people edited on two shifts) would tell the same action again, less clearly. One action, one line.
	 */
	quiet?: boolean;
}

export interface AppServices {
	db: Kysely<DB>;
	databaseKind: 'embedded' | 'postgres';
	version: string;
	/** Ends every live connection (Yjs and socket.io) of a session or display token; filled by the hub. */
	closeLiveConnections(filter: { sessionId?: string; userId?: string; displayTokenId?: string }, reason: string): void;
	/**
	 * After a change to what a user may read or write (clearance, agency, team, role, membership, disabling): on
	 * every instance, each of their live connections is checked again and closed or moved when its rights
	 * narrowed. Resolves once this instance has done so and the others have been told.
	 */
	userAccessChanged(userId: string): Promise<void>;
	/**
	 * After an event's row or memberships changed: its command document's meta follows, open pages hear of
	 * the new status, and live connections get the rights they now have.
	 */
	eventChanged(eventId: string, byUserId: string | null): Promise<void>;
	/**
	 * Writes into documents on a user's behalf through the sync hub: checked against the schema, stored in one
	 * transaction together with `alsoInTransaction`, then broadcast. Throws (and changes nothing) on refusal.
	 * `firstInTransaction` runs before the documents' rows are written (a new event's row, which they refer to).
	 */
	writeDocuments(
		userId: string | null,
		writes: DocWrite[],
		alsoInTransaction?: (tx: Kysely<DB>) => Promise<void>,
		firstInTransaction?: (tx: Kysely<DB>) => Promise<void>
	): Promise<void>;
	/** The stored state of a document, as the hub holds it. Read only: never change the returned doc. */
	readDocument(name: string): Promise<Y.Doc>;
	/** What a document holds in storage (snapshot plus log), known to the hub without encoding anything. */
	storedBytes(name: string): Promise<number>;
	/**
	 * Closes an event: its status becomes closed, every document gets a final snapshot, open pages switch to
	 * read only at once. Returns false when it was closed already.
	 */
	closeEvent(eventId: string, byUserId: string): Promise<boolean>;
	/** Offline basemaps: PMTiles files in the data folder's `basemaps` (server/basemap/pmtiles.ts). */
	basemaps: {
		list(): Promise<{ basemaps: BasemapInfo[]; problems: Array<{ name: string; problem: string }> }>;
		info(name: string): Promise<BasemapInfo | null>;
		tile(name: string, z: number, x: number, y: number): Promise<{ bytes: Uint8Array; mime: string } | null>;
	};
	/** Background work with progress (exports). */
	jobs: JobRegistry;
	/** Tells the triage desk (commander and leads, on every instance) and the reporter that a report arrived or changed. */
	reportChanged(eventId: string, notice: Omit<ReportNotice, 'eventId'>, reporterId: string | null): void;
	/** Tells the event's open pages and walls that patrol routes or scans changed. */
	patrolChanged(eventId: string): void;
	/** Tells the event's open pages that the files on a card, dispute entry or report changed. */
	attachmentsChanged(eventId: string, notice: Omit<AttachmentsNotice, 'eventId'>): void;
	/**
	 * Sends an instruction for a member through the command channel's one path (server/commands/instructions.ts):
	 * the same checks, recipients and notices as a page's instruction, with `alsoInTransaction` stored alongside it.
	 */
	sendInstruction(
		principal: Principal,
		input: InstructionInput,
		alsoInTransaction?: (tx: Kysely<DB>, instructionId: string) => Promise<void>
	): Promise<CommandResult<{ instruction: InstructionView }>>;
	/** How long before a scheduled situation report is due its draft is prepared (SITREP_LEAD_MINUTES), in minutes. */
	sitrepLeadMinutes: number;
	/** Tells the event's open pages that a situation report was made, changed or issued; they fetch what they may read. */
	sitrepChanged(eventId: string, reportId: string): void;
}

/**
 * What the Node entry and SvelteKit's hooks learn about one request, for its log line and its metrics: the id it
 * was given (also sent back as x-request-id), the logger carrying that id, and what the hooks found out (the route
 * id, never the address; the signed-in user; the event it is about).
 */
export interface RequestObservation {
	id: string;
	log: Logger;
	route: string | null;
	userId: string | null;
	eventId: string | null;
}

/** The request as the Node entry passes it to SvelteKit's handler. */
export type ServicedRequest = IncomingMessage & { liandong?: AppServices; observed?: RequestObservation };
