import type { LayoutServerLoad } from './$types';

export const load: LayoutServerLoad = ({ locals }) => {
	const u = locals.user;
	return {
		user: u ? { id: u.id, username: u.username, displayName: u.displayName, isAdmin: u.isAdmin } : null
	};
};
