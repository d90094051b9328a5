import { error, fail } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { requireReviewer } from '$lib/server/after-action/access';
import { loadRecord, finalizeEventRecord } from '$lib/server/after-action/record';
import { logSpan } from '$lib/server/after-action/replay';
import { entityTitles } from '$lib/server/after-action/render-common';
import { reportRows } from '$lib/server/after-action/render-reports';
import { getLocale } from '$lib/paraglide/runtime';
import { saveExercise, saveFindings } from '$lib/server/repositories/record.repository';
import { checkFindings } from '$lib/domain/findings';
import { checkExercise } from '$lib/domain/exercise';
import { loadComparison } from '$lib/server/after-action/comparison';
import { m } from '$lib/paraglide/messages';
import { personalDataPurgedAt } from '$lib/server/repositories/event.repository';

export const load: PageServerLoad = async ({ locals, params }) => {
	const ctx = await requireReviewer(locals, params.id);
	const loaded = await loadRecord(locals.db, locals.services, params.id);
	// A missing event already failed in requireReviewer; this is the record vanishing in between.
	if (!loaded) error(404, { message: m.error_no_such_event() });
	const { record, sha256, final } = loaded;
	const span = await logSpan(locals.db, params.id);
	const comparison = await loadComparison(locals.db, locals.services, params.id, record, { id: ctx.userId, isAdmin: locals.user!.isAdmin });
	return {
		comparison,
		sha256,
		final,
		canClose: ctx.actions['event.close'],
		cleared: ctx.cleared,
		purgedAt: (await personalDataPurgedAt(locals.db, params.id))?.toISOString() ?? null,
		span: { from: span.from?.toISOString() ?? null, to: span.to?.toISOString() ?? null },
		record: {
			status: record.status,
			finalizedAt: record.finalizedAt,
			finalizedBy: record.finalizedBy,
			// A final record made before figures carried their moment has none; it was taken at the close.
			asOf: (record as { asOf?: string }).asOf ?? record.event.closedAt,
			event: record.event,
			overview: record.overview,
			figures: record.figures,
			findings: record.findings,
			// A drill's record carries its exercise evaluation (HSEEP); a real event's has none.
			drill: record.event.drill ?? false,
			exercise: record.exercise ?? null,
			ics204: record.ics204,
			instructions: record.instructions,
			disputes: record.disputes,
			// A record finalized before situation reports existed has none.
			situationReports: record.situationReports ?? [],
			// The log the timeline pages through; the entries of reports, roll calls, patrol rounds and situation
			// reports are listed in their own sections.
			activityCount: record.timeline.filter((a) => !['report', 'rollcall', 'patrol', 'sitrep'].includes(a.entityType)).length
		},
		reportRows: reportRows(record, getLocale() === 'en' ? 'en' : 'zh-CN'),
		// What each card, dispute and post is called, so the timeline's rows can say what they are about.
		titles: Object.fromEntries(entityTitles(record))
	};
};

export const actions: Actions = {
	/** The commander closes the event, after confirming. */
	close: async ({ locals, params, request }) => {
		const ctx = await requireReviewer(locals, params.id);
		// Checked before the right to close, which a closed event gives nobody: a second close was told "forbidden".
		if (ctx.event.status === 'closed') return fail(409, { action: 'close' as const, error: 'alreadyClosed' as const });
		if (!ctx.actions['event.close']) return fail(403, { action: 'close' as const, error: 'forbidden' as const });
		const form = await request.formData();
		if (form.get('confirm') !== 'yes') return fail(400, { action: 'close' as const, error: 'confirm' as const });
		const closed = await locals.services.closeEvent(params.id, ctx.userId);
		return closed ? { action: 'close' as const, closed: true } : fail(409, { action: 'close' as const, error: 'alreadyClosed' as const });
	},

	/** Saves the findings of a draft record (JSON in the `findings` field). */
	saveFindings: async ({ locals, params, request }) => {
		const ctx = await requireReviewer(locals, params.id);
		let parsed: unknown;
		try {
			parsed = JSON.parse(String((await request.formData()).get('findings') ?? ''));
		} catch {
			return fail(400, { action: 'saveFindings' as const, problems: [{ path: 'findings', problem: 'invalidFormat' as const }] });
		}
		const checked = checkFindings(parsed);
		if (!checked.ok) return fail(400, { action: 'saveFindings' as const, problems: checked.problems });
		if (!(await saveFindings(locals.db, params.id, checked.value, ctx.userId))) {
			return fail(409, { action: 'saveFindings' as const, problems: [], final: true });
		}
		return { action: 'saveFindings' as const, saved: true };
	},

	/** Saves a drill's exercise evaluation (JSON in the `exercise` field): objectives, P/S/M/U ratings, observations. */
	saveExercise: async ({ locals, params, request }) => {
		const ctx = await requireReviewer(locals, params.id);
		if (!ctx.event.drill) return fail(409, { action: 'saveExercise' as const, problems: [], notDrill: true });
		let parsed: unknown;
		try {
			parsed = JSON.parse(String((await request.formData()).get('exercise') ?? ''));
		} catch {
			return fail(400, { action: 'saveExercise' as const, problems: [{ path: 'exercise', problem: 'invalidFormat' as const }] });
		}
		const checked = checkExercise(parsed);
		if (!checked.ok) return fail(400, { action: 'saveExercise' as const, problems: checked.problems });
		if (!(await saveExercise(locals.db, params.id, checked.value, ctx.userId))) {
			return fail(409, { action: 'saveExercise' as const, problems: [], final: true });
		}
		return { action: 'saveExercise' as const, saved: true };
	},

	/** Freezes the record: after this it cannot change, and every export carries the same hash. */
	finalize: async ({ locals, params, request }) => {
		const ctx = await requireReviewer(locals, params.id);
		if ((await request.formData()).get('confirm') !== 'yes') return fail(400, { action: 'finalize' as const, error: 'confirm' as const });
		const result = await finalizeEventRecord(locals.db, locals.services, params.id, ctx.userId);
		if (!result.ok) return fail(409, { action: 'finalize' as const, error: result.reason });
		return { action: 'finalize' as const, sha256: result.sha256 };
	}
};
