import { error, fail } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { loadEventContext } from '$lib/server/event-context';
import { preparePlan, MAX_PLAN_BYTES } from '$lib/server/plan-image';
import { putAttachment } from '$lib/server/repositories/attachment.repository';
import { commandDocName } from '$lib/domain/documents';
import { clearMapBase, parseControls, readMapBase, setMapBase } from '$lib/domain/venue-map';
import { planFromBounds } from '$lib/domain/geometry';
import { m } from '$lib/paraglide/messages';

/** The basemaps in the data folder, for the commander who chooses one (nobody else is shown the folder). */
export const load: PageServerLoad = async ({ locals, parent }) => {
	// The event's layout has already checked the user and found their access.
	const { access } = await parent();
	if (access.command !== 'write') return { basemaps: [] as string[], brokenBasemaps: [] as Array<{ name: string; problem: string }> };
	const { basemaps, problems } = await locals.services.basemaps.list();
	return { basemaps: basemaps.map((b) => b.name), brokenBasemaps: problems };
};

/** The event and its signed-in user, who must be the one who writes its command document (the commander). */
async function commanderOf(locals: App.Locals, eventId: string) {
	if (!locals.user) error(401, { message: m.error_sign_in_first() });
	const ctx = await loadEventContext(locals.db, eventId, locals.user);
	if (!ctx) error(404, { message: m.error_no_such_event() });
	if (ctx.access.command !== 'write') error(403, { message: m.command_error_forbidden() });
	return { ctx, user: locals.user };
}

export const actions: Actions = {
	/**
	 * The commander uploads the venue plan: checked and re-encoded, stored once, then set as the map's base. A new
	 * plan drops the control points of the last one (they were measured on it).
	 */
	plan: async ({ locals, params, request }) => {
		const { ctx, user } = await commanderOf(locals, params.id);
		// Refused before it is read whole: the form's size is known from its header.
		if (Number(request.headers.get('content-length') ?? 0) > MAX_PLAN_BYTES + 64 * 1024) return fail(413, { problem: 'tooLarge' as const });
		let file: FormDataEntryValue | null = null;
		try {
			file = (await request.formData()).get('plan');
		} catch {
			return fail(400, { problem: 'notImage' as const });
		}
		if (!(file instanceof File) || file.size === 0) return fail(400, { problem: 'empty' as const });
		const prepared = await preparePlan(new Uint8Array(await file.arrayBuffer()));
		if (!prepared.ok) return fail(400, { problem: prepared.problem });
		const { plan } = prepared;
		await putAttachment(locals.db, { id: plan.id, eventId: ctx.event.id, kind: 'plan', mime: plan.mime, bytes: plan.bytes, width: plan.width, height: plan.height, createdBy: user.id });
		await locals.services.writeDocuments(user.id, [
			{ doc: commandDocName(ctx.event.id), change: (doc) => setMapBase(doc, { planId: plan.id, width: plan.width, height: plan.height, controls: [] }) }
		]);
		return { done: true, planId: plan.id };
	},

	/**
	 * The commander chooses the offline basemap (or none). Under a plan it needs the plan's control points; with no
	 * plan it stands in for one, georeferenced at its corners. Removing the basemap of a map without a plan
	 * leaves no map.
	 */
	basemap: async ({ locals, params, request }) => {
		const { ctx, user } = await commanderOf(locals, params.id);
		let name: unknown = '';
		try {
			name = (await request.formData()).get('basemap');
		} catch {
			return fail(400, { problem: 'noBasemap' as const });
		}
		if (typeof name !== 'string') return fail(400, { problem: 'noBasemap' as const });
		const info = name ? await locals.services.basemaps.info(name) : null;
		if (name && !info) return fail(400, { problem: 'noBasemap' as const });
		const doc = commandDocName(ctx.event.id);
		const base = readMapBase(await locals.services.readDocument(doc));
		await locals.services.writeDocuments(user.id, [
			{
				doc,
				change: (d) => {
					if (base?.planId) setMapBase(d, { planId: base.planId, width: base.width, height: base.height, basemap: info?.name ?? null });
					else if (info) setMapBase(d, { planId: null, ...planFromBounds(info.bounds), basemap: info.name });
					else clearMapBase(d);
				}
			}
		]);
		return { basemapSaved: true };
	},

	/** The commander ties the plan to WGS-84 with three or more control points (or clears them with none). */
	controls: async ({ locals, params, request }) => {
		const { ctx, user } = await commanderOf(locals, params.id);
		let text: unknown = '';
		try {
			text = (await request.formData()).get('controls');
		} catch {
			return fail(400, { problem: 'controlsFormat' as const });
		}
		if (typeof text !== 'string' || text.length > 5_000) return fail(400, { problem: 'controlsFormat' as const });
		const parsed = parseControls(text);
		if (!parsed.ok) return fail(400, { problem: parsed.problem, controls: text });
		const command = await locals.services.readDocument(commandDocName(ctx.event.id));
		const base = readMapBase(command);
		// A basemap standing in for the plan is tied to it by its own bounds, not by hand.
		if (!base?.planId) return fail(400, { problem: 'noPlan' as const });
		await locals.services.writeDocuments(user.id, [
			{ doc: commandDocName(ctx.event.id), change: (doc) => setMapBase(doc, { planId: base.planId, width: base.width, height: base.height, controls: parsed.row }) }
		]);
		return { controlsSaved: true };
	}
};
