import { fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { mayWriteSitreps, requireSitrepReader } from '$lib/server/sitreps/access';
import { createDraft } from '$lib/server/sitreps/draft';
import { claimedSlots, getSchedule, listSitreps, saveSchedule } from '$lib/server/repositories/sitrep.repository';
import { checkSchedule, dueSlots, MAX_DAILY_TIMES } from '$lib/domain/sitrep-schedule';
import { readPeriods } from '$lib/domain/roster';
import { commandDocName } from '$lib/domain/documents';

/** How far ahead the page lists the schedule's coming due times. */
const UPCOMING_MS = 36 * 3_600_000;

/** The reports of an event: every member sees the issued ones; the commander also the drafts and the schedule. */
export const load: PageServerLoad = async ({ locals, params }) => {
	const reader = await requireSitrepReader(locals, params.id);
	const reports = await listSitreps(locals.db, params.id, { drafts: reader.commander });
	const leadMinutes = locals.services.sitrepLeadMinutes;
	if (!reader.commander) return { reports, commander: false as const, mayWrite: false, schedule: null, periods: [], upcoming: [], leadMinutes, maxTimes: MAX_DAILY_TIMES };
	const schedule = await getSchedule(locals.db, params.id);
	const periods = readPeriods(await locals.services.readDocument(commandDocName(params.id)));
	const now = Date.now();
	const lead = leadMinutes * 60_000;
	const event = reader.event;
	const slots = dueSlots(schedule, periods, { startsAt: event.startsAt.toISOString(), endsAt: event.endsAt.toISOString(), timezone: event.timezone }, { from: now - lead, to: now + UPCOMING_MS });
	const claimed = new Map((await claimedSlots(locals.db, params.id, new Date(now - lead))).map((c) => [c.dueAt, c.reportId]));
	return {
		reports,
		commander: true as const,
		mayWrite: mayWriteSitreps(reader),
		schedule,
		periods: periods.map((p) => ({ id: p.id, name: p.name, startsAt: p.startsAt, endsAt: p.endsAt })),
		upcoming: slots.slice(0, 8).map((s) => ({
			...s,
			periodName: periods.find((p) => p.id === s.periodId)?.name ?? null,
			reportId: claimed.get(s.dueAt) ?? null
		})),
		leadMinutes,
		maxTimes: MAX_DAILY_TIMES
	};
};

export const actions: Actions = {
	/** Drafts a report for a period (or now, on demand) from the board as it stands, and opens it. */
	create: async ({ locals, params, request }) => {
		const reader = await requireSitrepReader(locals, params.id);
		if (!mayWriteSitreps(reader)) return fail(403, { action: 'create' as const, error: 'forbidden' as const });
		const periodId = String((await request.formData()).get('periodId') ?? '') || null;
		const id = await createDraft(locals.db, locals.services, params.id, { periodId, userId: reader.userId, dueAt: null });
		if (!id) return fail(400, { action: 'create' as const, error: 'noPeriod' as const });
		locals.services.sitrepChanged(params.id, id);
		redirect(303, `/events/${params.id}/sitreps/${id}`);
	},

	/** Saves the schedule: daily times in the event's zone and whether each period's end is a due time. */
	schedule: async ({ locals, params, request }) => {
		const reader = await requireSitrepReader(locals, params.id);
		if (!mayWriteSitreps(reader)) return fail(403, { action: 'schedule' as const, error: 'forbidden' as const });
		const form = await request.formData();
		const times = String(form.get('times') ?? '');
		const checked = checkSchedule({ times, periodEnds: form.get('periodEnds') === 'on' });
		if (!checked.ok) return fail(400, { action: 'schedule' as const, error: checked.problem, times });
		await saveSchedule(locals.db, params.id, checked.schedule, reader.userId);
		return { action: 'schedule' as const, saved: true };
	}
};

