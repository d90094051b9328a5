/**
 * Geometry on the venue plan (一张图). Coordinates are the plan's own pixels, x to the right and y downwards from its
 * top-left corner, so a plan with no georeference works as it is; a plan georeferenced by three or more control
 * points maps to and from WGS-84 with an affine fit (a venue is small enough that the earth is flat on it).
 * Stored in the documents as flat arrays of numbers: `[x, y]` for a point, `[x1, y1, x2, y2, …]` for a line or a
 * polygon (not closed: the last point joins the first). Shared by the map page, the wall and the hub's checks.
 */

export type Point = [number, number];

/** Zone kinds (区域): crowd area, closure, staging point, first aid, evacuation route, other. */
export const ZONE_KINDS = ['crowd', 'closure', 'staging', 'firstAid', 'evacuation', 'other'] as const;
export type ZoneKind = (typeof ZONE_KINDS)[number];

/** A plan is at most this many pixels on a side; coordinates may stray this far beyond it (a route leaving the plan). */
export const MAX_PLAN_SIDE = 20_000;
export const COORD_LIMIT = 2 * MAX_PLAN_SIDE;
/** Points of one route or zone: a patrol route around a whole venue is far below this. */
export const MAX_POINTS = 500;

export type Shape = 'point' | 'line' | 'polygon';
const MIN_POINTS: Record<Shape, number> = { point: 1, line: 2, polygon: 3 };

/** The points of a stored geometry value, or null when it is not one of this shape. */
export function pointsOf(value: unknown, shape: Shape): Point[] | null {
	if (!Array.isArray(value) || value.length % 2 !== 0) return null;
	const n = value.length / 2;
	if (n < MIN_POINTS[shape] || n > (shape === 'point' ? 1 : MAX_POINTS)) return null;
	const out: Point[] = [];
	for (let i = 0; i < value.length; i += 2) {
		const x = value[i];
		const y = value[i + 1];
		if (typeof x !== 'number' || typeof y !== 'number' || !Number.isFinite(x) || !Number.isFinite(y)) return null;
		if (Math.abs(x) > COORD_LIMIT || Math.abs(y) > COORD_LIMIT) return null;
		out.push([x, y]);
	}
	return out;
}

/** The first problem of a stored geometry value, in plain words; null when it is a valid geometry of `shape`. */
export function geometryProblem(value: unknown, shape: Shape): string | null {
	if (!Array.isArray(value)) return 'must be a list of numbers';
	if (value.length % 2 !== 0) return 'must hold x, y pairs';
	const n = value.length / 2;
	if (n < MIN_POINTS[shape]) return `a ${shape} needs at least ${MIN_POINTS[shape]} points`;
	if (n > (shape === 'point' ? 1 : MAX_POINTS)) return `more than ${shape === 'point' ? 1 : MAX_POINTS} points`;
	const points = pointsOf(value, shape);
	if (!points) return `coordinates must be finite numbers within ±${COORD_LIMIT}`;
	if (shape === 'polygon' && selfIntersects(points)) return 'a zone’s edges must not cross';
	return null;
}

/** Flattens points for storage, rounded to a tenth of a plan pixel. */
export function flatten(points: Point[]): number[] {
	return points.flatMap(([x, y]) => [Math.round(x * 10) / 10, Math.round(y * 10) / 10]);
}

function orientation(a: Point, b: Point, c: Point): number {
	const v = (b[1] - a[1]) * (c[0] - b[0]) - (b[0] - a[0]) * (c[1] - b[1]);
	return v === 0 ? 0 : v > 0 ? 1 : -1;
}

function onSegment(a: Point, b: Point, c: Point): boolean {
	return Math.min(a[0], c[0]) <= b[0] && b[0] <= Math.max(a[0], c[0]) && Math.min(a[1], c[1]) <= b[1] && b[1] <= Math.max(a[1], c[1]);
}

function segmentsCross(p1: Point, q1: Point, p2: Point, q2: Point): boolean {
	const o1 = orientation(p1, q1, p2);
	const o2 = orientation(p1, q1, q2);
	const o3 = orientation(p2, q2, p1);
	const o4 = orientation(p2, q2, q1);
	if (o1 !== o2 && o3 !== o4) return true;
	return (o1 === 0 && onSegment(p1, p2, q1)) || (o2 === 0 && onSegment(p1, q2, q1)) || (o3 === 0 && onSegment(p2, p1, q2)) || (o4 === 0 && onSegment(p2, q1, q2));
}

/** Whether two edges of a closed polygon that do not share a corner cross or touch (at most 500² / 2 checks). */
export function selfIntersects(points: Point[]): boolean {
	const n = points.length;
	for (let i = 0; i < n; i++) {
		const a1 = points[i];
		const a2 = points[(i + 1) % n];
		for (let j = i + 1; j < n; j++) {
			// Neighbouring edges share a corner; the first and the last edge too.
			if (j === i + 1 || (i === 0 && j === n - 1)) continue;
			if (segmentsCross(a1, a2, points[j], points[(j + 1) % n])) return true;
		}
	}
	return false;
}

/** The middle of a shape's points (where a zone's or route's label goes). */
export function centre(points: Point[]): Point {
	const sx = points.reduce((s, p) => s + p[0], 0);
	const sy = points.reduce((s, p) => s + p[1], 0);
	return [sx / points.length, sy / points.length];
}

