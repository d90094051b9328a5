/**
 * The demo installation as data: a lantern fair's opening week (古城灯会开幕周) secured by the four standard
 * agencies. Every row has a fixed id so the seed can insert what is missing and touch nothing else, and so the
 * board content added later (cards, posts, shifts, disputes) can refer to these teams and people by id.
 *
 * Names are invented; phone numbers use the 13800000xxx block that Chinese documentation uses as examples.
 */
import type { EventRole, TeamLevel } from '../../domain/roles.ts';

/** Every demo account signs in with this password. It is printed by `npm run demo` and in the README. */
export const DEMO_PASSWORD = 'liandong-demo';

export const DEMO_EVENT = {
	id: 'demo-lantern-2026',
	name: '2026古城灯会开幕周安保',
	venue: '古城墙灯会核心区',
	timezone: 'Asia/Shanghai',
	status: 'active',
	checkinGraceMinutes: 10
} as const;

const HOUR = 3_600_000;
/** Asia/Shanghai keeps +08:00 all year, so local dates are a fixed shift away from UTC. */
const OFFSET = 8 * HOUR;

export interface DemoPeriod {
	id: string;
	name: string;
	startsAt: string;
	endsAt: string;
}

/**
 * The demo's dates, around the moment it is seeded, so that it is always running when someone tries it: the
 * fair's day (08:00–20:00, 白班) and night (20:00–08:00, 夜班) periods of yesterday, today and tomorrow in the
 * event's zone, and the event spanning them. The seeded shifts (14 hours back to 16 hours ahead) all fall inside
 * a period. Today's two periods keep the fixed ids `demo-period-day` and `demo-period-night`.
 */
export function demoSchedule(now: number): { startsAt: string; endsAt: string; periods: DemoPeriod[] } {
	const iso = (at: number) => new Date(at + OFFSET).toISOString().replace(/\.\d{3}Z$/, '+08:00');
	const today = Math.floor((now + OFFSET) / (24 * HOUR)) * 24 * HOUR - OFFSET;
	const periods: DemoPeriod[] = [];
	for (const [day, suffix] of [[-1, '-prev'], [0, ''], [1, '-next']] as const) {
		const midnight = today + day * 24 * HOUR;
		const label = new Date(midnight + OFFSET);
		const date = `${label.getUTCMonth() + 1}月${label.getUTCDate()}日`;
		periods.push(
			{ id: `demo-period-day${suffix}`, name: `${date}白班`, startsAt: iso(midnight + 8 * HOUR), endsAt: iso(midnight + 20 * HOUR) },
			{ id: `demo-period-night${suffix}`, name: `${date}夜班`, startsAt: iso(midnight + 20 * HOUR), endsAt: iso(midnight + 32 * HOUR) }
		);
	}
	return { startsAt: periods[0].startsAt, endsAt: periods.at(-1)!.endsAt, periods };
}

export interface DemoTeam {
	id: string;
	agencyCode: string;
	level: TeamLevel;
	name: string;
	parentId: string | null;
}

type SquadronSpec = [key: string, name: string, units: Array<[key: string, name: string]>];

/** Builds one agency's tree: a brigade (大队), its squadrons (中队) and their units (分队). */
function tree(agencyCode: string, brigade: string, squadrons: SquadronSpec[]): DemoTeam[] {
	const brigadeId = `demo-${agencyCode}`;
	const teams: DemoTeam[] = [{ id: brigadeId, agencyCode, level: 'brigade', name: brigade, parentId: null }];
	for (const [key, name, units] of squadrons) {
		const squadronId = `${brigadeId}-${key}`;
		teams.push({ id: squadronId, agencyCode, level: 'squadron', name, parentId: brigadeId });
		for (const [unitKey, unitName] of units) {
			teams.push({ id: `${squadronId}-${unitKey}`, agencyCode, level: 'unit', name: unitName, parentId: squadronId });
		}
	}
	return teams;
}

