import { describe, it, expect } from 'vitest';
import { checkExercise, EXERCISE_LIMITS, parseExercise, ratingCounts } from './exercise.ts';

const objective = {
	id: 'o1',
	text: '  10 分钟内完成走失儿童的跨警种协查  ',
	capabilities: [
		{ id: 'c1', name: '现场指挥', rating: 'S' },
		{ id: 'c2', name: '信息共享', rating: '' }
	],
	strengths: ['派出所 4 分钟内下达指令', '  ', '交警卡点及时响应'],
	improvements: ['刑侦线索晚到 12 分钟']
};

describe('checkExercise', () => {
	it('accepts objectives with rated capabilities, trimming text and dropping blank lines', () => {
		const r = checkExercise({ objectives: [objective] });
		expect(r).toEqual({
			ok: true,
			value: {
				objectives: [
					{
						id: 'o1',
						text: '10 分钟内完成走失儿童的跨警种协查',
						capabilities: [
							{ id: 'c1', name: '现场指挥', rating: 'S' },
							{ id: 'c2', name: '信息共享', rating: null }
						],
						strengths: ['派出所 4 分钟内下达指令', '交警卡点及时响应'],
						improvements: ['刑侦线索晚到 12 分钟']
					}
				]
			}
		});
	});

	it('accepts an empty evaluation', () => {
		expect(checkExercise({})).toEqual({ ok: true, value: { objectives: [] } });
	});

	it('names every problem by its path: a missing objective, a rating outside P/S/M/U, a bad or repeated id', () => {
		const r = checkExercise({
			objectives: [
				{ id: 'o1', text: '', capabilities: [{ id: 'c1', name: '', rating: 'X' }] },
				{ id: 'o1', text: '目标二', capabilities: [{ id: 'bad id', name: '通信', rating: 'U' }], strengths: [42] }
			]
		});
		expect(r.ok).toBe(false);
		if (r.ok) return;
		expect(r.problems.map((p) => `${p.path}:${p.problem}`).sort()).toEqual(
			[
				'objectives[0].text:required',
				'objectives[0].capabilities[0].name:required',
				'objectives[0].capabilities[0].rating:invalidChoice',
				'objectives[1].id:duplicate',
				'objectives[1].capabilities[0].id:invalidFormat',
				'objectives[1].strengths[0]:invalidFormat'
			].sort()
		);
	});

	it('refuses too many objectives and over-long text', () => {
		const many = Array.from({ length: EXERCISE_LIMITS.objectives + 1 }, (_, i) => ({ id: `o${i}`, text: '目标' }));
		const r = checkExercise({ objectives: many });
		expect(r.ok === false && r.problems.some((p) => p.path === 'objectives' && p.problem === 'tooMany')).toBe(true);
		const long = checkExercise({ objectives: [{ id: 'o1', text: '长'.repeat(EXERCISE_LIMITS.text + 1) }] });
		expect(long.ok === false && long.problems).toEqual([{ path: 'objectives[0].text', problem: 'tooLong' }]);
	});

	it('refuses a list that is not a list', () => {
		const r = checkExercise({ objectives: 'all good' });
		expect(r).toEqual({ ok: false, problems: [{ path: 'objectives', problem: 'invalidFormat' }] });
	});
});

describe('ratingCounts', () => {
	it('counts capabilities by rating, the unrated apart', () => {
		const r = checkExercise({ objectives: [objective, { id: 'o2', text: '疏散', capabilities: [{ id: 'c3', name: '疏散引导', rating: 'U' }, { id: 'c4', name: '医疗', rating: 'S' }] }] });
		if (!r.ok) throw new Error('expected a valid evaluation');
		expect(ratingCounts(r.value)).toEqual({ P: 0, S: 2, M: 0, U: 1, unrated: 1 });
	});
});

describe('parseExercise', () => {
	it('reads a stored evaluation back and falls back to the empty one for nothing or garbage', () => {
		expect(parseExercise(JSON.stringify({ objectives: [{ id: 'o1', text: '目标' }] })).objectives[0]).toEqual({ id: 'o1', text: '目标', capabilities: [], strengths: [], improvements: [] });
		expect(parseExercise(null)).toEqual({ objectives: [] });
		expect(parseExercise('{not json')).toEqual({ objectives: [] });
	});
});
