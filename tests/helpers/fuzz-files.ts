/**
 * Files and multipart bodies for the field-report fuzzing (tests/helpers/fuzz-reports.ts): photos made from a
 * case's own noise (so no two cases send the same bytes, which the server would store once), odd and broken
 * images, images whose header claims more pixels than any phone takes, bytes that are no image under an image's
 * name, and multipart bodies written byte by byte so that their boundaries, part headers and file names can be
 * broken in ways no FormData would produce.
 */
import sharp from 'sharp';
import { crc32 } from 'node:zlib';
import { chance, pickOf, type Rnd } from './fuzz.ts';

export interface SampleFile {
	/** What it is, for the ledger. */
	what: string;
	bytes: Uint8Array;
	/** Whether the server should take it as a photo (a valid image of a format it reads). */
	image: boolean;
	/** A PDF: refused on a report, taken on a card or a dispute entry. */
	pdf?: boolean;
}

/** Noise of a case's own: distinct for every case and file, so re-encoded photos differ too. */
function noise(rnd: Rnd, width: number, height: number, channels: 1 | 3 | 4): Buffer {
	const out = Buffer.alloc(width * height * channels);
	for (let i = 0; i < out.length; i++) out[i] = Math.floor(rnd() * 256);
	return out;
}

/** A valid image of a format the server reads, small enough to cost a millisecond or two to decode. */
export async function photo(rnd: Rnd): Promise<SampleFile> {
	const shape = pickOf(rnd, ['small', 'small', 'small', 'tiny', 'wide', 'tall', 'grey', 'alpha'] as const);
	const [w, h] = { small: [48, 32], tiny: [1, 1], wide: [1700, 2], tall: [3, 1700], grey: [40, 40], alpha: [30, 20] }[shape];
	const channels = shape === 'grey' ? 1 : shape === 'alpha' ? 4 : 3;
	const image = sharp(noise(rnd, w, h, channels), { raw: { width: w, height: h, channels } });
	const format = shape === 'alpha' ? pickOf(rnd, ['png', 'webp'] as const) : pickOf(rnd, ['jpeg', 'jpeg', 'png', 'webp', 'gif', 'tiff'] as const);
	let bytes: Buffer;
	if (format === 'jpeg') {
		// A phone's photo carries the camera, the time and often a position; the server must drop them all.
		const exif = chance(rnd, 0.5) ? { IFD0: { Make: 'FuzzCam', Model: 'F-1', Orientation: pickOf(rnd, ['1', '6', '8']) }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '34/1 15/1 20/1' } } : null;
		bytes = await (exif ? image.jpeg().withExif(exif) : image.jpeg()).toBuffer();
	} else bytes = await image.toFormat(format).toBuffer();
	return { what: `${format} ${w}×${h}`, bytes: new Uint8Array(bytes), image: true };
}

/** Writes a PNG chunk's CRC again after its data was changed. */
function fixPngCrc(png: Uint8Array, chunkAt: number): void {
	const length = new DataView(png.buffer, png.byteOffset).getUint32(chunkAt);
	const crc = crc32(png.subarray(chunkAt + 4, chunkAt + 8 + length));
	new DataView(png.buffer, png.byteOffset).setUint32(chunkAt + 8 + length, crc);
}

/** A real small PNG whose header claims 30,000 × 30,000 pixels: a few hundred bytes that would decode to 3.6 GB. */
async function pngBomb(rnd: Rnd): Promise<Uint8Array> {
	const png = new Uint8Array(await sharp(noise(rnd, 4, 4, 3), { raw: { width: 4, height: 4, channels: 3 } }).png().toBuffer());
	// The IHDR chunk follows the 8-byte signature: length, type, then width and height.
	const view = new DataView(png.buffer, png.byteOffset);
	view.setUint32(16, 30_000);
	view.setUint32(20, 30_000);
	fixPngCrc(png, 8);
	return png;
}

