/**
 * The demo dispute register: entries in the patrol and station documents (the two agencies that screen
 * disputes), and their parties in the restricted document, written through the sync hub like any server write.
 * Each agency's entries are written only while its register is empty, with their parties in the same
 * transaction, so a restart with --demo leaves an edited demo alone.
 *
 * Everyone here is invented. Phones use the 13800000xxx block Chinese documentation uses for examples, and the ID
 * numbers are made up: their check digits are not valid.
 */
import type { SyncHub } from './hub/hub.ts';
import { agencyDocName, restrictedDocName } from '../src/lib/domain/documents.ts';
import { addDispute, disputesOf, partiesOf, setParties, type NewDispute, type Party } from '../src/lib/domain/dispute-doc.ts';
import { maskParties } from '../src/lib/domain/masking.ts';
import { isoWithOffset } from '../src/lib/domain/board.ts';

const OFFSET_MIN = 8 * 60;

/** A time `minutes` from now, as the schema stores it in Asia/Shanghai. */
function inMinutes(minutes: number): string {
	return isoWithOffset(new Date(Date.now() + minutes * 60_000), OFFSET_MIN);
}

function party(name: string, phone: string, idNumber = '', address = '', note = ''): Party {
	return { name, phone, idNumber, address, note };
}

type DemoDispute = NewDispute & { id: string; parties: Party[] };

const PATROL = 'demo-user-lead-patrol';
const STATION = 'demo-user-lead-station';

