/**
 * The document schema: a public contract for any Yjs client that reads or writes the board (DESIGN.md,
 * Document schema). Each root of each document kind is described as data, so one validator checks every
 * update and the same description documents the shapes. Bump SCHEMA_VERSION when a shape changes.
 */
import type { DocKind } from './documents.ts';
import { MAX_PLAN_SIDE, ZONE_KINDS, type Shape } from './geometry.ts';

/**
 * 3: the venue map (root `map`, root `zones`, `geo` on posts, `pin` on cards and disputes); all optional.
 * 4: `basemap` in `map`, and `planId` optional there (a basemap may stand in for the plan).
 */
export const SCHEMA_VERSION = 4;

export const CARD_STATUSES = ['todo', 'doing', 'blocked', 'done'] as const;
export const CARD_PRIORITIES = ['routine', 'urgent', 'critical'] as const;
export const POST_KINDS = ['post', 'checkpoint', 'patrol', 'mobile'] as const;
export const DISPUTE_CATEGORIES = ['neighbor', 'family', 'labor', 'property', 'consumer', 'land', 'other'] as const;
export const DISPUTE_RISKS = ['low', 'medium', 'high', 'critical'] as const;
export const DISPUTE_STATUSES = ['open', 'mediating', 'resolved', 'reported', 'transferred'] as const;
export const DISPUTE_LEVELS = ['community', 'street', 'district'] as const;
export const MEDIATION_KINDS = ['people', 'administrative', 'judicial'] as const;
/** What a dispute's progress note records: a note, a status change with its note, an escalation, a linked card. */
export const PROGRESS_KINDS = ['note', 'status', 'escalation', 'card'] as const;
export const EVENT_STATUS_CODES = ['planning', 'active', 'closed'] as const;

export type CardStatus = (typeof CARD_STATUSES)[number];
export type CardPriority = (typeof CARD_PRIORITIES)[number];
export type PostKind = (typeof POST_KINDS)[number];
export type DisputeCategory = (typeof DISPUTE_CATEGORIES)[number];
export type DisputeRisk = (typeof DISPUTE_RISKS)[number];
export type DisputeStatus = (typeof DISPUTE_STATUSES)[number];
export type DisputeLevel = (typeof DISPUTE_LEVELS)[number];
export type MediationKind = (typeof MEDIATION_KINDS)[number];
export type ProgressKind = (typeof PROGRESS_KINDS)[number];

/** What one field may hold. */
export type FieldSpec =
	| { kind: 'string'; max: number; oneOf?: readonly string[] }
	/** An ISO-8601 time with offset, or null when unset. */
	| { kind: 'time' }
	| { kind: 'int'; min: number; max: number }
	| { kind: 'bool' }
	/** A collaborative Y.Text of plain text. */
	| { kind: 'text'; max: number }
	/** A Y.Array of ids. */
	| { kind: 'ids'; maxItems: number }
	/** A Y.Array of Y.Map records. */
	| { kind: 'list'; maxItems: number; item: EntitySpec }
	/** A Y.Map of Y.Map records keyed by id. */
	| { kind: 'records'; maxEntries: number; entry: EntitySpec }
	/** Plan coordinates as a flat list of numbers (src/lib/domain/geometry.ts), of one of these shapes. */
	| { kind: 'geometry'; shapes: readonly Shape[] };

export interface EntitySpec {
	fields: Record<string, FieldSpec>;
	/** Fields that must be present once the entity exists. */
	required: readonly string[];
}

/** What one root of a document holds. */
export type RootSpec =
	/** A Y.Map of fields (the event's meta); `serverOnly` roots are written by the server alone. */
	| { kind: 'fields'; entity: EntitySpec; serverOnly?: boolean }
	/** A Y.Map of entities keyed by id. */
	| { kind: 'entities'; entity: EntitySpec; maxEntries: number }
	/** A Y.Map keyed by id of Y.Arrays of records (the parties of each dispute). */
	| { kind: 'entityLists'; item: EntitySpec; maxEntries: number; maxItems: number };

const s = (max: number, oneOf?: readonly string[]): FieldSpec => ({ kind: 'string', max, ...(oneOf ? { oneOf } : {}) });
const time: FieldSpec = { kind: 'time' };
const ID = s(64);

export const META_SPEC: EntitySpec = {
	fields: {
		schema: { kind: 'int', min: 1, max: 1000 },
		name: s(80),
		venue: s(120),
		startsAt: time,
		endsAt: time,
		timezone: s(64),
		status: s(16, EVENT_STATUS_CODES)
	},
	required: []
};

export const POST_SPEC: EntitySpec = {
	fields: {
		name: s(80),
		kind: s(16, POST_KINDS),
		agency: s(24),
		location: s(200),
		minStaff: { kind: 'int', min: 0, max: 500 },
		notes: s(2000),
		archived: { kind: 'bool' },
		/** Where the post is on the plan: a point, or a patrol's route. */
		geo: { kind: 'geometry', shapes: ['point', 'line'] }
	},
	required: ['name', 'kind']
};

/** The plan under the map: an uploaded image (written by the server after the upload) and its size. */
export const MAP_SPEC: EntitySpec = {
	fields: {
		planId: s(64),
		width: { kind: 'int', min: 1, max: MAX_PLAN_SIDE },
		height: { kind: 'int', min: 1, max: MAX_PLAN_SIDE },
		/** Georeference: control points as `x, y, longitude, latitude` (WGS-84) in a row, three or more. */
		controls: { kind: 'geometry', shapes: ['line'] },
		/** An offline basemap under (or instead of) the plan: a PMTiles file's name in the data folder (version 4). */
		basemap: s(64)
	},
	required: []
};

