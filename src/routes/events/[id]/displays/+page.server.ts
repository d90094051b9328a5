import { error, fail } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { loadEventContext } from '$lib/server/event-context';
import { createDisplayToken, listDisplayTokens, revokeDisplayToken } from '$lib/server/repositories/display-token.repository';
import { m } from '$lib/paraglide/messages';

/** Only the event's commander manages its wall displays. */
async function requireCommander(locals: App.Locals, eventId: string) {
	if (!locals.user) error(401, { message: m.error_sign_in_first() });
	const ctx = await loadEventContext(locals.db, eventId, locals.user);
	if (!ctx) error(404, { message: m.error_no_such_event() });
	if (!ctx.actions['displayToken.manage']) error(403, { message: m.error_displays_commander_only() });
	return ctx;
}

export const load: PageServerLoad = async ({ locals, params }) => {
	await requireCommander(locals, params.id);
	const tokens = await listDisplayTokens(locals.db, params.id);
	return {
		tokens: tokens.map((t) => ({
			id: t.id,
			name: t.name,
			createdAt: t.createdAt.toISOString(),
			lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
			revoked: t.revoked
		}))
	};
};

export const actions: Actions = {
	create: async ({ request, locals, params, url }) => {
		await requireCommander(locals, params.id);
		const form = await request.formData();
		const name = String(form.get('name') ?? '').trim();
		// A high-contrast wall (white on black, heavier lines) is a choice of the link, since nobody touches a wall.
		const contrast = form.get('contrast') === 'high' ? '?contrast=high' : '';
		if (!name) return fail(400, { action: 'create' as const, error: 'required' as const, name });
		if ([...name].length > 60) return fail(400, { action: 'create' as const, error: 'tooLong' as const, name });
		const { token } = await createDisplayToken(locals.db, params.id, name, locals.user!.id);
		// Shown once: only the token's hash is stored.
		return { action: 'create' as const, url: `${url.origin}/wall/${token}${contrast}`, name };
	},
	revoke: async ({ request, locals, params }) => {
		await requireCommander(locals, params.id);
		const id = String((await request.formData()).get('id') ?? '');
		if (!(await revokeDisplayToken(locals.db, params.id, id))) return fail(404, { action: 'revoke' as const, error: 'notFound' as const });
		locals.services.closeLiveConnections({ displayTokenId: id }, 'revoked');
		return { action: 'revoke' as const, revoked: id };
	}
};