/** A small JPEG whose frame header claims 60,000 × 60,000 pixels. */
async function jpegBomb(rnd: Rnd): Promise<Uint8Array> {
	const jpeg = new Uint8Array(await sharp(noise(rnd, 8, 8, 3), { raw: { width: 8, height: 8, channels: 3 } }).jpeg().toBuffer());
	for (let i = 2; i < jpeg.length - 9; i++) {
		if (jpeg[i] === 0xff && (jpeg[i + 1] === 0xc0 || jpeg[i + 1] === 0xc2)) {
			const view = new DataView(jpeg.buffer, jpeg.byteOffset);
			view.setUint16(i + 5, 60_000);
			view.setUint16(i + 7, 60_000);
			break;
		}
	}
	return jpeg;
}

const text = (s: string) => new TextEncoder().encode(s);

/** A minimal PDF the server's structure check takes. */
export function pdf(tag: string): Uint8Array {
	return text(`%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% ${tag}\ntrailer << /Root 1 0 R >>\n%%EOF\n`);
}

/** A file that is no photo the server should keep: broken, lying about itself, empty, or over a limit. */
export async function oddFile(rnd: Rnd, tag: string): Promise<SampleFile> {
	const kind = pickOf(rnd, ['truncated', 'truncated', 'pngBomb', 'jpegBomb', 'html', 'svg', 'pdf', 'empty', 'random', 'zip', 'headOnly', 'cmyk'] as const);
	switch (kind) {
		case 'truncated': {
			const whole = (await photo(rnd)).bytes;
			return { what: 'truncated image', bytes: whole.subarray(0, Math.max(1, Math.floor(whole.length * (0.2 + rnd() * 0.6)))), image: false };
		}
		case 'pngBomb':
			return { what: 'png claiming 30000×30000', bytes: await pngBomb(rnd), image: false };
		case 'jpegBomb':
			return { what: 'jpeg claiming 60000×60000', bytes: await jpegBomb(rnd), image: false };
		case 'html':
			return { what: 'html', bytes: text(`<html><body>${tag} not a photo</body></html>`.repeat(8)), image: false };
		case 'svg':
			return { what: 'svg', bytes: text(`<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert("${tag}")</script><rect width="10" height="10"/></svg>`), image: false };
		case 'pdf':
			return { what: 'pdf', bytes: pdf(tag), image: false, pdf: true };
		case 'empty':
			return { what: 'zero bytes', bytes: new Uint8Array(0), image: false };
		case 'random':
			return { what: 'random bytes', bytes: new Uint8Array(noise(rnd, 64 + Math.floor(rnd() * 2000), 1, 1)), image: false };
		case 'zip':
			return { what: 'zip header', bytes: new Uint8Array([0x50, 0x4b, 0x03, 0x04, ...text(tag), ...noise(rnd, 200, 1, 1)]), image: false };
		case 'headOnly':
			// The magic bytes of a JPEG and nothing after them.
			return { what: 'jpeg magic only', bytes: new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]), image: false };
		case 'cmyk': {
			// Valid, only unusual: a CMYK JPEG as print workflows write them.
			const bytes = await sharp(noise(rnd, 24, 24, 3), { raw: { width: 24, height: 24, channels: 3 } }).toColourspace('cmyk').jpeg().toBuffer();
			return { what: 'cmyk jpeg', bytes: new Uint8Array(bytes), image: true };
		}
	}
}

// ---- multipart bodies ----------------------------------------------------------------------------------------

export interface Part {
	/** Header lines, each already text or raw bytes (a file name in no encoding at all). */
	headers: Array<string | Uint8Array>;
	body: Uint8Array;
}

/** A field's value as busboy gives it back: lone surrogates were sent as U+FFFD. */
export const asSent = (v: string) => new TextDecoder().decode(new TextEncoder().encode(v));

/** A name as a browser puts it in a part header: quotes and line breaks percent-encoded. */
const quoteName = (name: string) => name.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A');

export function fieldPart(name: string, value: string): Part {
	return { headers: [`Content-Disposition: form-data; name="${quoteName(name)}"`], body: text(value) };
}

export function filePart(name: string | Uint8Array, bytes: Uint8Array, type = 'image/jpeg', field = 'photos'): Part {
	const disposition = typeof name === 'string' ? text(`Content-Disposition: form-data; name="${field}"; filename="${quoteName(name)}"`) : concat([text(`Content-Disposition: form-data; name="${field}"; filename="`), name, text('"')]);
	return { headers: [disposition, `Content-Type: ${type}`], body: bytes };
}

