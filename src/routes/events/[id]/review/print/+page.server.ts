import { error } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { requireReviewer } from '$lib/server/after-action/access';
import { loadRecord } from '$lib/server/after-action/record';
import { collectParties } from '$lib/server/after-action/collect';
import { entityTitles, figureRows, inAgencyOrder, planRows, ROW_CAP, sitrepRows, statusLine } from '$lib/server/after-action/render-common';
import { fileCaption, fileGroups, otherFileLine, reportRows } from '$lib/server/after-action/render-reports';
import { exporterAnnex } from '$lib/server/after-action/record-files';
import { getLocale } from '$lib/paraglide/runtime';
import { m } from '$lib/paraglide/messages';
import { loadComparison } from '$lib/server/after-action/comparison';
import { userActor, writeAudit } from '$lib/server/repositories/audit.repository';

/**
 * The print view of the record: everything the PDF holds, as a page the browser prints. Personal data (the
 * parties annex, photos showing people) only for readers cleared for it; the activity logs capped per agency as in
 * the PDF.
 */
export const load: PageServerLoad = async ({ locals, params, getClientAddress }) => {
	const ctx = await requireReviewer(locals, params.id);
	const loaded = await loadRecord(locals.db, locals.services, params.id);
	if (!loaded) error(404, { message: m.error_no_such_event() });
	const { record, sha256, final } = loaded;
	const locale = getLocale() === 'en' ? 'en' : 'zh-CN';
	const parties = ctx.cleared ? await collectParties(locals.services, params.id) : null;
	// The print view with the parties' annex is an export the browser prints: audited like the PDF.
	if (parties?.length) {
		await writeAudit(locals.db, {
			actor: userActor(locals.user!),
			action: 'export.personal',
			target: { kind: 'record', id: params.id, name: record.event.name },
			eventId: params.id,
			details: { format: 'print', parties: parties.length },
			ip: getClientAddress()
		});
	}
	// Photos are shown from the files endpoint, which checks each reader's access again.
	const groups = fileGroups(record, await exporterAnnex(locals.db, record, ctx.principal), locale);
	const comparison = await loadComparison(locals.db, locals.services, params.id, record, { id: ctx.userId, isAdmin: locals.user!.isAdmin });
	return {
		sha256,
		final,
		comparison,
		drill: record.event.drill ?? false,
		exercise: record.exercise ?? null,
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
		reportRows: reportRows(record, locale),
		fileGroups: groups.map((g) => ({
			label: g.label,
			photos: g.photos.map((f) => ({ sha256: f.sha256, caption: fileCaption(f, locale), people: f.people })),
			others: g.others.map((f) => otherFileLine(f, locale))
		})),
		outsideFiles: groups.some((g) => [...g.photos, ...g.others].some((f) => f.outside)),
		rowCap: ROW_CAP,
		titles: Object.fromEntries(entityTitles(record)),
		parties
	};
};
