/**
 * The command rhythm in the after-action record: each roll call with its answer times and the posts that never
 * answered, and each patrol route's rounds planned against completed — figures through the same definitions the
 * roster, the wall and the patrol page use (`rollCallFigures`, `routeStatus`), and timeline entries in words.
 */
import { rollCallFigures, type RollCallView } from './roll-calls.ts';
import { routeStatus, type PatrolRoute, type PatrolScan } from './patrol.ts';

/** A roll call as the record keeps it: names, never accounts. */
export interface RecordRollCall {
	id: string;
	scope: string;
	startedAt: string;
	closesAt: string;
	startedBy: string | null;
	targets: Array<{ name: string; postId: string; postName: string; postAgency: string | null; answeredAt: string | null; receivedAt: string | null }>;
}

export interface RecordPatrol {
	routes: Array<Omit<PatrolRoute, 'checkpoints'> & { checkpoints: Array<{ id: string; name: string; seq: number }> }>;
	scans: Array<{ checkpointId: string; by: string | null; scannedAt: string; receivedAt: string }>;
}

export function recordRollCall(call: RollCallView): RecordRollCall {
	return {
		id: call.id,
		scope: call.scope,
		startedAt: call.startedAt,
		closesAt: call.closesAt,
		startedBy: call.startedByName,
		targets: call.targets.map((t) => ({ name: t.name, postId: t.postId, postName: t.postName, postAgency: t.postAgency, answeredAt: t.answeredAt, receivedAt: t.receivedAt }))
	};
}

const asView = (c: RecordRollCall): Pick<RollCallView, 'startedAt' | 'closesAt' | 'targets'> => ({
	startedAt: c.startedAt,
	closesAt: c.closesAt,
	targets: c.targets.map((t) => ({ ...t, userId: t.name }))
});

const asScans = (p: RecordPatrol): PatrolScan[] => p.scans.map((s) => ({ checkpointId: s.checkpointId, userId: null, userName: s.by, scannedAt: s.scannedAt, receivedAt: s.receivedAt }));

const asRoute = (r: RecordPatrol['routes'][number]) => ({ ...r, checkpoints: r.checkpoints.map((c) => ({ ...c, postId: r.postId, point: null })) });

/** The rhythm's key figures as of the record's moment. */
export function rhythmFigures(rollCalls: RecordRollCall[], patrol: RecordPatrol, span: { start: number; end: number }, asOf: number) {
	const calls = rollCalls
		.filter((c) => Date.parse(c.startedAt) <= asOf)
		.map((c) => {
			const f = rollCallFigures(asView(c), asOf);
			return {
				id: c.id,
				scope: c.scope,
				startedAt: c.startedAt,
				startedBy: c.startedBy,
				people: f.people,
				posts: f.posts.length,
				answeredPosts: f.answeredPosts,
				within: f.within,
				medianSeconds: f.medianSeconds,
				unansweredPosts: f.unansweredPosts.map((p) => p.postName)
			};
		});
	const scans = asScans(patrol);
	const routes = patrol.routes
		.filter((r) => r.checkpoints.length > 0)
		.map((r) => {
			const st = routeStatus(asRoute(r), scans, span, asOf);
			const finished = st.rounds.filter((x) => x.end <= asOf);
			return {
				postId: r.postId,
				route: r.postName,
				agency: r.agency,
				intervalMinutes: r.intervalMinutes,
				checkpoints: r.checkpoints.length,
				planned: st.planned,
				completed: st.completed,
				partial: finished.filter((x) => x.state === 'partial').length,
				missed: finished.filter((x) => x.state === 'missed').length,
				scans: scans.filter((s) => r.checkpoints.some((c) => c.id === s.checkpointId)).length
			};
		});
	return {
		rollCalls: calls,
		unansweredPostsTotal: calls.reduce((n, c) => n + c.unansweredPosts.length, 0),
		patrol: routes,
		roundsPlanned: routes.reduce((n, r) => n + r.planned, 0),
		roundsCompleted: routes.reduce((n, r) => n + r.completed, 0)
	};
}

/** The timeline's entries of the rhythm: a roll call's start and close, and each patrol round that was not complete. */
export function rhythmEntries(rollCalls: RecordRollCall[], patrol: RecordPatrol, span: { start: number; end: number }, asOf: number) {
	const out: Array<{ at: string; agency: string | null; who: string | null; entityType: string; entityId: string; action: string; field: string | null; from: string | null; to: string | null }> = [];
	for (const c of rollCalls) {
		if (Date.parse(c.startedAt) > asOf) continue;
		const agency = c.scope === '*' ? null : c.scope;
		out.push({ at: c.startedAt, agency, who: c.startedBy, entityType: 'rollcall', entityId: c.id, action: 'rollCallStarted', field: null, from: null, to: String(c.targets.length) });
		if (Date.parse(c.closesAt) <= asOf) {
			const f = rollCallFigures(asView(c), asOf);
			out.push({
				at: c.closesAt,
				agency,
				who: null,
				entityType: 'rollcall',
				entityId: c.id,
				action: 'rollCallClosed',
				field: null,
				from: `${f.answeredPosts}/${f.posts.length}`,
				to: f.unansweredPosts.map((p) => p.postName).join('、') || null
			});
		}
	}
	const scans = asScans(patrol);
	for (const r of patrol.routes) {
		if (!r.checkpoints.length) continue;
		for (const round of routeStatus(asRoute(r), scans, span, asOf).rounds) {
			if (round.end > asOf || round.state === 'complete') continue;
			out.push({
				at: new Date(round.end).toISOString(),
				agency: r.agency,
				who: null,
				entityType: 'patrol',
				entityId: r.postId,
				action: round.state === 'missed' ? 'roundMissed' : 'roundPartial',
				field: null,
				from: new Date(round.start).toISOString(),
				to: `${round.scanned}/${round.of}`
			});
		}
	}
	return out.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
}
