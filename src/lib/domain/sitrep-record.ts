/**
 * Situation reports in the after-action record: each issued report (title, time, who, hash) among the key figures,
 * in the timeline, and in every agency's ICS 214 log — it was sent to all of them as an instruction to acknowledge.
 * Their words come from activity-words ("警情通报「…」 · 已下发，SHA-256 …"). Pure.
 */
import type { RecordActivity } from './after-action.ts';

export interface RecordSitrep {
	id: string;
	title: string;
	/** The operational period's name, or null for a report on demand. */
	period: string | null;
	issuedAt: string;
	issuedBy: string | null;
	sha256: string;
}

/** One log entry per issued report, filed under `agency` (null: the command's timeline). */
export function sitrepEntries(reports: RecordSitrep[], agency: string | null): RecordActivity[] {
	return reports.map((r) => ({ at: r.issuedAt, agency, who: r.issuedBy, entityType: 'sitrep', entityId: r.id, action: 'issued', field: 'sha256', from: null, to: r.sha256 }));
}

/**
 * The log (oldest first) with entries merged in by time; at one moment the log's rows come first. Both hold UTC ISO
 * strings of one length, which compare as strings; a merge, not a sort, since a large event's log is long.
 */
export function mergeByTime(log: RecordActivity[], entries: RecordActivity[]): RecordActivity[] {
	if (!entries.length) return log;
	const sorted = [...entries].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
	const out: RecordActivity[] = [];
	let j = 0;
	for (const row of log) {
		while (j < sorted.length && sorted[j].at < row.at) out.push(sorted[j++]);
		out.push(row);
	}
	while (j < sorted.length) out.push(sorted[j++]);
	return out;
}
