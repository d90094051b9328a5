import { error } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { loadEventContext } from '$lib/server/event-context';
import { readRegister } from '$lib/server/dispute-register';
import { compareDisputes, filterFromParams, matchesFilter } from '$lib/domain/disputes';
import { exportRows } from '$lib/domain/dispute-csv';
import { toCsv } from '$lib/domain/csv-format';
import { agencyName } from '$lib/i18n';
import { csvVocabulary } from '../csv-vocabulary';
import { m } from '$lib/paraglide/messages';
import { userActor, writeAudit } from '$lib/server/repositories/audit.repository';

/**
 * GET /events/<id>/disputes/export[?filters]: the register as CSV, filtered and sorted as the list shows it.
 * Parties' personal data is written only for an exporter cleared to read it; everyone else gets the masked form.
 * `?template=1` gives the header row alone, as a template to fill in for an import.
 */
export const GET: RequestHandler = async ({ locals, params, url, getClientAddress }) => {
	if (!locals.user) error(401, { message: m.error_sign_in_first() });
	const ctx = await loadEventContext(locals.db, params.id, locals.user);
	if (!ctx) error(404, { message: m.error_event_not_member() });
	const register = await readRegister(locals.services, ctx.event.id, ctx.access);
	const filter = filterFromParams(url.searchParams);
	const now = Date.now();
	const teamName = (id: string | null) => (id ? (ctx.teams.find((t) => t.id === id)?.name ?? '') : '');
	const partiesText = (id: string) => (register.parties?.(id) ?? []).map((p) => `${p.name} ${p.phone} ${p.idNumber}`).join(' ');
	const entries = url.searchParams.get('template')
		? []
		: register.entries.filter((d) => matchesFilter(d, filter, now, filter.q ? partiesText(d.id) : '')).sort(compareDisputes(filter.sort, teamName));
	const rows = exportRows(entries, {
		vocabulary: csvVocabulary(),
		timezone: ctx.event.timezone,
		cleared: register.parties !== null,
		parties: (id) => register.parties?.(id) ?? [],
		agencyName: (code) => agencyName(ctx.agencies.find((a) => a.code === code)) || code,
		teamName
	});
	if (register.parties !== null && entries.length > 0) {
		await writeAudit(locals.db, {
			actor: userActor(locals.user),
			action: 'export.personal',
			target: { kind: 'disputeRegister', id: ctx.event.id, name: ctx.event.name },
			eventId: ctx.event.id,
			details: { format: 'csv', entries: entries.length },
			ip: getClientAddress()
		});
	}
	const day = new Intl.DateTimeFormat('en-CA', { timeZone: ctx.event.timezone }).format(new Date(now));
	const name = url.searchParams.get('template') ? `disputes-template.csv` : `disputes-${ctx.event.id}-${day}.csv`;
	return new Response(toCsv(rows), {
		headers: {
			'content-type': 'text/csv; charset=utf-8',
			'content-disposition': `attachment; filename="${name}"`,
			// Personal data for the cleared: no shared cache may keep it.
			'cache-control': 'no-store'
		}
	});
};
