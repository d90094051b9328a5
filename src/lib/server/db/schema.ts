/**
 * The database as Kysely sees it: one interface per table, kept beside the migrations that create them.
 * Rows stay inside repositories; routes and clients get camelCase domain types.
 */
import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export interface SettingsTable {
	key: string;
	value: string;
	updated_at: Timestamp;
}

export interface AgenciesTable {
	code: string;
	name_zh: string;
	name_en: string;
	color: string;
	sort: ColumnType<number, number | undefined, number>;
	created_at: Timestamp;
}

export interface TeamsTable {
	id: string;
	agency_code: string;
	parent_id: string | null;
	level: 'brigade' | 'squadron' | 'unit';
	name: string;
	created_at: Timestamp;
}

export interface UsersTable {
	id: string;
	username: string;
	display_name: string;
	password_hash: string;
	agency_code: string | null;
	team_id: string | null;
	is_admin: ColumnType<boolean, boolean | undefined, boolean>;
	cleared_personal_data: ColumnType<boolean, boolean | undefined, boolean>;
	phone: string | null;
	locale: string | null;
	disabled_at: NullableTimestamp;
	created_at: Timestamp;
}

export interface SessionsTable {
	id: string;
	user_id: string;
	expires_at: Timestamp;
	created_at: Timestamp;
	ip: string | null;
	user_agent: string | null;
}

export interface LoginFailuresTable {
	id: Generated<string>;
	key: string;
	failed_at: Timestamp;
}

export interface EventsTable {
	id: string;
	name: string;
	venue: ColumnType<string, string | undefined, string>;
	starts_at: Timestamp;
	ends_at: Timestamp;
	timezone: ColumnType<string, string | undefined, string>;
	status: ColumnType<'planning' | 'active' | 'closed', 'planning' | 'active' | 'closed' | undefined>;
	checkin_grace_minutes: ColumnType<number, number | undefined, number>;
	locale: ColumnType<string, string | undefined, string>;
	created_by: string | null;
	created_at: Timestamp;
	updated_at: Timestamp;
	closed_at: NullableTimestamp;
	/** An exercise (演练): marked everywhere, kept out of comparisons with real events. */
	drill: ColumnType<boolean, boolean | undefined, boolean>;
	/** The event this one was copied from, or whose template it was made from; its figures are compared in the record. */
	based_on: string | null;
	template_name: string | null;
	template_version: number | null;
	/** When the parties' personal data and people's positions were purged after the close (PERSONAL_DATA_DAYS). */
	personal_data_purged_at: NullableTimestamp;
}

export interface EventTemplatesTable {
	id: string;
	name: string;
	version: number;
	/** The template as canonical JSON (src/lib/domain/event-template.ts). */
	body: string;
	created_by: string | null;
	created_at: Timestamp;
}

/** The commander's own playbooks (预案) of an event; the built-in ones live in code. */
export interface PlaybooksTable {
	id: string;
	event_id: string;
	name: string;
	/** The playbook's cards as JSON (src/lib/domain/playbooks.ts). */
	body: string;
	created_by: string | null;
	updated_at: Timestamp;
}

export interface EventMembersTable {
	event_id: string;
	user_id: string;
	role: 'commander' | 'lead' | 'member' | 'reviewer' | 'observer';
	agency_code: string | null;
	added_at: Timestamp;
}

export interface DisplayTokensTable {
	id: string;
	event_id: string;
	name: string;
	created_by: string | null;
	created_at: Timestamp;
	last_used_at: NullableTimestamp;
	revoked_at: NullableTimestamp;
}

export interface DocumentsTable {
	name: string;
	event_id: string;
	/** bigint: pg returns it as a string, PGlite as a number; read it with Number(). */
	seq: ColumnType<string | number, string | number | undefined, string | number>;
	created_at: Timestamp;
}

export interface DocUpdatesTable {
	doc: string;
	seq: ColumnType<string | number, string | number, never>;
	user_id: string | null;
	conn_id: string | null;
	at: Timestamp;
	bytes: Uint8Array;
}

export interface DocSnapshotsTable {
	doc: string;
	upto_seq: ColumnType<string | number, string | number, never>;
	state: Uint8Array;
	created_at: Timestamp;
}

/** Yjs client ids the server wrote with (its own writes on users' behalf), per document: nobody's to reuse. */
export interface DocServerClientsTable {
	doc: string;
	client_id: ColumnType<string | number, string | number, never>;
}

export interface DocClientsTable {
	doc: string;
	client_id: ColumnType<string | number, string | number, never>;
	user_id: string;
	first_seen_at: Timestamp;
}

export interface ActivityTable {
	id: Generated<string>;
	event_id: string;
	doc: string;
	seq: ColumnType<string | number | null, string | number | null, never>;
	user_id: string | null;
	at: Timestamp;
	entity_type: string;
	entity_id: string;
	action: string;
	field: string | null;
	subject: string | null;
	from_value: string | null;
	to_value: string | null;
}

