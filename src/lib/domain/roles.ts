/** The fixed vocabularies of the product. Stored as these English codes; the UI translates them. */

export const EVENT_ROLES = ['commander', 'lead', 'member', 'reviewer', 'observer'] as const;
export type EventRole = (typeof EVENT_ROLES)[number];

export const TEAM_LEVELS = ['brigade', 'squadron', 'unit'] as const;
export type TeamLevel = (typeof TEAM_LEVELS)[number];

export const EVENT_STATUSES = ['planning', 'active', 'closed'] as const;
export type EventStatus = (typeof EVENT_STATUSES)[number];

/** Roles that act for one agency and so need an agency on their membership. */
export function roleNeedsAgency(role: EventRole): boolean {
	return role === 'lead' || role === 'member';
}

/** The level a team's parent must have: a squadron sits under a brigade, a unit under a squadron. */
export function parentLevelFor(level: TeamLevel): TeamLevel | null {
	return level === 'brigade' ? null : level === 'squadron' ? 'brigade' : 'squadron';
}

/** The four agencies every installation starts with (派出所, 刑侦, 交警, 社区巡防). */
export const SEED_AGENCIES = [
	{ code: 'station', nameZh: '派出所', nameEn: 'Police station', color: '#1d4ed8', sort: 10 },
	{ code: 'cid', nameZh: '刑侦', nameEn: 'Criminal investigation', color: '#7c3aed', sort: 20 },
	{ code: 'traffic', nameZh: '交警', nameEn: 'Traffic police', color: '#d97706', sort: 30 },
	{ code: 'patrol', nameZh: '社区巡防', nameEn: 'Neighborhood patrol', color: '#059669', sort: 40 }
] as const;

export const DEFAULT_TIMEZONE = 'Asia/Shanghai';

/** An agency as pages show it. */
export interface AgencyInfo {
	code: string;
	nameZh: string;
	nameEn: string;
	color: string;
}
