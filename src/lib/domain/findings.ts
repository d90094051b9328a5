/**
 * Reviewers' findings in the HSEEP layout: strengths; areas for improvement with their root cause; and an
 * improvement plan of corrective actions with an owning agency, a contact and a due date.
 */

export interface Strength {
	id: string;
	text: string;
}

export interface Improvement {
	id: string;
	area: string;
	observation: string;
	rootCause: string;
}

export interface PlanItem {
	id: string;
	/** The improvement this action answers, when there is one. */
	improvementId: string | null;
	action: string;
	agency: string;
	contact: string;
	/** YYYY-MM-DD. */
	dueDate: string;
}

export interface Findings {
	strengths: Strength[];
	improvements: Improvement[];
	plan: PlanItem[];
}

export const EMPTY_FINDINGS: Findings = { strengths: [], improvements: [], plan: [] };

const MAX_ITEMS = 200;
const MAX_TEXT = 2000;
const ID = /^[A-Za-z0-9_-]{1,64}$/;

export type FindingsProblem = { path: string; problem: 'required' | 'tooLong' | 'invalidFormat' | 'tooMany' };

/** YYYY-MM-DD naming a real day (Date.parse alone takes 2026-02-31 for 3 March). */
function isCalendarDate(v: string): boolean {
	if (!/^\d{4}-\d{2}-\d{2}$/.test(v)) return false;
	const d = new Date(`${v}T00:00:00Z`);
	return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v;
}

function text(v: unknown): string {
	return typeof v === 'string' ? v.trim() : '';
}

/** Checks findings from a form or an API body; returns the cleaned findings or every problem found. */
export function checkFindings(input: unknown): { ok: true; value: Findings } | { ok: false; problems: FindingsProblem[] } {
	const problems: FindingsProblem[] = [];
	const src = (input ?? {}) as Record<string, unknown>;
	const list = (key: keyof Findings): Array<Record<string, unknown>> => {
		const v = src[key];
		if (!Array.isArray(v)) return [];
		if (v.length > MAX_ITEMS) problems.push({ path: key, problem: 'tooMany' });
		return v.slice(0, MAX_ITEMS).filter((x) => x && typeof x === 'object') as Array<Record<string, unknown>>;
	};
	const field = (path: string, v: unknown, required: boolean): string => {
		const t = text(v);
		if (required && !t) problems.push({ path, problem: 'required' });
		else if ([...t].length > MAX_TEXT) problems.push({ path, problem: 'tooLong' });
		return t;
	};
	const id = (path: string, v: unknown): string => {
		const t = text(v);
		if (!ID.test(t)) problems.push({ path, problem: 'invalidFormat' });
		return t;
	};
	const strengths = list('strengths').map((s, i) => ({ id: id(`strengths[${i}].id`, s.id), text: field(`strengths[${i}].text`, s.text, true) }));
	const improvements = list('improvements').map((s, i) => ({
		id: id(`improvements[${i}].id`, s.id),
		area: field(`improvements[${i}].area`, s.area, true),
		observation: field(`improvements[${i}].observation`, s.observation, false),
		rootCause: field(`improvements[${i}].rootCause`, s.rootCause, true)
	}));
	const improvementIds = new Set(improvements.map((x) => x.id));
	const plan = list('plan').map((s, i) => {
		const dueDate = text(s.dueDate);
		if (!isCalendarDate(dueDate)) problems.push({ path: `plan[${i}].dueDate`, problem: dueDate ? 'invalidFormat' : 'required' });
		const improvementId = text(s.improvementId) || null;
		// An action answers an improvement of these findings, or none; a dangling id would be frozen into the record.
		if (improvementId !== null && !improvementIds.has(improvementId)) problems.push({ path: `plan[${i}].improvementId`, problem: 'invalidFormat' });
		return {
			id: id(`plan[${i}].id`, s.id),
			improvementId,
			action: field(`plan[${i}].action`, s.action, true),
			agency: field(`plan[${i}].agency`, s.agency, true),
			contact: field(`plan[${i}].contact`, s.contact, true),
			dueDate
		};
	});
	return problems.length ? { ok: false, problems } : { ok: true, value: { strengths, improvements, plan } };
}
