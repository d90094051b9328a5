/**
 * Shared by the admin pages' loads and actions. A layout load does not run before a form action, so every action
 * calls `requireAdmin` itself; the layout's check alone would leave the actions open.
 */
import { error, redirect } from '@sveltejs/kit';
import type { SessionUser } from '$lib/server/auth/session';
import { m } from '$lib/paraglide/messages';

/** The signed-in administrator; sends anyone else to the login page (signed out) or a 403 page (not an admin). */
export function requireAdmin({ locals, url }: { locals: App.Locals; url: URL }): SessionUser {
	const user = locals.user;
	if (!user) redirect(303, `/login?redirectTo=${encodeURIComponent(url.pathname + url.search)}`);
	if (!user.isAdmin) error(403, { message: m.admin_forbidden() });
	return user;
}

/** True for PostgreSQL's unique_violation (23505), which PGlite reports with the same code. */
export function isUniqueViolation(err: unknown): boolean {
	for (let e = err; e && typeof e === 'object'; e = (e as { cause?: unknown }).cause) {
		if ((e as { code?: unknown }).code === '23505') return true;
	}
	return false;
}

/** The submitted text of each named field, to fill the form again after a refusal. Passwords are never echoed. */
export function formValues<K extends string>(form: Record<string, FormDataEntryValue>, keys: readonly K[]): Record<K, string> {
	const out = {} as Record<K, string>;
	for (const k of keys) {
		const v = form[k];
		out[k] = typeof v === 'string' ? v : '';
	}
	return out;
}
