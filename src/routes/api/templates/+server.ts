import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { listTemplates } from '$lib/server/repositories/template.repository';

/** GET /api/templates: the saved event templates, for administrators only. */
export const GET: RequestHandler = async ({ locals }) => {
	if (!locals.user) return json({ error: 'unauthenticated', message: 'Sign in first.' }, { status: 401 });
	if (!locals.user.isAdmin) return json({ error: 'forbidden', message: 'Only administrators may list templates.' }, { status: 403 });
	const templates = await listTemplates(locals.db);
	return json({
		templates: templates.map((t) => ({ id: t.id, name: t.name, version: t.version, createdAt: t.createdAt.toISOString(), createdBy: t.createdByName }))
	});
};
