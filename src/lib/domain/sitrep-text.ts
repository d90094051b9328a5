/**
 * The words a situation report's draft starts with, written from its figures: one text per section, in the
 * reader's language through the message catalog (the caller passes the lookup and a time formatter in the event's
 * zone, as activity-words does), so the server can write a draft in Chinese and its English rendering alike.
 * Only figures go in; names of agencies, posts and cards, never ids.
 */
import type { Translate } from './activity-words.ts';
import { LIST_CAP, type SitrepCardItem, type SitrepDisputeItem, type SitrepFigures, type SitrepTexts } from './sitrep.ts';
import { REPORT_KINDS } from './field-reports.ts';

export interface SitrepTextContext {
	event: { name: string };
	agencies: Array<{ code: string; nameZh: string; nameEn: string }>;
	/** Agencies with a part in the event (members, posts or cards): the 各单位情况 lines. */
	taking: string[];
	locale: 'zh-CN' | 'en';
	/** The due time of the schedule the report was prepared for, which its title names; null on demand. */
	dueAt: string | null;
	tr: Translate;
	/** A moment in the event's zone: 2026-02-12 18:00. */
	time: (iso: string) => string;
}

const percent = (part: number, whole: number) => (whole ? `${Math.round((part / whole) * 100)}%` : '—');

