import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';

/** GET /api/events/<id>/record/exports/<job>/file: the finished export. */
export const GET: RequestHandler = async ({ locals, params }) => {
	if (!locals.user) return json({ error: 'unauthenticated', message: 'Sign in first.' }, { status: 401 });
	const job = locals.services.jobs.get(params.job, locals.user.id);
	if (!job) return json({ error: 'notFound', message: 'No such export.' }, { status: 404 });
	if (!job.result) return json({ error: 'notReady', message: 'The export is not finished.', job: job.view }, { status: 409 });
	const { bytes, contentType, filename, headers } = job.result;
	return new Response(bytes as unknown as BodyInit, {
		headers: {
			'content-type': contentType,
			'content-disposition': `attachment; filename="export.${filename.split('.').pop()}"; filename*=UTF-8''${encodeURIComponent(filename)}`,
			'cache-control': 'no-store',
			...headers
		}
	});
};
