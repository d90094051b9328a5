import { describe, expect, it } from 'vitest';
import { UserBudgets, type QuotaLimits } from './quotas.ts';

const LIMITS: QuotaLimits = { docBytes: 1_000_000, userBytesPerMinute: 1_000, userUpdatesPerMinute: 5, userConnections: 10 };
const T0 = Date.parse('2026-12-05T08:00:00.000Z');

describe("a user's budget of updates and bytes per minute", () => {
	it('takes updates up to the limit within a minute, and refuses the next without counting it', () => {
		const budgets = new UserBudgets(LIMITS);
		for (let i = 0; i < 5; i++) expect(budgets.take('u1', 10, T0 + i * 1_000)).toBe(true);
		expect(budgets.take('u1', 10, T0 + 10_000)).toBe(false);
		// Another user has a budget of their own.
		expect(budgets.take('u2', 10, T0 + 10_000)).toBe(true);
		// A minute after the first update, it leaves the window, and one more fits (the refusal counted nothing).
		expect(budgets.take('u1', 10, T0 + 60_000)).toBe(true);
		expect(budgets.take('u1', 10, T0 + 60_500)).toBe(false);
		expect(budgets.take('u1', 10, T0 + 61_000)).toBe(true);
	});

	it('counts bytes over the same window, several updates in one second together', () => {
		const budgets = new UserBudgets(LIMITS);
		expect(budgets.take('u1', 400, T0)).toBe(true);
		expect(budgets.take('u1', 400, T0 + 300)).toBe(true);
		expect(budgets.take('u1', 300, T0 + 600)).toBe(false);
		expect(budgets.take('u1', 200, T0 + 900)).toBe(true);
		expect(budgets.take('u1', 1, T0 + 59_999)).toBe(false);
		// The whole first second leaves at once: all its bytes are free again.
		expect(budgets.take('u1', 1_000, T0 + 60_000)).toBe(true);
	});

	it('starts afresh after a long quiet spell, and forgets a user with nothing in the window', () => {
		const budgets = new UserBudgets(LIMITS);
		for (let i = 0; i < 5; i++) budgets.take('u1', 200, T0 + i);
		expect(budgets.take('u1', 1, T0 + 30_000)).toBe(false);
		expect(budgets.take('u1', 1_000, T0 + 3_600_000)).toBe(true);
		budgets.sweep(T0 + 7_200_000);
		for (let i = 0; i < 5; i++) expect(budgets.take('u1', 200, T0 + 7_200_000 + i)).toBe(true);
	});
});
