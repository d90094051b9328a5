import { error, fail } from '@sveltejs/kit';
import type { Actions, PageServerLoad, RequestEvent } from './$types';
import { loadEventContext } from '$lib/server/event-context';
import { listMembers } from '$lib/server/repositories/event.repository';
import { agencyDocName, commandDocName } from '$lib/domain/documents';
import { mayEditShifts } from '$lib/domain/permissions';
import { readPeriods, readPosts, readShifts } from '$lib/domain/roster';
import { nameIndex, readRosterCsv, type CsvError, type RosterCsvContext } from '$lib/domain/roster-csv';
import { replaceRoster, savePeriod, savePost, type ShiftDraft } from '$lib/domain/roster-write';
import { readPeriodsCsv, readPostsCsv, type SetupChange, type SetupCsvError, type SetupCsvResult } from '$lib/domain/setup-csv';
import { listAgencies } from '$lib/server/repositories/agency.repository';
import type * as Y from 'yjs';
import { newId } from '$lib/domain/ids';
import { m } from '$lib/paraglide/messages';
import { isDatabaseUnavailable } from '$lib/server/db/database';

/** A roster of one agency is a few hundred rows; this bounds a mistaken upload, not a real roster. */
const MAX_FILE_BYTES = 2 * 1024 * 1024;

/** UTF-8 as the export writes it; a file saved by Excel on a Chinese Windows is GB18030, so that is read too. */
function decodeCsv(bytes: Uint8Array): string {
	try {
		return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
	} catch {
		return new TextDecoder('gb18030').decode(bytes);
	}
}

export const load: PageServerLoad = async ({ locals, params }) => {
	const ctx = locals.user ? await loadEventContext(locals.db, params.id, locals.user) : null;
	if (!ctx) error(404, { message: m.error_event_not_member() });
	const { event, principal, access } = ctx;
	return {
		importable: ctx.agencies.filter((a) => mayEditShifts(principal, event.id, a.code, event.status)).map((a) => a.code),
		// Posts and periods live in the command document, which only the commander writes.
		setupImportable: access.command === 'write',
		exportable: ctx.agencies.filter((a) => access.agencies[a.code] !== 'none').map((a) => a.code)
	};
};

type ImportFailure = { agency: string; fileName: string; errors: CsvError[]; message?: undefined };

type SetupTable = 'posts' | 'periods';
type SetupFailure = { table: SetupTable; fileName: string; errors: SetupCsvError[]; message?: undefined };

/**
 * Posts or periods from a CSV file into the command document, through the server's write path: checked against
 * the document, then checked again and written under the write's lock (the commander may have edited meanwhile),
 * all rows or none.
 */
async function importSetup(table: SetupTable, { locals, params, request }: RequestEvent) {
	const ctx = locals.user ? await loadEventContext(locals.db, params.id, locals.user) : null;
	if (!ctx || !locals.user) error(404, { message: m.error_event_not_member() });
	const form = await request.formData();
	const file = form.get('file');
	const fileName = file instanceof File ? file.name : '';
	if (ctx.access.command !== 'write') return fail(403, { table, fileName, message: 'forbidden' as const });
	if (!(file instanceof File) || file.size === 0) return fail(400, { table, fileName, message: 'noFile' as const });
	if (file.size > MAX_FILE_BYTES) return fail(400, { table, fileName, message: 'tooLarge' as const });
	const text = decodeCsv(new Uint8Array(await file.arrayBuffer()));
	const agencies = await listAgencies(locals.db);
	const read = (d: Y.Doc): SetupCsvResult<object> =>
		table === 'posts' ? readPostsCsv(text, { posts: readPosts(d), agencies }) : readPeriodsCsv(text, { timeZone: ctx.event.timezone, periods: readPeriods(d) });
	const doc = commandDocName(ctx.event.id);
	const first = read(await locals.services.readDocument(doc));
	if (!first.ok) return fail(400, { table, fileName, errors: first.errors } satisfies SetupFailure);

	const outcome: { late: SetupCsvError[] | null; counts: Record<SetupChange, number> | null } = { late: null, counts: null };
	try {
		await locals.services.writeDocuments(locals.user.id, [
			{
				doc,
				change: (d) => {
					const again = read(d);
					if (!again.ok) {
						outcome.late = again.errors;
						throw new Error('the posts or periods changed while importing');
					}
					outcome.counts = again.counts;
					d.transact(() => {
						for (const draft of again.drafts) {
							if (draft.change === 'same') continue;
							const id = draft.id ?? newId();
							if (table === 'posts') savePost(d, id, draft.fields);
							else savePeriod(d, id, draft.fields);
						}
					});
				}
			}
		]);
	} catch (err) {
		if (outcome.late) return fail(409, { table, fileName, errors: outcome.late } satisfies SetupFailure);
		if (isDatabaseUnavailable(err)) return fail(503, { table, fileName, message: 'unavailable' as const });
		locals.log.error({ err, table }, '[roster] setup import failed');
		return fail(500, { table, fileName, message: 'failed' as const });
	}
	return { setupImported: { table, fileName, counts: outcome.counts! } };
}

