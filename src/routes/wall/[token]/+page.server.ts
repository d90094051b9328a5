import { error } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { loadWallContext } from '$lib/server/wall';
import { m } from '$lib/paraglide/messages';

export const load: PageServerLoad = async ({ locals, params, setHeaders }) => {
	const ctx = await loadWallContext(locals.db, params.token);
	if (!ctx) error(404, { message: m.error_display_link_unknown() });
	setHeaders({ 'cache-control': 'no-store' });
	return {
		token: params.token,
		displayName: ctx.name,
		event: {
			id: ctx.event.id,
			name: ctx.event.name,
			venue: ctx.event.venue,
			status: ctx.event.status,
			timezone: ctx.event.timezone,
			startsAt: ctx.event.startsAt.toISOString(),
			endsAt: ctx.event.endsAt.toISOString(),
			closedAt: ctx.event.closedAt?.toISOString() ?? null,
			checkinGraceMinutes: ctx.event.checkinGraceMinutes
		},
		agencies: ctx.agencies
	};
};
