/**
 * The demo board's content, written through the sync hub like any server write, so it sits in the update log
 * with its author and shows in the activity history. Runs only for documents that are still empty, so a
 * restart with --demo leaves an edited demo alone.
 */
import * as Y from 'yjs';
import type { SyncHub } from './hub/hub.ts';
import { agencyDocName, commandDocName } from '../src/lib/domain/documents.ts';
import { addCard, cardsOf, type NewCard } from '../src/lib/domain/board.ts';
import { isoWithOffset } from '../src/lib/domain/board.ts';
import { demoSchedule } from '../src/lib/server/demo/demo-data.ts';

const OFFSET_MIN = 8 * 60;

/** A time `minutes` from now, as the schema stores it in Asia/Shanghai. */
function inMinutes(minutes: number): string {
	return isoWithOffset(new Date(Date.now() + minutes * 60_000), OFFSET_MIN);
}

type DemoCard = NewCard & { id: string };

const CARDS: Record<string, { author: string; cards: DemoCard[] }> = {
	station: {
		author: 'demo-user-lead-station',
		cards: [
			{ id: 'demo-card-s1', title: '南门入口人流管控，设置单向通行', status: 'doing', priority: 'critical', location: '南门广场', teamId: 'demo-station-order-u1', assignees: ['demo-user-member-station', 'demo-user-guo-jing'], dueAt: inMinutes(40), checklist: [{ id: 'k1', text: '铁马围挡到位', done: true }, { id: 'k2', text: '广播提示单向通行', done: false }, { id: 'k3', text: '增派两名民警', done: false }] },
			{ id: 'demo-card-s2', title: '夜市警务室值守，受理群众求助', status: 'doing', priority: 'routine', location: '东大街夜市', teamId: 'demo-station-community-market', assignees: ['demo-user-chen-lei'], dueAt: inMinutes(300) },
			{ id: 'demo-card-s3', title: '核查灯会周边出租屋流动人口登记', status: 'todo', priority: 'routine', location: '城关街道', teamId: 'demo-station-community-wall', dueAt: inMinutes(-25) },
			{ id: 'demo-card-s4', title: '走失儿童协查：身穿红色棉衣，约6岁', status: 'todo', priority: 'critical', location: '灯组“鲤鱼跃龙门”附近', assignees: ['demo-user-member-station'], ackBy: inMinutes(-3), dueAt: inMinutes(15) },
			{ id: 'demo-card-s5', title: '灯会开幕式安保复盘材料整理', status: 'done', priority: 'routine' },
			{ id: 'demo-card-s6', title: '城墙马道临时封闭，等待园林部门确认', status: 'blocked', priority: 'urgent', location: '西城墙马道', dueAt: inMinutes(60) }
		]
	},
	cid: {
		author: 'demo-user-lead-cid',
		cards: [
			{ id: 'demo-card-c1', title: '便衣反扒：重点盯防灯组密集区', status: 'doing', priority: 'urgent', location: '主灯区', teamId: 'demo-cid-pickpocket-p1', assignees: ['demo-user-yang-fan'], dueAt: inMinutes(180) },
			{ id: 'demo-card-c2', title: '调取南门监控，比对盗窃嫌疑人轨迹', status: 'todo', priority: 'urgent', teamId: 'demo-cid-video-watch', assignees: ['demo-user-huang-min'], dueAt: inMinutes(90) },
			{ id: 'demo-card-c3', title: '移交派出所：昨夜手机被盗案线索', status: 'done', priority: 'routine' }
		]
	},
	traffic: {
		author: 'demo-user-lead-traffic',
		cards: [
			{ id: 'demo-card-t1', title: '环城南路交通管制，引导车辆绕行', status: 'doing', priority: 'urgent', location: '环城南路与朱雀大街路口', teamId: 'demo-traffic-city-fair', assignees: ['demo-user-member-traffic'], dueAt: inMinutes(120) },
			{ id: 'demo-card-t2', title: '开放临时停车场 P3，设置指引牌', status: 'todo', priority: 'routine', location: '含光门外 P3', teamId: 'demo-traffic-city-parking', dueAt: inMinutes(30) },
			{ id: 'demo-card-t3', title: '散场时段地铁站口人车分流', status: 'todo', priority: 'urgent', location: '永宁门地铁站', teamId: 'demo-traffic-mobile-moto', assignees: ['demo-user-wu-qiang'], ackBy: inMinutes(20), dueAt: inMinutes(240) },
			{ id: 'demo-card-t4', title: '救护车应急通道保持畅通', status: 'doing', priority: 'critical', location: '南门应急通道', dueAt: inMinutes(-10) }
		]
	},
	patrol: {
		author: 'demo-user-lead-patrol',
		cards: [
			{ id: 'demo-card-p1', title: '东街沿线巡防，劝导占道摆摊', status: 'doing', priority: 'routine', location: '东街', teamId: 'demo-patrol-east-dongjie', assignees: ['demo-user-xu-guilan'], dueAt: inMinutes(150) },
			{ id: 'demo-card-p2', title: '平安志愿者引导游客有序观灯', status: 'todo', priority: 'routine', location: '主灯区入口', teamId: 'demo-patrol-west-volunteer', assignees: ['demo-user-zhao-shufen'], dueAt: inMinutes(45) },
			{ id: 'demo-card-p3', title: '发现可疑遗留包裹，已报派出所', status: 'blocked', priority: 'urgent', location: '南门社区服务站旁', teamId: 'demo-patrol-east-nanmen', assignees: ['demo-user-lin-haitao'], requestedBy: null }
		]
	}
};