export interface InstructionsTable {
	id: string;
	event_id: string;
	sender_id: string | null;
	sender_agency: string | null;
	scope: 'everyone' | 'agencies' | 'teams';
	/** JSON array of agency codes or team ids. */
	targets: string;
	priority: 'routine' | 'urgent' | 'alarm';
	body: string;
	ack_by: NullableTimestamp;
	created_at: Timestamp;
	/** When the last reminder to those who had not acknowledged went out. */
	reminded_at: NullableTimestamp;
	/** Whether the automatic reminder at the acknowledge-by time went out (one instance sends it, once). */
	auto_reminded: ColumnType<boolean, boolean | undefined, boolean>;
}

export interface InstructionRecipientsTable {
	instruction_id: string;
	user_id: string;
	agency_code: string | null;
	/** The tap time of the acknowledgement (never after it arrived). */
	acked_at: NullableTimestamp;
	/** When the server received the acknowledgement (later than the tap when it waited in a phone's queue). */
	ack_received_at: NullableTimestamp;
}

export interface RecordsTable {
	event_id: string;
	status: ColumnType<'draft' | 'final', 'draft' | 'final' | undefined, 'draft' | 'final'>;
	/** JSON of the HSEEP findings (see src/lib/domain/after-action.ts). */
	findings: ColumnType<string, string | undefined, string>;
	updated_at: Timestamp;
	updated_by: string | null;
	finalized_at: NullableTimestamp;
	finalized_by: string | null;
	canonical_json: string | null;
	sha256: string | null;
	/** JSON of a drill's exercise evaluation (src/lib/domain/exercise.ts); null until one is saved. */
	exercise: string | null;
}

/** A shift swap request (换班); see src/lib/domain/roster-swap.ts. */
export interface ShiftSwapsTable {
	id: string;
	event_id: string;
	agency_code: string;
	from_shift_id: string;
	from_person_id: string;
	from_user_id: string;
	to_shift_id: string | null;
	to_person_id: string | null;
	to_user_id: string;
	note: ColumnType<string, string | undefined, string>;
	status: 'proposed' | 'accepted' | 'approved' | 'declined' | 'rejected' | 'cancelled';
	requested_at: Timestamp;
	responded_at: NullableTimestamp;
	decided_at: NullableTimestamp;
	decided_by: string | null;
}

export interface DB {
	settings: SettingsTable;
	agencies: AgenciesTable;
	teams: TeamsTable;
	users: UsersTable;
	sessions: SessionsTable;
	login_failures: LoginFailuresTable;
	events: EventsTable;
	event_members: EventMembersTable;
	event_templates: EventTemplatesTable;
	playbooks: PlaybooksTable;
	display_tokens: DisplayTokensTable;
	documents: DocumentsTable;
	doc_updates: DocUpdatesTable;
	doc_snapshots: DocSnapshotsTable;
	doc_clients: DocClientsTable;
	doc_server_clients: DocServerClientsTable;
	activity: ActivityTable;
	instructions: InstructionsTable;
	instruction_recipients: InstructionRecipientsTable;
	records: RecordsTable;
	shift_swaps: ShiftSwapsTable;
	client_actions: ClientActionsTable;
	attachments: AttachmentsTable;
	positions: PositionsTable;
	field_reports: FieldReportsTable;
	attachment_links: AttachmentLinksTable;
	upload_parts: UploadPartsTable;
	roll_calls: RollCallsTable;
	roll_call_targets: RollCallTargetsTable;
	patrol_routes: PatrolRoutesTable;
	patrol_checkpoints: PatrolCheckpointsTable;
	patrol_scans: PatrolScansTable;
	situation_reports: SituationReportsTable;
	sitrep_schedules: SitrepSchedulesTable;
	sitrep_slots: SitrepSlotsTable;
	audit_log: AuditLogTable;
}

/** One line of the append-only audit log (a trigger refuses UPDATE and DELETE); see audit.repository.ts. */
export interface AuditLogTable {
	id: Generated<string>;
	at: Timestamp;
	actor_kind: 'user' | 'cli' | 'system' | 'anonymous';
	actor_id: string | null;
	actor_name: ColumnType<string, string | undefined, string>;
	action: string;
	target_kind: string | null;
	target_id: string | null;
	target_name: string | null;
	event_id: string | null;
	details: ColumnType<string, string | undefined, string>;
	ip: string | null;
}

/** A patrol route's round interval (巡更); the route is a post of the roster. See src/lib/domain/patrol.ts. */
export interface PatrolRoutesTable {
	event_id: string;
	post_id: string;
	interval_minutes: number;
}

/** A named checkpoint on a patrol route, with its place on the plan when there is one. */
export interface PatrolCheckpointsTable {
	id: string;
	event_id: string;
	post_id: string;
	name: string;
	seq: number;
	x: number | null;
	y: number | null;
	archived: ColumnType<boolean, boolean | undefined, boolean>;
	created_at: ColumnType<Date, Date | string | undefined, never>;
}

