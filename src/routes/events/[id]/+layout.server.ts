import { error, redirect } from '@sveltejs/kit';
import type { LayoutServerLoad } from './$types';
import { loadEventContext } from '$lib/server/event-context';
import { m } from '$lib/paraglide/messages';
import { documentSnapshots } from '$lib/server/document-snapshots';
import { mayReadAudit } from '$lib/domain/permissions';

export const load: LayoutServerLoad = async ({ locals, params, url }) => {
	if (!locals.user) redirect(303, `/login?redirectTo=${encodeURIComponent(url.pathname + url.search)}`);
	const ctx = await loadEventContext(locals.db, params.id, locals.user);
	if (!ctx) error(404, { message: m.error_event_not_member() });
	return {
		me: { id: locals.user.id, name: locals.user.displayName, cleared: locals.user.clearedPersonalData },
		event: {
			id: ctx.event.id,
			name: ctx.event.name,
			venue: ctx.event.venue,
			status: ctx.event.status,
			startsAt: ctx.event.startsAt.toISOString(),
			endsAt: ctx.event.endsAt.toISOString(),
			timezone: ctx.event.timezone,
			checkinGraceMinutes: ctx.event.checkinGraceMinutes,
			drill: ctx.event.drill
		},
		role: ctx.role,
		agencyCode: ctx.agencyCode,
		access: ctx.access,
		actions: ctx.actions,
		mayReadAudit: mayReadAudit(ctx.principal, 'event'),
		agencies: ctx.agencies,
		teams: ctx.teams,
		people: ctx.people,
		snapshots: await documentSnapshots(locals.services, ctx.event.id, ctx.access)
	};
};
