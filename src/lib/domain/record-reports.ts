/**
 * Field reports and attached files in the after-action record: what the record keeps of each report and file, who
 * the record's own list of files is for, and the report figures as of the record's moment. Pure, like the builder.
 */
import { mayViewAttachment, reportFigures, type AttachmentLink, type ReportFigures, type ReportKind, type ReportState } from './field-reports.ts';
import type { Principal } from './permissions.ts';

/** A report as the record keeps it: people by name, times as ISO strings, the outcome in words and codes. */
export interface RecordReport {
	id: string;
	kind: ReportKind;
	state: ReportState;
	text: string;
	level: number | null;
	headCount: number | null;
	reporterName: string | null;
	/** The reporter's agency code; the record's overview names it in both languages. */
	reporterAgency: string | null;
	reportedAt: string;
	receivedAt: string;
	triagedAt: string | null;
	triagedBy: string | null;
	/** The card it became or joined, by title (its id links to the record's cards). */
	cardTitle: string | null;
	cardAgency: string | null;
	cardId: string | null;
	/** The report it repeats. */
	duplicateOf: string | null;
	/** Why it was closed without action. */
	reason: string | null;
	pin: number[] | null;
	/** SHA-256 of the report's photos that the record lists (see `recordListsAttachment`). */
	photos: string[];
}

/** One file attached to one report, card or dispute entry (a file attached to two is two of these). */
export interface RecordAttachment {
	sha256: string;
	target: AttachmentLink['target'];
	targetId: string;
	/** What it hangs on in words: the card's title, the dispute entry's summary, the report's text. */
	targetName: string;
	agency: string | null;
	/** The name it was attached under ('' for a report's photo, which has none). */
	name: string;
	mime: string;
	size: number;
	/** Shows people: personal data. */
	people: boolean;
}

/**
 * The least-entitled reader of the record: a reviewer not cleared for personal data (the commander reads at least
 * as much). The record is one document with one hash for all its readers, so its list of files is what this reader
 * may see; a file beyond that — one showing people, or a dispute entry's — reaches an exporter entitled to it as an
 * annex outside the hash, as the dispute parties do.
 */
const RECORD_READER: Principal = { kind: 'user', userId: '', isAdmin: false, clearedPersonalData: false, membership: { role: 'reviewer', agencyCode: null } };

/** Does the record itself list a file attached this way? */
export function recordListsAttachment(link: AttachmentLink): boolean {
	return mayViewAttachment(RECORD_READER, link);
}

/** The reports' figures as of the record's moment, through the one definition (`reportFigures`). */
export function recordReportFigures(reports: RecordReport[], asOf: number): ReportFigures {
	return reportFigures(
		reports.map((r) => ({
			kind: r.kind,
			state: r.state,
			reportedAt: new Date(r.reportedAt),
			receivedAt: new Date(r.receivedAt),
			triagedAt: r.triagedAt ? new Date(r.triagedAt) : null
		})),
		new Date(asOf)
	);
}

/** A file's extension by its type, for naming it by its hash. */
export function fileExtension(mime: string): string {
	switch (mime) {
		case 'image/jpeg':
			return 'jpg';
		case 'image/png':
			return 'png';
		case 'image/webp':
			return 'webp';
		case 'application/pdf':
			return 'pdf';
		default:
			return 'bin';
	}
}
