/**
 * A wall's page carries the event's documents a display link may read, so that its map and lists are drawn as soon
 * as its script runs instead of after five connections in turn: the command document and every agency's, never the
 * restricted one (parties' personal data), and each restores the document the hub holds.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as Y from 'yjs';
import { startServer, type TestServer } from '../helpers/server.ts';
import { createDisplayTokenAsAdmin } from '../helpers/hub.ts';
import { DEMO_EVENT } from '../helpers/live.ts';
import { agencyDocName, commandDocName, restrictedDocName } from '../../src/lib/domain/documents.ts';

describe("a wall's page", () => {
	let server: TestServer;
	let html = '';

	beforeAll(async () => {
		server = await startServer({ demo: true });
		const token = await createDisplayTokenAsAdmin(server.url, DEMO_EVENT, '指挥部主屏');
		const res = await fetch(`${server.url}/wall/${token}?lang-set=1`, { headers: { cookie: 'PARAGLIDE_LOCALE=zh-CN' } });
		expect(res.status).toBe(200);
		html = await res.text();
	});
	afterAll(async () => {
		await server?.dispose();
	});

	/** The base64 state the page carries for one document, or null. */
	function carried(name: string): string | null {
		return new RegExp(`"${name.replaceAll('/', '\\/')}":"([A-Za-z0-9+/=]+)"`).exec(html)?.[1] ?? null;
	}

	it('carries the command document and every agency’s, each restoring what the hub holds', () => {
		const command = carried(commandDocName(DEMO_EVENT));
		expect(command).not.toBeNull();
		const plan = new Y.Doc();
		Y.applyUpdate(plan, Buffer.from(command!, 'base64'));
		expect(plan.getMap('posts').size).toBeGreaterThan(0);
		for (const agency of ['station', 'cid', 'traffic', 'patrol']) {
			const state = carried(agencyDocName(DEMO_EVENT, agency));
			expect(state, agency).not.toBeNull();
		}
		const station = new Y.Doc();
		Y.applyUpdate(station, Buffer.from(carried(agencyDocName(DEMO_EVENT, 'station'))!, 'base64'));
		expect(station.getMap('cards').size).toBeGreaterThan(0);
	});

	it('never carries the restricted document', () => {
		expect(html).not.toContain(restrictedDocName(DEMO_EVENT));
	});
});
