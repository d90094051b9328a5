import { error, redirect } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { loadWallContext } from '$lib/server/wall';
import { documentSnapshots, WALL_SNAPSHOT_BUDGET_BYTES } from '$lib/server/document-snapshots';
import { m } from '$lib/paraglide/messages';
import { cookieMaxAge, cookieName, getLocale, isLocale } from '$lib/paraglide/runtime';

/** Marks the one redirect that sets the wall's language, so a browser that keeps no cookies is not sent round again. */
const LANGUAGE_SET = 'lang-set';

export const load: PageServerLoad = async ({ locals, params, setHeaders, cookies, url }) => {
	const ctx = await loadWallContext(locals.db, params.token);
	if (!ctx) error(404, { message: m.error_display_link_unknown() });
	// Nobody picks a language on a wall: it speaks the event's. The language lives in the same cookie the
	// language switch sets, so the page and its scripts agree.
	if (isLocale(ctx.event.locale) && ctx.event.locale !== getLocale() && !url.searchParams.has(LANGUAGE_SET)) {
		cookies.set(cookieName, ctx.event.locale, { path: '/', maxAge: cookieMaxAge, httpOnly: false, sameSite: 'lax' });
		redirect(303, `${url.pathname}?${LANGUAGE_SET}=1`);
	}
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
			checkinGraceMinutes: ctx.event.checkinGraceMinutes,
			drill: ctx.event.drill
		},
		agencies: ctx.agencies,
		// The documents a display link may read (never the restricted one), as the event's pages carry them.
		snapshots: await documentSnapshots(
			locals.services,
			ctx.event.id,
			{ command: 'read', agencies: Object.fromEntries(ctx.agencies.map((a) => [a.code, 'read' as const])) },
			WALL_SNAPSHOT_BUDGET_BYTES
		)
	};
};
