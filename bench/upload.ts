/**
 * Field reports with photos from a crowd of phones at once (issue: field reports with photos): 50 phones, signed in
 * as the demo's ten members (five phones each), each on a connection of its own, send a report with a photo of its
 * own of about 2 MB at the same moment — once through the streamed multipart path, once through resumable uploads
 * (pieces of 256 KiB, then the report as JSON naming the upload), each on a fresh server. Measured: time from a phone's start to its report
 * stored (201), how many were stored, and the server's resident memory (sampled every 50 ms) against its memory
 * before — the photos are decoded at most two at a time and streamed into the database, so fifty at once must not
 * mean fifty photos in memory.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import sharp from 'sharp';
import type { TestServer } from '../tests/helpers/server.ts';
import { Sessions } from './clients.ts';
import { readRssKiB, round1, sleep, startCpuMeter, type CpuShares } from './stats.ts';
import { newId } from '../src/lib/domain/ids.ts';
import { UPLOAD_PART_BYTES } from '../src/lib/domain/field-reports.ts';

/** The demo event's members (the role a phone in the field has). */
export const MEMBER_USERS = ['member.station', 'member.traffic', 'chen.lei', 'guo.jing', 'yang.fan', 'huang.min', 'wu.qiang', 'xu.guilan', 'lin.haitao', 'zhao.shufen'];
export const PHONES = 50;
const PHOTO_BYTES = 2_000_000;
/** A phone's camera at its middle setting: about 12 MP would be 4000 × 3000; this is 7 MP, still far above 1600 px. */
const PHOTO_SIZE = { width: 3072, height: 2304 };
const RSS_SAMPLE_MS = 50;
/** No phone waits longer than this for its report (the whole phase is bounded). */
const PHONE_TIMEOUT_MS = 180_000;

export interface UploadPathFigures {
	/** 'multipart' (one request with the photo) or 'resumable' (pieces, then the report). */
	path: 'multipart' | 'resumable';
	phones: number;
	stored: number;
	/** The first few refusals or errors, as the phones saw them. */
	failures: string[];
	/** Start → report stored, per phone, in milliseconds. */
	ms: { p50: number; p95: number; p99: number; max: number };
	/** From the first phone's start to the last report stored. */
	allSeconds: number;
	rssBeforeMiB: number | null;
	rssPeakMiB: number | null;
	cpu: CpuShares;
}

export interface UploadFigures {
	photoBytes: { min: number; max: number; mean: number };
	photoPixels: string;
	paths: UploadPathFigures[];
}

/** Nearest-rank percentile of sorted values. */
function pct(sorted: number[], q: number): number {
	return sorted.length ? Math.round(sorted[Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length))) - 1]) : 0;
}

/**
 * Photos of about 2 MB that differ from each other in every byte: a smooth scene with sensor-like noise on top,
 * each with noise of its own. The noise's strength is found once so that the JPEGs land near PHOTO_BYTES.
 */
export async function makePhotos(count: number, log: (m: string) => void): Promise<Uint8Array[]> {
	const { width, height } = PHOTO_SIZE;
	const scene = Buffer.alloc(width * height * 3);
	for (let y = 0; y < height; y++) {
		for (let x = 0; x < width; x++) {
			const i = (y * width + x) * 3;
			scene[i] = (x * 200) / width + 30;
			scene[i + 1] = (y * 180) / height + 40;
			scene[i + 2] = ((x + y) * 120) / (width + height) + 60;
		}
	}
	const encode = (amplitude: number) => {
		const noise = randomBytes(scene.length);
		const raw = Buffer.alloc(scene.length);
		for (let i = 0; i < raw.length; i++) raw[i] = Math.max(0, Math.min(255, scene[i] + ((noise[i] * amplitude) >> 8) - (amplitude >> 1)));
		return sharp(raw, { raw: { width, height, channels: 3 } }).jpeg({ quality: 85 }).toBuffer();
	};
	// Bytes grow with the noise's strength; a few halvings find the strength that gives about 2 MB.
	let lo = 1;
	let hi = 128;
	for (let i = 0; i < 7; i++) {
		const mid = (lo + hi) >> 1;
		if ((await encode(mid)).length < PHOTO_BYTES) lo = mid;
		else hi = mid;
	}
	log(`upload: making ${count} photos of ${width}×${height}, noise strength ${lo}`);
	const photos: Uint8Array[] = [];
	for (let i = 0; i < count; i++) photos.push(new Uint8Array(await encode(lo)));
	return photos;
}