/** A scan of a checkpoint's label: who, which point, the moment of the scan and of its arrival. */
export interface PatrolScansTable {
	id: string;
	event_id: string;
	checkpoint_id: string;
	user_id: string | null;
	scanned_at: Timestamp;
	received_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

/**
 * A situation report (警情通报); see src/lib/domain/sitrep.ts. `figures`, `generated` (the draft's texts per
 * language) and `sections` (as edited) are JSON; once issued, `canonical_json` is the report and never changes.
 */
export interface SituationReportsTable {
	id: string;
	event_id: string;
	status: ColumnType<'draft' | 'issued', 'draft' | 'issued' | undefined, 'draft' | 'issued'>;
	title: string;
	period_id: string | null;
	period_name: string | null;
	/** The due time of the schedule it was prepared for; null when made on demand. */
	due_at: NullableTimestamp;
	locale: string;
	figures: string;
	generated: string;
	sections: string;
	created_by: string | null;
	created_at: Timestamp;
	updated_by: string | null;
	updated_at: Timestamp;
	issued_at: NullableTimestamp;
	issued_by: string | null;
	instruction_id: string | null;
	canonical_json: string | null;
	sha256: string | null;
}

/** An event's situation report times: daily wall-clock times (JSON array of "HH:MM") and period ends. */
export interface SitrepSchedulesTable {
	event_id: string;
	times: ColumnType<string, string | undefined, string>;
	period_ends: ColumnType<boolean, boolean | undefined, boolean>;
	updated_by: string | null;
	updated_at: Timestamp;
}

/** A due time some instance has claimed (its draft prepared, the commander reminded): one row per event and time. */
export interface SitrepSlotsTable {
	event_id: string;
	due_at: Timestamp;
	kind: string;
	period_id: string | null;
	claimed_at: Timestamp;
	report_id: string | null;
}

/** A roll call (查岗点名); see src/lib/domain/roll-calls.ts. `scope` is an agency code, or '*' for every post. */
export interface RollCallsTable {
	id: string;
	event_id: string;
	scope: string;
	started_by: string | null;
	started_at: ColumnType<Date, Date | string | undefined, Date | string>;
	closes_at: Timestamp;
	reminded_at: NullableTimestamp;
}

/** A person on duty on a covered post when the roll call started, and their answer. */
export interface RollCallTargetsTable {
	roll_call_id: string;
	user_id: string;
	name: string;
	post_id: string;
	post_name: string;
	post_agency: string | null;
	answered_at: NullableTimestamp;
	received_at: NullableTimestamp;
}

/** A shared position of a person on duty (personal data; see the positions migration). */
export interface PositionsTable {
	id: Generated<string>;
	event_id: string;
	user_id: string;
	at: Timestamp;
	lng: number;
	lat: number;
	accuracy: number | null;
}

/** A file kept in the database (a venue plan), addressed by its content's SHA-256 within its event. */
export interface AttachmentsTable {
	id: string;
	event_id: string;
	kind: string;
	mime: string;
	width: number | null;
	height: number | null;
	bytes: Uint8Array;
	/** A small JPEG of an image (longest side 320 px); null for other files. */
	thumbnail: Uint8Array | null;
	size: number | null;
	created_by: string | null;
	created_at: ColumnType<Date, Date | string | undefined, never>;
}

/** A field report (警情上报); see src/lib/domain/field-reports.ts. The id is made on the phone. */
export interface FieldReportsTable {
	event_id: string;
	id: string;
	reporter_id: string | null;
	reporter_agency: string | null;
	kind: string;
	body: string;
	level: number | null;
	head_count: number | null;
	pin_x: number | null;
	pin_y: number | null;
	lng: number | null;
	lat: number | null;
	reported_at: Timestamp;
	received_at: ColumnType<Date, Date | string | undefined, Date | string>;
	state: ColumnType<string, string | undefined, string>;
	triaged_at: NullableTimestamp;
	triaged_by: string | null;
	card_agency: string | null;
	card_id: string | null;
	duplicate_of: string | null;
	reason: string | null;
}

/** What a stored file is attached to: a report, a card or a dispute entry (which decides who may see it). */
export interface AttachmentLinksTable {
	event_id: string;
	attachment_id: string;
	target: 'report' | 'card' | 'dispute';
	target_id: string;
	agency: string | null;
	name: ColumnType<string, string | undefined, string>;
	people: ColumnType<boolean, boolean | undefined, boolean>;
	on_wall: ColumnType<boolean, boolean | undefined, boolean>;
	created_by: string | null;
	created_at: ColumnType<Date, Date | string | undefined, never>;
}

/** A received piece of an upload in progress (resumable by its start offset). */
export interface UploadPartsTable {
	event_id: string;
	user_id: string;
	upload_id: string;
	start: number;
	total: number;
	bytes: Uint8Array;
	created_at: ColumnType<Date, Date | string | undefined, never>;
}

/** An action from a phone's queue, done once per user and action id (src/lib/domain/queued-actions.ts). */
export interface ClientActionsTable {
	user_id: string;
	action_id: string;
	command: string;
	event_id: string | null;
	tapped_at: Timestamp;
	received_at: Timestamp;
	/** The first answer, as JSON; null while the action is being done. */
	result: ColumnType<unknown, string | null | undefined, string | null>;
}
