import { error, redirect } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { parseLabel } from '$lib/domain/patrol';
import { m } from '$lib/paraglide/messages';

/**
 * /scan/<code>: where a phone's own camera app lands from a checkpoint label. It opens the patrol page of the
 * label's event with the code, and the page records the scan through the phone's queue like the in-app scanner.
 * Nothing is recorded here: a GET must not change anything, and only the signed-in member's page may scan.
 */
export const load: PageServerLoad = async ({ locals, params, url }) => {
	if (!locals.user) redirect(303, `/login?redirectTo=${encodeURIComponent(url.pathname)}`);
	const label = parseLabel(params.code);
	if (!label) error(404, { message: m.patrol_scan_not_label() });
	const row = await locals.db.selectFrom('patrol_checkpoints').select('event_id').where('id', '=', label.checkpointId).executeTakeFirst();
	if (!row) error(404, { message: m.patrol_scan_not_label() });
	redirect(303, `/events/${row.event_id}/patrol?code=${encodeURIComponent(params.code)}`);
};
