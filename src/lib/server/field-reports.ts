/**
 * Field reports and attachments, end to end on the server: a report is stored whole or not at all (its photos
 * checked, normalised and stored in the same transaction as the report), a report sent twice is one report, and a
 * triage decision that makes a card writes the card and the report's new state together. Used by the report page,
 * the JSON API and the desk alike, so each path has the same checks, limits and refusals.
 */
import type { Kysely } from 'kysely';
import type { DB } from './db/schema.ts';
import type { AppServices } from './services.ts';
import type { EventContext } from './event-context.ts';
import { findPlaybook } from './repositories/playbook.repository.ts';
import { playbookRunRefusal, preparePlaybookRun } from './playbook-run.ts';
import {
	checkReportInput,
	checkTriageInput,
	MAX_EVENT_FILE_BYTES,
	MAX_PHOTOS_PER_REPORT,
	mayAttach,
	mayReadReport,
	mayReport,
	mayRouteTo,
	mayTriage,
	mayViewAttachment,
	readsAllReports,
	type AttachmentLink,
	type ReportProblem,
	type ReportView,
	type TriageProblem
} from '../domain/field-reports.ts';
import { loadAndPrepareFile, type FileProblem, type PreparedFile } from './stored-file.ts';
import { assembleUpload, dropUploads, eventFileBytes, linkAttachment, listAttachments, putAttachment } from './repositories/attachment.repository.ts';
import { getReport, insertReport, listReports, markTriaged } from './repositories/field-report.repository.ts';
import { agencyDocName } from '../domain/documents.ts';
import { addCard, cardsOf } from '../domain/board.ts';
import { setPin } from '../domain/venue-map.ts';
import { newId, isId } from '../domain/ids.ts';
import * as Y from 'yjs';

/** Why a report, a file or a triage was refused: one code per cause, worded by the page in the user's language. */
export type SubmitProblem =
	| ReportProblem
	| TriageProblem
	| FileProblem
	| 'forbidden'
	| 'eventClosed'
	| 'tooManyPhotos'
	| 'incomplete'
	| 'eventFull'
	| 'idTaken'
	| 'notFound'
	| 'alreadyTriaged'
	| 'sameReport'
	| 'target';

export interface Refused {
	ok: false;
	problem: SubmitProblem;
	/** The photo or file it concerns, counted from 1. */
	file?: number;
	status: number;
}

const refuse = (problem: SubmitProblem, status = 400, file?: number): Refused => ({ ok: false, problem, status, ...(file ? { file } : {}) });

/** Checks and normalises the uploaded files of one submission, in order; the first bad one refuses them all. */
async function prepareUploads(db: Kysely<DB>, ctx: EventContext, userId: string, uploadIds: string[], accept: 'images' | 'imagesAndPdf'): Promise<Refused | PreparedFile[]> {
	const files: PreparedFile[] = [];
	for (const [i, uploadId] of uploadIds.entries()) {
		if (!isId(uploadId)) return refuse('incomplete', 400, i + 1);
		const prepared = await loadAndPrepareFile(() => assembleUpload(db, ctx.event.id, userId, uploadId), accept);
		if (!prepared) return refuse('incomplete', 400, i + 1);
		if (!prepared.ok) return refuse(prepared.problem, prepared.problem === 'tooLarge' ? 413 : 400, i + 1);
		files.push(prepared.file);
	}
	const adding = files.reduce((n, f) => n + f.bytes.length + (f.thumbnail?.length ?? 0), 0);
	if (adding && (await eventFileBytes(db, ctx.event.id)) + adding > MAX_EVENT_FILE_BYTES) return refuse('eventFull', 413);
	return files;
}

/**
 * Stores a report sent by a member, with the photos already uploaded under `uploadIds` (resumable uploads or the
 * API's multipart, both land in upload parts first). A second sending of the same report id by its reporter
 * answers with the stored report and stores nothing.
 */
