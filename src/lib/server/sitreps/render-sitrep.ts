/**
 * What an issued situation report's PDF, DOCX and page show, in one of two layouts: the practice's 警情通报 (标题,
 * 时段, 总体情况, 各单位情况, 重点警情, 存在问题, 下步工作) in Chinese, or an English rendering in the ICS 209 order.
 * Everything comes from the frozen report; nothing is looked up again.
 */
import type { IssuedSitrep, SitrepSection } from '../../domain/sitrep.ts';
import { code, t, when, type Locale } from '../after-action/labels.ts';
import { agencyLabel } from '../after-action/render-common.ts';

/** The layout of a rendering, named by its language: zh-CN is the 警情通报, en the ICS 209 rendering. */
export type SitrepLayout = Locale;

export const BODY_SECTIONS = ['overview', 'agencies', 'incidents', 'problems', 'next'] as const satisfies readonly SitrepSection[];

const HEADINGS: Record<SitrepLayout, Record<(typeof BODY_SECTIONS)[number], string>> = {
	'zh-CN': { overview: 'sitrep_section_overview', agencies: 'sitrep_section_agencies', incidents: 'sitrep_section_incidents', problems: 'sitrep_section_problems', next: 'sitrep_section_next' },
	en: { overview: 'sitrep_ics_overview', agencies: 'sitrep_ics_agencies', incidents: 'sitrep_ics_incidents', problems: 'sitrep_ics_problems', next: 'sitrep_ics_next' }
};

/** A section's text in a layout: the English rendering keeps a section's generated English unless it was edited. */
function textOf(doc: IssuedSitrep, section: SitrepSection, layout: SitrepLayout): { text: string; asWritten: boolean } {
	if (layout === 'en' && doc.locale !== 'en') {
		const english = doc.english[section];
		return english === null ? { text: doc.sections[section], asWritten: true } : { text: english, asWritten: false };
	}
	return { text: doc.sections[section], asWritten: false };
}

/** The document's name as its heading says it. */
export function sitrepHeading(layout: SitrepLayout): string {
	return t(layout === 'en' ? 'sitrep_ics_form' : 'sitrep_form', layout);
}

/** The title line: the report's own title (its English rendering's, when that was left as generated). */
export function sitrepTitle(doc: IssuedSitrep, layout: SitrepLayout): string {
	return textOf(doc, 'title', layout).text;
}

/** The lines under the title: period, moment of the figures, who issued it when, the hash. */
export function sitrepHeadRows(doc: IssuedSitrep, sha256: string, layout: SitrepLayout): string[][] {
	const tz = doc.event.timezone;
	const rows = [
		[t(layout === 'en' ? 'sitrep_ics_incident' : 'sitrep_field_event', layout), doc.event.name],
		[t(layout === 'en' ? 'sitrep_ics_period' : 'sitrep_field_period', layout), textOf(doc, 'period', layout).text],
		[t('sitrep_field_issued', layout), t('sitrep_issued_line', layout, { name: doc.issuedBy, time: when(doc.issuedAt, tz) })],
		['SHA-256', sha256]
	];
	if (doc.event.venue) rows.splice(1, 0, [t('record_venue', layout), doc.event.venue]);
	return rows;
}

/** The body: each section's heading and text, with a note on the English rendering when it shows what was written. */
export function sitrepBlocks(doc: IssuedSitrep, layout: SitrepLayout): Array<{ heading: string; text: string; note: string | null }> {
	return BODY_SECTIONS.map((s) => {
		const { text, asWritten } = textOf(doc, s, layout);
		return { heading: t(HEADINGS[layout][s], layout), text: text || t('record_none', layout), note: asWritten ? t('sitrep_ics_as_written', layout) : null };
	});
}

/** What the figure tables need of a report: its figures and the agencies' names (a draft has them from the page). */
export type FigureSource = Pick<IssuedSitrep, 'figures' | 'agencies'>;

/** The key figures as [figure, value] rows. */
export function sitrepFigureRows(doc: FigureSource, layout: SitrepLayout): string[][] {
	const f = doc.figures;
	const rate = (a: number, b: number) => (b ? `${Math.round((a / b) * 100)}%` : '—');
	const i = f.instructions.inSpan;
	return [
		[t('sitrep_fig_on_duty', layout), String(f.posts.onDuty)],
		[t('sitrep_fig_understaffed', layout), `${f.posts.understaffed} / ${f.posts.rows.length}`],
		[t('sitrep_fig_cards', layout), `${f.cards.opened} / ${f.cards.closed}`],
		[t('record_cards_overdue', layout), String(f.cards.overdue)],
		[t('sitrep_fig_critical', layout), String(f.cards.critical.count)],
		[t('sitrep_fig_reports', layout), `${f.reports.inSpan.total} / ${f.reports.toDate.waiting}`],
		[t('sitrep_fig_attendance', layout), `${f.shifts.inSpan.noShows} / ${f.shifts.inSpan.late}`],
		[t('record_uncovered_hours', layout), String(f.shifts.toDate.uncoveredPostHours)],
		[t('record_disputes', layout), `${f.disputes.screened} / ${f.disputes.resolved} / ${f.disputes.escalated}`],
		[t('record_disputes_by_risk', layout), ['low', 'medium', 'high', 'critical'].map((r) => `${code('risk', r, layout)} ${f.disputes.byRisk[r] ?? 0}`).join('  ')],
		[t('sitrep_fig_instructions', layout), `${i.sent} · ${i.acknowledged}/${i.recipients} (${rate(i.acknowledged, i.recipients)})`]
	];
}

/** Cards and people per agency: header and rows, agencies in the installation's order, those with nothing left out. */
export function sitrepAgencyTable(doc: FigureSource, layout: SitrepLayout): { header: string[]; rows: string[][] } {
	const per = doc.figures.cards.perAgency;
	const rows = doc.agencies
		.filter((a) => per[a.code] && (per[a.code].total || per[a.code].onDuty || per[a.code].opened))
		.map((a) => {
			const r = per[a.code];
			return [agencyLabel(a, layout), String(r.opened), String(r.closed), String(r.todo + r.doing + r.blocked), String(r.overdue), String(r.onDuty)];
		});
	const header = ['card_field_agency', 'sitrep_col_opened', 'sitrep_col_closed', 'sitrep_col_open', 'sitrep_col_overdue', 'sitrep_col_on_duty'].map((k) => t(k, layout));
	return { header, rows };
}

/** On duty against the minimum per post at the report's moment. */
export function sitrepPostTable(doc: FigureSource, layout: SitrepLayout): { header: string[]; rows: string[][] } {
	const agency = (c: string | null) => agencyLabel(doc.agencies.find((a) => a.code === c), layout) || '—';
	const state = (r: IssuedSitrep['figures']['posts']['rows'][number]) => t(r.short ? 'sitrep_post_short' : r.required ? 'sitrep_post_ok' : 'sitrep_post_off', layout);
	return {
		header: ['record_post', 'card_field_agency', 'sitrep_col_on_duty', 'roster_post_min', 'record_status'].map((k) => t(k, layout)),
		rows: doc.figures.posts.rows.map((r) => [r.name, agency(r.agency), String(r.onDuty), String(r.minStaff), state(r)])
	};
}

/** The footer of every page. */
export function sitrepFooter(doc: IssuedSitrep, sha256: string, layout: SitrepLayout, page: number, pages: number): string {
	return `${doc.event.name} · ${sitrepHeading(layout)} · SHA-256 ${sha256.slice(0, 16)}… · ${page}/${pages}`;
}
