/**
 * One activity row of the after-action record in words — "任务 · 状态：待办 → 进行中" — for the review page and
 * every export alike. Pure: the caller passes the message lookup (the catalog in the reader's language) and a
 * time formatter (in the event's zone), so the browser and the server say the same thing.
 */

/** Looks a message up by its key, with its inputs; answers the key itself when there is no such message. */
export type Translate = (key: string, inputs?: Record<string, unknown>) => string;

export interface ActivityFact {
	entityType: string;
	action: string;
	field: string | null;
	from: string | null;
	to: string | null;
}

const ENTITY_KEYS: Record<string, string> = {
	card: 'record_entity_card',
	shift: 'record_entity_shift',
	dispute: 'record_entity_dispute',
	post: 'record_entity_post',
	period: 'record_entity_period',
	meta: 'record_entity_event',
	parties: 'record_entity_parties',
	rollcall: 'rollcall_title',
	patrol: 'nav_patrol',
	sitrep: 'sitrep_entity'
};

const FIELD_KEYS: Record<string, string> = {
	title: 'card_field_title',
	status: 'card_field_status',
	priority: 'card_field_priority',
	teamId: 'card_field_team',
	location: 'card_field_location',
	dueAt: 'card_field_due',
	ackBy: 'card_field_ack_by',
	ackedAt: 'activity_field_acked',
	assignees: 'card_field_assignees',
	notes: 'card_field_notes',
	archived: 'activity_field_archived',
	checklist: 'card_checklist',
	comments: 'card_comments',
	risk: 'record_field_risk',
	level: 'record_field_level',
	agency: 'card_field_agency',
	summary: 'dispute_field_summary',
	category: 'dispute_field_category',
	mediation: 'dispute_field_mediation',
	screenedAt: 'dispute_field_screened',
	ownerTeamId: 'dispute_field_owner',
	partiesMasked: 'dispute_field_parties',
	cardId: 'dispute_field_card',
	progress: 'record_field_progress',
	people: 'roster_people',
	checkins: 'record_field_checkins',
	postId: 'roster_field_post',
	periodId: 'roster_field_period',
	startsAt: 'roster_field_start',
	endsAt: 'roster_field_end',
	kind: 'roster_post_kind',
	minStaff: 'roster_post_min',
	name: 'record_field_name'
};

const CODE_KEYS: Record<string, Record<string, string>> = {
	cardStatus: { todo: 'card_status_todo', doing: 'card_status_doing', blocked: 'card_status_blocked', done: 'card_status_done' },
	disputeStatus: {
		open: 'dispute_status_open',
		mediating: 'dispute_status_mediating',
		resolved: 'dispute_status_resolved',
		reported: 'dispute_status_reported',
		transferred: 'dispute_status_transferred'
	},
	priority: { routine: 'card_priority_routine', urgent: 'card_priority_urgent', critical: 'card_priority_critical' },
	risk: { low: 'dispute_risk_low', medium: 'dispute_risk_medium', high: 'dispute_risk_high', critical: 'dispute_risk_critical' },
	level: { community: 'dispute_level_community', street: 'dispute_level_street', district: 'dispute_level_district' },
	archived: { true: 'common_yes', false: 'common_no' },
	category: Object.fromEntries(['neighbor', 'family', 'labor', 'property', 'consumer', 'land', 'other'].map((c) => [c, `dispute_category_${c}`])),
	mediation: { people: 'dispute_mediation_people', administrative: 'dispute_mediation_administrative', judicial: 'dispute_mediation_judicial' },
	kind: { post: 'roster_kind_post', checkpoint: 'roster_kind_checkpoint', patrol: 'roster_kind_patrol', mobile: 'roster_kind_mobile' }
};

const LISTS = new Set(['assignees', 'checklist', 'comments', 'checkins', 'people', 'progress']);

/** Fields that hold a place on the venue map (a card's or dispute's pin, a post's point or route): said in words, never as coordinates. */
export const MAP_FIELDS = new Set(['pin', 'geo']);

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

/** The kind of thing a row is about: 任务, 班次, 纠纷… */
export function activityEntity(a: Pick<ActivityFact, 'entityType'>, tr: Translate): string {
	return tr(ENTITY_KEYS[a.entityType] ?? 'record_entity_card');
}

/** A field's name in words, or the field itself when the catalog has no word for it. */
export function activityField(field: string | null, tr: Translate): string {
	if (!field) return '';
	return FIELD_KEYS[field] ? tr(FIELD_KEYS[field]) : field;
}

/** What a card, dispute, post… is called, by its id; undefined when unknown. */
export type Names = (id: string) => string | undefined;