export async function submitReport(
	services: AppServices,
	ctx: EventContext,
	user: { id: string },
	raw: Record<string, unknown>,
	uploadIds: string[],
	now = new Date()
): Promise<{ ok: true; report: ReportView; replay: boolean } | Refused> {
	const db = services.db;
	if (ctx.event.status === 'closed') return refuse('eventClosed', 409);
	if (!mayReport(ctx.principal, ctx.event.status)) return refuse('forbidden', 403);
	const checked = checkReportInput(raw, now);
	if (!checked.ok) return refuse(checked.problem);
	const input = checked.input;
	if (uploadIds.length > MAX_PHOTOS_PER_REPORT) return refuse('tooManyPhotos');
	const existing = await getReport(db, ctx.event.id, input.id);
	if (existing) {
		if (existing.reporterId !== user.id) return refuse('idTaken', 409);
		await dropUploads(db, ctx.event.id, user.id, uploadIds);
		return { ok: true, report: (await reportViews(db, ctx, [input.id]))[0], replay: true };
	}
	const files = await prepareUploads(db, ctx, user.id, uploadIds, 'images');
	if (!Array.isArray(files)) return files;
	let fresh = false;
	await db.transaction().execute(async (tx) => {
		fresh = await insertReport(tx, ctx.event.id, { id: user.id, agency: ctx.agencyCode }, input, now);
		if (!fresh) return;
		for (const f of files) {
			await putAttachment(tx, { id: f.id, eventId: ctx.event.id, kind: 'photo', mime: f.mime, bytes: f.bytes, width: f.width, height: f.height, thumbnail: f.thumbnail, createdBy: user.id });
			await linkAttachment(tx, { eventId: ctx.event.id, attachmentId: f.id, target: 'report', targetId: input.id, agency: ctx.agencyCode, createdBy: user.id });
		}
		await dropUploads(tx, ctx.event.id, user.id, uploadIds);
	});
	if (fresh) services.reportChanged(ctx.event.id, { reportId: input.id, state: 'new', fresh: true }, user.id);
	return { ok: true, report: (await reportViews(db, ctx, [input.id]))[0], replay: !fresh };
}

/** The reports a user may read, as views with the photos they may see; only `ids` when given. */
export async function reportViews(db: Kysely<DB>, ctx: EventContext, ids?: string[]): Promise<ReportView[]> {
	const p = ctx.principal;
	if (p.kind !== 'user') return [];
	const rows = (await listReports(db, ctx.event.id, { reporterId: readsAllReports(p) ? undefined : p.userId, ids })).filter((r) => mayReadReport(p, r));
	const files = await listAttachments(db, ctx.event.id, { target: 'report', targetIds: rows.map((r) => r.id) });
	return rows.map((r) => ({
		...r,
		photos: files
			.filter((f) => f.targetId === r.id && mayViewAttachment(p, { target: 'report', targetId: r.id, agency: f.agency, people: f.people, onWall: f.onWall, reporterId: r.reporterId }))
			.map((f) => ({ id: f.id, people: f.people, onWall: f.onWall, width: f.width, height: f.height }))
	}));
}

/**
 * Applies the desk's decision to a waiting report. Making a card writes it into the agency's document, with the
 * report's text, pin and photos, in the same transaction as the report's new state; if another triager was first,
 * nothing is written.
 */
