/**
 * The demo roster: shifts with people and check-ins on the demo posts, written through the hub into agency
 * documents that have no shifts yet, and one swap waiting for the station lead. Times are around the hour the
 * demo starts, so "on duty now" has something to show whenever it is run: a post at strength, a post short after
 * an early leave, a patrol line short of a no-show, a planned gap tonight, and an overlap at a hand-over.
 */
import type { SyncHub } from './hub/hub.ts';
import { agencyDocName, commandDocName } from '../src/lib/domain/documents.ts';
import { readPeriods, readShifts, toZoneIso, type CheckIn, type ShiftPerson } from '../src/lib/domain/roster.ts';
import { addShift, type ShiftDraft } from '../src/lib/domain/roster-write.ts';
import { countSwaps, createSwap, getSwap, logSwapActivity, moveSwap } from '../src/lib/server/repositories/swap.repository.ts';

const TZ = 'Asia/Shanghai';
const HOUR = 3_600_000;

/** A person: a demo account (`u`) or a named person without one. */
type P = [id: string, name: string, role: string, userId?: string];
/** A check-in relative to the shift: minutes after its start for in, minutes after its end for out. */
type C = { in: number; out?: number };

interface DemoShift {
	id: string;
	post: string;
	/** Hours from the current whole hour. */
	from: number;
	to: number;
	people: P[];
	checks?: Record<string, C>;
	notes?: string;
}

const U = {
	wang: 'demo-user-member-station',
	guo: 'demo-user-guo-jing',
	chen: 'demo-user-chen-lei',
	li: 'demo-user-member-traffic',
	wu: 'demo-user-wu-qiang',
	xu: 'demo-user-xu-guilan',
	lin: 'demo-user-lin-haitao',
	zhao: 'demo-user-zhao-shufen'
};

const ROSTER: Record<string, { author: string; shifts: DemoShift[] }> = {
	station: {
		author: 'demo-user-lead-station',
		shifts: [
			{ id: 'demo-shift-gate-prev', post: 'demo-post-south-gate', from: -14, to: -6, people: [['p1', '陈磊', '队员', U.chen], ['p2', '郭静', '队员', U.guo], ['p3', '张志强', '辅警'], ['p4', '李春生', '辅警']], checks: { p1: { in: -3, out: 2 }, p2: { in: 1, out: 0 }, p3: { in: -5, out: 0 }, p4: { in: 18, out: 0 } } },
			{ id: 'demo-shift-gate-day', post: 'demo-post-south-gate', from: -6, to: 2, people: [['p1', '周勇', '带班'], ['p2', '何斌', '辅警'], ['p3', '刘洋', '辅警']], checks: { p1: { in: -8 }, p2: { in: 2 }, p3: { in: 25 } }, notes: '人流高峰时段注意单向通行' },
			{ id: 'demo-shift-gate-now', post: 'demo-post-south-gate', from: 0, to: 8, people: [['p1', '王建国', '队员', U.wang], ['p2', '赵亮', '辅警']], checks: { p2: { in: -4 } } },
			{ id: 'demo-shift-gate-next', post: 'demo-post-south-gate', from: 8, to: 16, people: [['p1', '陈磊', '带班', U.chen], ['p2', '张志强', '辅警'], ['p3', '李春生', '辅警']] },
			{ id: 'demo-shift-mobile-now', post: 'demo-post-mobile-1', from: -3, to: 5, people: [['p1', '陈磊', '队员', U.chen], ['p2', '孙立', '辅警']], checks: { p1: { in: 0, out: -360 }, p2: { in: 2 } } },
			{ id: 'demo-shift-mobile-next', post: 'demo-post-mobile-1', from: 5, to: 13, people: [['p1', '郭静', '队员', U.guo], ['p2', '钱伟', '辅警']] }
		]
	},
	traffic: {
		author: 'demo-user-lead-traffic',
		shifts: [
			{ id: 'demo-shift-cp-now', post: 'demo-post-checkpoint-1', from: -2, to: 6, people: [['p1', '李晓梅', '队员', U.li], ['p2', '吴强', '铁骑', U.wu], ['p3', '周平', '协警']], checks: { p1: { in: -2 }, p2: { in: 1 }, p3: { in: 5 } } },
			// Starts an hour before the day shift ends for the hand-over, and 李晓梅 is on both: flagged as an overlap.
			{ id: 'demo-shift-cp-night', post: 'demo-post-checkpoint-1', from: 5, to: 13, people: [['p1', '李晓梅', '队员', U.li], ['p2', '郑凯', '协警'], ['p3', '冯涛', '协警']], notes: '散场后车流疏导' }
		]
	},
	patrol: {
		author: 'demo-user-lead-patrol',
		shifts: [
			{ id: 'demo-shift-east-prev', post: 'demo-post-east-patrol', from: -9, to: -1, people: [['p1', '赵淑芬', '巡防队员', U.zhao], ['p2', '王秀珍', '志愿者']], checks: { p1: { in: 0, out: 0 }, p2: { in: 4, out: -50 } } },
			{ id: 'demo-shift-east-now', post: 'demo-post-east-patrol', from: -1, to: 7, people: [['p1', '徐桂兰', '巡防队员', U.xu], ['p2', '林海涛', '巡防队员', U.lin]], checks: { p1: { in: 3 } } },
			{ id: 'demo-shift-east-next', post: 'demo-post-east-patrol', from: 7, to: 15, people: [['p1', '赵淑芬', '巡防队员', U.zhao], ['p2', '王秀珍', '志愿者']] }
		]
	}
};

