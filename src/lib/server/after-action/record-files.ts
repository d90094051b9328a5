/**
 * The files attached to an event's reports, cards and dispute entries, as the record and its exports see them: each
 * link named in words, and for each exporter the ones they may see — those the record lists, and beyond them the
 * annex an exporter entitled to it receives (files showing people for the cleared, dispute entries' files for the
 * commander). Access is the one rule of `mayViewAttachment`.
 */
import type { Kysely } from 'kysely';
import sharp from 'sharp';
import type { DB } from '../db/schema.ts';
import type { Principal } from '../../domain/permissions.ts';
import { mayViewAttachment, type AttachmentLink } from '../../domain/field-reports.ts';
import { recordListsAttachment, type RecordAttachment } from '../../domain/record-reports.ts';
import { getAttachment, listAttachments } from '../repositories/attachment.repository.ts';
import { reportsOf, type Thumbnail } from './render-reports.ts';
import type { AfterActionRecord } from '../../domain/after-action.ts';

/** A file's link in words, with the link access is decided by. */
export interface NamedLink {
	entry: RecordAttachment;
	link: AttachmentLink;
}

/** What the targets are called: the record's (or its inputs') cards, dispute entries and reports. */
export interface TargetNames {
	cards: Array<{ id: string; title: string }>;
	disputes: Array<{ id: string; summary: string }>;
	reports: Array<{ id: string; text: string }>;
}

/** A report's text as the name of what its photos hang on: the first line, at most 60 characters. */
function reportName(text: string): string {
	const line = text.split('\n')[0].trim();
	const chars = [...line];
	return chars.length > 60 ? `${chars.slice(0, 59).join('')}…` : line;
}

/** Every file link of the event, oldest first, named from `names`. */
export async function namedLinks(db: Kysely<DB>, eventId: string, names: TargetNames): Promise<NamedLink[]> {
	const cards = new Map(names.cards.map((c) => [c.id, c.title]));
	const disputes = new Map(names.disputes.map((d) => [d.id, d.summary]));
	const reports = new Map(names.reports.map((r) => [r.id, reportName(r.text)]));
	const rows = await listAttachments(db, eventId);
	return rows.map((f) => ({
		entry: {
			sha256: f.id,
			target: f.target,
			targetId: f.targetId,
			targetName: (f.target === 'card' ? cards : f.target === 'dispute' ? disputes : reports).get(f.targetId) ?? '',
			agency: f.agency,
			name: f.name,
			mime: f.mime,
			size: f.size,
			people: f.people
		},
		link: { target: f.target, targetId: f.targetId, agency: f.agency, people: f.people, onWall: f.onWall, reporterId: f.reporterId }
	}));
}

/** The links the record itself lists. */
export function recordLinks(links: NamedLink[]): RecordAttachment[] {
	return links.filter((l) => recordListsAttachment(l.link)).map((l) => l.entry);
}

/**
 * The links an exporter may see that the record does not list: the annex of their exports, outside the record's
 * hash. Empty for a reviewer not cleared for personal data.
 */
export function annexLinks(links: NamedLink[], exporter: Principal): RecordAttachment[] {
	return links.filter((l) => !recordListsAttachment(l.link) && mayViewAttachment(exporter, l.link)).map((l) => l.entry);
}

/**
 * The annex of one exporter, named from the record: the files they may see that the record does not list. The
 * record's own list is frozen with it; the annex is read at export time, as the parties are.
 */
export async function exporterAnnex(db: Kysely<DB>, record: AfterActionRecord, exporter: Principal): Promise<RecordAttachment[]> {
	return annexLinks(await namedLinks(db, record.event.id, { cards: record.cards, disputes: record.disputes, reports: reportsOf(record) }), exporter);
}

/** At most this many photos are shown as thumbnails in a PDF or DOCX; the files export carries every file. */
export const THUMBNAIL_CAP = 300;

/**
 * The thumbnails (at most 320 px) of the photos among `files`, once per photo, up to THUMBNAIL_CAP. Read here, where
 * sharp measures them off the event loop, so the renderers need not decode anything.
 */
export async function thumbnailsOf(db: Kysely<DB>, eventId: string, files: RecordAttachment[]): Promise<Thumbnail[]> {
	const ids = [...new Set(files.filter((f) => f.mime.startsWith('image/')).map((f) => f.sha256))].slice(0, THUMBNAIL_CAP);
	const out: Thumbnail[] = [];
	for (const id of ids) {
		const thumb = await getAttachment(db, eventId, id, { thumbnail: true });
		if (!thumb) continue;
		const meta = await sharp(thumb.bytes).metadata().catch(() => null);
		if (!meta?.width || !meta.height || (meta.format !== 'jpeg' && meta.format !== 'png')) continue;
		out.push({ sha256: id, bytes: thumb.bytes, type: meta.format === 'jpeg' ? 'jpg' : 'png', width: meta.width, height: meta.height });
	}
	return out;
}
