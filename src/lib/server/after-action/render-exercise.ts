/**
 * The drill pieces of a record's PDF, DOCX and CSV: the drill mark, the exercise evaluation laid out objective by
 * objective (HSEEP), and the comparison with last time as the exporter may see it.
 */
import type { AfterActionRecord } from '../../domain/after-action.ts';
import { ratingCounts, type ExerciseObjective, type Rating } from '../../domain/exercise.ts';
import type { Comparison, ComparedFigure } from '../../domain/record-comparison.ts';
import { t, when, type Locale } from './labels.ts';

/** Whether a record is a drill's (a record made before drills existed is not). */
export function isDrill(record: AfterActionRecord): boolean {
	return record.event.drill === true;
}

export function ratingWords(r: Rating | null, locale: Locale): string {
	return r ? t(`exercise_rating_${r}`, locale) : t('exercise_rating_none', locale);
}

/** An objective's capabilities as rows: capability, rating in words. */
export function capabilityRows(o: ExerciseObjective, locale: Locale): string[][] {
	return o.capabilities.map((c) => [c.name, ratingWords(c.rating, locale)]);
}

/** "P 2 · S 1 · M 0 · U 0 · 未评定 1": the evaluation's ratings at a glance. */
export function ratingSummary(record: AfterActionRecord, locale: Locale): string {
	const n = ratingCounts(record.exercise ?? { objectives: [] });
	return `P ${n.P} · S ${n.S} · M ${n.M} · U ${n.U} · ${t('exercise_rating_none', locale)} ${n.unrated}`;
}

const FIGURE_KEYS: Record<ComparedFigure, string> = {
	ackMedian: 'compare_ack_median',
	ackP90: 'compare_ack_p90',
	doneMedian: 'compare_done_median',
	doneP90: 'compare_done_p90',
	noShows: 'compare_no_shows',
	uncoveredPostHours: 'compare_uncovered'
};

/** The comparison's header, its rows (figure, this time, last time) and the line above them, or why it is not shown. */
export function comparisonText(c: Comparison, locale: Locale): { note: string; header: string[]; rows: string[][] } {
	if (c.state === 'hidden') {
		const key = c.reason === 'access' ? 'compare_hidden_access' : c.reason === 'drill' ? 'compare_hidden_drill' : 'compare_hidden_real';
		return { note: t(key, locale), header: [], rows: [] };
	}
	const p = c.previous;
	const num = (v: number | null) => (v === null ? '—' : String(v));
	return {
		note: t('compare_intro', locale, { name: p.name, dates: `${when(p.startsAt, p.timezone)} — ${when(p.endsAt, p.timezone)}` }),
		header: [t('compare_figure', locale), t('compare_this', locale), t('compare_last', locale)],
		rows: c.rows.map((r) => [t(FIGURE_KEYS[r.figure], locale), num(r.current), num(r.previous)])
	};
}