/** The demo's shifts as drafts, timed around `base` (a whole hour) and put in the period their start falls in. */
export function demoRosterDrafts(base: number, periods: Array<{ id: string; startsAt: string; endsAt: string }>): Record<string, ShiftDraft[]> {
	const periodOf = (at: number) => periods.find((p) => Date.parse(p.startsAt) <= at && at < Date.parse(p.endsAt))?.id ?? null;
	const out: Record<string, ShiftDraft[]> = {};
	for (const [agency, { author, shifts }] of Object.entries(ROSTER)) {
		out[agency] = shifts.map((s) => {
			const start = base + s.from * HOUR;
			const end = base + s.to * HOUR;
			const people: ShiftPerson[] = s.people.map(([id, name, role, userId]) => ({ id, name, role, userId: userId ?? null }));
			const checkins: Record<string, CheckIn> = {};
			for (const [pid, c] of Object.entries(s.checks ?? {})) {
				const self = people.find((p) => p.id === pid)?.userId;
				checkins[pid] = {
					inAt: toZoneIso(start + c.in * 60_000, TZ),
					outAt: c.out === undefined ? null : toZoneIso(end + c.out * 60_000, TZ),
					// People with an account tapped in themselves; the lead recorded the others.
					recordedBy: self ?? author
				};
			}
			return { id: s.id, postId: s.post, periodId: periodOf(start), startsAt: toZoneIso(start, TZ), endsAt: toZoneIso(end, TZ), notes: s.notes ?? null, people, checkins };
		});
	}
	return out;
}

/** Writes the demo roster into agency documents without shifts; returns how many documents it wrote. */
export async function seedDemoRoster(hub: SyncHub, eventId: string): Promise<number> {
	const base = Math.floor(Date.now() / HOUR) * HOUR;
	const periods = readPeriods((await hub.document(commandDocName(eventId))).durable);
	const drafts = demoRosterDrafts(base, periods);
	let written = 0;
	for (const [agency, shifts] of Object.entries(drafts)) {
		const name = agencyDocName(eventId, agency);
		if (readShifts((await hub.document(name)).durable, agency).length > 0) continue;
		await hub.serverWrite(ROSTER[agency].author, [{ doc: name, change: (doc) => shifts.forEach((s) => addShift(doc, s)) }]);
		written++;
	}
	if (written && (await countSwaps(hub.options.db, eventId)) === 0) await seedDemoSwap(hub, eventId);
	return written;
}

/** 陈磊 asked 郭静 to swap tonight's shifts, she agreed, and the station lead has yet to decide. */
async function seedDemoSwap(hub: SyncHub, eventId: string): Promise<void> {
	const db = hub.options.db;
	await db.transaction().execute(async (tx) => {
		await createSwap(tx, {
			id: 'demo-swap-1',
			eventId,
			agency: 'station',
			fromShiftId: 'demo-shift-gate-next',
			fromPersonId: 'p1',
			fromUserId: U.chen,
			toShiftId: 'demo-shift-mobile-next',
			toPersonId: 'p1',
			toUserId: U.guo,
			note: '家里老人看病，想换到早一点的班'
		});
		const swap = (await getSwap(tx, 'demo-swap-1'))!;
		await logSwapActivity(tx, swap, 'swapRequested', U.chen);
		await moveSwap(tx, swap.id, ['proposed'], 'accepted', { userId: U.guo, decision: false });
		await logSwapActivity(tx, swap, 'swapAccepted', U.guo);
	});
}