export function concat(chunks: Uint8Array[]): Uint8Array<ArrayBuffer> {
	const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
	let at = 0;
	for (const c of chunks) {
		out.set(c, at);
		at += c.length;
	}
	return out;
}

/** Writes parts as a multipart body; `final: false` leaves off the closing boundary, as a body cut short would. */
export function multipartBody(boundary: string, parts: Part[], options: { final?: boolean; lineEnd?: string; preamble?: string } = {}): Uint8Array<ArrayBuffer> {
	const nl = options.lineEnd ?? '\r\n';
	const chunks: Uint8Array[] = [];
	if (options.preamble) chunks.push(text(options.preamble + nl));
	for (const p of parts) {
		chunks.push(text(`--${boundary}${nl}`));
		for (const h of p.headers) chunks.push(typeof h === 'string' ? text(h) : h, text(nl));
		chunks.push(text(nl), p.body, text(nl));
	}
	if (options.final !== false) chunks.push(text(`--${boundary}--${nl}`));
	return concat(chunks);
}

/** How a form is broken, and whether it is still a form whose fields and files the server must judge as sent. */
export interface BrokenForm {
	how: string;
	/** The fields and files stand as sent (only the framing around them is odd): the domain's rules decide. */
	judged: boolean;
	type: string;
	body: Uint8Array<ArrayBuffer>;
	/** The file names as sent, one per file: under an empty one, busboy reads the part as a field, not a file. */
	names: string[];
}

const BREAKAGES = [
	'noFinalBoundary',
	'wrongBoundary',
	'noBoundary',
	'emptyBoundary',
	'lfOnly',
	'preamble',
	'hugeField',
	'manyFields',
	'manyFiles',
	'noDisposition',
	'badDisposition',
	'garbageHeader',
	'hugeHeader',
	'oddFileName',
	'encodedFileName',
	'declaredType',
	'base64',
	'notAForm',
	'emptyBody'
] as const;

/**
 * Breakages after which the fields and files still reach the server as sent. (An encoded file name is left out:
 * whether it decodes, and so whether the part is a file at all, is busboy's to decide.)
 */
const STILL_A_FORM = new Set(['valid', 'preamble', 'oddFileName', 'declaredType']);

/**
 * A multipart report: the fields and files as given, then (for `broken`) one thing wrong with its framing, its part
 * headers, its size or its file names.
 */