/** Parents come before their children, so inserting in this order satisfies the foreign key. */
export const DEMO_TEAMS: readonly DemoTeam[] = [
	...tree('station', '城关派出所', [
		['order', '治安中队', [['u1', '治安一分队'], ['u2', '治安二分队']]],
		['community', '社区警务中队', [['wall', '古城墙警务室分队'], ['market', '夜市警务室分队']]]
	]),
	...tree('cid', '刑侦大队', [
		['pickpocket', '反扒中队', [['p1', '便衣反扒一分队'], ['p2', '便衣反扒二分队']]],
		['video', '视频侦查中队', [['watch', '图像侦查分队']]]
	]),
	...tree('traffic', '城区交警大队', [
		['city', '城区中队', [['fair', '灯会保障分队'], ['parking', '停车疏导分队']]],
		['mobile', '机动中队', [['moto', '铁骑分队']]]
	]),
	...tree('patrol', '城关街道社区巡防队', [
		['east', '东片巡防中队', [['dongjie', '东街社区巡防分队'], ['nanmen', '南门社区巡防分队']]],
		['west', '西片巡防中队', [['xijie', '西街社区巡防分队'], ['volunteer', '平安志愿者分队']]]
	])
];

export interface DemoUser {
	id: string;
	username: string;
	displayName: string;
	agencyCode: string | null;
	teamId: string | null;
	isAdmin: boolean;
	/** Only the commander and the leads of the station and patrol may see dispute parties' personal data. */
	clearedPersonalData: boolean;
	phone: string | null;
	/** The role in the demo event, with the agency it acts for; null for no membership. */
	role: { role: EventRole; agencyCode: string | null } | null;
}

function user(
	username: string,
	displayName: string,
	agencyCode: string | null,
	teamId: string | null,
	role: EventRole | null,
	extra: { isAdmin?: boolean; cleared?: boolean; phone?: string } = {}
): DemoUser {
	return {
		id: `demo-user-${username.replace(/\./g, '-')}`,
		username,
		displayName,
		agencyCode,
		teamId,
		isAdmin: extra.isAdmin ?? false,
		clearedPersonalData: extra.cleared ?? false,
		phone: extra.phone ?? null,
		role: role ? { role, agencyCode: role === 'reviewer' || role === 'observer' ? null : agencyCode } : null
	};
}

export const DEMO_USERS: readonly DemoUser[] = [
	user('admin', '系统管理员', null, null, null, { isAdmin: true }),
	user('commander', '周国栋', 'station', 'demo-station', 'commander', { cleared: true, phone: '13800000001' }),
	user('lead.station', '刘卫东', 'station', 'demo-station-order', 'lead', { cleared: true, phone: '13800000002' }),
	user('lead.cid', '孙浩', 'cid', 'demo-cid-pickpocket', 'lead', { phone: '13800000003' }),
	user('lead.traffic', '马骏', 'traffic', 'demo-traffic-city', 'lead', { phone: '13800000004' }),
	user('lead.patrol', '何秀英', 'patrol', 'demo-patrol-east', 'lead', { cleared: true, phone: '13800000005' }),
	user('member.station', '王建国', 'station', 'demo-station-order-u1', 'member'),
	user('member.traffic', '李晓梅', 'traffic', 'demo-traffic-city-fair', 'member'),
	user('reviewer', '郑文静', null, null, 'reviewer'),
	user('chen.lei', '陈磊', 'station', 'demo-station-community-wall', 'member'),
	user('guo.jing', '郭静', 'station', 'demo-station-order-u2', 'member'),
	user('yang.fan', '杨帆', 'cid', 'demo-cid-pickpocket-p1', 'member'),
	user('huang.min', '黄敏', 'cid', 'demo-cid-video-watch', 'member'),
	user('wu.qiang', '吴强', 'traffic', 'demo-traffic-mobile-moto', 'member'),
	user('xu.guilan', '徐桂兰', 'patrol', 'demo-patrol-east-dongjie', 'member'),
	user('lin.haitao', '林海涛', 'patrol', 'demo-patrol-east-nanmen', 'member'),
	user('zhao.shufen', '赵淑芬', 'patrol', 'demo-patrol-west-xijie', 'member')
];
