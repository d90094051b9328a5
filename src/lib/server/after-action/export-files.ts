/**
 * The files export: a zip of the photos and files an exporter may see, each named by the SHA-256 of its bytes with
 * its extension, with a manifest (CSV and JSON) of hash, size, type, what it hangs on in words and whether it shows
 * people; a SHA256SUMS that `sha256sum -c` checks; and the record's hash, which ties the bundle to the record.
 */
import { createHash } from 'node:crypto';
import { strToU8, Zip, ZipDeflate, ZipPassThrough } from 'fflate';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { AfterActionRecord } from '../../domain/after-action.ts';
import { fileExtension, type RecordAttachment } from '../../domain/record-reports.ts';
import { getAttachment } from '../repositories/attachment.repository.ts';
import { toCsv } from './export-csv.ts';
import { placedFiles, targetKey, targetLabels } from './render-reports.ts';
import type { Locale } from './labels.ts';

export const FILES_FORMAT = 'liandong.record-files/1';

/** One file of the bundle as its manifest lists it. */
export interface ManifestEntry {
	sha256: string;
	file: string;
	size: number;
	mime: string;
	/** Shows people (personal data), by any of its links. */
	people: boolean;
	/** Listed by the record itself; false for a file of the exporter's annex, outside the record's hash. */
	inRecord: boolean;
	attachedTo: Array<{ target: RecordAttachment['target']; name: string; agency: string | null }>;
}

/**
 * Builds the bundle. Files are read and added one at a time, with a turn of the event loop between them, and stored
 * as they are (photos are JPEG already: compressing them again gains nothing and costs time on the shared thread).
 */
export async function recordFilesZip(
	db: Kysely<DB>,
	record: AfterActionRecord,
	recordSha256: string,
	annex: RecordAttachment[],
	locale: Locale,
	onProgress?: (f: number) => void
): Promise<Uint8Array> {
	const files = placedFiles(record, annex);
	const labels = targetLabels(record, files, locale);
	const byHash = new Map<string, typeof files>();
	for (const f of files) byHash.set(f.sha256, [...(byHash.get(f.sha256) ?? []), f]);

	const chunks: Uint8Array[] = [];
	let failure: Error | null = null;
	const zip = new Zip((err, chunk) => {
		if (err) failure = err;
		else chunks.push(chunk);
	});
	// Entries dated at the record's moment, not at the export: the same record gives the same listing.
	const mtime = new Date(record.asOf ?? record.event.closedAt ?? Date.now());
	const addText = (name: string, text: string) => {
		const entry = new ZipDeflate(name, { level: 6 });
		entry.mtime = mtime;
		zip.add(entry);
		entry.push(strToU8(text), true);
	};

	const manifest: ManifestEntry[] = [];
	let done = 0;
	for (const [id, links] of byHash) {
		const stored = await getAttachment(db, record.event.id, id);
		done++;
		if (!stored) continue;
		// The name and the manifest carry the hash of the bytes in the bundle, computed here, not the stored address.
		const sha256 = createHash('sha256').update(stored.bytes).digest('hex');
		const file = `files/${sha256}.${fileExtension(stored.mime)}`;
		const entry = new ZipPassThrough(file);
		entry.mtime = mtime;
		zip.add(entry);
		entry.push(stored.bytes, true);
		manifest.push({
			sha256,
			file,
			size: stored.bytes.length,
			mime: stored.mime,
			people: links.some((l) => l.people),
			inRecord: links.some((l) => !l.outside),
			attachedTo: links.map((l) => ({ target: l.target, name: labels.get(targetKey(l)) ?? l.targetName, agency: l.agency }))
		});
		onProgress?.((0.95 * done) / byHash.size);
		await new Promise<void>((resolve) => setImmediate(resolve));
		if (failure) throw failure;
	}

	addText(
		'manifest.json',
		JSON.stringify({ format: FILES_FORMAT, event: { id: record.event.id, name: record.event.name }, recordSha256, status: record.status, files: manifest }, null, 2) + '\n'
	);
	addText(
		'manifest.csv',
		toCsv(
			['sha256', 'file', 'size', 'mime', 'people', 'in_record', 'attached_to'],
			manifest.map((m) => [m.sha256, m.file, m.size, m.mime, m.people, m.inRecord, m.attachedTo.map((a) => a.name).join('；')])
		)
	);
	addText('SHA256SUMS', manifest.map((m) => `${m.sha256}  ${m.file}\n`).join(''));
	addText('record.sha256.txt', `${recordSha256}  record.json\n`);
	zip.end();
	if (failure) throw failure;
	onProgress?.(1);
	const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
	let at = 0;
	for (const c of chunks) {
		out.set(c, at);
		at += c.length;
	}
	return out;
}
