import type { LayoutServerLoad } from './$types';
import { requireAdmin } from './admin.server';

export const load: LayoutServerLoad = ({ locals, url }) => {
	requireAdmin({ locals, url });
	return {};
};
