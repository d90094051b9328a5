import { error, fail } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { loadEventContext } from '$lib/server/event-context';
import { createDisplayToken, displayTokenName, listDisplayTokens, revokeDisplayToken } from '$lib/server/repositories/display-token.repository';
import { userActor, writeAudit } from '$lib/server/repositories/audit.repository';
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
	create: async ({ request, locals, params, url, getClientAddress }) => {
		await requireCommander(locals, params.id);
		const form = await request.formData();
		const name = String(form.get('name') ?? '').trim();
		// A high-contrast wall (white on black, heavier lines) is a choice of the link, since nobody touches a wall.
		const contrast = form.get('contrast') === 'high' ? '?contrast=high' : '';
		if (!name) return fail(400, { action: 'create' as const, error: 'required' as const, name });
		if ([...name].length > 60) return fail(400, { action: 'create' as const, error: 'tooLong' as const, name });
		const { token } = await locals.db.transaction().execute(async (tx) => {
			const made = await createDisplayToken(tx, params.id, name, locals.user!.id);
			await writeAudit(tx, { actor: userActor(locals.user!), action: 'displayToken.create', target: { kind: 'displayToken', id: made.id, name }, eventId: params.id, ip: getClientAddress() });
			return made;
		});
		// Shown once: only the token's hash is stored.
		return { action: 'create' as const, url: `${url.origin}/wall/${token}${contrast}`, name };
	},
	revoke: async ({ request, locals, params, getClientAddress }) => {
		await requireCommander(locals, params.id);
		const id = String((await request.formData()).get('id') ?? '');
		const revoked = await locals.db.transaction().execute(async (tx) => {
			if (!(await revokeDisplayToken(tx, params.id, id))) return false;
			const name = await displayTokenName(tx, params.id, id);
			await writeAudit(tx, { actor: userActor(locals.user!), action: 'displayToken.revoke', target: { kind: 'displayToken', id, name }, eventId: params.id, ip: getClientAddress() });
			return true;
		});
		if (!revoked) return fail(404, { action: 'revoke' as const, error: 'notFound' as const });
		locals.services.closeLiveConnections({ displayTokenId: id }, 'revoked');
		return { action: 'revoke' as const, revoked: id };
	}
};
