/**
 * The wall's venue map under load (issue: venue map): the demo event is given 500 more placed posts, 100 zones and
 * 2,000 pinned critical cards (all flagged, so all drawn), written by stock Yjs clients as the commander and the
 * station's lead would; then a 1920×1080 wall opens on a display link. Measured: navigation until the plan, the
 * posts' labels and every card pin are on the map (first render), by a browser that never opened Liandong and again
 * by the same browser once the app is in its offline cache; and frame times while the map is dragged across for two
 * seconds (panning).
 */
import * as Y from 'yjs';
import { launchBrowser, newContext } from '../tests/helpers/browser.ts';
import { connectDoc, sessionCookie, whenSynced } from '../tests/helpers/live.ts';
import { createDisplayToken, demoClient } from '../tests/helpers/commands.ts';
import type { TestServer } from '../tests/helpers/server.ts';
import { agencyDocName, commandDocName } from '../src/lib/domain/documents.ts';
import { addCard } from '../src/lib/domain/board.ts';
import { addZone, readMapBase, setPin } from '../src/lib/domain/venue-map.ts';

export interface WallMapFigures {
	posts: number;
	zones: number;
	pins: number;
	/** A browser opening the wall for the first time: nothing of Liandong cached, its script compiled from source. */
	firstRenderMs: number;
	/** The same browser opening it again (a wall's screen after a restart): the app from its offline cache. */
	reopenRenderMs: number;
	frame: { p50: number; p95: number; max: number; frames: number };
}

const POSTS = 500;
const ZONES = 100;
const PINS = 2_000;

function pct(sorted: number[], p: number): number {
	return sorted.length ? Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] * 10) / 10 : 0;
}

/** Milliseconds from navigation until the wall's map shows the plan, its posts' labels (at most 60) and every card pin. */
async function timeToMap(page: import('playwright-core').Page, url: string): Promise<number> {
	const t0 = performance.now();
	await page.goto(url, { waitUntil: 'commit' });
	await page.waitForFunction(
		(pins) =>
			[...document.querySelectorAll('[data-testid="wall-map"] .leaflet-image-layer:not(.basemap)')].some((i) => (i as HTMLImageElement).complete) &&
			document.querySelectorAll('[data-testid="wall-map"] .map-label.post').length >= 60 &&
			Number(document.querySelector<HTMLElement>('[data-testid="wall-map"] .venue-map')?.dataset.pins ?? 0) >= pins,
		PINS,
		{ timeout: 120_000, polling: 50 }
	);
	return Math.round(performance.now() - t0);
}

export async function measureWallMap(server: TestServer, eventId: string, log: (m: string) => void): Promise<WallMapFigures> {
	log(`wall map: placing ${POSTS} posts, ${ZONES} zones and ${PINS} pinned cards`);
	const command = connectDoc(server.url, commandDocName(eventId), { cookie: await sessionCookie(server.url, 'commander') });
	const station = connectDoc(server.url, agencyDocName(eventId, 'station'), { cookie: await sessionCookie(server.url, 'lead.station') });
	try {
		await Promise.all([whenSynced(command), whenSynced(station)]);
		const base = readMapBase(command.doc);
		if (!base) throw new Error('the demo event has no plan');
		const rnd = (() => {
			let a = 20261204;
			return () => ((a = (a * 1664525 + 1013904223) >>> 0) / 2 ** 32);
		})();
		const at = (): [number, number] => [Math.round(rnd() * base.width), Math.round(rnd() * base.height)];
		// In batches, as a person's edits arrive: one update each stays far below the message limit.
		for (let b = 0; b < POSTS; b += 100) {
			command.doc.transact(() => {
				for (let i = b; i < b + 100; i++) {
					const m = new Y.Map<unknown>();
					command.doc.getMap('posts').set(`bench-post-${i}`, m);
					m.set('name', `岗位 ${i + 1}`);
					m.set('kind', 'post');
					m.set('agency', 'station');
					m.set('minStaff', 2);
					m.set('geo', at());
				}
			});
		}
		command.doc.transact(() => {
			for (let i = 0; i < ZONES; i++) {
				const [x, y] = at();
				addZone(command.doc, `bench-zone-${i}`, { name: `区域 ${i + 1}`, kind: 'crowd', area: [x, y, x + 120, y, x + 120, y + 80, x, y + 80] });
			}
		});
		for (let b = 0; b < PINS; b += 250) {
			station.doc.transact(() => {
				for (let i = b; i < b + 250; i++) {
					addCard(station.doc, `bench-pin-${i}`, { title: `标注任务 ${i + 1}`, status: 'todo', priority: 'critical', agency: 'station', createdBy: 'demo-user-lead-station', createdAt: new Date().toISOString() });
					setPin(station.doc, 'cards', `bench-pin-${i}`, at());
				}
			});
		}
		await new Promise((r) => setTimeout(r, 3_000));
	} finally {
		command.destroy();
		station.destroy();
	}

	const token = await createDisplayToken(await demoClient(server.url, 'commander'), '基准大屏', eventId);
	const browser = await launchBrowser();
	try {
		const context = await newContext(browser, 'wall');
		const page = await context.newPage();
		log('wall map: opening the wall');
		const firstRenderMs = await timeToMap(page, `${server.url}/wall/${token}`);
		log('wall map: panning for two seconds');
		const box = (await page.getByTestId('wall-map').locator('.venue-map').boundingBox())!;
		await page.evaluate(() => {
			const w = window as unknown as { __frames: number[] };
			w.__frames = [];
			let last = performance.now();
			const tick = (t: number) => {
				w.__frames.push(t - last);
				last = t;
				if (w.__frames.length < 2000) requestAnimationFrame(tick);
			};
			requestAnimationFrame(tick);
		});
		const cx = box.x + box.width / 2;
		const cy = box.y + box.height / 2;
		await page.mouse.move(cx, cy);
		await page.mouse.down();
		const steps = 120;
		for (let i = 0; i <= steps; i++) {
			await page.mouse.move(cx + Math.sin((i / steps) * Math.PI * 2) * box.width * 0.3, cy + Math.cos((i / steps) * Math.PI * 2) * box.height * 0.2);
			await page.waitForTimeout(16);
		}
		await page.mouse.up();
		const frames = (await page.evaluate(() => (window as unknown as { __frames: number[] }).__frames.slice(1))).sort((a, b) => a - b);
		// Once the app's offline copy is in place, as on a wall screen that has shown the board before.
		await page.evaluate(() => navigator.serviceWorker?.ready.then(() => undefined));
		await page.waitForTimeout(1_000);
		await page.close();
		log('wall map: opening it again');
		const reopenRenderMs = await timeToMap(await context.newPage(), `${server.url}/wall/${token}`);
		await context.close();
		return { posts: POSTS, zones: ZONES, pins: PINS, firstRenderMs, reopenRenderMs, frame: { p50: pct(frames, 50), p95: pct(frames, 95), max: Math.round((frames.at(-1) ?? 0) * 10) / 10, frames: frames.length } };
	} finally {
		await browser.close();
	}
}
