import { error } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { getTemplateRow } from '$lib/server/repositories/template.repository';
import { m } from '$lib/paraglide/messages';
import { requireAdmin } from '../../../admin.server';

/** The template as its file: the stored canonical JSON, named after the template and its version. */
export const GET: RequestHandler = async ({ locals, url, params }) => {
	requireAdmin({ locals, url });
	const row = await getTemplateRow(locals.db, params.id);
	if (!row) error(404, { message: m.tpl_source_gone() });
	const file = `${row.name}-v${row.version}.json`;
	return new Response(row.body, {
		headers: {
			'content-type': 'application/json; charset=utf-8',
			'content-disposition': `attachment; filename="template-v${row.version}.json"; filename*=UTF-8''${encodeURIComponent(file)}`,
			'cache-control': 'no-store'
		}
	});
};
