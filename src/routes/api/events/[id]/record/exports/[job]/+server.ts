import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';

/** GET /api/events/<id>/record/exports/<job>: the export's progress (0–100) and state. */
export const GET: RequestHandler = async ({ locals, params }) => {
	if (!locals.user) return json({ error: 'unauthenticated', message: 'Sign in first.' }, { status: 401 });
	const job = locals.services.jobs.get(params.job, locals.user.id);
	if (!job) return json({ error: 'notFound', message: 'No such export.' }, { status: 404 });
	return json({ job: job.view }, { headers: { 'cache-control': 'no-store' } });
};
