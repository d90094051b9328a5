/** `audit export` and `purge`: the audit log out of the database, and the purge of personal data that is due. */
import { writeFile } from 'node:fs/promises';
import { sql } from 'kysely';
import { toCsv } from '../../src/lib/domain/csv-format.ts';
import { listAudit, type AuditRow } from '../../src/lib/server/repositories/audit.repository.ts';
import { eventsDueForPurge, purgeDueEvents, purgeEventPersonalData } from '../../src/lib/server/personal-data-purge.ts';
import { restrictedDocName } from '../../src/lib/domain/documents.ts';
import { readConfig } from '../config.ts';
import { REVOKE_CHANNEL } from '../fanout.ts';
import type { CommandHandler } from './context.ts';
import { badInput, optionText } from './context.ts';
import { requireEvent } from './event-commands.ts';

/** No page limit here: the export is the whole log (or the whole of one event's part). */
const EXPORT_LIMIT = 10_000_000;

const CSV_HEADER = ['id', 'at', 'actor_kind', 'actor_id', 'actor_name', 'action', 'target_kind', 'target_id', 'target_name', 'event_id', 'event_name', 'details', 'ip'];

function csvRow(r: AuditRow): string[] {
	return [
		r.id,
		r.at.toISOString(),
		r.actorKind,
		r.actorId ?? '',
		r.actorName,
		r.action,
		r.targetKind ?? '',
		r.targetId ?? '',
		r.targetName ?? '',
		r.eventId ?? '',
		r.eventName ?? '',
		JSON.stringify(r.details),
		r.ip ?? ''
	];
}

/** A date (YYYY-MM-DD, the start of that day in UTC) or an ISO moment. */
function parseSince(value: string): Date {
	const d = new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
	if (Number.isNaN(d.getTime())) throw badInput(`--since must be a date (2026-12-01) or an ISO time; got "${value}".`);
	return d;
}

const exportAudit: CommandHandler = async (ctx, cmd) => {
	const eventId = optionText(cmd, 'event');
	if (eventId) await requireEvent(ctx, eventId);
	const since = optionText(cmd, 'since');
	// Oldest first, as a log is read.
	const rows = (await listAudit(ctx.db, { eventId, since: since ? parseSince(since) : undefined, limit: EXPORT_LIMIT })).reverse();
	const format = optionText(cmd, 'format') ?? 'csv';
	const text =
		format === 'json'
			? `${JSON.stringify(rows.map((r) => ({ ...r, at: r.at.toISOString() })), null, 2)}\n`
			: toCsv([CSV_HEADER, ...rows.map(csvRow)]);
	const out = optionText(cmd, 'out');
	if (out) {
		await writeFile(out, text);
		process.stderr.write(`Wrote ${rows.length} audit line${rows.length === 1 ? '' : 's'} to ${out}.\n`);
	} else {
		process.stdout.write(text);
	}
};

const purge: CommandHandler = async (ctx, cmd) => {
	const days = readConfig().personalData.days;
	if (cmd.options['dry-run'] === true) {
		const due = await eventsDueForPurge(ctx.db, days);
		if (due.length === 0) {
			ctx.print(`No closed event is due: personal data is kept ${days} days after an event closes (PERSONAL_DATA_DAYS).`);
			return;
		}
		const results = [];
		for (const e of due) {
			const r = await purgeEventPersonalData(ctx.db, e.eventId, ctx.actor, { dryRun: true });
			if (r) results.push(r);
		}
		if (cmd.json) {
			ctx.printJson(results);
			return;
		}
		for (const r of results) ctx.print(`Would purge ${r.name}: ${r.parties} parties in ${r.disputesWithParties} disputes, ${r.positions} positions, ${r.photos} photos of people.`);
		ctx.print('Nothing changed (--dry-run).');
		return;
	}
	const results = await purgeDueEvents(ctx.db, days, ctx.actor, {
		// Running servers on the same PostgreSQL drop what they hold of the document in memory.
		purged: async (r) => {
			await sql`select pg_notify(${REVOKE_CHANNEL}, ${JSON.stringify({ i: 'cli', dropDoc: restrictedDocName(r.eventId) })})`.execute(ctx.db);
		}
	});
	if (cmd.json) {
		ctx.printJson(results);
		return;
	}
	if (results.length === 0) ctx.print(`No closed event is due: personal data is kept ${days} days after an event closes (PERSONAL_DATA_DAYS).`);
	for (const r of results) ctx.print(`Purged ${r.name}: ${r.parties} parties in ${r.disputesWithParties} disputes, ${r.positions} positions, ${r.photos} photos of people.`);
};

export const AUDIT_COMMANDS: Record<string, CommandHandler> = {
	'audit export': exportAudit,
	purge
};