export const ZONE_SPEC: EntitySpec = {
	fields: { name: s(80), kind: s(16, ZONE_KINDS), area: { kind: 'geometry', shapes: ['polygon'] }, notes: s(500), archived: { kind: 'bool' } },
	required: ['name', 'kind', 'area']
};

export const PERIOD_SPEC: EntitySpec = {
	fields: { name: s(40), startsAt: time, endsAt: time },
	required: ['name', 'startsAt', 'endsAt']
};

const CHECKLIST_ITEM: EntitySpec = { fields: { id: ID, text: s(300), done: { kind: 'bool' } }, required: ['id', 'text'] };
const COMMENT: EntitySpec = { fields: { id: ID, by: ID, at: time, text: s(2000) }, required: ['id', 'by', 'at', 'text'] };

export const CARD_SPEC: EntitySpec = {
	fields: {
		title: s(200),
		// About three pages of text: the hand-over notes of a busy card, far from the 19,000-character floods tried.
		notes: { kind: 'text', max: 5_000 },
		status: s(16, CARD_STATUSES),
		priority: s(16, CARD_PRIORITIES),
		agency: s(24),
		teamId: ID,
		assignees: { kind: 'ids', maxItems: 50 },
		location: s(200),
		dueAt: time,
		ackBy: time,
		ackedAt: time,
		ackedBy: ID,
		checklist: { kind: 'list', maxItems: 100, item: CHECKLIST_ITEM },
		comments: { kind: 'list', maxItems: 1000, item: COMMENT },
		createdBy: ID,
		createdAt: time,
		requestedBy: s(24),
		disputeId: ID,
		archived: { kind: 'bool' },
		order: { kind: 'int', min: -1_000_000_000, max: 1_000_000_000 },
		pin: { kind: 'geometry', shapes: ['point'] }
	},
	required: ['title', 'status', 'priority']
};

const SHIFT_PERSON: EntitySpec = {
	fields: { id: ID, userId: ID, name: s(40), role: s(40) },
	required: ['id', 'name']
};
/** `inReceivedAt`/`outReceivedAt`: when the server received a one-tap check (written by the server alone). */
const CHECKIN: EntitySpec = { fields: { inAt: time, outAt: time, recordedBy: ID, inReceivedAt: time, outReceivedAt: time }, required: [] };

export const SHIFT_SPEC: EntitySpec = {
	fields: {
		postId: ID,
		periodId: ID,
		startsAt: time,
		endsAt: time,
		people: { kind: 'list', maxItems: 200, item: SHIFT_PERSON },
		checkins: { kind: 'records', maxEntries: 200, entry: CHECKIN },
		notes: s(2000)
	},
	required: ['postId', 'startsAt', 'endsAt']
};

/**
 * A progress note. Schema 2 added the escalation trail: `kind` (absent means a note), the status a status note
 * set, and the level and agency an escalation moved the dispute from and to.
 */
const PROGRESS_NOTE: EntitySpec = {
	fields: {
		at: time,
		by: ID,
		text: s(2000),
		kind: s(16, PROGRESS_KINDS),
		status: s(16, DISPUTE_STATUSES),
		fromLevel: s(16, DISPUTE_LEVELS),
		toLevel: s(16, DISPUTE_LEVELS),
		fromAgency: s(24),
		toAgency: s(24)
	},
	required: ['at', 'text']
};

export const DISPUTE_SPEC: EntitySpec = {
	fields: {
		summary: s(500),
		category: s(16, DISPUTE_CATEGORIES),
		risk: s(16, DISPUTE_RISKS),
		status: s(16, DISPUTE_STATUSES),
		level: s(16, DISPUTE_LEVELS),
		mediation: s(16, MEDIATION_KINDS),
		location: s(200),
		screenedAt: time,
		dueAt: time,
		ownerTeamId: ID,
		partiesMasked: s(200),
		progress: { kind: 'list', maxItems: 1000, item: PROGRESS_NOTE },
		cardId: ID,
		pin: { kind: 'geometry', shapes: ['point'] }
	},
	required: ['summary', 'category', 'risk', 'status', 'level']
};

export const PARTY_SPEC: EntitySpec = {
	fields: { name: s(40), phone: s(30), idNumber: s(30), address: s(200), note: s(500) },
	required: ['name']
};

/** The roots of each kind of document. Any other root is refused. */
export const DOC_ROOTS: Record<DocKind, Record<string, RootSpec>> = {
	command: {
		meta: { kind: 'fields', entity: META_SPEC, serverOnly: true },
		posts: { kind: 'entities', entity: POST_SPEC, maxEntries: 2_000 },
		periods: { kind: 'entities', entity: PERIOD_SPEC, maxEntries: 200 },
		map: { kind: 'fields', entity: MAP_SPEC, serverOnly: true },
		zones: { kind: 'entities', entity: ZONE_SPEC, maxEntries: 500 }
	},
	agency: {
		cards: { kind: 'entities', entity: CARD_SPEC, maxEntries: 20_000 },
		shifts: { kind: 'entities', entity: SHIFT_SPEC, maxEntries: 20_000 },
		disputes: { kind: 'entities', entity: DISPUTE_SPEC, maxEntries: 20_000 }
	},
	restricted: {
		parties: { kind: 'entityLists', item: PARTY_SPEC, maxEntries: 20_000, maxItems: 50 }
	}
};
