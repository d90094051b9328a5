import { describe, it, expect } from 'vitest';
import { checkFindings } from './findings.ts';

const improvement = { id: 'imp1', area: '信息共享', observation: '刑侦线索晚到 40 分钟', rootCause: '无固定交接渠道' };
const plan = { id: 'plan1', improvementId: 'imp1', action: '建立线索交接群', agency: '派出所', contact: '刘卫东', dueDate: '2026-12-31' };

describe('checkFindings', () => {
	it('accepts findings in the HSEEP layout and trims their text', () => {
		const r = checkFindings({ strengths: [{ id: 's1', text: '  反应迅速  ' }], improvements: [improvement], plan: [plan] });
		expect(r).toEqual({ ok: true, value: { strengths: [{ id: 's1', text: '反应迅速' }], improvements: [improvement], plan: [plan] } });
	});

	it('names every missing field by its path', () => {
		const r = checkFindings({ strengths: [{ id: 's1', text: '' }], improvements: [{ id: 'i1', area: '', rootCause: '' }], plan: [{ id: 'p1', action: '', agency: '', contact: '', dueDate: '' }] });
		expect(r.ok).toBe(false);
		if (r.ok) return;
		expect(r.problems.map((p) => `${p.path}:${p.problem}`).sort()).toEqual(
			[
				'strengths[0].text:required',
				'improvements[0].area:required',
				'improvements[0].rootCause:required',
				'plan[0].action:required',
				'plan[0].agency:required',
				'plan[0].contact:required',
				'plan[0].dueDate:required'
			].sort()
		);
	});

	it('refuses a due date that is not a day of the calendar', () => {
		for (const dueDate of ['2026-02-31', '2026-13-01', '31.12.2026']) {
			const r = checkFindings({ improvements: [improvement], plan: [{ ...plan, dueDate }] });
			expect(r.ok ? [] : r.problems).toEqual([{ path: 'plan[0].dueDate', problem: 'invalidFormat' }]);
		}
	});

	it('refuses a corrective action that answers an improvement the findings do not hold', () => {
		const r = checkFindings({ improvements: [], plan: [plan] });
		expect(r.ok ? [] : r.problems).toEqual([{ path: 'plan[0].improvementId', problem: 'invalidFormat' }]);
		expect(checkFindings({ improvements: [], plan: [{ ...plan, improvementId: null }] }).ok).toBe(true);
	});
});
