import { error, fail } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { loadEventContext, type EventContext } from '$lib/server/event-context';
import { addCheckpoint, archiveCheckpoint, listScans, patrolRoutes, setRouteInterval } from '$lib/server/patrol';
import { commandDocName } from '$lib/domain/documents';
import { readPosts } from '$lib/domain/roster';
import { MAX_CHECKPOINT_NAME, MAX_CHECKPOINTS, MAX_ROUND_MINUTES, MIN_ROUND_MINUTES, mayManagePatrol, mayScan } from '$lib/domain/patrol';
import { isId } from '$lib/domain/ids';
import { m } from '$lib/paraglide/messages';

/** The patrol page: routes with their checkpoints and the scans so far; who may set them up and who may scan. */
export const load: PageServerLoad = async ({ locals, params }) => {
	if (!locals.user) error(401, { message: m.error_sign_in_first() });
	const ctx = await loadEventContext(locals.db, params.id, locals.user);
	if (!ctx) error(404, { message: m.error_event_not_member() });
	const posts = readPosts(await locals.services.readDocument(commandDocName(ctx.event.id)));
	const routes = await patrolRoutes(locals.db, posts, ctx.event.id);
	const seesNames = ctx.role === 'commander' || ctx.role === 'lead' || ctx.role === 'reviewer';
	const scans = (await listScans(locals.db, ctx.event.id)).map((s) => (seesNames || s.userId === locals.user!.id ? s : { ...s, userId: null, userName: null }));
	return {
		routes: routes.map((r) => ({ ...r, manage: mayManagePatrol(ctx.principal, r.agency, ctx.event.status) })),
		scans,
		mayScan: mayScan(ctx.principal, ctx.event.status)
	};
};

async function managed(locals: App.Locals, eventId: string, postId: unknown): Promise<{ ctx: EventContext; postId: string } | ReturnType<typeof fail>> {
	if (!locals.user) error(401, { message: m.error_sign_in_first() });
	const ctx = await loadEventContext(locals.db, eventId, locals.user);
	if (!ctx) error(404, { message: m.error_event_not_member() });
	if (!isId(postId)) return fail(400, { problem: 'route' as const });
	const post = readPosts(await locals.services.readDocument(commandDocName(ctx.event.id))).find((p) => p.id === postId && !p.archived);
	if (!post) return fail(404, { problem: 'route' as const });
	if (!mayManagePatrol(ctx.principal, post.agency, ctx.event.status)) return fail(403, { problem: 'forbidden' as const });
	return { ctx, postId };
}

function announce(locals: App.Locals, eventId: string): void {
	locals.services.patrolChanged(eventId);
}

export const actions: Actions = {
	/** Sets a route's round interval (minutes). */
	interval: async ({ locals, params, request }) => {
		const form = await request.formData().catch(() => null);
		const got = await managed(locals, params.id, form?.get('postId'));
		if (!('ctx' in got)) return got;
		const minutes = Number(form?.get('minutes'));
		if (!Number.isInteger(minutes) || minutes < MIN_ROUND_MINUTES || minutes > MAX_ROUND_MINUTES) return fail(400, { problem: 'minutes' as const });
		await setRouteInterval(locals.db, got.ctx.event.id, got.postId, minutes);
		announce(locals, got.ctx.event.id);
		return { done: 'interval' as const };
	},
	/** Adds a named checkpoint to a route, with its place on the plan ("x,y") when given. */
	add: async ({ locals, params, request }) => {
		const form = await request.formData().catch(() => null);
		const got = await managed(locals, params.id, form?.get('postId'));
		if (!('ctx' in got)) return got;
		const name = String(form?.get('name') ?? '').replace(/\u0000/g, '').trim();
		if (!name || [...name].length > MAX_CHECKPOINT_NAME) return fail(400, { problem: 'name' as const });
		const raw = String(form?.get('point') ?? '').trim();
		let point: [number, number] | null = null;
		if (raw) {
			const xy = raw.split(',').map(Number);
			if (xy.length !== 2 || !xy.every((v) => Number.isFinite(v) && Math.abs(v) <= 40_000)) return fail(400, { problem: 'point' as const });
			point = [xy[0], xy[1]];
		}
		const route = (await patrolRoutes(locals.db, readPosts(await locals.services.readDocument(commandDocName(got.ctx.event.id))), got.ctx.event.id)).find((r) => r.postId === got.postId);
		if ((route?.checkpoints.length ?? 0) >= MAX_CHECKPOINTS) return fail(400, { problem: 'tooMany' as const });
		await addCheckpoint(locals.db, got.ctx.event.id, got.postId, name, point);
		announce(locals, got.ctx.event.id);
		return { done: 'add' as const };
	},
	/** Takes a checkpoint off its route (its scans stay). */
	remove: async ({ locals, params, request }) => {
		const form = await request.formData().catch(() => null);
		const got = await managed(locals, params.id, form?.get('postId'));
		if (!('ctx' in got)) return got;
		const id = form?.get('checkpointId');
		if (!isId(id) || !(await archiveCheckpoint(locals.db, got.ctx.event.id, id))) return fail(404, { problem: 'checkpoint' as const });
		announce(locals, got.ctx.event.id);
		return { done: 'remove' as const };
	}
};
