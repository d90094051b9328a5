/** Activity rows in words: "状态：待办 → 进行中". Values stored as codes are translated. */
import { m } from '$lib/paraglide/messages';
import { MAP_FIELDS } from '$lib/domain/activity-words';
import { cardStatusLabel, disputeCategoryLabel, disputeLevelLabel, disputeStatusLabel, mediationLabel, priorityLabel, riskLabel } from '$lib/i18n';

export interface ActivityItem {
	id: string;
	at: string;
	userName: string | null;
	entityType: string;
	entityId: string;
	action: string;
	field: string | null;
	subject: string | null;
	from: string | null;
	to: string | null;
}

const FIELD_LABELS: Record<string, () => string> = {
	title: m.card_field_title,
	status: m.card_field_status,
	priority: m.card_field_priority,
	teamId: m.card_field_team,
	location: m.card_field_location,
	dueAt: m.card_field_due,
	ackBy: m.card_field_ack_by,
	ackedAt: m.activity_field_acked,
	assignees: m.card_field_assignees,
	notes: m.card_field_notes,
	archived: m.activity_field_archived,
	checklist: m.card_checklist,
	comments: m.card_comments,
	people: m.roster_people,
	startsAt: m.roster_field_start,
	endsAt: m.roster_field_end,
	postId: m.roster_field_post,
	periodId: m.roster_field_period,
	minStaff: m.roster_post_min,
	summary: m.dispute_field_summary,
	category: m.dispute_field_category,
	risk: m.dispute_field_risk,
	level: m.dispute_field_level,
	mediation: m.dispute_field_mediation,
	screenedAt: m.dispute_field_screened,
	ownerTeamId: m.dispute_field_owner,
	partiesMasked: m.dispute_field_parties,
	cardId: m.dispute_field_card,
	progress: m.dispute_progress
};

/** Dispute fields whose stored codes have words of their own (a dispute's status is not a card's). */
const DISPUTE_VALUES: Record<string, (code: string) => string> = {
	status: disputeStatusLabel,
	risk: riskLabel,
	level: disputeLevelLabel,
	category: disputeCategoryLabel,
	mediation: mediationLabel
};

/** The steps of a shift swap, stored with the two people's names (see server/commands/roster.ts). */
const SWAP_STEPS: Record<string, (p: { from: string; to: string }) => string> = {
	swapRequested: m.roster_activity_swap_requested,
	swapAccepted: m.roster_activity_swap_accepted,
	swapDeclined: m.roster_activity_swap_declined,
	swapApproved: m.roster_activity_swap_approved,
	swapRejected: m.roster_activity_swap_rejected,
	swapCancelled: m.roster_activity_swap_cancelled
};

function value(field: string | null, v: string | null, entityType = ''): string {
	if (v === null || v === '') return '—';
	if (entityType === 'dispute' && field && DISPUTE_VALUES[field]) return DISPUTE_VALUES[field](v);
	if (field === 'status') return cardStatusLabel(v);
	if (field === 'priority') return priorityLabel(v);
	if (field === 'archived') return v === 'true' ? m.common_yes() : m.common_no();
	return v;
}

/** `agencyName` turns an agency code into its name (a dispute's hand-over names both agencies). */
export function describeActivity(
	a: ActivityItem,
	opts: { agencyName?: (code: string) => string; names?: (id: string) => string | undefined } = {}
): string {
	const field = a.field ? (FIELD_LABELS[a.field]?.() ?? a.field) : '';
	if (SWAP_STEPS[a.action]) return SWAP_STEPS[a.action]({ from: a.from ?? '', to: a.to ?? '' });
	// The restricted document's activity says only that parties changed, never what they are.
	if (a.entityType === 'parties') return m.dispute_activity_parties_changed();
	switch (a.action) {
		case 'escalated': {
			const reason = a.subject ?? '';
			if (a.field === 'agency') {
				const name = opts.agencyName ?? ((code: string) => code);
				return m.dispute_activity_escalated_agency({ from: name(a.from ?? ''), to: name(a.to ?? ''), reason });
			}
			return m.dispute_activity_escalated_level({ from: value('level', a.from, 'dispute'), to: value('level', a.to, 'dispute'), reason });
		}
		case 'created':
			// A new shift is summed up by its post's id: name the post when the caller can.
			return m.activity_created({ what: (a.to && opts.names?.(a.to)) ?? a.to ?? '' });
		case 'deleted':
			return m.activity_deleted();
		case 'edited':
			return m.activity_edited({ field });
		case 'commented':
			return m.activity_commented({ text: a.to ?? '' });
		case 'checklistAdded':
			return m.activity_checklist_added({ text: a.to ?? '' });
		case 'checklistChecked':
			return m.activity_checklist_checked({ text: a.to ?? '' });
		case 'checklistUnchecked':
			return m.activity_checklist_unchecked({ text: a.to ?? '' });
		case 'checkedIn':
			return m.activity_checked_in();
		case 'checkedOut':
			return m.activity_checked_out();
		case 'progressAdded':
			return m.activity_progress_added({ text: a.to ?? '' });
		default:
			if (a.field && MAP_FIELDS.has(a.field)) return a.to === null ? m.activity_map_removed() : m.activity_map_placed();
			if (a.field === 'people' && a.to && !a.to.startsWith('[')) return m.activity_people_now({ names: a.to });
			if (a.field === 'assignees' || a.field === 'checklist' || a.field === 'comments' || a.field === 'people') return m.activity_edited({ field });
			if (a.field === 'progress') return m.activity_edited({ field });
			return m.activity_changed({ field, from: value(a.field, a.from, a.entityType), to: value(a.field, a.to, a.entityType) });
	}
}
