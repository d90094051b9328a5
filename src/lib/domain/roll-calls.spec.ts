import { describe, it, expect } from 'vitest';
import { mayStartRollCall, rollCallFigures } from './roll-calls.ts';

const start = Date.parse('2026-02-12T10:00:00Z');
const iso = (s: number) => new Date(start + s * 1000).toISOString();
const target = (name: string, postId: string, answeredAfter: number | null, receivedAfter = answeredAfter) => ({
	userId: name,
	name,
	postId,
	postName: `岗${postId}`,
	postAgency: 'station',
	answeredAt: answeredAfter === null ? null : iso(answeredAfter),
	receivedAt: receivedAfter === null ? null : iso(receivedAfter)
});

describe('rollCallFigures', () => {
	const call = { startedAt: iso(0), closesAt: iso(600), targets: [target('甲', '1', 30), target('乙', '1', null), target('丙', '2', 200, 900), target('丁', '3', null)] };
	it('takes a post as answered at its first answer, an offline one at its tap once it has arrived', () => {
		const before = rollCallFigures(call, start + 800_000);
		expect(before.answeredPosts).toBe(1);
		const after = rollCallFigures(call, start + 1_000_000);
		expect(after.posts.find((p) => p.postId === '2')?.seconds).toBe(200);
		expect(after.within).toEqual({ 2: 1, 5: 2, 10: 2 });
		expect(after.unansweredPosts.map((p) => p.postName)).toEqual(['岗3']);
		expect(after.posts.find((p) => p.postId === '1')?.waiting).toEqual(['乙']);
	});
	it('lets a lead call their own agency only and the commander every post', () => {
		const lead = { kind: 'user' as const, userId: 'l', isAdmin: false, clearedPersonalData: false, membership: { role: 'lead' as const, agencyCode: 'station' } };
		expect(mayStartRollCall(lead, 'station', 'active')).toBe(true);
		expect(mayStartRollCall(lead, '*', 'active')).toBe(false);
		expect(mayStartRollCall({ ...lead, membership: { role: 'commander', agencyCode: null } }, '*', 'active')).toBe(true);
		expect(mayStartRollCall({ ...lead, membership: { role: 'commander', agencyCode: null } }, '*', 'closed')).toBe(false);
	});
});