/** Samples the server's resident memory until stopped; returns the highest reading. */
function sampleRss(pid: number | null): { stop(): number | null } {
	let peak: number | null = null;
	const take = () => {
		const kib = pid ? readRssKiB(pid) : null;
		if (kib !== null && (peak === null || kib > peak)) peak = kib;
	};
	take();
	const timer = setInterval(take, RSS_SAMPLE_MS);
	return {
		stop() {
			clearInterval(timer);
			take();
			return peak;
		}
	};
}

/** A phone: its own connection to the server (kept open between its requests), never another phone's. */
class Phone {
	readonly #agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
	readonly #base: URL;
	readonly #cookie: string;

	constructor(base: string, cookie: string) {
		this.#base = new URL(base);
		this.#cookie = cookie;
	}

	/** Sends one request and reads the whole answer. */
	send(method: string, path: string, headers: Record<string, string>, body: Uint8Array): Promise<{ status: number; text: string }> {
		return new Promise((resolve, reject) => {
			const req = http.request(
				{
					host: this.#base.hostname,
					port: this.#base.port,
					path,
					method,
					agent: this.#agent,
					timeout: PHONE_TIMEOUT_MS,
					headers: { ...headers, cookie: this.#cookie, origin: this.#base.origin, 'content-length': body.length }
				},
				(res) => {
					const chunks: Buffer[] = [];
					res.on('data', (c: Buffer) => chunks.push(c));
					res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
					res.on('error', reject);
				}
			);
			req.on('timeout', () => req.destroy(new Error(`no answer within ${PHONE_TIMEOUT_MS} ms`)));
			req.on('error', (err: NodeJS.ErrnoException) => reject(new Error(`${err.code ?? ''} ${err.message}`)));
			req.end(body);
		});
	}

	close(): void {
		this.#agent.destroy();
	}
}

/** What a phone sends, made before the clock starts (a phone builds its request before it sends it). */
type Sending = (phone: Phone) => Promise<string | null>;

const API = (eventId: string) => `/api/events/${eventId}`;

/** One request with the report's fields and its photo, streamed by the server into upload pieces. */
async function multipartSending(eventId: string, photo: Uint8Array): Promise<Sending> {
	const form = new FormData();
	form.set('id', newId());
	form.set('kind', 'suspiciousItem');
	form.set('body', '南门垃圾桶旁无人看管的黑色背包');
	form.set('pin', '420,310');
	form.append('photos', new Blob([new Uint8Array(photo)], { type: 'image/jpeg' }), 'IMG_0001.jpg');
	// The form as a browser encodes it: its bytes and its boundary.
	const encoded = new Request('http://phone/', { method: 'POST', body: form });
	const body = new Uint8Array(await encoded.arrayBuffer());
	const type = encoded.headers.get('content-type')!;
	return async (phone) => {
		const res = await phone.send('POST', `${API(eventId)}/reports`, { 'content-type': type }, body);
		return res.status === 201 ? null : `${res.status} ${res.text.slice(0, 120)}`;
	};
}

/** The phone's resumable path: the photo in pieces of 256 KiB, one after another, then the report naming it. */
async function resumableSending(eventId: string, photo: Uint8Array): Promise<Sending> {
	const upload = newId();
	const report = new TextEncoder().encode(JSON.stringify({ id: newId(), kind: 'suspiciousItem', body: '南门垃圾桶旁无人看管的黑色背包', pin: [420, 310], uploads: [upload] }));
	return async (phone) => {
		for (let start = 0; start < photo.length; start += UPLOAD_PART_BYTES) {
			const end = Math.min(photo.length, start + UPLOAD_PART_BYTES) - 1;
			const headers = { 'content-type': 'application/octet-stream', 'content-range': `bytes ${start}-${end}/${photo.length}` };
			const res = await phone.send('PUT', `${API(eventId)}/uploads/${upload}`, headers, photo.subarray(start, end + 1));
			if (res.status !== 200) return `piece at ${start}: ${res.status} ${res.text.slice(0, 120)}`;
		}
		const res = await phone.send('POST', `${API(eventId)}/reports`, { 'content-type': 'application/json' }, report);
		return res.status === 201 ? null : `${res.status} ${res.text.slice(0, 120)}`;
	};
}

/** Every phone starts at once; each is timed from that moment to its report stored. */
async function measurePath(server: TestServer, eventId: string, path: UploadPathFigures['path'], photos: Uint8Array[], log: (m: string) => void): Promise<UploadPathFigures> {
	const sessions = new Sessions(server.url);
	await sessions.signInAll(MEMBER_USERS);
	const phones = await Promise.all(photos.map(async (_, i) => new Phone(server.url, await sessions.cookie(MEMBER_USERS[i % MEMBER_USERS.length]))));
	const sendings = await Promise.all(photos.map((photo) => (path === 'multipart' ? multipartSending(eventId, photo) : resumableSending(eventId, photo))));
	const pid = server.pid();
	// Settled first: what the sign-ins left behind is not counted as the uploads' memory.
	await sleep(2_000);
	const rss = sampleRss(pid);
	const before = pid ? readRssKiB(pid) : null;
	const cpu = startCpuMeter(pid);
	log(`upload: ${photos.length} phones send a report with a photo each at once (${path})`);
	const t0 = performance.now();
	const results = await Promise.all(
		phones.map(async (phone, i) => {
			try {
				const problem = await sendings[i](phone);
				return { ms: performance.now() - t0, problem };
			} catch (err) {
				return { ms: performance.now() - t0, problem: `${(err as Error).message} after ${Math.round(performance.now() - t0)} ms` };
			} finally {
				phone.close();
			}
		})
	);
	const allSeconds = round1((performance.now() - t0) / 1000);
	const shares = cpu();
	// The last pieces may be released a moment after the last answer: keep sampling a little longer.
	await sleep(500);
	const peak = rss.stop();
	const times = results.filter((r) => r.problem === null).map((r) => r.ms).sort((a, b) => a - b);
	const failures = results.filter((r) => r.problem !== null).map((r) => r.problem!);
	return {
		path,
		phones: photos.length,
		stored: times.length,
		failures: failures.slice(0, 5),
		ms: { p50: pct(times, 0.5), p95: pct(times, 0.95), p99: pct(times, 0.99), max: Math.round(times.at(-1) ?? 0) },
		allSeconds,
		rssBeforeMiB: before === null ? null : Math.round(before / 1024),
		rssPeakMiB: peak === null ? null : Math.round(peak / 1024),
		cpu: shares
	};
}

/**
 * Runs both paths, each on a fresh server of its own (`fresh` starts one; the caller disposes of it), so that each
 * starts from the same memory and an empty store.
 */
export async function measureUploads(fresh: () => Promise<TestServer>, eventId: string, log: (m: string) => void): Promise<UploadFigures> {
	const photos = await makePhotos(PHONES, log);
	const sizes = photos.map((p) => p.length);
	const paths: UploadPathFigures[] = [];
	for (const path of ['multipart', 'resumable'] as const) {
		const server = await fresh();
		try {
			paths.push(await measurePath(server, eventId, path, photos, log));
		} finally {
			await server.dispose();
		}
	}
	return {
		photoBytes: { min: Math.min(...sizes), max: Math.max(...sizes), mean: Math.round(sizes.reduce((a, b) => a + b, 0) / sizes.length) },
		photoPixels: `${PHOTO_SIZE.width}×${PHOTO_SIZE.height}`,
		paths
	};
}
