/**
 * A venue plan as uploaded: checked and normalised with sharp before anything is stored. PNG, JPEG and WebP are
 * re-encoded (which drops their metadata: a phone photo's GPS position and camera do not travel with the plan);
 * an SVG is drawn to PNG here, so no script or outside reference in it ever reaches a browser. Bad input is a
 * value, never a throw, with a reason the page words.
 */
import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { MAX_PLAN_SIDE } from '../domain/geometry.ts';

/** An upload larger than this is refused before it is decoded. */
export const MAX_PLAN_BYTES = 20 * 1024 * 1024;
/** Pixels sharp may decode (a bomb of a few kilobytes can claim gigapixels). */
const MAX_INPUT_PIXELS = 200_000_000;

export type PlanProblem = 'empty' | 'tooLarge' | 'notImage' | 'tooManyPixels';

export interface Plan {
	id: string;
	mime: 'image/png' | 'image/jpeg';
	bytes: Uint8Array;
	width: number;
	height: number;
}

export async function preparePlan(input: Uint8Array): Promise<{ ok: true; plan: Plan } | { ok: false; problem: PlanProblem }> {
	if (input.length === 0) return { ok: false, problem: 'empty' };
	if (input.length > MAX_PLAN_BYTES) return { ok: false, problem: 'tooLarge' };
	let meta: Awaited<ReturnType<ReturnType<typeof sharp>['metadata']>>;
	try {
		meta = await sharp(input, { limitInputPixels: MAX_INPUT_PIXELS }).metadata();
	} catch {
		return { ok: false, problem: 'notImage' };
	}
	if (!meta.format || !['png', 'jpeg', 'webp', 'svg'].includes(meta.format) || !meta.width || !meta.height) return { ok: false, problem: 'notImage' };
	try {
		const photo = meta.format === 'jpeg';
		const image = sharp(input, { limitInputPixels: MAX_INPUT_PIXELS, density: meta.format === 'svg' ? 144 : undefined })
			.rotate()
			.resize({ width: MAX_PLAN_SIDE, height: MAX_PLAN_SIDE, fit: 'inside', withoutEnlargement: true });
		const { data, info } = await (photo ? image.jpeg({ quality: 85 }) : image.png({ compressionLevel: 9 })).toBuffer({ resolveWithObject: true });
		const bytes = new Uint8Array(data);
		return {
			ok: true,
			plan: { id: createHash('sha256').update(bytes).digest('hex'), mime: photo ? 'image/jpeg' : 'image/png', bytes, width: info.width, height: info.height }
		};
	} catch (err) {
		const tooBig = err instanceof Error && /pixel limit/i.test(err.message);
		return { ok: false, problem: tooBig ? 'tooManyPixels' : 'notImage' };
	}
}
