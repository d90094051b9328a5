/**
 * Issue 3, "each cell of the access table: allowed, or refused with the documented code": every demo role and a
 * wall display against every kind of document, expected cells taken from documentAccess() itself, checked
 * against the running server with stock y-websocket providers.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as Y from 'yjs';
import { startServer, type TestServer } from '../helpers/server.ts';
import { connectDoc, eventually, whenSynced, type LiveDoc } from '../helpers/live.ts';
import { createDisplayTokenAsAdmin, DEMO_EVENT, signInDemo, SYNC_MS } from '../helpers/hub.ts';
import { DEMO_USERS } from '../../src/lib/server/demo/demo-data.ts';
import { documentAccess, type Access, type Principal } from '../../src/lib/domain/permissions.ts';
import { docName, type DocAddress } from '../../src/lib/domain/documents.ts';
import { CLOSE_CODES } from '../../src/lib/domain/wire.ts';
import { addCard, cardsOf } from '../../src/lib/domain/board.ts';

const DOCS: DocAddress[] = [
	{ eventId: DEMO_EVENT, kind: 'command' },
	{ eventId: DEMO_EVENT, kind: 'agency', agency: 'station' },
	{ eventId: DEMO_EVENT, kind: 'agency', agency: 'cid' },
	{ eventId: DEMO_EVENT, kind: 'agency', agency: 'traffic' },
	{ eventId: DEMO_EVENT, kind: 'agency', agency: 'patrol' },
	{ eventId: DEMO_EVENT, kind: 'restricted' }
];
/** The event's roles, cleared and uncleared, an administrator who is no member, and a wall display. */
const USERS = ['commander', 'lead.station', 'lead.cid', 'lead.traffic', 'lead.patrol', 'member.station', 'member.traffic', 'reviewer', 'admin'];
const DISPLAY = 'display:wall';

function principalOf(who: string): Principal {
	if (who === DISPLAY) return { kind: 'display', eventId: DEMO_EVENT };
	const u = DEMO_USERS.find((x) => x.username === who)!;
	return { kind: 'user', userId: u.id, isAdmin: u.isAdmin, clearedPersonalData: u.clearedPersonalData, membership: u.role };
}

/** A small write of the document's own kind, valid by the schema, tagged so it can be looked for. */
function writeMarker(doc: Y.Doc, address: DocAddress, marker: string): void {
	if (address.kind === 'agency') {
		addCard(doc, marker, { title: `access check ${marker}`, status: 'todo', priority: 'routine', agency: address.agency });
	} else if (address.kind === 'command') {
		doc.transact(() => {
			const post = new Y.Map<unknown>();
			post.set('name', `access check ${marker}`);
			post.set('kind', 'post');
			doc.getMap('posts').set(marker, post);
		});
	} else {
		doc.transact(() => {
			const party = new Y.Map<unknown>();
			party.set('name', '张*');
			const list = new Y.Array<Y.Map<unknown>>();
			list.push([party]);
			doc.getMap('parties').set(marker, list);
		});
	}
}

function hasMarker(doc: Y.Doc, address: DocAddress, marker: string): boolean {
	const root = address.kind === 'agency' ? cardsOf(doc) : doc.getMap(address.kind === 'command' ? 'posts' : 'parties');
	return root.has(marker);
}

function firstClose(live: LiveDoc): Promise<{ code: number; reason: string }> {
	return eventually(() => live.closes.length > 0, 30_000, 'the server to close the connection').then(() => live.closes[0]);
}

