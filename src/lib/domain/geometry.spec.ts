import { describe, it, expect } from 'vitest';
import { applyAffine, BASEMAP_PLAN_SIDE, fitAffine, geometryProblem, invertAffine, mercatorOf, planFromBounds, planPointOf, planToMercator, selfIntersects, type Point } from './geometry.ts';
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

describe('plans over a basemap', () => {
	it('puts longitude and latitude in Web Mercator pixels at zoom 0', () => {
		expect(mercatorOf([0, 0])).toEqual([128, 128]);
		expect(mercatorOf([-180, 0])[0]).toBe(0);
		const [x, y] = mercatorOf([108.9425, 34.2475]);
		// The tile at zoom 16 that holds the demo venue (as the usual tile formula gives it).
		expect([Math.floor((x * 2 ** 16) / 256), Math.floor((y * 2 ** 16) / 256)]).toEqual([52600, 26125]);
	});

	it('fits plan pixels to Mercator pixels from the control points, and back', () => {
		const bounds: [number, number, number, number] = [108.93, 34.24, 108.96, 34.26];
		const plan = planFromBounds(bounds);
		expect(Math.max(plan.width, plan.height)).toBe(BASEMAP_PLAN_SIDE);
		const controls = [];
		for (let i = 0; i < plan.controls.length; i += 4) controls.push({ plan: [plan.controls[i], plan.controls[i + 1]] as Point, lngLat: [plan.controls[i + 2], plan.controls[i + 3]] as Point });
		const t = planToMercator(controls)!;
		const back = invertAffine(t)!;
		// The plan's corners land on the basemap's, to well under a plan pixel.
		const corner = applyAffine(back, mercatorOf([108.96, 34.24]));
		expect(Math.abs(corner[0] - plan.width)).toBeLessThan(0.5);
		expect(Math.abs(corner[1] - plan.height)).toBeLessThan(0.5);
		const centre = applyAffine(t, [plan.width / 2, plan.height / 2]);
		const expected = mercatorOf([108.945, 34.25]);
		expect(Math.abs(centre[0] - expected[0]) * 2 ** 18).toBeLessThan(1);
		expect(Math.abs(centre[1] - expected[1]) * 2 ** 18).toBeLessThan(1);
	});

	it('has no inverse for a map that folds the plan flat', () => {
		expect(invertAffine([1, 2, 0, 2, 4, 0])).toBeNull();
		expect(invertAffine([2, 0, 5, 0, 4, 1])).toEqual([0.5, -0, -2.5, -0, 0.25, -0.25]);
	});
});
