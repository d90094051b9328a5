import { error, fail } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { loadEventContext } from '$lib/server/event-context';
import { readRegister } from '$lib/server/dispute-register';
import { parseCsv } from '$lib/domain/csv-format';
import { planImport, IMPORT_MAX_ROWS, type ImportError } from '$lib/domain/dispute-csv';
import { addDispute, setParties } from '$lib/domain/dispute-doc';
import { agencyDocName, restrictedDocName } from '$lib/domain/documents';
import type { DocWrite } from '$lib/server/services';
import { csvVocabulary } from '../csv-vocabulary';
import { m } from '$lib/paraglide/messages';

/** A register of a few thousand rows is well under this; anything bigger is not a register export. */
const MAX_BYTES = 2 * 1024 * 1024;

async function context(locals: App.Locals, eventId: string) {
	if (!locals.user) error(401, { message: m.error_sign_in_first() });
	const ctx = await loadEventContext(locals.db, eventId, locals.user);
	if (!ctx) error(404, { message: m.error_event_not_member() });
	return ctx;
}

/** The agencies whose register this user may write, their own first. */
function writable(ctx: Awaited<ReturnType<typeof context>>): string[] {
	const codes = ctx.agencies.map((a) => a.code).filter((c) => ctx.access.agencies[c] === 'write');
	return ctx.agencyCode && codes.includes(ctx.agencyCode) ? [ctx.agencyCode, ...codes.filter((c) => c !== ctx.agencyCode)] : codes;
}

/** Excel on Chinese Windows saves "CSV" in GB18030; everything else we meet is UTF-8. */
function decode(bytes: Uint8Array): string {
	try {
		return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
	} catch {
		return new TextDecoder('gb18030').decode(bytes);
	}
}

export const load: PageServerLoad = async ({ locals, params }) => {
	const ctx = await context(locals, params.id);
	return { writableAgencies: writable(ctx), maxRows: IMPORT_MAX_ROWS, mayImportParties: ctx.access.restricted === 'write' };
};

export const actions: Actions = {
	default: async ({ locals, params, request }) => {
		const ctx = await context(locals, params.id);
		const agencies = writable(ctx);
		if (!agencies.length) return fail(403, { errors: [{ row: 1, column: 'agency', code: 'forbidden', value: '' }] as ImportError[] });
		const file = (await request.formData()).get('file');
		if (!(file instanceof File) || file.size === 0) return fail(400, { missing: true as const });
		if (file.size > MAX_BYTES) return fail(400, { tooBig: true as const });
		const records = parseCsv(decode(new Uint8Array(await file.arrayBuffer())));
		const register = await readRegister(locals.services, ctx.event.id, ctx.access);
		const plan = planImport(records, {
			vocabulary: csvVocabulary(),
			timezone: ctx.event.timezone,
			now: new Date(),
			importerId: locals.user!.id,
			writableAgencies: agencies,
			agencies: ctx.agencies.map((a) => ({ code: a.code, names: [a.nameZh, a.nameEn] })),
			teams: ctx.teams,
			existingIds: new Set(register.entries.map((e) => e.id)),
			cleared: ctx.access.restricted === 'write'
		});
		if (!plan.ok) return fail(400, { errors: plan.errors, fileName: file.name });

		// One transaction for every document: all the rows are stored, or none is.
		const writes: DocWrite[] = [];
		for (const agency of new Set(plan.entries.map((e) => e.agency))) {
			const mine = plan.entries.filter((e) => e.agency === agency);
			writes.push({ doc: agencyDocName(ctx.event.id, agency), change: (doc) => mine.forEach((e) => addDispute(doc, e.id, e.dispute)) });
		}
		const withParties = plan.entries.filter((e) => e.parties.length);
		if (withParties.length) {
			writes.push({ doc: restrictedDocName(ctx.event.id), change: (doc) => withParties.forEach((e) => setParties(doc, e.id, e.parties)) });
		}
		try {
			await locals.services.writeDocuments(locals.user!.id, writes);
		} catch (err) {
			// The hub refused (a limit of the schema); nothing was written. The reason names the field.
			if (err instanceof Error && err.name === 'Refusal') return fail(400, { refused: err.message, fileName: file.name });
			throw err;
		}
		return { imported: plan.entries.length, withParties: withParties.length, fileName: file.name };
	}
};
