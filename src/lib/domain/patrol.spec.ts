import { describe, it, expect } from 'vitest';
import { labelCode, parseLabel, routeStatus } from './patrol.ts';

const H = 3_600_000;
const t0 = Date.parse('2026-02-12T10:00:00Z');
const route = { postId: 'p', intervalMinutes: 60, since: null, checkpoints: ['a', 'b'].map((id, i) => ({ id, postId: 'p', name: id, seq: i + 1, point: null })) };
const scan = (checkpointId: string, minutes: number) => ({ checkpointId, userId: null, userName: null, scannedAt: new Date(t0 + minutes * 60_000).toISOString(), receivedAt: new Date(t0 + minutes * 60_000).toISOString() });

describe('patrol labels', () => {
	it('reads a code bare or at the end of its URL, and nothing else', () => {
		const code = labelCode('abcdefgh23', 'a'.repeat(24));
		expect(parseLabel(code)).toEqual({ checkpointId: 'abcdefgh23', signature: 'a'.repeat(24) });
		expect(parseLabel(`https://board.example/scan/${code}`)).toEqual({ checkpointId: 'abcdefgh23', signature: 'a'.repeat(24) });
		expect(parseLabel('LD1-abc-123')).toBeNull();
		expect(parseLabel(42)).toBeNull();
	});
});

describe('routeStatus', () => {
	it('counts rounds complete, partial and missed, and flags the route when the last finished round was not complete', () => {
		const scans = [scan('a', 5), scan('b', 40), scan('a', 70), scan('b', 200)];
		const st = routeStatus(route, scans, { start: t0, end: t0 + 10 * H }, t0 + 3.5 * H);
		expect(st.rounds.map((r) => r.state)).toEqual(['complete', 'partial', 'missed', 'inProgress']);
		expect(st).toMatchObject({ planned: 3, completed: 1, overdue: true });
		expect(st.current).toMatchObject({ scanned: 1, of: 2 });
	});
	it('starts counting when the route got its checkpoints, and not before', () => {
		const st = routeStatus({ ...route, since: new Date(t0 + 2 * H).toISOString() }, [scan('a', 130), scan('b', 150)], { start: t0, end: t0 + 10 * H }, t0 + 3.2 * H);
		expect(st).toMatchObject({ planned: 1, completed: 1, overdue: false });
	});
});
