import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { requireReviewer } from '$lib/server/after-action/access';
import { loadRecord } from '$lib/server/after-action/record';
import { collectParties } from '$lib/server/after-action/collect';
// Rendering runs in a worker thread: seconds of synchronous work for a large event would stop the server.
import { renderInWorker } from '$lib/server/after-action/render-worker';
import { basemapPicture, renderMapFigure } from '$lib/server/after-action/map-figure';
import { getAttachment } from '$lib/server/repositories/attachment.repository';
import type { RecordMap } from '$lib/domain/after-action';
import { exporterAnnex, thumbnailsOf } from '$lib/server/after-action/record-files';
import { placedFiles } from '$lib/server/after-action/render-reports';
import { recordFilesZip } from '$lib/server/after-action/export-files';
import { readMapBase } from '$lib/domain/venue-map';
import { planPointOf } from '$lib/domain/geometry';
import { commandDocName } from '$lib/domain/documents';
import { tracksOf } from '$lib/server/repositories/position.repository';
import type { Kysely } from 'kysely';
import type { DB } from '$lib/server/db/schema';
import { getLocale } from '$lib/paraglide/runtime';
import { m } from '$lib/paraglide/messages';
import { MAX_JOBS_PER_USER, TOO_MANY_JOBS } from '$lib/server/jobs';
import { loadComparison } from '$lib/server/after-action/comparison';
import { userActor, writeAudit } from '$lib/server/repositories/audit.repository';
import { personalDataPurgedAt } from '$lib/server/repositories/event.repository';
import { when } from '$lib/server/after-action/labels';

/**
 * The plan (or the basemap standing in for it) with what was on it, or null without one (or when its file is gone:
 * the record then says nothing).
 * People's shared tracks are drawn for readers cleared for personal data only.
 */
async function drawMapFigure(db: Kysely<DB>, services: App.Locals['services'], eventId: string, map: RecordMap | null, cleared: boolean): Promise<Uint8Array | null> {
	if (!map) return null;
	const controls = readMapBase(await services.readDocument(commandDocName(eventId)))?.controls ?? [];
	const picture = map.planId ? (await getAttachment(db, eventId, map.planId, { kind: 'plan' }))?.bytes : await basemapPicture(services.basemaps, map, controls);
	if (!picture) return null;
	let tracks: Array<Array<[number, number]>> = [];
	if (cleared) {
		if (controls.length >= 3) {
			tracks = (await tracksOf(db, eventId)).map((t) => t.points.flatMap((p) => {
				const at = planPointOf(controls, p);
				return at ? [at] : [];
			}));
		}
	}
	return renderMapFigure(map, picture, tracks);
}

const FORMATS = ['pdf', 'docx', 'json', 'csv', 'files'] as const;
type Format = (typeof FORMATS)[number];

/**
 * POST /api/events/<id>/record/exports {format}: starts an export and answers with its job; poll
 * GET …/exports/<job> for progress and fetch …/exports/<job>/file when done. Personal data (the dispute
 * parties' annex, photos showing people) is included only for exporters cleared for it; `files` is a zip of the
 * photos and files the exporter may see, with a manifest of their hashes.
 */