/** The draft's texts from the figures. */
export function sitrepTexts(f: SitrepFigures, ctx: SitrepTextContext): SitrepTexts {
	const { tr, time } = ctx;
	const en = ctx.locale === 'en';
	const sentences = (parts: string[]) => parts.filter(Boolean).join(en ? ' ' : '');
	const agency = (code: string | null) => {
		const a = ctx.agencies.find((x) => x.code === code);
		return a ? (en ? a.nameEn : a.nameZh) : tr('sitrep_text_no_agency');
	};
	/** Items joined the language's way, the first LIST_CAP of `total` named and the rest counted. */
	const list = (items: string[], total = items.length) => {
		const shown = items.slice(0, LIST_CAP).join(tr('sitrep_text_list_sep'));
		return total > LIST_CAP ? `${shown}${tr('sitrep_text_more', { count: total })}` : shown;
	};
	const hhmm = (iso: string) => time(iso).slice(11);
	// A status or risk word inside an English sentence is lower case ("in progress"); Chinese has no case.
	const word = (key: string) => (en ? tr(key).toLowerCase() : tr(key));
	const card = (c: SitrepCardItem) =>
		tr('sitrep_text_card_item', {
			title: c.title,
			agency: agency(c.agency),
			status: word(`card_status_${c.status}`),
			due: c.dueAt ? tr('sitrep_text_due', { time: time(c.dueAt) }) : ''
		});
	const dispute = (d: SitrepDisputeItem) =>
		tr('sitrep_text_dispute_item', {
			summary: d.summary,
			agency: agency(d.agency),
			risk: word(`dispute_risk_${d.risk}`),
			status: word(`dispute_status_${d.status}`),
			level: word(`dispute_level_${d.level}`)
		});
	const periodName = f.period?.name ?? '';
	const c = f.cards;
	const i = f.instructions.inSpan;
	const spanFrom = time(f.from);

	const title = f.period
		? tr('sitrep_text_title_period', { event: ctx.event.name, period: periodName })
		: ctx.dueAt
			? tr('sitrep_text_title_due', { event: ctx.event.name, time: time(ctx.dueAt) })
			: tr('sitrep_text_title_moment', { event: ctx.event.name, time: time(f.asOf) });
	const period = sentences([
		f.period
			? tr('sitrep_text_period_period', { name: periodName, from: time(f.period.startsAt), to: time(f.period.endsAt) })
			: tr('sitrep_text_period_span', { from: spanFrom, to: time(f.asOf) }),
		tr('sitrep_text_as_of', { time: time(f.asOf) })
	]);

	const overview = sentences([
		tr('sitrep_text_overview_duty', { time: hhmm(f.asOf), onDuty: f.posts.onDuty, posts: f.posts.rows.length, short: f.posts.understaffed }),
		tr('sitrep_text_overview_cards', { opened: c.opened, closed: c.closed, total: c.total, done: c.done, overdue: c.overdue, critical: c.critical.count }),
		tr('sitrep_text_overview_reports', { count: f.reports.inSpan.total, waiting: f.reports.toDate.waiting }),
		tr('sitrep_text_overview_disputes', { screened: f.disputes.screened, resolved: f.disputes.resolved, escalated: f.disputes.escalated, hot: f.disputes.hot.count }),
		tr('sitrep_text_overview_instructions', { sent: i.sent, acked: i.acknowledged, recipients: i.recipients, rate: percent(i.acknowledged, i.recipients) })
	]);

	const agencies = ctx.taking
		.map((code) => {
			const a = c.perAgency[code] ?? { opened: 0, closed: 0, todo: 0, doing: 0, blocked: 0, overdue: 0, onDuty: 0 };
			return tr('sitrep_text_agency_line', {
				agency: agency(code),
				opened: a.opened,
				closed: a.closed,
				open: a.todo + a.doing + a.blocked,
				overdue: a.overdue,
				onDuty: a.onDuty
			});
		})
		.join('\n');

	const kinds = REPORT_KINDS.filter((k) => f.reports.inSpan.byKind[k] > 0).map((k) => tr('sitrep_text_kind_count', { kind: tr(`report_kind_${k}`), count: f.reports.inSpan.byKind[k] }));
	const incidents = [
		c.critical.count ? tr('sitrep_text_critical', { list: list(c.critical.items.map(card), c.critical.count) }) : tr('sitrep_text_critical_none'),
		kinds.length ? tr('sitrep_text_reports_by_kind', { list: list(kinds) }) : tr('sitrep_text_reports_none'),
		f.disputes.hot.count ? tr('sitrep_text_disputes_hot', { list: list(f.disputes.hot.items.map(dispute), f.disputes.hot.count) }) : '',
		f.disputes.escalatedItems.length ? tr('sitrep_text_disputes_escalated', { list: list(f.disputes.escalatedItems.map(dispute), f.disputes.escalated) }) : ''
	]
		.filter(Boolean)
		.join('\n');

	const shortNow = f.posts.rows.filter((r) => r.short);
	const span = f.shifts.inSpan;
	const problems =
		[
			shortNow.length
				? tr('sitrep_text_short_posts', { list: list(shortNow.map((r) => tr('sitrep_text_post_have', { post: r.name, have: r.counted, need: r.minStaff }))) })
				: '',
			span.noShows || span.late ? tr('sitrep_text_attendance', { noShows: span.noShows, late: span.late }) : '',
			f.shifts.toDate.uncoveredPostHours ? tr('sitrep_text_uncovered', { hours: f.shifts.toDate.uncoveredPostHours }) : '',
			c.overdue ? tr('sitrep_text_overdue', { list: list(c.overdueItems.map(card), c.overdue) }) : '',
			f.instructions.toDate.unacknowledged ? tr('sitrep_text_unacked', { count: f.instructions.toDate.unacknowledged }) : '',
			f.reports.toDate.waitingOverdue ? tr('sitrep_text_reports_waiting', { count: f.reports.toDate.waitingOverdue }) : ''
		]
			.filter(Boolean)
			.join('\n') || tr('sitrep_text_problems_none');

	const n = f.next;
	const next = [
		n.period ? tr('sitrep_text_next_period', { name: n.period.name, from: time(n.period.startsAt), to: time(n.period.endsAt) }) : tr('sitrep_text_next_none', { to: time(n.to) }),
		n.shortPosts.length
			? tr('sitrep_text_next_short', { list: list(n.shortPosts.map((p) => tr('sitrep_text_post_planned', { post: p.name, planned: p.planned, need: p.minStaff }))) })
			: tr('sitrep_text_next_staffed'),
		n.due.length ? tr('sitrep_text_next_due', { list: list(n.due.map(card)) }) : '',
		c.overdue || f.disputes.hot.count ? tr('sitrep_text_next_carry', { overdue: c.overdue, hot: f.disputes.hot.count }) : ''
	]
		.filter(Boolean)
		.join('\n');

	return { title, period, overview, agencies, incidents, problems, next };
}
