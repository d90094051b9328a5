/** Small helpers over the message catalog for words the domain stores as codes. */
import { m } from '$lib/paraglide/messages';
import { getLocale } from '$lib/paraglide/runtime';
import { zonedClock, type FieldErrorCode } from '$lib/domain/validation';
import type { EventRole, EventStatus, TeamLevel } from '$lib/domain/roles';
import type { TemplateError, TemplateProblem } from '$lib/domain/event-template';

const fieldErrorMessages: Record<FieldErrorCode, (p: { field: string }) => string> = {
	required: m.error_required,
	tooLong: m.error_tooLong,
	tooShort: m.error_tooShort,
	invalidFormat: m.error_invalidFormat,
	invalidChoice: m.error_invalidChoice,
	invalidTime: m.error_invalidTime,
	endBeforeStart: () => m.error_endBeforeStart(),
	invalidTimezone: m.error_invalidTimezone,
	taken: m.error_taken,
	notFound: m.error_notFound,
	wrongParent: m.error_wrongParent,
	outOfRange: m.error_outOfRange
};

/** The sentence for a field's error code, naming the field. */
export function fieldErrorText(code: FieldErrorCode | undefined, field: string): string {
	return code ? (fieldErrorMessages[code]?.({ field }) ?? code) : '';
}

export function roleLabel(role: EventRole | 'admin'): string {
	return {
		commander: m.role_commander,
		lead: m.role_lead,
		member: m.role_member,
		reviewer: m.role_reviewer,
		observer: m.role_observer,
		admin: m.role_admin
	}[role]();
}

export function eventStatusLabel(status: EventStatus): string {
	return { planning: m.event_status_planning, active: m.event_status_active, closed: m.event_status_closed }[status]();
}

export function teamLevelLabel(level: TeamLevel): string {
	return { brigade: m.team_level_brigade, squadron: m.team_level_squadron, unit: m.team_level_unit }[level]();
}

/** An agency's name in the reader's language. */
export function agencyName(agency: { nameZh: string; nameEn: string } | undefined | null): string {
	if (!agency) return '';
	return getLocale() === 'en' ? agency.nameEn : agency.nameZh;
}

/** Formats a moment in the event's time zone, e.g. 2026-02-12 18:00. */
export function formatTime(at: Date | string | number, timeZone: string, withSeconds = false): string {
	const c = zonedClock(new Date(at), timeZone);
	return `${c.year}-${c.month}-${c.day} ${c.hour}:${c.minute}${withSeconds ? ':' + c.second : ''}`;
}

export function cardStatusLabel(status: string): string {
	const labels: Record<string, () => string> = {
		todo: m.card_status_todo,
		doing: m.card_status_doing,
		blocked: m.card_status_blocked,
		done: m.card_status_done
	};
	return labels[status]?.() ?? status;
}

export function priorityLabel(priority: string): string {
	const labels: Record<string, () => string> = {
		routine: m.card_priority_routine,
		urgent: m.card_priority_urgent,
		critical: m.card_priority_critical
	};
	return labels[priority]?.() ?? priority;
}

/** Hours and minutes of a moment in the event's zone, with the date when it is not today there. */
export function formatShortTime(at: string | Date, timeZone: string, now = Date.now()): string {
	const full = formatTime(at, timeZone);
	const today = formatTime(now, timeZone).slice(0, 10);
	return full.startsWith(today) ? full.slice(11) : full.slice(5);
}

export function riskLabel(risk: string): string {
	const labels: Record<string, () => string> = {
		low: m.dispute_risk_low,
		medium: m.dispute_risk_medium,
		high: m.dispute_risk_high,
		critical: m.dispute_risk_critical
	};
	return labels[risk]?.() ?? risk;
}

export function disputeStatusLabel(status: string): string {
	const labels: Record<string, () => string> = {
		open: m.dispute_status_open,
		mediating: m.dispute_status_mediating,
		resolved: m.dispute_status_resolved,
		reported: m.dispute_status_reported,
		transferred: m.dispute_status_transferred
	};
	return labels[status]?.() ?? status;
}

export function disputeLevelLabel(level: string): string {
	const labels: Record<string, () => string> = {
		community: m.dispute_level_community,
		street: m.dispute_level_street,
		district: m.dispute_level_district
	};
	return labels[level]?.() ?? level;
}

export function disputeCategoryLabel(category: string): string {
	const labels: Record<string, () => string> = {
		neighbor: m.dispute_category_neighbor,
		family: m.dispute_category_family,
		labor: m.dispute_category_labor,
		property: m.dispute_category_property,
		consumer: m.dispute_category_consumer,
		land: m.dispute_category_land,
		other: m.dispute_category_other
	};
	return labels[category]?.() ?? category;
}

export function mediationLabel(kind: string): string {
	const labels: Record<string, () => string> = {
		people: m.dispute_mediation_people,
		administrative: m.dispute_mediation_administrative,
		judicial: m.dispute_mediation_judicial
	};
	return labels[kind]?.() ?? kind;
}

const templateProblems: Record<TemplateProblem, (p: { path: string }) => string> = {
	notJson: m.template_problem_notJson,
	tooLarge: m.template_problem_tooLarge,
	notTemplate: m.template_problem_notTemplate,
	newerFormat: m.template_problem_newerFormat,
	required: m.template_problem_required,
	wrongType: m.template_problem_wrongType,
	tooLong: m.template_problem_tooLong,
	tooMany: m.template_problem_tooMany,
	invalidChoice: m.template_problem_invalidChoice,
	outOfRange: m.template_problem_outOfRange,
	endBeforeStart: m.template_problem_endBeforeStart,
	unknownPost: m.template_problem_unknownPost,
	unknownPeriod: m.template_problem_unknownPeriod,
	duplicate: m.template_problem_duplicate,
	badGeometry: m.template_problem_badGeometry,
	invalidTimezone: m.template_problem_invalidTimezone
};

/** One problem of a template file in the reader's language: where it is (`shifts[3].post`) and what is wrong. */
export function templateProblemText(e: TemplateError): string {
	return templateProblems[e.problem]?.({ path: e.path || m.tpl_problem_whole() }) ?? `${e.path}: ${e.problem}`;
}