export const POST: RequestHandler = async ({ locals, params, request, getClientAddress }) => {
	const ctx = await requireReviewer(locals, params.id);
	let format: Format;
	try {
		const body = await request.json();
		format = body?.format;
	} catch {
		return json({ error: 'invalid', message: 'Send JSON: {"format": "pdf" | "docx" | "json" | "csv" | "files"}.' }, { status: 400 });
	}
	if (!FORMATS.includes(format)) return json({ error: 'invalid', message: 'format must be pdf, docx, json, csv or files' }, { status: 400 });
	const locale = getLocale() === 'en' ? 'en' : 'zh-CN';
	const { db, services } = locals;
	const eventId = params.id;
	const reader = { id: ctx.userId, isAdmin: locals.user!.isAdmin };
	const exporter = userActor(locals.user!);
	const address = getClientAddress();
	let job;
	try {
		job = startExport();
	} catch (err) {
		// The page shows the message as it comes, so it is in the reader's language and names the limit. The
		// registry is the server process's (its copy of jobs.ts, not the build's), so the class is known by name.
		if (err instanceof Error && err.name === TOO_MANY_JOBS) return json({ error: 'tooManyJobs', message: m.quota_export_jobs({ count: MAX_JOBS_PER_USER }) }, { status: 429 });
		throw err;
	}
	return json({ job }, { status: 202 });

	function startExport() {
		return services.jobs.start(ctx.userId, format, async (report) => {
		report(2, 'collect');
		const loaded = await loadRecord(db, services, eventId, (f) => report(5 + f * 35));
		if (!loaded) throw new Error('no such event');
		const { record, canonical, sha256 } = loaded;
		const parties = ctx.cleared && (format === 'pdf' || format === 'docx' || format === 'csv') ? await collectParties(services, eventId) : null;
		const annex = format === 'pdf' || format === 'docx' || format === 'files' ? await exporterAnnex(db, record, ctx.principal) : [];
		// Thumbnails of every photo the exporter may see, measured here (sharp works off the event loop).
		const files = format === 'pdf' || format === 'docx' ? { annex, thumbnails: await thumbnailsOf(db, eventId, placedFiles(record, annex)) } : null;
		// A file with the parties' annex or photos showing people is audited, and its pages name the exporter. The
		// JSON export is the record alone, which holds the masked form only.
		const peoplePhotos = annex.filter((a) => a.people).length;
		const personal = (parties?.length ?? 0) > 0 || peoplePhotos > 0;
		if (personal) {
			await writeAudit(db, {
				actor: exporter,
				action: 'export.personal',
				target: { kind: 'record', id: eventId, name: record.event.name },
				eventId,
				details: { format, parties: parties?.length ?? 0, peoplePhotos },
				ip: address
			});
		}
		const purgedAt = await personalDataPurgedAt(db, eventId);
		const stamp = {
			mark: personal ? m.export_personal_mark({ name: exporter.kind === 'user' ? exporter.name : '', time: when(new Date().toISOString(), record.event.timezone) }, { locale }) : null,
			purged: purgedAt ? m.review_purged_at({ time: when(purgedAt.toISOString(), record.event.timezone) }, { locale }) : null
		};
		report(45, 'render');
		const progress = (f: number) => report(45 + f * 54);
		// The map figure is drawn here (sharp works off the event loop) and handed to the renderer as a PNG.
		const mapFigure = format === 'pdf' || format === 'docx' ? await drawMapFigure(db, services, eventId, record.map ?? null, ctx.cleared) : null;
		// Compare with last time, as this exporter may see it; the JSON export is the record itself and carries none.
		const comparison = format === 'pdf' || format === 'docx' || format === 'csv' ? await loadComparison(db, services, eventId, record, reader) : null;
		// A drill's files say so in their very names.
		const base = `${record.event.drill ? `${m.drill_mark({}, { locale })}-` : ''}${record.event.name}-${record.status === 'final' ? 'final' : 'draft'}`.replace(/[\\/:*?"<>|\s]+/g, '_');
		const headers = { 'x-record-sha256': sha256 };
		switch (format) {
			case 'json':
				return { bytes: new TextEncoder().encode(canonical), contentType: 'application/json', filename: `${base}.json`, headers };
			case 'csv':
				return { bytes: await renderInWorker({ format, canonical, sha256, parties, locale, comparison }, progress), contentType: 'application/zip', filename: `${base}.zip`, headers };
			case 'pdf':
				return { bytes: await renderInWorker({ format, canonical, sha256, parties, locale, mapFigure, files, comparison, stamp }, progress), contentType: 'application/pdf', filename: `${base}.pdf`, headers };
			case 'docx':
				return {
					bytes: await renderInWorker({ format, canonical, sha256, parties, locale, mapFigure, files, comparison, stamp }, progress),
					contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
					filename: `${base}.docx`,
					headers
				};
			case 'files':
				return { bytes: await recordFilesZip(db, record, sha256, annex, locale, progress), contentType: 'application/zip', filename: `${base}-files.zip`, headers };
		}
		});
	}
};