/** Fields whose values are agency codes (a hand-over's from and to, a help request's asker). */
const AGENCY_FIELDS = new Set(['agency', 'requestedBy', 'fromAgency', 'toAgency']);

/** How a caller names things: cards, disputes and posts by id, agencies by code. */
export interface Naming {
	names?: Names;
	agency?: Names;
}

/** A stored value in words: codes translated, times formatted, ids named, nothing shown as a dash. */
function valueWords(a: ActivityFact, v: string | null, tr: Translate, time: (iso: string) => string, naming: Naming): string {
	if (v === null || v === '') return '—';
	if (a.field && AGENCY_FIELDS.has(a.field)) return naming.agency?.(v) ?? v;
	const codes =
		a.field === 'status' ? CODE_KEYS[a.entityType === 'dispute' ? 'disputeStatus' : 'cardStatus'] : a.field ? CODE_KEYS[a.field] : undefined;
	if (codes?.[v]) return tr(codes[v]);
	if (ISO_TIME.test(v)) return time(v);
	return naming.names?.(v) ?? v;
}

/** What happened, without the entity: "状态：待办 → 进行中", "评论：…", "签到 18:02". */
export function activityWords(a: ActivityFact, tr: Translate, time: (iso: string) => string, naming: Naming = {}): string {
	const field = activityField(a.field, tr);
	const value = (v: string | null) => valueWords(a, v, tr, time, naming);
	switch (a.action) {
		case 'created':
			// A new shift is summed up by its post's id; name the post.
			return tr('activity_created', { what: (a.to && naming.names?.(a.to)) ?? a.to ?? '' });
		case 'deleted':
			return tr('activity_deleted');
		case 'edited':
			return tr('activity_edited', { field });
		case 'commented':
			return tr('activity_commented', { text: a.to ?? '' });
		case 'checklistAdded':
			return tr('activity_checklist_added', { text: a.to ?? '' });
		case 'checklistChecked':
			return tr('activity_checklist_checked', { text: a.to ?? '' });
		case 'checklistUnchecked':
			return tr('activity_checklist_unchecked', { text: a.to ?? '' });
		case 'checkedIn':
			return `${tr('activity_checked_in')} ${a.to ? time(a.to) : ''}`.trim();
		case 'checkedOut':
			return `${tr('activity_checked_out')} ${a.to ? time(a.to) : ''}`.trim();
		case 'progressAdded':
			return tr('activity_progress_added', { text: a.to ?? '' });
		case 'issued':
			// A situation report, issued: its hash (the field) is what a reader checks a copy against.
			return tr('sitrep_activity_issued', { hash: a.to ? `${a.to.slice(0, 16)}…` : '' });
		case 'playbookRun':
			return tr('activity_playbook_run', { name: a.to ?? '' });
		case 'escalated':
			return tr('record_activity_escalated', { field, from: value(a.from), to: value(a.to) });
		case 'rollCallStarted':
			return tr('record_activity_rollcall_started', { people: a.to ?? '0' });
		case 'rollCallClosed':
			return a.to ? tr('record_activity_rollcall_closed', { answered: a.from ?? '', unanswered: a.to }) : tr('record_activity_rollcall_closed_all', { answered: a.from ?? '' });
		case 'roundMissed':
		case 'roundPartial':
			return tr(a.action === 'roundMissed' ? 'record_activity_round_missed' : 'record_activity_round_partial', { from: a.from ? time(a.from) : '', scanned: a.to ?? '' });
		default:
			// The restricted document's rows say only that something changed, never what (it is personal data).
			if (!a.field) return tr('record_activity_changed');
			if (MAP_FIELDS.has(a.field)) return tr(a.to === null ? 'activity_map_removed' : 'activity_map_placed');
			if (a.field === 'people' && a.to && !a.to.startsWith('[')) return tr('activity_people_now', { names: a.to });
			// Lists (assignees, checklist, comments) are stored as JSON; saying that they changed is enough.
			if (LISTS.has(a.field) || (a.from === null && a.to === null)) return tr('activity_edited', { field });
			return tr('activity_changed', { field, from: value(a.from), to: value(a.to) });
	}
}

/**
 * The whole line: "任务「南门入口人流管控」 · 状态：待办 → 进行中". `naming` tells what the card, dispute or post a
 * row is about is called (and names ids and agency codes among the values), when the caller knows; a creation
 * names it already.
 */
export function activityLineWords(a: ActivityFact & { entityId: string }, tr: Translate, time: (iso: string) => string, naming: Naming = {}): string {
	const entity = activityEntity(a, tr);
	const title = a.action === 'created' ? undefined : naming.names?.(a.entityId);
	const named = title ? tr('record_entity_named', { entity, title }) : entity;
	return `${named} · ${activityWords(a, tr, time, naming)}`;
}