const POSTS: Array<{ id: string; name: string; kind: string; agency: string; location: string; minStaff: number }> = [
	{ id: 'demo-post-south-gate', name: '南门入口固定岗', kind: 'post', agency: 'station', location: '南门广场', minStaff: 4 },
	{ id: 'demo-post-checkpoint-1', name: '环城南路治安卡点', kind: 'checkpoint', agency: 'traffic', location: '环城南路与朱雀大街路口', minStaff: 3 },
	{ id: 'demo-post-east-patrol', name: '东街巡逻线', kind: 'patrol', agency: 'patrol', location: '东街全线', minStaff: 2 },
	{ id: 'demo-post-mobile-1', name: '流动警务岗亭一号', kind: 'mobile', agency: 'station', location: '主灯区', minStaff: 2 }
];


/** Writes the demo board into empty documents; returns how many documents it wrote. */
export async function seedDemoBoardContent(hub: SyncHub, eventId: string): Promise<number> {
	let written = 0;
	const command = await hub.document(commandDocName(eventId));
	if (command.durable.getMap('posts').size === 0) {
		await hub.serverWrite('demo-user-commander', [
			{
				doc: commandDocName(eventId),
				change: (doc) => {
					for (const p of POSTS) {
						const m = new Y.Map<unknown>();
						m.set('name', p.name);
						m.set('kind', p.kind);
						m.set('agency', p.agency);
						m.set('location', p.location);
						m.set('minStaff', p.minStaff);
						doc.getMap('posts').set(p.id, m);
					}
					for (const p of demoSchedule(Date.now()).periods) {
						const m = new Y.Map<unknown>();
						m.set('name', p.name);
						m.set('startsAt', p.startsAt);
						m.set('endsAt', p.endsAt);
						doc.getMap('periods').set(p.id, m);
					}
				}
			}
		]);
		written++;
	}
	for (const [agency, { author, cards }] of Object.entries(CARDS)) {
		const name = agencyDocName(eventId, agency);
		const doc = await hub.document(name);
		if (cardsOf(doc.durable).size > 0) continue;
		await hub.serverWrite(author, [
			{
				doc: name,
				change: (d) => {
					for (const { id, ...card } of cards) {
						addCard(d, id, { ...card, agency, createdBy: author, createdAt: inMinutes(-180) });
					}
				}
			}
		]);
		written++;
	}
	// The patrol team's parcel card was raised with the station: show that hand-over on the station's board.
	const station = agencyDocName(eventId, 'station');
	if (!cardsOf((await hub.document(station)).durable).has('demo-card-help-1')) {
		await hub.serverWrite('demo-user-lead-patrol', [
			{
				doc: station,
				change: (d) =>
					addCard(d, 'demo-card-help-1', {
						title: '协助处置：南门社区服务站旁可疑遗留包裹',
						status: 'todo',
						priority: 'urgent',
						agency: 'station',
						location: '南门社区服务站旁',
						requestedBy: 'patrol',
						createdBy: 'demo-user-lead-patrol',
						createdAt: inMinutes(-8),
						ackBy: inMinutes(7),
						dueAt: inMinutes(25)
					})
			}
		]);
	}
	return written;
}
