/** The record as a zip of CSV tables (UTF-8 with a byte-order mark, so spreadsheet programs read Chinese). */
import { zipSync, strToU8 } from 'fflate';
import type { AfterActionRecord } from '../../domain/after-action.ts';
import type { Party } from './collect.ts';
import { guardCell } from '../../domain/csv-format.ts';
import { attachmentsOf, reportsOf } from './render-reports.ts';
import { isDrill } from './render-exercise.ts';
import type { Comparison } from '../../domain/record-comparison.ts';

function csvCell(v: unknown): string {
	let s = v === null || v === undefined ? '' : String(v);
	if (typeof v === 'string') s = guardCell(s);
	return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(header: string[], rows: unknown[][]): string {
	return '\uFEFF' + [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

export function recordCsvZip(
	record: AfterActionRecord,
	sha256: string,
	parties: Party[] | null,
	onProgress?: (f: number) => void,
	comparison: Comparison | null = null
): Uint8Array {
	const files: Record<string, Uint8Array> = {};
	const add = (name: string, header: string[], rows: unknown[][]) => (files[name] = strToU8(toCsv(header, rows)));
	const drill = isDrill(record);
	// Every table can travel alone, so each says what kind of event it comes from; a drill's is unmistakable.
	add('event.csv', ['id', 'name', 'kind', 'starts_at', 'ends_at', 'timezone'], [[record.event.id, record.event.name, drill ? 'drill 演练' : 'real', record.event.startsAt, record.event.endsAt, record.event.timezone]]);
	if (drill) {
		const rows: unknown[][] = [];
		for (const o of record.exercise?.objectives ?? []) {
			for (const c of o.capabilities) rows.push(['capability', o.id, o.text, c.name, c.rating ?? '']);
			for (const x of o.strengths) rows.push(['strength', o.id, o.text, x, '']);
			for (const x of o.improvements) rows.push(['improvement', o.id, o.text, x, '']);
		}
		add('exercise.csv', ['kind', 'objective_id', 'objective', 'text', 'rating'], rows);
	}
	if (comparison?.state === 'shown') {
		add('comparison.csv', ['figure', 'this_time', 'last_time', 'last_event'], comparison.rows.map((r) => [r.figure, r.current, r.previous, comparison.previous.name]));
	}
	add('cards.csv', ['id', 'agency', 'title', 'status', 'priority', 'team_id', 'assignees', 'created_at', 'due_at', 'done_at', 'requested_by', 'archived'],
		record.cards.map((c) => [c.id, c.agency, c.title, c.status, c.priority, c.teamId, c.assignees.join(' '), c.createdAt, c.dueAt, c.doneAt, c.requestedBy, c.archived]));
	onProgress?.(0.2);
	const shiftRows: unknown[][] = [];
	for (const p of record.ics204) for (const post of p.posts) for (const s of post.shifts) for (const person of s.people) {
		shiftRows.push([p.period.name, post.post.name, post.post.agency, s.startsAt, s.endsAt, person.name, person.role]);
	}
	add('assignments.csv', ['period', 'post', 'agency', 'starts_at', 'ends_at', 'person', 'role'], shiftRows);
	add('disputes.csv', ['id', 'agency', 'summary', 'category', 'risk', 'status', 'level', 'parties_masked', 'escalations'],
		record.disputes.map((d) => [d.id, d.agency, d.summary, d.category, d.risk, d.status, d.level, d.partiesMasked, d.escalations]));
	const ackRows: unknown[][] = [];
	for (const i of record.instructions) for (const r of i.recipients) ackRows.push([i.id, i.createdAt, i.senderName, i.priority, i.body, i.ackBy, r.name, r.agencyCode, r.ackedAt]);
	add('instructions.csv', ['instruction_id', 'sent_at', 'sender', 'priority', 'body', 'ack_by', 'recipient', 'recipient_agency', 'acked_at'], ackRows);
	onProgress?.(0.4);
	add('activity.csv', ['at', 'agency', 'who', 'entity_type', 'entity_id', 'action', 'field', 'from', 'to'],
		record.timeline.map((a) => [a.at, a.agency, a.who, a.entityType, a.entityId, a.action, a.field, a.from, a.to]));
	onProgress?.(0.8);
	const f = record.findings;
	add('findings.csv', ['kind', 'id', 'text_or_area', 'observation_or_action', 'root_cause_or_agency', 'contact', 'due_date', 'improvement_id'], [
		...f.strengths.map((s) => ['strength', s.id, s.text, '', '', '', '', '']),
		...f.improvements.map((s) => ['improvement', s.id, s.area, s.observation, s.rootCause, '', '', '']),
		...f.plan.map((p) => ['plan', p.id, '', p.action, p.agency, p.contact, p.dueDate, p.improvementId ?? ''])
	]);
	const cf = record.figures;
	add('figures.csv', ['figure', 'value'], [
		...(drill ? [['drill', 'true']] : []),
		['cards_total', cf.cards.total], ['cards_done', cf.cards.done], ['cards_overdue', cf.cards.overdue], ['cards_done_late', cf.cards.doneLate],
		['minutes_to_done_median', cf.cards.minutesToDone.median], ['minutes_to_done_p90', cf.cards.minutesToDone.p90],
		['shifts_planned', cf.shifts.planned], ['shifts_staffed', cf.shifts.staffed], ['checkins_punctual', cf.shifts.punctual],
		['checkins_late', cf.shifts.late], ['no_shows', cf.shifts.noShows], ['uncovered_post_hours', cf.shifts.uncoveredPostHours],
		['disputes_screened', cf.disputes.screened], ['disputes_resolved', cf.disputes.resolved], ['disputes_escalated', cf.disputes.escalated],
		['instructions_sent', cf.instructions.sent], ['instruction_recipients', cf.instructions.recipients], ['instructions_acknowledged', cf.instructions.acknowledged],
		['seconds_to_ack_median', cf.instructions.secondsToAck.median], ['seconds_to_ack_p90', cf.instructions.secondsToAck.p90],
		...(cf.reports
			? [
					['reports_total', cf.reports.total], ['reports_waiting', cf.reports.waiting], ['reports_waiting_overdue', cf.reports.waitingOverdue],
					...Object.entries(cf.reports.byKind).map(([k, n]) => [`reports_kind_${k}`, n]),
					...Object.entries(cf.reports.byState).map(([k, n]) => [`reports_state_${k}`, n]),
					['triage_minutes_median', cf.reports.medianTriageMinutes], ['triage_minutes_p90', cf.reports.p90TriageMinutes], ['triage_minutes_slowest', cf.reports.slowestTriageMinutes]
				]
			: [])
	]);
	add('reports.csv', ['id', 'kind', 'state', 'text', 'level', 'head_count', 'reporter', 'reporter_agency', 'reported_at', 'received_at', 'triaged_at', 'triaged_by', 'card_agency', 'card_title', 'duplicate_of', 'reason', 'pin_x', 'pin_y', 'photos'],
		reportsOf(record).map((r) => [r.id, r.kind, r.state, r.text, r.level, r.headCount, r.reporterName, r.reporterAgency, r.reportedAt, r.receivedAt, r.triagedAt, r.triagedBy, r.cardAgency, r.cardTitle, r.duplicateOf, r.reason, r.pin?.[0], r.pin?.[1], r.photos.join(' ')]));
	add('attachments.csv', ['sha256', 'target', 'target_id', 'target_name', 'agency', 'name', 'mime', 'size', 'people'],
		attachmentsOf(record).map((a) => [a.sha256, a.target, a.targetId, a.targetName, a.agency, a.name, a.mime, a.size, a.people]));
	if (parties) {
		add('parties.csv', ['dispute_id', 'name', 'phone', 'id_number', 'address', 'note'], parties.map((p) => [p.disputeId, p.name, p.phone, p.idNumber, p.address, p.note]));
	}
	files['record.sha256.txt'] = strToU8(`${sha256}  record.json\n`);
	onProgress?.(0.95);
	return zipSync(files, { level: 6 });
}