export const actions: Actions = {
	importPosts: async (event) => importSetup('posts', event),
	importPeriods: async (event) => importSetup('periods', event),
	import: async ({ locals, params, request }) => {
		const ctx = locals.user ? await loadEventContext(locals.db, params.id, locals.user) : null;
		if (!ctx || !locals.user) error(404, { message: m.error_event_not_member() });
		const form = await request.formData();
		const agency = String(form.get('agency') ?? '');
		const file = form.get('file');
		const fileName = file instanceof File ? file.name : '';
		// An agency the event does not have is one nobody edits: the commander may write every agency's document,
		// so without this a code made up in the form reached the hub as a document name.
		const known = ctx.agencies.some((a) => a.code === agency);
		if (!known || !mayEditShifts(ctx.principal, ctx.event.id, agency, ctx.event.status)) {
			return fail(403, { agency, fileName, message: 'forbidden' as const });
		}
		if (!(file instanceof File) || file.size === 0) return fail(400, { agency, fileName, message: 'noFile' as const });
		if (file.size > MAX_FILE_BYTES) return fail(400, { agency, fileName, message: 'tooLarge' as const });
		const text = decodeCsv(new Uint8Array(await file.arrayBuffer()));

		const services = locals.services;
		const command = await services.readDocument(commandDocName(ctx.event.id));
		const members = await listMembers(locals.db, ctx.event.id);
		const posts = readPosts(command);
		const periods = readPeriods(command);
		const base: Omit<RosterCsvContext, 'existing'> = {
			timeZone: ctx.event.timezone,
			posts: new Set(posts.map((p) => p.id)),
			periods: new Set(periods.map((p) => p.id)),
			postNames: nameIndex(posts),
			periodNames: nameIndex(periods),
			users: new Map(members.map((m) => [m.username.toLowerCase(), { id: m.userId, name: m.displayName }])),
			newId: () => newId()
		};
		const doc = agencyDocName(ctx.event.id, agency);
		const first = readRosterCsv(text, { ...base, existing: readShifts(await services.readDocument(doc), agency) });
		if (!first.ok) return fail(400, { agency, fileName, errors: first.errors } satisfies ImportFailure);

		// Checked again against the document as it is under the write's lock: a check-in may have come in since.
		const outcome: { late: CsvError[] | null; written: ShiftDraft[] } = { late: null, written: [] };
		try {
			await services.writeDocuments(locals.user.id, [
				{
					doc,
					change: (d) => {
						const again = readRosterCsv(text, { ...base, existing: readShifts(d, agency) });
						if (!again.ok) {
							outcome.late = again.errors;
							throw new Error('the roster changed while importing');
						}
						outcome.written = again.shifts;
						replaceRoster(d, again.shifts);
					}
				}
			]);
		} catch (err) {
			if (outcome.late) return fail(409, { agency, fileName, errors: outcome.late } satisfies ImportFailure);
			if (isDatabaseUnavailable(err)) return fail(503, { agency, fileName, message: 'unavailable' as const });
			// The file passed the import's own checks but not the document's: a gap between the two, so a bug.
			locals.log.error({ err, agency }, '[roster] import failed');
			return fail(500, { agency, fileName, message: 'failed' as const });
		}
		const { written } = outcome;
		return { imported: { agency, fileName, shifts: written.length, people: written.reduce((n, s) => n + s.people.length, 0) } };
	}
};