describe('access to documents by role (DESIGN.md, Documents and permission boundaries)', () => {
	let server: TestServer;
	let cookies: Record<string, string>;
	let displayToken: string;
	const open: LiveDoc[] = [];
	const connect = (name: string, opts: Parameters<typeof connectDoc>[2]) => {
		const live = connectDoc(server.url, name, opts);
		open.push(live);
		return live;
	};
	const connectAs = (who: string, name: string) =>
		who === DISPLAY ? connect(name, { displayToken }) : connect(name, { cookie: cookies[who] });

	beforeAll(async () => {
		server = await startServer({ demo: true });
		cookies = await signInDemo(server.url, USERS);
		displayToken = await createDisplayTokenAsAdmin(server.url, DEMO_EVENT, 'wall');
	});
	afterAll(async () => {
		// Disposed even if closing a client throws: no test server may outlive its file.
		try {
			for (const live of open) live.destroy();
		} finally {
			await server?.dispose();
		}
	});

	it('matches documentAccess() in every cell: writers write, readers read and are refused with 4405, others get 4403', { timeout: 180_000 }, async () => {
		const cells = [...USERS, DISPLAY].flatMap((who) => DOCS.map((address) => ({ who, address, expected: documentAccess(principalOf(who), address, 'active') })));
		// The table the design promises, spot-checked so the matrix is not vacuous: documentAccess must say this.
		const expectedOf = (who: string, doc: string) => cells.find((c) => c.who === who && docName(c.address) === `event/${DEMO_EVENT}/${doc}`)!.expected;
		expect(DOCS.map((d) => expectedOf('commander', docName(d).slice(`event/${DEMO_EVENT}/`.length)))).toEqual(DOCS.map(() => 'write'));
		expect(expectedOf('lead.station', 'agency/station')).toBe('write');
		expect(expectedOf('member.station', 'agency/station')).toBe('write');
		expect(expectedOf('lead.station', 'agency/traffic')).toBe('read');
		expect(expectedOf('lead.traffic', 'command')).toBe('read');
		expect(expectedOf('lead.traffic', 'restricted')).toBe('none');
		expect(expectedOf('member.station', 'restricted')).toBe('none');
		expect(expectedOf('lead.station', 'restricted')).toBe('write');
		expect(expectedOf('lead.patrol', 'restricted')).toBe('write');
		expect(expectedOf('reviewer', 'agency/station')).toBe('read');
		expect(expectedOf(DISPLAY, 'agency/station')).toBe('read');
		expect(expectedOf(DISPLAY, 'restricted')).toBe('none');
		expect(expectedOf('admin', 'command')).toBe('none');

		// The commander watches every document, to see which writes were stored.
		const watchers = new Map(DOCS.map((d) => [docName(d), connect(docName(d), { cookie: cookies.commander })]));
		await Promise.all([...watchers.values()].map((w) => whenSynced(w, SYNC_MS)));

		const results = await Promise.all(
			cells.map(async ({ who, address, expected }) => {
				const name = docName(address);
				const marker = `m-${who.replace(/[^a-z]/g, '-')}-${name.split('/').slice(2).join('-')}`;
				const live = connectAs(who, name);
				let seen: Access | 'other';
				let close: { code: number; reason: string } | null = null;
				if (expected === 'none') {
					close = await firstClose(live);
					seen = close.code === CLOSE_CODES.forbidden && !live.provider.synced ? 'none' : 'other';
				} else {
					await whenSynced(live, SYNC_MS);
					writeMarker(live.doc, address, marker);
					// Whichever comes first: the write is stored (the commander sees it), or the connection is closed.
					await eventually(() => live.closes.length > 0 || hasMarker(watchers.get(name)!.doc, address, marker), 30_000, `${who}'s write to ${name} to be stored or refused`);
					if (live.closes.length === 0) seen = 'write';
					else {
						close = live.closes[0];
						seen = close.code === CLOSE_CODES.readOnly ? 'read' : 'other';
					}
				}
				live.provider.disconnect();
				return { cell: `${who} on ${name}`, expected, seen, close, marker, address };
			})
		);
		expect(results.map((r) => `${r.cell}: ${r.seen}`)).toEqual(results.map((r) => `${r.cell}: ${r.expected}`));
		for (const r of results) {
			if (r.expected === 'read') expect(r.close?.reason).toBe('this connection may only read this document');
			if (r.expected === 'none') expect(r.close?.reason).toBe('no access to this document');
		}
		// No refused write reached the document: every reader's marker is absent, every writer's present.
		for (const r of results) {
			expect(`${r.cell}: ${hasMarker(watchers.get(docName(r.address))!.doc, r.address, r.marker)}`).toBe(`${r.cell}: ${r.expected === 'write'}`);
		}
	});

	it('lets a reader see the document it may read (a lead sees another agency\'s cards; a display sees the board)', async () => {
		const traffic = connectAs('lead.traffic', `event/${DEMO_EVENT}/agency/station`);
		const wall = connectAs(DISPLAY, `event/${DEMO_EVENT}/agency/station`);
		const wallCommand = connectAs(DISPLAY, `event/${DEMO_EVENT}/command`);
		await Promise.all([traffic, wall, wallCommand].map((l) => whenSynced(l, SYNC_MS)));
		expect(cardsOf(traffic.doc).get('demo-card-s1')?.get('title')).toBe('南门入口人流管控，设置单向通行');
		expect(cardsOf(wall.doc).has('demo-card-s1')).toBe(true);
		expect(wallCommand.doc.getMap('posts').has('demo-post-south-gate')).toBe(true);
	});

	it('closes a connection without a valid session with 4401, whatever the document', async () => {
		const names = [`event/${DEMO_EVENT}/command`, `event/${DEMO_EVENT}/agency/station`, `event/${DEMO_EVENT}/restricted`, 'event/nowhere/command'];
		const anonymous = names.map((n) => connect(n, { cookie: null }));
		const forged = names.map((n) => connect(n, { cookie: `session=${'x'.repeat(40)}` }));
		const badToken = connect(`event/${DEMO_EVENT}/command`, { displayToken: 'not-a-token' });
		for (const live of [...anonymous, ...forged, badToken]) {
			expect(await firstClose(live)).toEqual({ code: CLOSE_CODES.unauthenticated, reason: 'sign in first' });
			expect(live.provider.synced).toBe(false);
		}
	});

	it('closes a connection to an unknown document, event or agency with 4404', async () => {
		const names = [
			`event/${DEMO_EVENT}/everything`,
			`event/${DEMO_EVENT}/agency`,
			`event/${DEMO_EVENT}/agency/fire`,
			'event/no-such-event/command',
			'event/no-such-event/agency/station',
			'event/no-such-event/restricted',
			'not-a-document'
		];
		const lives = names.map((n) => connect(n, { cookie: cookies.commander }));
		for (const live of lives) {
			expect(await firstClose(live)).toEqual({ code: CLOSE_CODES.unknownDocument, reason: 'unknown document' });
			expect(live.provider.synced).toBe(false);
		}
	});
});
