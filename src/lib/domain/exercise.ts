/**
 * The exercise evaluation of a drill (演练) in the HSEEP layout: the exercise's objectives, each with the
 * capabilities it tested and their ratings — P performed without challenges, S with some challenges, M with major
 * challenges, U unable to be performed — and the strengths and areas for improvement observed under it. Reviewers
 * edit it on the review page; the record carries it and its PDF and DOCX lay it out objective by objective.
 */

export const RATINGS = ['P', 'S', 'M', 'U'] as const;
export type Rating = (typeof RATINGS)[number];

export interface ExerciseCapability {
	id: string;
	name: string;
	/** Null until rated. */
	rating: Rating | null;
}

export interface ExerciseObjective {
	id: string;
	text: string;
	capabilities: ExerciseCapability[];
	/** One observation per entry. */
	strengths: string[];
	improvements: string[];
}

export interface ExerciseEvaluation {
	objectives: ExerciseObjective[];
}

export const EMPTY_EXERCISE: ExerciseEvaluation = { objectives: [] };

/** Bounds: an exercise plan names a handful of objectives (HSEEP advises few); these only stop abuse. */
export const EXERCISE_LIMITS = { objectives: 50, capabilities: 20, lines: 50, text: 500, line: 2000 } as const;
const ID = /^[A-Za-z0-9_-]{1,64}$/;

export type ExerciseProblem = { path: string; problem: 'required' | 'tooLong' | 'invalidFormat' | 'tooMany' | 'invalidChoice' | 'duplicate' };

function text(v: unknown): string {
	return typeof v === 'string' ? v.trim() : '';
}

/**
 * Checks an exercise evaluation from a form or an API body. Blank observation lines are dropped; everything else
 * wrong is named by its path (`objectives[0].capabilities[1].rating`), all at once.
 */
export function checkExercise(input: unknown): { ok: true; value: ExerciseEvaluation } | { ok: false; problems: ExerciseProblem[] } {
	const problems: ExerciseProblem[] = [];
	const src = (input && typeof input === 'object' ? input : {}) as Record<string, unknown>;
	const list = (path: string, v: unknown, max: number): unknown[] => {
		if (v === undefined || v === null) return [];
		if (!Array.isArray(v)) {
			problems.push({ path, problem: 'invalidFormat' });
			return [];
		}
		if (v.length > max) problems.push({ path, problem: 'tooMany' });
		return v.slice(0, max);
	};
	const objects = (path: string, v: unknown, max: number) =>
		list(path, v, max).filter((x, i) => {
			const ok = !!x && typeof x === 'object' && !Array.isArray(x);
			if (!ok) problems.push({ path: `${path}[${i}]`, problem: 'invalidFormat' });
			return ok;
		}) as Array<Record<string, unknown>>;
	const ids = new Set<string>();
	const id = (path: string, v: unknown): string => {
		const t = text(v);
		if (!ID.test(t)) problems.push({ path, problem: 'invalidFormat' });
		else if (ids.has(t)) problems.push({ path, problem: 'duplicate' });
		ids.add(t);
		return t;
	};
	const field = (path: string, v: unknown, max: number): string => {
		const t = text(v);
		if (!t) problems.push({ path, problem: 'required' });
		else if ([...t].length > max) problems.push({ path, problem: 'tooLong' });
		return t;
	};
	const lines = (path: string, v: unknown): string[] => {
		const out: string[] = [];
		list(path, v, EXERCISE_LIMITS.lines).forEach((x, i) => {
			if (typeof x !== 'string') return problems.push({ path: `${path}[${i}]`, problem: 'invalidFormat' });
			const t = x.trim();
			if (!t) return;
			if ([...t].length > EXERCISE_LIMITS.line) problems.push({ path: `${path}[${i}]`, problem: 'tooLong' });
			out.push(t);
		});
		return out;
	};
	const objectives = objects('objectives', src.objectives, EXERCISE_LIMITS.objectives).map((o, i) => {
		const at = `objectives[${i}]`;
		return {
			id: id(`${at}.id`, o.id),
			text: field(`${at}.text`, o.text, EXERCISE_LIMITS.text),
			capabilities: objects(`${at}.capabilities`, o.capabilities, EXERCISE_LIMITS.capabilities).map((c, j) => {
				const cat = `${at}.capabilities[${j}]`;
				const r = text(c.rating);
				if (r && !(RATINGS as readonly string[]).includes(r)) problems.push({ path: `${cat}.rating`, problem: 'invalidChoice' });
				return { id: id(`${cat}.id`, c.id), name: field(`${cat}.name`, c.name, EXERCISE_LIMITS.text), rating: (r && (RATINGS as readonly string[]).includes(r) ? r : null) as Rating | null };
			}),
			strengths: lines(`${at}.strengths`, o.strengths),
			improvements: lines(`${at}.improvements`, o.improvements)
		};
	});
	return problems.length ? { ok: false, problems } : { ok: true, value: { objectives } };
}

/** How many capabilities carry each rating, and how many are not rated yet (the summary line of the evaluation). */
export function ratingCounts(e: ExerciseEvaluation): Record<Rating | 'unrated', number> {
	const out: Record<Rating | 'unrated', number> = { P: 0, S: 0, M: 0, U: 0, unrated: 0 };
	for (const o of e.objectives) for (const c of o.capabilities) out[c.rating ?? 'unrated']++;
	return out;
}

/** A stored evaluation read back, or the empty one when there is none or it no longer passes the checks. */
export function parseExercise(json: string | null | undefined): ExerciseEvaluation {
	if (!json) return EMPTY_EXERCISE;
	try {
		const checked = checkExercise(JSON.parse(json));
		return checked.ok ? checked.value : EMPTY_EXERCISE;
	} catch {
		return EMPTY_EXERCISE;
	}
}