/** A plan point and the WGS-84 position (longitude, latitude) it shows. */
export interface ControlPoint {
	plan: Point;
	lngLat: Point;
}

/** x' = a·x + b·y + c, y' = d·x + e·y + f. */
export type Affine = [number, number, number, number, number, number];

/**
 * Least-squares affine fit from three or more point pairs; null when they lie on one line. The inputs are centred and
 * scaled first: longitudes near 109° differing in the third decimal make the plain normal equations singular.
 */
export function fitAffine(from: Point[], to: Point[]): Affine | null {
	if (from.length < 3 || from.length !== to.length) return null;
	const n = from.length;
	const mx = from.reduce((s, p) => s + p[0], 0) / n;
	const my = from.reduce((s, p) => s + p[1], 0) / n;
	const scale = Math.sqrt(from.reduce((s, p) => s + (p[0] - mx) ** 2 + (p[1] - my) ** 2, 0) / n);
	if (!(scale > 0) || !Number.isFinite(scale)) return null;
	// Normal equations: (AᵀA) p = Aᵀb with rows [u, v, 1], solved once for each output coordinate.
	const m = [
		[0, 0, 0],
		[0, 0, 0],
		[0, 0, 0]
	];
	const bx = [0, 0, 0];
	const by = [0, 0, 0];
	from.forEach(([x, y], i) => {
		const row = [(x - mx) / scale, (y - my) / scale, 1];
		for (let r = 0; r < 3; r++) {
			for (let c = 0; c < 3; c++) m[r][c] += row[r] * row[c];
			bx[r] += row[r] * to[i][0];
			by[r] += row[r] * to[i][1];
		}
	});
	const px = solve3(m, bx);
	const py = solve3(m, by);
	if (!px || !py) return null;
	// Back to the inputs' own coordinates: x' = a·(x − mx)/s + b·(y − my)/s + c.
	const back = (p: number[]): [number, number, number] => [p[0] / scale, p[1] / scale, p[2] - (p[0] * mx) / scale - (p[1] * my) / scale];
	return [...back(px), ...back(py)] as Affine;
}

function solve3(m: number[][], b: number[]): number[] | null {
	const det = (a: number[][]) =>
		a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1]) - a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0]) + a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0]);
	const d = det(m);
	// Scaled inputs keep the determinant near the number of points; a tiny one means the points are on a line.
	if (!Number.isFinite(d) || Math.abs(d) < 1e-9) return null;
	// Cramer's rule: three columns replaced in turn by b.
	return [0, 1, 2].map((col) => det(m.map((row, r) => row.map((v, c) => (c === col ? b[r] : v)))) / d);
}

export function applyAffine(t: Affine, [x, y]: Point): Point {
	return [t[0] * x + t[1] * y + t[2], t[3] * x + t[4] * y + t[5]];
}

/** Where a GPS position falls on the plan, given the plan's control points; null without a usable georeference. */
export function planPointOf(controls: ControlPoint[], lngLat: Point): Point | null {
	const t = fitAffine(
		controls.map((c) => c.lngLat),
		controls.map((c) => c.plan)
	);
	return t ? applyAffine(t, lngLat) : null;
}

/**
 * Web Mercator "world pixels" at zoom 0 (0 to 256 across the world, y downwards), where a basemap's tiles live: at
 * zoom z a tile (x, y) covers 256·x/2^z to 256·(x+1)/2^z of them.
 */
export function mercatorOf([lng, lat]: Point): Point {
	const clamped = Math.max(-85.0511, Math.min(85.0511, lat));
	const s = Math.sin((clamped * Math.PI) / 180);
	return [((lng + 180) / 360) * 256, (0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)) * 256];
}

/**
 * From plan pixels to Web Mercator world pixels (zoom 0), fitted to the control points; null without a usable
 * georeference. Affine in both, which holds across a venue (a few kilometres) to well under a plan pixel.
 */
export function planToMercator(controls: ControlPoint[]): Affine | null {
	return fitAffine(
		controls.map((c) => c.plan),
		controls.map((c) => mercatorOf(c.lngLat))
	);
}

/** The inverse of an affine map; null when it has none. */
export function invertAffine([a, b, c, d, e, f]: Affine): Affine | null {
	const det = a * e - b * d;
	if (!Number.isFinite(det) || Math.abs(det) < 1e-18) return null;
	return [e / det, -b / det, (b * f - c * e) / det, -d / det, a / det, (c * d - a * f) / det];
}

/** A plan standing in for a basemap when there is no drawing: a basemap's bounds, this many pixels on its long side. */
export const BASEMAP_PLAN_SIDE = 4_000;

/**
 * A plan coordinate system laid over a basemap's bounds (west, south, east, north) when the commander uses the
 * basemap instead of a drawing: its size in pixels, and control points at its four corners.
 */
export function planFromBounds([west, south, east, north]: [number, number, number, number]): { width: number; height: number; controls: number[] } {
	const [x0, y0] = mercatorOf([west, north]);
	const [x1, y1] = mercatorOf([east, south]);
	const scale = BASEMAP_PLAN_SIDE / Math.max(x1 - x0, y1 - y0);
	const width = Math.max(1, Math.min(MAX_PLAN_SIDE, Math.round((x1 - x0) * scale)));
	const height = Math.max(1, Math.min(MAX_PLAN_SIDE, Math.round((y1 - y0) * scale)));
	return { width, height, controls: [0, 0, west, north, width, 0, east, north, 0, height, west, south, width, height, east, south] };
}
