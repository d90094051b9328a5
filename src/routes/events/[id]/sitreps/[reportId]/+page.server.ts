import { error, fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { mayWriteSitreps, requireSitrepReader, type SitrepReader } from '$lib/server/sitreps/access';
import { issueDraft, refreshDraft, DEFAULT_ACK_MINUTES } from '$lib/server/sitreps/draft';
import { deleteDraft, getSitrep, saveSections } from '$lib/server/repositories/sitrep.repository';
import { listInstructions } from '$lib/server/repositories/instruction.repository';
import { checkSections, SITREP_SECTIONS, type IssuedSitrep } from '$lib/domain/sitrep';
import { sitrepAgencyTable, sitrepFigureRows, sitrepPostTable } from '$lib/server/sitreps/render-sitrep';
import { getLocale } from '$lib/paraglide/runtime';
import { m } from '$lib/paraglide/messages';

/** A report the reader may see: an issued one for every member, a draft for the commander only (404 otherwise). */
async function readable(locals: App.Locals, eventId: string, reportId: string, reader: SitrepReader) {
	const row = await getSitrep(locals.db, eventId, reportId);
	if (!row || (row.status === 'draft' && !reader.commander)) error(404, { message: m.sitrep_error_not_found() });
	return row;
}

export const load: PageServerLoad = async ({ locals, params }) => {
	const reader = await requireSitrepReader(locals, params.id);
	const row = await readable(locals, params.id, params.reportId, reader);
	const issued = row.canonicalJson ? (JSON.parse(row.canonicalJson) as IssuedSitrep) : null;
	// How far the acknowledgement has come: the commander sees everyone's, as on the instructions page.
	let ack: { acked: number; recipients: number } | null = null;
	if (reader.commander && row.instructionId) {
		const [instruction] = await listInstructions(locals.db, params.id, { seeAll: true }, { id: row.instructionId });
		if (instruction) ack = { acked: instruction.recipients.filter((r) => r.ackedAt).length, recipients: instruction.recipients.length };
	}
	const source = { figures: issued?.figures ?? row.figures, agencies: issued?.agencies ?? reader.agencies };
	const locale = getLocale() === 'en' ? 'en' : 'zh-CN';
	return {
		tables: { figures: sitrepFigureRows(source, locale), agencies: sitrepAgencyTable(source, locale), posts: sitrepPostTable(source, locale) },
		report: {
			id: row.id,
			status: row.status,
			title: row.title,
			periodName: row.periodName,
			dueAt: row.dueAt,
			createdAt: row.createdAt,
			createdByName: row.createdByName,
			updatedAt: row.updatedAt,
			issuedAt: row.issuedAt,
			issuedByName: row.issuedByName,
			sha256: row.sha256,
			locale: row.locale
		},
		sections: issued?.sections ?? row.sections,
		/** What each section said as generated, so the editor can mark what was changed. */
		generated: row.generated[row.locale],
		english: issued?.english ?? null,
		figures: source.figures,
		mayWrite: mayWriteSitreps(reader) && row.status === 'draft',
		ack,
		ackMinutes: DEFAULT_ACK_MINUTES
	};
};

type Failure = 'forbidden' | 'issued' | 'eventClosed' | 'noRecipients' | 'invalid' | 'notFound' | 'ackMinutes';

/** The commander's draft to change, or the failure to answer with (403 for anyone else, 409 once it is issued). */
async function writable(locals: App.Locals, eventId: string, reportId: string, action: string) {
	const reader = await requireSitrepReader(locals, eventId);
	const row = await readable(locals, eventId, reportId, reader);
	if (!reader.commander) return { failure: fail(403, { action, error: 'forbidden' as Failure }) };
	if (row.status !== 'draft') return { failure: fail(409, { action, error: 'issued' as Failure }) };
	if (!mayWriteSitreps(reader)) return { failure: fail(409, { action, error: 'eventClosed' as Failure }) };
	return { reader, row };
}

/** The sections as posted, or the failure naming the section that is wrong. */
function postedSections(form: FormData, action: string) {
	const checked = checkSections(Object.fromEntries(SITREP_SECTIONS.map((k) => [k, form.get(k)])));
	if (!checked.ok) return { failure: fail(400, { action, error: 'invalid' as Failure, section: checked.section, problem: checked.problem }) };
	return { texts: checked.texts };
}

export const actions: Actions = {
	/** Saves the edited sections of a draft. */
	save: async ({ locals, params, request }) => {
		const got = await writable(locals, params.id, params.reportId, 'save');
		if ('failure' in got) return got.failure;
		const posted = postedSections(await request.formData(), 'save');
		if ('failure' in posted) return posted.failure;
		if (!(await saveSections(locals.db, params.id, params.reportId, posted.texts, got.reader.userId))) return fail(409, { action: 'save', error: 'issued' as Failure });
		locals.services.sitrepChanged(params.id, params.reportId);
		return { action: 'save', saved: true };
	},

	/** Takes the figures and the generated texts again from the board now. */
	refresh: async ({ locals, params }) => {
		const got = await writable(locals, params.id, params.reportId, 'refresh');
		if ('failure' in got) return got.failure;
		if (!(await refreshDraft(locals.db, locals.services, params.id, params.reportId, got.reader.userId))) return fail(409, { action: 'refresh', error: 'issued' as Failure });
		locals.services.sitrepChanged(params.id, params.reportId);
		return { action: 'refresh', refreshed: true };
	},

	/** Issues the draft with the sections as posted: frozen, hashed and sent to everyone as an instruction to acknowledge. */
	issue: async ({ locals, params, request }) => {
		const got = await writable(locals, params.id, params.reportId, 'issue');
		if ('failure' in got) return got.failure;
		const form = await request.formData();
		const posted = postedSections(form, 'issue');
		if ('failure' in posted) return posted.failure;
		const minutes = Number(form.get('ackMinutes') ?? DEFAULT_ACK_MINUTES);
		if (!Number.isInteger(minutes) || minutes < 1 || minutes > 240) return fail(400, { action: 'issue', error: 'ackMinutes' as Failure });
		const { reader } = got;
		const result = await issueDraft(locals.db, locals.services, { principal: reader.principal, userId: reader.userId, name: reader.userName }, params.id, params.reportId, posted.texts, minutes);
		if (!result.ok) {
			const status = { notFound: 404, issued: 409, eventClosed: 409, forbidden: 403, noRecipients: 400, invalid: 400 }[result.reason];
			return fail(status, { action: 'issue', error: result.reason as Failure });
		}
		return { action: 'issue', sha256: result.sha256 };
	},

	/** Throws a draft away (an issued report stays for good). */
	discard: async ({ locals, params }) => {
		const got = await writable(locals, params.id, params.reportId, 'discard');
		if ('failure' in got) return got.failure;
		if (!(await deleteDraft(locals.db, params.id, params.reportId))) return fail(409, { action: 'discard', error: 'issued' as Failure });
		locals.services.sitrepChanged(params.id, params.reportId);
		redirect(303, `/events/${params.id}/sitreps`);
	}
};
