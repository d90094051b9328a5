/**
 * Every page, form action and POST endpoint of the app, read from src/routes, so that a test that must go
 * through all of them (the permission matrix, the cross-origin checks) takes in a new one by itself; and what an
 * intruder would send each admin action, so that a missing check would change something a test can see.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO_EVENT, DEMO_USERS } from '../../src/lib/server/demo/demo-data.ts';

const ROUTES = fileURLToPath(new URL('../../src/routes', import.meta.url));

function filesUnder(dir: string, names: string[]): string[] {
	const out: string[] = [];
	for (const name of readdirSync(dir)) {
		const p = join(dir, name);
		if (statSync(p).isDirectory()) out.push(...filesUnder(p, names));
		else if (names.includes(name)) out.push(p);
	}
	return out;
}

/** `src/routes/admin/users/[id]/+page.server.ts` → `/admin/users/[id]`. */
function routeOf(file: string): string {
	const parts = relative(ROUTES, file).split(/[\\/]/).slice(0, -1);
	return '/' + parts.filter((p) => !/^\(.*\)$/.test(p)).join('/');
}

/** The routes (with `[param]`s) that have a page, below `under`. */
export function pageRoutes(under = ''): string[] {
	return [...new Set(filesUnder(join(ROUTES, under), ['+page.svelte', '+page@.svelte']).map(routeOf))].sort();
}

/** Every form action below `under`, as `<route>` for a default action and `<route>?/<name>` for a named one. */
export function formActionRoutes(under = ''): string[] {
	return filesUnder(join(ROUTES, under), ['+page.server.ts'])
		.flatMap((file) => {
			const src = readFileSync(file, 'utf8');
			const at = src.indexOf('export const actions');
			if (at < 0) return [];
			return [...src.slice(at).matchAll(/^\t(\w+): async/gm)].map((m) => `${routeOf(file)}${m[1] === 'default' ? '' : `?/${m[1]}`}`);
		})
		.sort();
}

/** Every endpoint that answers POST (`+server.ts` exporting POST). */
export function postEndpointRoutes(): string[] {
	return filesUnder(ROUTES, ['+server.ts'])
		.filter((file) => /export const POST\b|export (async )?function POST\b/.test(readFileSync(file, 'utf8')))
		.map(routeOf)
		.sort();
}

const userId = (username: string) => DEMO_USERS.find((u) => u.username === username)!.id;

/** A route with its parameters filled in for the demo installation. */
export function concreteRoute(route: string, params: { token?: string; job?: string } = {}): string {
	return route
		.replace('/admin/users/[id]', `/admin/users/${userId('member.station')}`)
		.replace('/admin/events/[id]', `/admin/events/${DEMO_EVENT.id}`)
		.replace('/admin/agencies/[code]', '/admin/agencies/station')
		.replace('/events/[id]/disputes/[disputeId]', `/events/${DEMO_EVENT.id}/disputes/demo-dispute-s1`)
		.replace('/events/[id]', `/events/${DEMO_EVENT.id}`)
		.replace('/api/events/[id]', `/api/events/${DEMO_EVENT.id}`)
		.replace('[token]', params.token ?? 'no-such-token')
		.replace('[job]', params.job ?? 'no-such-job');
}

/**
 * What each admin action is sent by someone who may not use it: a valid request, so that without the check it
 * would change something (and a comparison of the admin pages' data before and after would see it).
 */
export function intruderAdminFields(displayTokenId: string): Record<string, Record<string, string>> {
	const event = { name: '越权活动', venue: '', startsAt: '2027-01-01T08:00', endsAt: '2027-01-02T08:00', timezone: 'Asia/Shanghai', checkinGraceMinutes: '10' };
	return {
		'/admin/agencies?/create': { code: 'intruder', nameZh: '越权', nameEn: 'Intruder', color: '#000000' },
		'/admin/agencies/[code]': { nameZh: '越权', nameEn: 'Intruder', color: '#000000' },
		'/admin/events/[id]/edit': event,
		'/admin/events/[id]?/activate': {},
		'/admin/events/[id]?/addMember': { userId: userId('admin'), role: 'commander', agencyCode: '' },
		'/admin/events/[id]?/setMember': { userId: userId('lead.traffic'), role: 'commander', agencyCode: '' },
		'/admin/events/[id]?/removeMember': { userId: userId('commander') },
		'/admin/events/[id]?/createToken': { name: '越权大屏' },
		'/admin/events/[id]?/bulkCheck': { text: 'admin,commander,' },
		'/admin/events/[id]?/bulkAdd': { text: 'admin,commander,\nlead.traffic,commander,' },
		'/admin/events/[id]?/revokeToken': { tokenId: displayTokenId },
		'/admin/events/new': { ...event, source: 'event', sourceId: 'demo-lantern-2026', parts: 'members' },
		'/admin/teams?/create': { agencyCode: 'station', level: 'brigade', name: '越权大队', parentId: '' },
		'/admin/templates?/save': { eventId: 'demo-lantern-2026', name: '越权模板' },
		'/admin/templates?/import': { file: JSON.stringify({ kind: 'liandong.event-template', format: 1, name: '越权模板', durationMinutes: 60, source: { startsAt: '2027-01-01T00:00:00Z', timezone: 'Asia/Shanghai' } }) },
		'/admin/teams?/rename': { teamId: 'demo-station', name: '越权' },
		'/admin/users/[id]?/save': { username: 'member.station', displayName: '越权', agencyCode: 'station', teamId: '', isAdmin: 'on', clearedPersonalData: 'on' },
		'/admin/users/[id]?/disable': {},
		'/admin/users/[id]?/enable': {},
		'/admin/users/[id]?/resetPassword': { password: 'intruder-password-1' },
		'/admin/users/new': { username: 'intruder', displayName: '越权', password: 'intruder-password-1', agencyCode: '', isAdmin: 'on' }
	};
}
