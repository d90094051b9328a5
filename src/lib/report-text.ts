/**
 * Field reports in words, for the pages and the API alike: kinds, states and every refusal in the reader's
 * language, from the one catalog.
 */
import { m } from '$lib/paraglide/messages';
import type { ReportKind, ReportState } from '$lib/domain/field-reports';

const KIND: Record<ReportKind, () => string> = {
	suspiciousItem: m.report_kind_suspiciousItem,
	lostPerson: m.report_kind_lostPerson,
	crowding: m.report_kind_crowding,
	fight: m.report_kind_fight,
	medical: m.report_kind_medical,
	traffic: m.report_kind_traffic,
	fire: m.report_kind_fire,
	other: m.report_kind_other
};

const STATE: Record<ReportState, () => string> = {
	new: m.report_state_new,
	card: m.report_state_card,
	attached: m.report_state_attached,
	duplicate: m.report_state_duplicate,
	closed: m.report_state_closed
};

export const reportKindText = (kind: ReportKind): string => KIND[kind]?.() ?? kind;
export const reportStateText = (state: ReportState): string => STATE[state]?.() ?? state;

const PROBLEM: Record<string, (p: { file: number }) => string> = {
	id: m.report_problem_id,
	kind: m.report_problem_kind,
	body: m.report_problem_body,
	level: m.report_problem_level,
	headCount: m.report_problem_headCount,
	pin: m.report_problem_pin,
	position: m.report_problem_position,
	reportedAt: m.report_problem_reportedAt,
	forbidden: m.report_problem_forbidden,
	eventClosed: m.report_problem_eventClosed,
	tooManyPhotos: m.report_problem_tooManyPhotos,
	incomplete: m.report_problem_incomplete,
	empty: m.report_problem_empty,
	tooLarge: m.report_problem_tooLarge,
	notImage: m.report_problem_notImage,
	notAllowed: m.report_problem_notAllowed,
	tooManyPixels: m.report_problem_tooManyPixels,
	eventFull: m.report_problem_eventFull,
	idTaken: m.report_problem_idTaken,
	notFound: m.report_problem_notFound,
	alreadyTriaged: m.report_problem_alreadyTriaged,
	sameReport: m.report_problem_sameReport,
	target: m.report_problem_target,
	action: m.report_problem_action,
	agency: m.report_problem_agency,
	title: m.report_problem_title,
	priority: m.report_problem_priority,
	cardId: m.report_problem_cardId,
	playbook: m.report_problem_playbook,
	of: m.report_problem_of,
	reason: m.report_problem_reason,
	partOrder: m.report_problem_partOrder,
	pendingFull: m.report_problem_pendingFull,
	malformed: m.report_problem_malformed
};

/** A refusal of a report, file or triage in words; `file` counts from 1. */
export function reportProblemText(problem: string, file?: number): string {
	return (PROBLEM[problem] ?? m.report_problem_malformed)({ file: file ?? 1 });
}
