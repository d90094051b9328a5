/**
 * The demo's venue plan (一张图) for the lantern festival: a plan drawn here as SVG (the old city's south gate,
 * its square, the main lantern area, the east street, the ring road, the river and the metro station), put
 * through the same checks as an upload, with the demo's posts placed, the patrol's route drawn, zones for the
 * crowds, the closure, staging, first aid and the way out, and pins on cards and high-risk disputes; georeferenced
 * on the demo's offline basemap (demo-basemap.ts), which lies under it. Written only while the event has no plan.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../src/lib/server/db/schema.ts';
import { agencyDocName, commandDocName } from '../src/lib/domain/documents.ts';
import { addZone, setMapBase, setPin, setPostPlace } from '../src/lib/domain/venue-map.ts';
import type { ZoneKind } from '../src/lib/domain/geometry.ts';
import { preparePlan } from '../src/lib/server/plan-image.ts';
import { putAttachment } from '../src/lib/server/repositories/attachment.repository.ts';
import type { SyncHub } from './hub/hub.ts';
import { DEMO_BASEMAP, demoLngLat, installDemoBasemap } from './demo-basemap.ts';

const W = 1600;
const H = 1000;

/** Streets, water, walls and squares; no text (the map's own layers carry the names, in the reader's language). */
export function demoPlanSvg(): string {
	const road = (d: string, w: number) => `<path d="${d}" fill="none" stroke="#ffffff" stroke-width="${w}" stroke-linecap="round"/><path d="${d}" fill="none" stroke="#cfd6df" stroke-width="${w - 6}" stroke-linecap="round"/>`;
	return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">
<rect width="${W}" height="${H}" fill="#f4f1ea"/>
<path d="M0 930 C 300 900, 500 960, 800 940 S 1300 900, 1600 950 L1600 1000 L0 1000 Z" fill="#bcd7ea"/>
<rect x="200" y="120" width="1200" height="700" fill="none" stroke="#a8927a" stroke-width="28"/>
<rect x="200" y="120" width="1200" height="700" fill="#ece6da"/>
${road('M0 760 L1600 760', 46)}
${road('M800 0 L800 1000', 40)}
${road('M1250 120 L1250 820', 30)}
${road('M200 300 L1400 300', 22)}
<rect x="640" y="820" width="320" height="110" fill="#e3ddd0" stroke="#a8927a" stroke-width="4"/>
<rect x="560" y="360" width="480" height="250" rx="30" fill="#f7e3c4" stroke="#d9a05b" stroke-width="3"/>
<circle cx="800" cy="485" r="60" fill="#f2c98d"/>
<rect x="1100" y="860" width="130" height="60" fill="#d4e4d1" stroke="#7aa37a" stroke-width="3"/>
<rect x="90" y="90" width="160" height="110" fill="#dde7f3" stroke="#8aa3c4" stroke-width="3"/>
<g fill="#c9c1b2">${Array.from({ length: 10 }, (_, i) => `<rect x="${1290 + (i % 2) * 60}" y="${160 + Math.floor(i / 2) * 120}" width="48" height="90"/>`).join('')}</g>
<g fill="#c9c1b2">${Array.from({ length: 8 }, (_, i) => `<rect x="${260 + i * 36}" y="340" width="28" height="${80 + (i % 3) * 30}"/>`).join('')}</g>
</svg>`;
}

const PLACES: Record<string, number[]> = {
	'demo-post-south-gate': [800, 870],
	'demo-post-checkpoint-1': [420, 760],
	'demo-post-east-patrol': [1250, 180, 1250, 420, 1250, 620, 1250, 800],
	'demo-post-mobile-1': [900, 420]
};

const ZONES: Array<{ id: string; name: string; kind: ZoneKind; area: number[] }> = [
	{ id: 'demo-zone-lanterns', name: '主灯区', kind: 'crowd', area: [560, 360, 1040, 360, 1040, 610, 560, 610] },
	{ id: 'demo-zone-square', name: '南门广场', kind: 'crowd', area: [640, 820, 960, 820, 960, 930, 640, 930] },
	{ id: 'demo-zone-closure', name: '朱雀大街封控段', kind: 'closure', area: [770, 620, 830, 620, 830, 740, 770, 740] },
	{ id: 'demo-zone-staging', name: '增援集结点', kind: 'staging', area: [90, 90, 250, 90, 250, 200, 90, 200] },
	{ id: 'demo-zone-aid', name: '南门医疗点', kind: 'firstAid', area: [1100, 860, 1230, 860, 1230, 920, 1100, 920] },
	{ id: 'demo-zone-exit', name: '西侧疏散通道', kind: 'evacuation', area: [200, 290, 560, 290, 560, 320, 200, 320] }
];

const PINS: Array<{ agency: string; root: 'cards' | 'disputes'; id: string; at: [number, number] }> = [
	{ agency: 'station', root: 'cards', id: 'demo-card-s1', at: [760, 850] },
	{ agency: 'station', root: 'cards', id: 'demo-card-s4', at: [700, 470] },
	{ agency: 'station', root: 'cards', id: 'demo-card-s6', at: [230, 560] },
	{ agency: 'cid', root: 'cards', id: 'demo-card-c1', at: [950, 520] },
	{ agency: 'traffic', root: 'cards', id: 'demo-card-t1', at: [840, 760] },
	{ agency: 'traffic', root: 'cards', id: 'demo-card-t3', at: [1080, 760] },
	{ agency: 'patrol', root: 'disputes', id: 'demo-dispute-p1', at: [1290, 450] },
	{ agency: 'station', root: 'disputes', id: 'demo-dispute-s1', at: [520, 250] }
];

/** Seeds the demo's plan and what is on it; returns how many documents it wrote (0 when a plan is there). */
export async function seedDemoMap(hub: SyncHub, db: Kysely<DB>, eventId: string, dataDir: string): Promise<number> {
	await installDemoBasemap(dataDir);
	const command = await hub.document(commandDocName(eventId));
	if (command.durable.getMap('map').has('planId')) return 0;
	const prepared = await preparePlan(new TextEncoder().encode(demoPlanSvg()));
	if (!prepared.ok) throw new Error(`the demo plan did not pass the upload checks: ${prepared.problem}`);
	const { plan } = prepared;
	await putAttachment(db, { id: plan.id, eventId, kind: 'plan', mime: plan.mime, bytes: plan.bytes, width: plan.width, height: plan.height, createdBy: 'demo-user-commander' });
	// The plan is drawn at twice its size for sharp screens; places are given at the SVG's own size.
	const scale = plan.width / W;
	const at = (xs: number[]) => xs.map((v) => Math.round(v * scale * 10) / 10);
	await hub.serverWrite('demo-user-commander', [
		{
			doc: commandDocName(eventId),
			change: (doc) => {
				// Tied to the demo basemap at the plan's four corners (one SVG pixel a metre), to a centimetre.
				const controls = [
					[0, 0],
					[W, 0],
					[0, H],
					[W, H]
				].flatMap(([x, y]) => [...at([x, y]), ...demoLngLat(x, y).map((d) => Math.round(d * 1e7) / 1e7)]);
				setMapBase(doc, { planId: plan.id, width: plan.width, height: plan.height, controls, basemap: DEMO_BASEMAP });
				for (const [post, geo] of Object.entries(PLACES)) setPostPlace(doc, post, at(geo));
				for (const z of ZONES) addZone(doc, z.id, { name: z.name, kind: z.kind, area: at(z.area) });
			}
		}
	]);
	let written = 1;
	for (const agency of [...new Set(PINS.map((p) => p.agency))]) {
		await hub.serverWrite(null, [
			{
				doc: agencyDocName(eventId, agency),
				change: (doc) => {
					for (const p of PINS.filter((x) => x.agency === agency)) setPin(doc, p.root, p.id, at(p.at) as [number, number]);
				}
			}
		]);
		written++;
	}
	return written;
}
