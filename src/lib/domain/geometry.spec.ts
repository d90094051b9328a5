import { describe, it, expect } from 'vitest';
import { fitAffine, geometryProblem, planPointOf, selfIntersects } from './geometry.ts';
import { parseControls } from './venue-map.ts';

describe('plan geometry', () => {
	it('takes points, lines and simple polygons, and names what is wrong with the rest', () => {
		expect(geometryProblem([10, 20], 'point')).toBeNull();
		expect(geometryProblem([0, 0, 10, 0, 10, 10], 'polygon')).toBeNull();
		expect(geometryProblem([0, 0, 10, 10, 10, 0, 0, 10], 'polygon')).toMatch(/cross/);
		expect(geometryProblem([0, NaN], 'point')).toMatch(/finite/);
		expect(geometryProblem([1, 2, 3], 'line')).toMatch(/pairs/);
		expect(geometryProblem(Array(1002).fill(1), 'line')).toMatch(/more than/);
		expect(geometryProblem('0,0', 'point')).toMatch(/list/);
	});

	it('tells a bow tie from a square', () => {
		expect(selfIntersects([[0, 0], [10, 0], [10, 10], [0, 10]])).toBe(false);
		expect(selfIntersects([[0, 0], [10, 10], [10, 0], [0, 10]])).toBe(true);
	});

	it('fits an affine georeference and finds a GPS position on the plan', () => {
		const controls = [
			{ plan: [0, 0] as [number, number], lngLat: [108.94, 34.26] as [number, number] },
			{ plan: [1200, 0] as [number, number], lngLat: [108.952, 34.26] as [number, number] },
			{ plan: [0, 800] as [number, number], lngLat: [108.94, 34.252] as [number, number] }
		];
		const at = planPointOf(controls, [108.946, 34.256])!;
		expect(at[0]).toBeCloseTo(600, 3);
		expect(at[1]).toBeCloseTo(400, 3);
		expect(fitAffine([[0, 0], [1, 1], [2, 2]], [[0, 0], [1, 1], [2, 2]])).toBeNull();
	});

	it('reads control points as typed, and refuses too few or points in a line', () => {
		expect(parseControls('0,0,108.94,34.26\n1200，0，108.952，34.26\n0 800 108.94 34.252')).toMatchObject({ ok: true });
		expect(parseControls('0,0,108.94,34.26\n1,1,108.95,34.25')).toEqual({ ok: false, problem: 'controlsTooFew' });
		expect(parseControls('0,0,1,1\n1,1,2,2\n2,2,3,3')).toEqual({ ok: false, problem: 'controlsInLine' });
		expect(parseControls('0,0,200,34\n1,1,2,2\n2,3,3,3')).toEqual({ ok: false, problem: 'controlsFormat' });
		expect(parseControls('')).toEqual({ ok: true, row: [] });
	});
});
