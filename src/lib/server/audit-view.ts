/** The audit log's lines as pages get them: plain values, times as ISO strings. */
import type { AuditRow } from './repositories/audit.repository.ts';

/** The zone for lines that belong to no event (sign-ins, accounts): the home zone of the installation. */
export const AUDIT_HOME_ZONE = 'Asia/Shanghai';

export function auditRowsView(rows: AuditRow[]) {
	return rows.map((r) => ({
		id: r.id,
		at: r.at.toISOString(),
		actorKind: r.actorKind,
		actorName: r.actorName,
		action: r.action,
		targetName: r.targetName,
		eventName: r.eventName,
		eventTimezone: r.eventTimezone,
		details: r.details,
		ip: r.ip
	}));
}