export async function reportForm(rnd: Rnd, tag: string, entries: Array<[string, string]>, files: SampleFile[], broken: boolean): Promise<BrokenForm> {
	const how: string = broken ? pickOf(rnd, BREAKAGES) : 'valid';
	const boundary = `----fuzz${Math.floor(rnd() * 1e9)}`;
	let type = `multipart/form-data; boundary=${boundary}`;
	const parts: Part[] = entries.map(([k, v]) => fieldPart(k, v));
	const names = files.map((_, i) => `IMG_${i}.jpg`);
	const fileParts = files.map((f, i) => filePart(names[i], f.bytes));
	let options: Parameters<typeof multipartBody>[2] = {};
	const extra = async () => (await photo(rnd)).bytes;
	switch (how) {
		case 'noFinalBoundary':
			options = { final: false };
			break;
		case 'wrongBoundary':
			type = `multipart/form-data; boundary=${boundary}x`;
			break;
		case 'noBoundary':
			type = 'multipart/form-data';
			break;
		case 'emptyBoundary':
			type = 'multipart/form-data; boundary=';
			break;
		case 'lfOnly':
			options = { lineEnd: '\n' };
			break;
		case 'preamble':
			options = { preamble: `this is no part ${tag}` };
			break;
		case 'hugeField':
			parts.push(fieldPart(pickOf(rnd, ['body', 'note', 'kind']), tag + '长'.repeat(pickOf(rnd, [3_000, 30_000, 400_000]))));
			break;
		case 'manyFields':
			for (let i = 0; i < 40; i++) parts.push(fieldPart(`f${i}`, tag));
			break;
		case 'manyFiles': {
			const one = await extra();
			for (let i = pickOf(rnd, [7, 12, 40]); i > 0; i--) fileParts.push(filePart(`p${i}.jpg`, one));
			break;
		}
		case 'noDisposition':
			fileParts.push({ headers: ['Content-Type: image/jpeg'], body: await extra() });
			break;
		case 'badDisposition': {
			const header = pickOf(rnd, ['Content-Disposition: attachment; filename="a.jpg"', 'Content-Disposition: form-data', 'Content-Disposition: form-data; name=', `Content-Disposition: ${tag}`]);
			fileParts.push({ headers: [header, 'Content-Type: image/jpeg'], body: await extra() });
			break;
		}
		case 'garbageHeader':
			fileParts.push({ headers: [`no colon here ${tag}`, 'Content-Disposition: form-data; name="photos"; filename="g.jpg"'], body: await extra() });
			break;
		case 'hugeHeader':
			fileParts.push({ headers: [`X-Filler: ${'x'.repeat(pickOf(rnd, [20_000, 90_000]))}`, 'Content-Disposition: form-data; name="photos"; filename="h.jpg"'], body: await extra() });
			break;
		case 'oddFileName': {
			if (!files.length) break;
			const name = oddFileName(rnd, tag);
			fileParts[0] = filePart(name, files[0].bytes);
			names[0] = typeof name === 'string' ? name : new TextDecoder().decode(name);
			break;
		}
		case 'encodedFileName': {
			if (!files.length) break;
			const name = pickOf(rnd, ['%ff%fe%zz.jpg', '%E4%B8%AD.jpg', '%00.jpg', `${tag}%`]);
			fileParts[0] = { headers: [`Content-Disposition: form-data; name="photos"; filename*=UTF-8''${name}`, 'Content-Type: image/jpeg'], body: files[0].bytes };
			names[0] = name;
			break;
		}
		case 'declaredType':
			// The declared type is not what decides: the content is.
			for (let i = 0; i < fileParts.length; i++) fileParts[i] = filePart(names[i], files[i].bytes, pickOf(rnd, ['text/html', 'application/octet-stream', 'image/png', 'application/x-msdownload']));
			break;
		case 'base64':
			fileParts.push({ headers: ['Content-Disposition: form-data; name="photos"; filename="b.jpg"', 'Content-Type: image/jpeg', 'Content-Transfer-Encoding: base64'], body: text(Buffer.from(await extra()).toString('base64')) });
			break;
	}
	let body = multipartBody(boundary, [...parts, ...fileParts], options);
	if (how === 'notAForm') body = text(JSON.stringify(Object.fromEntries(entries)));
	if (how === 'emptyBody') body = new Uint8Array(0);
	return { how, judged: STILL_A_FORM.has(how), type, body, names };
}

/** The start of a form whose last file never ends: a phone that lost its connection half-way through a photo. */
export function cutForm(entries: Array<[string, string]>, fileBytes: number): { type: string; head: Uint8Array<ArrayBuffer>; filler: Uint8Array<ArrayBuffer> } {
	const boundary = '----fuzz-cut';
	const head = concat([multipartBody(boundary, entries.map(([k, v]) => fieldPart(k, v)), { final: false }), text(`--${boundary}\r\nContent-Disposition: form-data; name="photos"; filename="cut.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`)]);
	return { type: `multipart/form-data; boundary=${boundary}`, head, filler: new Uint8Array(fileBytes).fill(0x5a) };
}

/** File names that are no text: bytes of no encoding, an encoded name that does not decode, control characters. */
export function oddFileName(rnd: Rnd, tag: string): string | Uint8Array {
	switch (Math.floor(rnd() * 6)) {
		case 0:
			return new Uint8Array([0xff, 0xfe, 0xc0, 0x80, ...text(`${tag}.jpg`)]);
		case 1:
			return new Uint8Array([0xd5, 0xc5, 0xc8, 0xfd, ...text('.jpg')]);
		case 2:
			return `..\\..\\${tag}\u0000.jpg`;
		case 3:
			return `${'长'.repeat(300)}${tag}.jpg`;
		case 4:
			return `\u202Egpj.${tag}.exe`;
		default:
			return '';
	}
}
