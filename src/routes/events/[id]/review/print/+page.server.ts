import { error } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { requireReviewer } from '$lib/server/after-action/access';
import { loadRecord } from '$lib/server/after-action/record';
import { collectParties } from '$lib/server/after-action/collect';
import { entityTitles, figureRows, inAgencyOrder, planRows, ROW_CAP, sitrepRows, statusLine } from '$lib/server/after-action/render-common';
import { getLocale } from '$lib/paraglide/runtime';
import { m } from '$lib/paraglide/messages';

/**
 * The print view of the record: everything the PDF holds, as a page the browser prints. Personal data (the
 * parties annex) only for readers cleared for it; the activity logs capped per agency as in the PDF.
 */
export const load: PageServerLoad = async ({ locals, params }) => {
	const ctx = await requireReviewer(locals, params.id);
	const loaded = await loadRecord(locals.db, locals.services, params.id);
	if (!loaded) error(404, { message: m.error_no_such_event() });
	const { record, sha256, final } = loaded;
	const locale = getLocale() === 'en' ? 'en' : 'zh-CN';
	const parties = ctx.cleared ? await collectParties(locals.services, params.id) : null;
	return {
		sha256,
		final,
		statusLine: statusLine(record, locale),
		figureRows: figureRows(record, locale),
		planRows: planRows(record),
		sitrepRows: sitrepRows(record),
		record: {
			event: record.event,
			overview: record.overview,
			cardsByAgency: inAgencyOrder(record, record.figures.cards.byAgency),
			findings: record.findings,
			instructions: record.instructions,
			disputes: record.disputes,
			ics204: record.ics204,
			ics214: inAgencyOrder(record, record.ics214).map(([code, rows]) => ({ code, total: rows.length, rows: rows.slice(0, ROW_CAP) }))
		},
		rowCap: ROW_CAP,
		titles: Object.fromEntries(entityTitles(record)),
		parties
	};
};
