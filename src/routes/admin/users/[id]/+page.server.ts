import { error, fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { checkPassword, checkUser } from '$lib/domain/validation';
import { m } from '$lib/paraglide/messages';
import { listAgencies } from '$lib/server/repositories/agency.repository';
import { listTeams } from '$lib/server/repositories/team.repository';
import { listEventsForUser } from '$lib/server/repositories/event.repository';
import {
	getUser,
	setUserDisabled,
	setUserPassword,
	updateUser,
	usernameTaken
} from '$lib/server/repositories/user.repository';
import { userActor, writeAudit } from '$lib/server/repositories/audit.repository';
import { isUniqueViolation, requireAdmin } from '../../admin.server';
import { userFormValues } from '../user-form';
import { checkUserRefs } from '../user-input.server';

async function findUser(db: App.Locals['db'], id: string) {
	const user = await getUser(db, id);
	if (!user) error(404, { message: m.admin_user_not_found() });
	return user;
}

export const load: PageServerLoad = async ({ locals, url, params }) => {
	const me = requireAdmin({ locals, url });
	const user = await findUser(locals.db, params.id);
	const [agencies, teams, events] = await Promise.all([
		listAgencies(locals.db),
		listTeams(locals.db),
		listEventsForUser(locals.db, user.id, false)
	]);
	return {
		user,
		isSelf: user.id === me.id,
		agencies,
		teams,
		events: events.map((e) => ({ id: e.id, name: e.name, status: e.status, role: e.role, agencyCode: e.agencyCode }))
	};
};

export const actions: Actions = {
	save: async ({ request, locals, url, params, getClientAddress }) => {
		const me = requireAdmin({ locals, url });
		const user = await findUser(locals.db, params.id);
		const form = Object.fromEntries(await request.formData());
		// The edit form has no password field; a password is changed with "reset password" only.
		delete form.password;
		const values = userFormValues(form);
		const checked = checkUser(form, false);
		if (!checked.ok) return fail(400, { action: 'save' as const, values, errors: checked.errors });
		const refs = await checkUserRefs(locals.db, checked.value);
		if (!refs.ok) return fail(400, { action: 'save' as const, values, errors: refs.errors });
		// Nobody can remove their own administrator rights and lock the installation out.
		const input = { ...refs.value, isAdmin: user.id === me.id ? true : refs.value.isAdmin };
		if (await usernameTaken(locals.db, input.username, user.id)) {
			return fail(400, { action: 'save' as const, values, errors: { username: 'taken' as const } });
		}
		try {
			await locals.db.transaction().execute(async (tx) => {
				await updateUser(tx, user.id, input);
				const target = { kind: 'user', id: user.id, name: input.displayName };
				const base = { actor: userActor(me), target, ip: getClientAddress() };
				const changed = (['username', 'displayName', 'agencyCode', 'teamId', 'phone'] as const).filter((k) => (user[k] ?? null) !== (input[k] ?? null));
				if (changed.length) await writeAudit(tx, { ...base, action: 'user.update', details: { changed } });
				if (user.clearedPersonalData !== input.clearedPersonalData) {
					await writeAudit(tx, { ...base, action: 'user.clearanceChange', details: { clearedPersonalData: input.clearedPersonalData } });
				}
				if (user.isAdmin !== input.isAdmin) await writeAudit(tx, { ...base, action: 'user.adminChange', details: { isAdmin: input.isAdmin } });
			});
		} catch (err) {
			if (isUniqueViolation(err)) return fail(400, { action: 'save' as const, values, errors: { username: 'taken' as const } });
			throw err;
		}
		// A clearance, agency or team taken away ends what the user's open pages may still read or write, at once.
		await locals.services.userAccessChanged(user.id);
		return { action: 'save' as const, done: true };
	},

	disable: async ({ locals, url, params, getClientAddress }) => {
		const me = requireAdmin({ locals, url });
		const user = await findUser(locals.db, params.id);
		if (user.id === me.id) return fail(400, { action: 'disable' as const, refused: 'self' as const });
		// Ends the user's sessions in the database, then drops their open board connections.
		await locals.db.transaction().execute(async (tx) => {
			await setUserDisabled(tx, user.id, true);
			await writeAudit(tx, { actor: userActor(me), action: 'user.disable', target: { kind: 'user', id: user.id, name: user.displayName }, ip: getClientAddress() });
		});
		locals.services.closeLiveConnections({ userId: user.id }, 'disabled');
		return { action: 'disable' as const, done: true };
	},

	enable: async ({ locals, url, params, getClientAddress }) => {
		const me = requireAdmin({ locals, url });
		const user = await findUser(locals.db, params.id);
		await locals.db.transaction().execute(async (tx) => {
			await setUserDisabled(tx, user.id, false);
			await writeAudit(tx, { actor: userActor(me), action: 'user.enable', target: { kind: 'user', id: user.id, name: user.displayName }, ip: getClientAddress() });
		});
		return { action: 'enable' as const, done: true };
	},

	resetPassword: async ({ request, locals, url, params, getClientAddress }) => {
		const me = requireAdmin({ locals, url });
		const user = await findUser(locals.db, params.id);
		const password = String((await request.formData()).get('password') ?? '');
		const problem = checkPassword(password);
		if (problem) return fail(400, { action: 'resetPassword' as const, errors: { password: problem } });
		// The new hash and the end of the old sessions commit together.
		await locals.db.transaction().execute(async (tx) => {
			await setUserPassword(tx, user.id, password);
			await writeAudit(tx, { actor: userActor(me), action: 'user.passwordReset', target: { kind: 'user', id: user.id, name: user.displayName }, ip: getClientAddress() });
		});
		locals.services.closeLiveConnections({ userId: user.id }, 'passwordReset');
		// Resetting one's own password ended this very session too.
		if (user.id === me.id) redirect(303, '/login');
		return { action: 'resetPassword' as const, done: true };
	}
};
