/** The roster in words: labels for codes the roster stores or computes, and times as the event's zone shows them. */
import { m } from '$lib/paraglide/messages';
import { formatTime } from '$lib/i18n';
import type { AttendanceState } from '$lib/domain/roster';
import type { SwapProblem, SwapStatus } from '$lib/domain/roster-swap';
import type { SwapRefusal } from '$lib/domain/roster-wire';
import type { CsvError } from '$lib/domain/roster-csv';
import type { SetupCsvError } from '$lib/domain/setup-csv';

export function postKindLabel(kind: string): string {
	const labels: Record<string, () => string> = {
		post: m.roster_kind_post,
		checkpoint: m.roster_kind_checkpoint,
		patrol: m.roster_kind_patrol,
		mobile: m.roster_kind_mobile
	};
	return labels[kind]?.() ?? kind;
}

export function attendanceLabel(state: AttendanceState): string {
	return {
		upcoming: m.roster_state_upcoming,
		awaiting: m.roster_state_awaiting,
		noShow: m.roster_state_no_show,
		onDuty: m.roster_state_on_duty,
		finished: m.roster_state_finished
	}[state]();
}

export function swapStatusLabel(status: SwapStatus): string {
	return {
		proposed: m.roster_swap_status_proposed,
		accepted: m.roster_swap_status_accepted,
		approved: m.roster_swap_status_approved,
		declined: m.roster_swap_status_declined,
		rejected: m.roster_swap_status_rejected,
		cancelled: m.roster_swap_status_cancelled
	}[status]();
}

export function swapProblemText(problem: SwapRefusal | SwapProblem | string): string {
	const labels: Record<SwapRefusal, () => string> = {
		shiftGone: m.roster_swap_problem_shift_gone,
		personGone: m.roster_swap_problem_person_gone,
		notTheirShift: m.roster_swap_problem_not_their_shift,
		sameShift: m.roster_swap_problem_same_shift,
		samePerson: m.roster_swap_problem_same_person,
		alreadyStarted: m.roster_swap_problem_started,
		checkedIn: m.roster_swap_problem_checked_in,
		alreadyOnShift: m.roster_swap_problem_already_on,
		overlap: m.roster_swap_problem_overlap,
		alreadyOpen: m.roster_swap_problem_open,
		notMember: m.roster_swap_problem_not_member,
		wrongStatus: m.roster_swap_problem_status
	};
	return (labels as Record<string, () => string>)[problem]?.() ?? problem;
}

/** A CSV import problem as a sentence; the row and column are shown beside it. */
export function csvErrorText(e: CsvError): string {
	switch (e.code) {
		case 'empty':
			return m.roster_csv_error_empty();
		case 'badHeader':
			return m.roster_csv_error_header();
		case 'unclosedQuote':
			return m.roster_csv_error_quote();
		case 'fieldCount':
			return m.roster_csv_error_fields({ count: e.value });
		case 'required':
			return m.roster_csv_error_required();
		case 'tooLong':
			return m.roster_csv_error_too_long();
		case 'invalidId':
			return m.roster_csv_error_id({ value: e.value });
		case 'invalidTime':
			return m.roster_csv_error_time({ value: e.value });
		case 'endBeforeStart':
			return m.roster_csv_error_end_before_start();
		case 'shiftTooLong':
			return m.roster_csv_error_shift_too_long();
		case 'unknownPost':
			return m.roster_csv_error_post({ value: e.value });
		case 'unknownPeriod':
			return m.roster_csv_error_period({ value: e.value });
		case 'ambiguousPost':
			return m.roster_csv_error_post_ambiguous({ value: e.value });
		case 'ambiguousPeriod':
			return m.roster_csv_error_period_ambiguous({ value: e.value });
		case 'unknownUser':
			return m.roster_csv_error_user({ value: e.value });
		case 'duplicatePerson':
			return m.roster_csv_error_duplicate({ value: e.value });
		case 'shiftMismatch':
			return m.roster_csv_error_mismatch({ row: String(e.ref ?? '') });
		case 'tooManyRows':
			return m.roster_csv_error_rows({ count: e.value });
		case 'dropsCheckin':
			return m.roster_csv_error_drops({ value: e.value });
	}
}

/** A posts or periods import problem as a sentence; the row and column are shown beside it. */
export function setupCsvErrorText(e: SetupCsvError): string {
	const value = e.value;
	switch (e.code) {
		case 'empty':
			return m.setup_csv_error_empty();
		case 'badHeader':
			return m.setup_csv_error_header({ value });
		case 'unclosedQuote':
			return m.roster_csv_error_quote();
		case 'fieldCount':
			return m.setup_csv_error_fields({ count: value });
		case 'required':
			return m.roster_csv_error_required();
		case 'tooLong':
			return m.roster_csv_error_too_long();
		case 'unknownKind':
			return m.setup_csv_error_kind({ value });
		case 'unknownAgency':
			return m.setup_csv_error_agency({ value });
		case 'badNumber':
			return m.setup_csv_error_number({ value });
		case 'invalidTime':
			return m.roster_csv_error_time({ value });
		case 'endBeforeStart':
			return m.roster_csv_error_end_before_start();
		case 'duplicate':
			return m.setup_csv_error_duplicate({ value, row: String(e.ref ?? '') });
		case 'ambiguous':
			return m.setup_csv_error_ambiguous({ value });
		case 'tooMany':
			return m.setup_csv_error_too_many({ count: value });
	}
}

/** `22:00`, with the date (`11-24 22:00`) when it is not today in the event's zone. */
export function clock(iso: string | number, timeZone: string, now: number): string {
	const full = formatTime(iso, timeZone);
	return full.slice(0, 10) === formatTime(now, timeZone).slice(0, 10) ? full.slice(11) : full.slice(5);
}

/** A shift's time range: `11-24 22:00 – 次日 06:00`, or `08:00 – 16:00` today. */
export function timeRange(startsAt: string | number, endsAt: string | number, timeZone: string, now: number): string {
	const a = formatTime(startsAt, timeZone);
	const b = formatTime(endsAt, timeZone);
	const start = clock(startsAt, timeZone, now);
	if (a.slice(0, 10) === b.slice(0, 10)) return `${start} – ${b.slice(11)}`;
	const nextDay = Date.parse(`${b.slice(0, 10)}T00:00:00Z`) - Date.parse(`${a.slice(0, 10)}T00:00:00Z`) === 86_400_000;
	return `${start} – ${nextDay ? m.roster_next_day({ time: b.slice(11) }) : b.slice(5)}`;
}

/** Hours as `1.5 小时`. */
export function hoursText(hours: number): string {
	return m.roster_hours({ hours: String(Math.round(hours * 10) / 10) });
}

/** Minutes as `25 分钟` or `1 小时 5 分钟`. */
export function minutesText(minutes: number): string {
	if (minutes < 60) return m.roster_minutes({ minutes: String(minutes) });
	return m.roster_hours_minutes({ hours: String(Math.floor(minutes / 60)), minutes: String(minutes % 60) });
}
