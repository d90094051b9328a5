/**
 * A file as uploaded from the field, checked by its content (never its name or declared type) and normalised
 * before anything is stored: an image is decoded and re-encoded with sharp (longest side PHOTO_SIDE), which drops
 * every bit of metadata — the camera, the phone and the GPS position do not travel with the photo; a report's
 * position travels only as the report's own field, when the reporter chose to attach it. A PDF is kept as sent
 * once its structure is plausible. Bad input is a value, never a throw.
 */
import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { MAX_FILE_BYTES, PHOTO_SIDE, THUMB_SIDE } from '../domain/field-reports.ts';

/** Pixels sharp may decode: a small file can claim gigapixels. */
const MAX_INPUT_PIXELS = 100_000_000;

export type FileProblem = 'empty' | 'tooLarge' | 'notImage' | 'notAllowed' | 'tooManyPixels';

export interface PreparedFile {
	id: string;
	mime: 'image/jpeg' | 'application/pdf';
	bytes: Uint8Array;
	thumbnail: Uint8Array | null;
	width: number | null;
	height: number | null;
}

/**
 * At most this many files are decoded at once in this process, whatever number of phones upload: each decode holds
 * a whole bitmap (a 1600 px photo is about 8 MB), so fifty at once would be the memory peak. The rest wait in order.
 */
const DECODERS = 2;
let running = 0;
const waiting: Array<() => void> = [];

async function withDecoder<T>(work: () => Promise<T>): Promise<T> {
	if (running >= DECODERS) await new Promise<void>((resolve) => waiting.push(resolve));
	running++;
	try {
		return await work();
	} finally {
		running--;
		waiting.shift()?.();
	}
}

function isPdf(bytes: Uint8Array): boolean {
	if (bytes.length < 32) return false;
	const head = Buffer.from(bytes.subarray(0, 8)).toString('latin1');
	const tail = Buffer.from(bytes.subarray(Math.max(0, bytes.length - 1024))).toString('latin1');
	return head.startsWith('%PDF-') && tail.includes('%%EOF');
}

type Prepared = { ok: true; file: PreparedFile } | { ok: false; problem: FileProblem };

/**
 * Loads one file (an upload's pieces put together), then checks and normalises it. `images` only: a report takes
 * photos alone; cards and disputes take PDFs too. The file is loaded only once a decoder is free for it: fifty
 * phones' photos waiting their turn are fifty sets of pieces in the database, not fifty files in memory. Null when
 * `load` finds no whole file.
 */
export async function loadAndPrepareFile(load: () => Promise<Uint8Array | null>, accept: 'images' | 'imagesAndPdf'): Promise<Prepared | null> {
	return withDecoder(async () => {
		const input = await load();
		return input && prepareNow(input, accept);
	});
}

/** The checks and the normalising, for a caller that holds a decoder. */
async function prepareNow(input: Uint8Array, accept: 'images' | 'imagesAndPdf'): Promise<Prepared> {
	if (input.length === 0) return { ok: false, problem: 'empty' };
	if (input.length > MAX_FILE_BYTES) return { ok: false, problem: 'tooLarge' };
	if (isPdf(input)) {
		if (accept !== 'imagesAndPdf') return { ok: false, problem: 'notImage' };
		return { ok: true, file: { id: sha256(input), mime: 'application/pdf', bytes: input, thumbnail: null, width: null, height: null } };
	}
	let meta: Awaited<ReturnType<ReturnType<typeof sharp>['metadata']>>;
	try {
		meta = await sharp(input, { limitInputPixels: MAX_INPUT_PIXELS }).metadata();
	} catch {
		return { ok: false, problem: accept === 'images' ? 'notImage' : 'notAllowed' } as const;
	}
	if (!meta.format || !['jpeg', 'png', 'webp', 'gif', 'heif', 'avif', 'tiff'].includes(meta.format) || !meta.width || !meta.height) {
		return { ok: false, problem: accept === 'images' ? 'notImage' : 'notAllowed' } as const;
	}
	try {
		// rotate() applies the camera's orientation before the metadata that carried it is dropped.
		const base = sharp(input, { limitInputPixels: MAX_INPUT_PIXELS, pages: 1 }).rotate().flatten({ background: '#ffffff' });
		const { data, info } = await base
			.clone()
			.resize({ width: PHOTO_SIDE, height: PHOTO_SIDE, fit: 'inside', withoutEnlargement: true })
			.jpeg({ quality: 82, mozjpeg: true })
			.toBuffer({ resolveWithObject: true });
		const thumb = await sharp(data).resize({ width: THUMB_SIDE, height: THUMB_SIDE, fit: 'inside', withoutEnlargement: true }).jpeg({ quality: 70 }).toBuffer();
		const bytes = new Uint8Array(data);
		return { ok: true, file: { id: sha256(bytes), mime: 'image/jpeg', bytes, thumbnail: new Uint8Array(thumb), width: info.width, height: info.height } } as const;
	} catch (err) {
		const tooBig = err instanceof Error && /pixel limit/i.test(err.message);
		return { ok: false, problem: tooBig ? 'tooManyPixels' : 'notImage' } as const;
	}
}

function sha256(bytes: Uint8Array): string {
	return createHash('sha256').update(bytes).digest('hex');
}
