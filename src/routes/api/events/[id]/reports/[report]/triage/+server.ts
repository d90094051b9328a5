import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { apiContext, jsonBody, problemAnswer } from '$lib/server/report-api';
import { triageReport } from '$lib/server/field-reports';

/**
 * POST /api/events/<id>/reports/<report>/triage with JSON: `{action: 'card', agency, title, priority}`,
 * `{action: 'attach', agency, cardId}`, `{action: 'duplicate', of}` or `{action: 'close', reason}`. For the commander
 * and leads (a lead routes to their own agency). 409 when someone else handled the report first.
 */
export const POST: RequestHandler = async ({ locals, params, request }) => {
	const got = await apiContext(locals.db, locals.user, params.id);
	if (got instanceof Response) return got;
	const body = await jsonBody(request);
	if (!body) return problemAnswer('malformed', 400);
	const result = await triageReport(locals.services, got.ctx, got.user, params.report, body);
	if (!result.ok) return problemAnswer(result.problem, result.status);
	return json({ report: result.report });
};
