import { error } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { requireSitrepReader } from '$lib/server/sitreps/access';
import { getSitrep } from '$lib/server/repositories/sitrep.repository';
import { renderSitrep } from '$lib/server/sitreps/export';
import { m } from '$lib/paraglide/messages';

const TYPES = {
	pdf: 'application/pdf',
	docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'
} as const;

/**
 * GET …/sitreps/<report>/export?format=pdf|docx&layout=zh-CN|en: an issued report as a file, in the 警情通报 layout
 * (zh-CN) or the English ICS 209 rendering (en), for every member of the event. Drafts have no exports: what is
 * exported is what the hash covers.
 */
export const GET: RequestHandler = async ({ locals, params, url }) => {
	const reader = await requireSitrepReader(locals, params.id);
	const format = url.searchParams.get('format') ?? 'pdf';
	const layout = url.searchParams.get('layout') ?? 'zh-CN';
	if (format !== 'pdf' && format !== 'docx') error(400, { message: 'format must be pdf or docx' });
	if (layout !== 'zh-CN' && layout !== 'en') error(400, { message: 'layout must be zh-CN or en' });
	const row = await getSitrep(locals.db, params.id, params.reportId);
	if (!row || row.status !== 'issued' || !row.canonicalJson || !row.sha256) error(404, { message: m.sitrep_error_not_found() });
	// A drill's reports carry the drill mark; the frozen report itself is left as issued.
	const drill = reader.event.drill;
	const bytes = await renderSitrep({ format, layout, canonical: row.canonicalJson, sha256: row.sha256, drill });
	const name = `${drill ? 'drill-' : ''}sitrep-${row.issuedAt!.slice(0, 16).replace(/[-:T]/g, '')}${layout === 'en' ? '-ics209' : ''}.${format}`;
	return new Response(bytes as BodyInit, {
		headers: {
			'content-type': TYPES[format],
			'content-disposition': `attachment; filename="${name}"`,
			'x-sitrep-sha256': row.sha256,
			'cache-control': 'private, no-store'
		}
	});
};