const DISPUTES: Record<string, { author: string; disputes: DemoDispute[] }> = {
	patrol: {
		author: PATROL,
		disputes: [
			{
				id: 'demo-dispute-p1',
				summary: '东街两摊主因摊位占道争执，曾发生推搡，灯会期间人流大易再起冲突',
				category: 'neighbor',
				risk: 'high',
				status: 'mediating',
				level: 'community',
				mediation: 'people',
				location: '东街38号前',
				screenedAt: inMinutes(-26 * 60),
				dueAt: inMinutes(180),
				ownerTeamId: 'demo-patrol-east-dongjie',
				// The board's patrol card for the same street (demo-board.ts).
				cardId: 'demo-card-p1',
				progress: [
					{ at: inMinutes(-25 * 60), by: PATROL, text: '已分别谈话，双方同意由社区人民调解员主持调解。' },
					{ at: inMinutes(-90), by: 'demo-user-xu-guilan', text: '调解员约定今晚灯会开始前再次面谈，巡防队员在场。' }
				],
				parties: [
					party('韩立新', '13800000101', '610102198003150011', '城关街道东街38号', '卖糖画的摊主'),
					party('曹美玲', '13800000102', '610102198507220022', '城关街道东街41号')
				]
			},
			{
				id: 'demo-dispute-p2',
				summary: '灯组搭建临时工讨要三天工钱，扬言到主灯区聚集讨薪',
				category: 'labor',
				risk: 'critical',
				status: 'open',
				level: 'street',
				mediation: 'administrative',
				location: '南门社区服务站',
				screenedAt: inMinutes(-240),
				dueAt: inMinutes(60),
				ownerTeamId: 'demo-patrol-east',
				progress: [{ at: inMinutes(-230), by: PATROL, text: '约十名工人，已联系街道劳动保障所到场。' }],
				parties: [party('钱大勇', '13800000103', '610103197911080033', '', '工人代表'), party('欧阳振华', '13800000104', '', '', '灯组搭建包工头')]
			},
			{
				id: 'demo-dispute-p3',
				summary: '楼上卫生间漏水引发邻里矛盾',
				category: 'neighbor',
				risk: 'low',
				status: 'resolved',
				level: 'community',
				mediation: 'people',
				location: '西街12号院3号楼',
				screenedAt: inMinutes(-3 * 24 * 60),
				dueAt: inMinutes(-24 * 60),
				ownerTeamId: 'demo-patrol-west-xijie',
				progress: [
					{ at: inMinutes(-2 * 24 * 60), by: 'demo-user-zhao-shufen', text: '物业上门查明漏水点，楼上住户同意维修并赔偿。', kind: 'status', status: 'resolved' }
				],
				parties: [party('宋丽华', '13800000105'), party('冯建军', '13800000106')]
			},
			{
				id: 'demo-dispute-p4',
				summary: '夫妻因子女抚养问题多次争吵，女方向社区求助',
				category: 'family',
				risk: 'medium',
				status: 'open',
				level: 'community',
				mediation: 'people',
				location: '南门社区',
				screenedAt: inMinutes(-20 * 60),
				dueAt: inMinutes(-30),
				ownerTeamId: 'demo-patrol-east-nanmen',
				parties: [party('邓红梅', '13800000107', '610104199002140044', '南门社区6号楼'), party('邓志强', '13800000108')]
			},
			{
				id: 'demo-dispute-p5',
				summary: '小区停车收费上涨，业主拟在灯会期间拉横幅',
				category: 'property',
				risk: 'medium',
				status: 'mediating',
				level: 'community',
				mediation: 'administrative',
				location: '西街锦园小区',
				screenedAt: inMinutes(-2 * 24 * 60),
				dueAt: inMinutes(24 * 60),
				ownerTeamId: 'demo-patrol-west-xijie',
				parties: [party('Peter Wong', '13800000109', '', '', '业主代表，香港居民')]
			}
		]
	},
	station: {
		author: STATION,
		disputes: [
			{
				id: 'demo-dispute-s1',
				summary: '游客与商户因灯笼标价不清发生纠纷，已报警',
				category: 'consumer',
				risk: 'medium',
				status: 'mediating',
				level: 'street',
				mediation: 'administrative',
				location: '主灯区商铺街',
				screenedAt: inMinutes(-50),
				dueAt: inMinutes(120),
				ownerTeamId: 'demo-station-community-market',
				parties: [party('司马文静', '13800000110'), party('彭海', '13800000111', '', '主灯区商铺街7号')]
			},
			{
				id: 'demo-dispute-s2',
				summary: '城中村宅基地边界纠纷，双方曾持械对峙',
				category: 'land',
				risk: 'critical',
				status: 'reported',
				level: 'district',
				mediation: 'judicial',
				location: '城关街道北关村',
				screenedAt: inMinutes(-5 * 24 * 60),
				dueAt: inMinutes(6 * 60),
				ownerTeamId: 'demo-station',
				progress: [
					{ at: inMinutes(-4 * 24 * 60), by: STATION, text: '街道调解两次未果，双方情绪激动。' },
					{
						at: inMinutes(-3 * 24 * 60),
						by: STATION,
						text: '街道层面无法化解，上报区级，建议引导走司法途径。',
						kind: 'escalation',
						status: 'reported',
						fromLevel: 'street',
						toLevel: 'district',
						fromAgency: 'station',
						toAgency: 'station'
					}
				],
				parties: [
					party('诸葛建业', '13800000112', '610105196806300055', '北关村二组'),
					party('蒋秀芝', '13800000113', '610105197209180066', '北关村二组')
				]
			},
			{
				id: 'demo-dispute-s3',
				summary: '酒后滋事损坏灯组引发的赔偿纠纷',
				category: 'other',
				risk: 'high',
				status: 'transferred',
				level: 'street',
				location: '西城墙下灯组“锦鲤”',
				screenedAt: inMinutes(-150),
				dueAt: inMinutes(240),
				progress: [
					{
						at: inMinutes(-40),
						by: PATROL,
						text: '涉及治安案件，移交派出所处理。',
						kind: 'escalation',
						status: 'transferred',
						fromLevel: 'community',
						toLevel: 'street',
						fromAgency: 'patrol',
						toAgency: 'station'
					}
				],
				parties: [party('Tom Baker', '13800000114', 'E12345678', '', '外籍游客'), party('严', '13800000115', '', '', '灯组承办方')]
			}
		]
	}
};

/** Writes the demo register into empty agency registers; returns how many documents it wrote. */
export async function seedDemoDisputes(hub: SyncHub, eventId: string): Promise<number> {
	let written = 0;
	const restricted = restrictedDocName(eventId);
	for (const [agency, { author, disputes }] of Object.entries(DISPUTES)) {
		const name = agencyDocName(eventId, agency);
		if (disputesOf((await hub.document(name)).durable).size > 0) continue;
		const held = partiesOf((await hub.document(restricted)).durable);
		await hub.serverWrite(author, [
			{
				doc: name,
				change: (doc) => {
					for (const { id, parties, ...d } of disputes) addDispute(doc, id, { ...d, partiesMasked: maskParties(parties) });
				}
			},
			{
				doc: restricted,
				change: (doc) => {
					for (const { id, parties } of disputes) if (!held.has(id)) setParties(doc, id, parties);
				}
			}
		]);
		written += 2;
	}
	return written;
}