export async function triageReport(
	services: AppServices,
	ctx: EventContext,
	user: { id: string; displayName?: string },
	reportId: string,
	raw: Record<string, unknown>,
	now = new Date()
): Promise<{ ok: true; report: ReportView } | Refused> {
	const db = services.db;
	if (ctx.event.status === 'closed') return refuse('eventClosed', 409);
	if (!mayTriage(ctx.principal, ctx.event.status)) return refuse('forbidden', 403);
	if (!isId(reportId)) return refuse('notFound', 404);
	const report = await getReport(db, ctx.event.id, reportId);
	if (!report) return refuse('notFound', 404);
	if (report.state !== 'new') return refuse('alreadyTriaged', 409);
	const checked = checkTriageInput(raw);
	if (!checked.ok) return refuse(checked.problem);
	const decision = checked.input;
	const photos = await listAttachments(db, ctx.event.id, { target: 'report', targetIds: [reportId] });
	const linkPhotos = async (tx: Kysely<DB>, agency: string, cardId: string) => {
		for (const f of photos) {
			await linkAttachment(tx, { eventId: ctx.event.id, attachmentId: f.id, target: 'card', targetId: cardId, agency, people: f.people, createdBy: f.createdBy ?? user.id });
		}
	};
	let won = false;
	const stillWaiting = (ok: boolean) => {
		won = ok;
		// Rolls the card back with the transaction when another triager was first.
		if (!ok) throw new TriageLost();
	};
	try {
		switch (decision.action) {
			case 'card': {
				if (!mayRouteTo(ctx.principal, decision.agency) || !ctx.agencies.some((a) => a.code === decision.agency)) return refuse('agency', 403);
				const cardId = newId();
				await services.writeDocuments(
					user.id,
					[
						{
							doc: agencyDocName(ctx.event.id, decision.agency),
							change: (doc) => {
								addCard(doc, cardId, {
									title: decision.title,
									notes: report.body,
									priority: decision.priority,
									status: 'todo',
									agency: decision.agency,
									createdBy: user.id,
									createdAt: now.toISOString()
								});
								if (report.pin) setPin(doc, 'cards', cardId, report.pin);
							}
						}
					],
					async (tx) => {
						stillWaiting(await markTriaged(tx, ctx.event.id, reportId, { state: 'card', by: user.id, at: now, cardAgency: decision.agency, cardId }));
						await linkPhotos(tx, decision.agency, cardId);
					}
				);
				break;
			}
			case 'attach': {
				if (!mayRouteTo(ctx.principal, decision.agency) || !ctx.agencies.some((a) => a.code === decision.agency)) return refuse('agency', 403);
				const doc = await services.readDocument(agencyDocName(ctx.event.id, decision.agency));
				if (!(cardsOf(doc).get(decision.cardId) instanceof Y.Map)) return refuse('cardId', 404);
				await db.transaction().execute(async (tx) => {
					stillWaiting(await markTriaged(tx, ctx.event.id, reportId, { state: 'attached', by: user.id, at: now, cardAgency: decision.agency, cardId: decision.cardId }));
					await linkPhotos(tx, decision.agency, decision.cardId);
				});
				break;
			}
			case 'playbook': {
				// 按预案处置: the playbook's cards in every agency at once; the report joins the first, its pin and photos with it.
				const agencies = ctx.agencies.map((a) => a.code);
				const playbook = await findPlaybook(db, ctx.event.id, decision.playbookId, agencies);
				if (!playbook) return refuse('playbook', 404);
				if (playbookRunRefusal(ctx.principal, playbook, ctx.event.status)) return refuse('playbook', 403);
				const nameOf = new Map(ctx.agencies.map((a) => [a.code, a.nameZh]));
				const run = preparePlaybookRun(playbook, { eventId: ctx.event.id, timezone: ctx.event.timezone, user: { id: user.id, displayName: user.displayName ?? '' }, now, agencyName: (code) => nameOf.get(code) ?? code });
				const first = run.drafts[0];
				const writes = run.writes.map((w) =>
					w.doc === agencyDocName(ctx.event.id, first.agency)
						? { doc: w.doc, change: (doc: Y.Doc) => { w.change(doc); if (report.pin) setPin(doc, 'cards', first.cardId, report.pin); } }
						: w
				);
				await services.writeDocuments(user.id, writes, async (tx) => {
					stillWaiting(await markTriaged(tx, ctx.event.id, reportId, { state: 'card', by: user.id, at: now, cardAgency: first.agency, cardId: first.cardId }));
					await linkPhotos(tx, first.agency, first.cardId);
					await run.activity(tx);
				});
				break;
			}
			case 'duplicate': {
				if (decision.of === reportId) return refuse('sameReport');
				if (!(await getReport(db, ctx.event.id, decision.of))) return refuse('of', 404);
				stillWaiting(await markTriaged(db, ctx.event.id, reportId, { state: 'duplicate', by: user.id, at: now, duplicateOf: decision.of }));
				break;
			}
			case 'close':
				stillWaiting(await markTriaged(db, ctx.event.id, reportId, { state: 'closed', by: user.id, at: now, reason: decision.reason }));
				break;
		}
	} catch (err) {
		if (err instanceof TriageLost) return refuse('alreadyTriaged', 409);
		throw err;
	}
	if (!won) return refuse('alreadyTriaged', 409);
	const [view] = await reportViews(db, ctx, [reportId]);
	services.reportChanged(ctx.event.id, { reportId, state: view.state, fresh: false }, report.reporterId);
	if (decision.action === 'card' || decision.action === 'attach' || decision.action === 'playbook') services.attachmentsChanged(ctx.event.id, { target: 'card', targetId: view.cardId! });
	return { ok: true, report: view };
}

class TriageLost extends Error {}

/**
 * Attaches uploaded files to a card or a dispute entry of an agency (images and PDFs), marked as showing people
 * when the uploader says so.
 */
export async function attachFiles(
	services: AppServices,
	ctx: EventContext,
	user: { id: string },
	target: { target: 'card' | 'dispute'; targetId: string; agency: string },
	uploads: Array<{ uploadId: string; name: string; people: boolean }>
): Promise<{ ok: true; ids: string[] } | Refused> {
	const db = services.db;
	if (ctx.event.status === 'closed') return refuse('eventClosed', 409);
	if (!isId(target.targetId) || !isId(target.agency) || !ctx.agencies.some((a) => a.code === target.agency)) return refuse('target', 404);
	if (!mayAttach(ctx.principal, target.agency, ctx.event.status)) return refuse('forbidden', 403);
	if (!uploads.length) return refuse('incomplete');
	if (uploads.length > MAX_PHOTOS_PER_REPORT) return refuse('tooManyPhotos');
	const doc = await services.readDocument(agencyDocName(ctx.event.id, target.agency));
	const root = doc.getMap(target.target === 'card' ? 'cards' : 'disputes');
	if (!(root.get(target.targetId) instanceof Y.Map)) return refuse('target', 404);
	const files = await prepareUploads(db, ctx, user.id, uploads.map((u) => u.uploadId), 'imagesAndPdf');
	if (!Array.isArray(files)) return files;
	await db.transaction().execute(async (tx) => {
		for (const [i, f] of files.entries()) {
			await putAttachment(tx, { id: f.id, eventId: ctx.event.id, kind: f.mime === 'application/pdf' ? 'file' : 'photo', mime: f.mime, bytes: f.bytes, width: f.width, height: f.height, thumbnail: f.thumbnail, createdBy: user.id });
			await linkAttachment(tx, { eventId: ctx.event.id, attachmentId: f.id, target: target.target, targetId: target.targetId, agency: target.agency, name: cleanName(uploads[i].name), people: uploads[i].people, createdBy: user.id });
		}
		await dropUploads(tx, ctx.event.id, user.id, uploads.map((u) => u.uploadId));
	});
	services.attachmentsChanged(ctx.event.id, { target: target.target, targetId: target.targetId });
	return { ok: true, ids: files.map((f) => f.id) };
}

/** A file's name as shown: no path, no control characters, at most 120 characters. */
export function cleanName(name: string): string {
	const base = name.split(/[\\/]/).pop() ?? '';
	return [...base.replace(/[\u0000-\u001f\u007f]/g, '').trim()].slice(0, 120).join('');
}

/** May this principal see a stored file of the event, given every way it is attached? */
export function mayViewFile(p: EventContext['principal'], links: AttachmentLink[]): boolean {
	return links.some((l) => mayViewAttachment(p, l));
}
