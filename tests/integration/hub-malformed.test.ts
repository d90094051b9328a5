/**
 * Issue 3, "10,000 malformed messages (random bytes, truncated updates, oversized frames, schema-breaking values,
 * foreign awareness ids) leave the server up, other clients unaffected, and storage unchanged". The messages come
 * from a fixed seed, so a failure can be replayed exactly.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as Y from 'yjs';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import type WebSocket from 'ws';
import { CROWD_QUOTAS, startServer, type TestServer } from '../helpers/server.ts';
import { connectDoc, eventually, whenSynced, type LiveDoc } from '../helpers/live.ts';
import {
	awarenessIdOf,
	awarenessMessage,
	DEMO_EVENT,
	demoUserId,
	MESSAGE_AWARENESS,
	MESSAGE_SYNC,
	openRawSocket,
	sameState,
	seededRandom,
	signInDemo,
	SYNC_MS,
	SYNC_STEP1,
	SYNC_STEP2,
	SYNC_UPDATE,
	syncMessage,
	updateFrom
} from '../helpers/hub.ts';
import { agencyDocName } from '../../src/lib/domain/documents.ts';
import { CLOSE_CODES } from '../../src/lib/domain/wire.ts';
import { DOC_ROOTS } from '../../src/lib/domain/doc-schema.ts';
import { addCard, buildCardMap, cardsOf, isoWithOffset } from '../../src/lib/domain/board.ts';

const STATION = agencyDocName(DEMO_EVENT, 'station');
const MAX_MESSAGE_BYTES = 65_536;
const SEED = 0x5eed_2026;
const TOTAL = 10_000;
/** Raw connections working through the barrage at the same time. */
const PARALLEL = 32;
/** Everything a bad message might leave behind starts with this, so storage can be searched for it. */
const BAD = 'bad';

type Kind = 'random' | 'truncated' | 'oversized' | 'schema' | 'awareness' | 'boundClient' | 'readOnly' | 'textFrame';

interface Malformed {
	kind: Kind;
	/** The kind, with the variant where a kind has variants that end differently. */
	label: string;
	/** Whose connection sends it: a writer of the station document (lead.station) or a reader (lead.traffic). */
	role: 'writer' | 'reader';
	data: Uint8Array | string;
	/** A sync step 1 the server will answer (random bytes can happen to be one). */
	answered: boolean;
}

/** Schema-breaking changes, each a different way to break the document schema (doc-schema.ts). */
const SCHEMA_BREAKERS: Array<(doc: Y.Doc, id: string) => void> = [
	// unknown enum
	(d, id) => addCard(d, id, { title: `${BAD} enum`, status: 'lost' as never, priority: 'routine' }),
	(d, id) => addCard(d, id, { title: `${BAD} enum`, status: 'todo', priority: 'whenever' as never }),
	(d) => cardsOf(d).get('demo-card-s1')!.set('status', `${BAD}-status`),
	// unknown root, and list content in a map root
	(d, id) => d.getMap(`${BAD}Root`).set(id, 1),
	(d, id) => d.getArray(`${BAD}List`).push([id]),
	// over-long text
	(d, id) => addCard(d, id, { title: `${BAD} ` + '长'.repeat(200), status: 'todo', priority: 'routine' }),
	(d, id) => addCard(d, id, { title: `${BAD} notes`, notes: 'x'.repeat(20_001), status: 'todo', priority: 'routine' }),
	(d) => cardsOf(d).get('demo-card-s2')!.set('location', `${BAD} ` + 'x'.repeat(300)),
	// wrong types
	(d, id) =>
		d.transact(() => {
			const m = buildCardMap({ title: `${BAD} types`, status: 'todo', priority: 'routine' });
			m.set('priority', 5);
			cardsOf(d).set(id, m);
		}),
	(d, id) =>
		d.transact(() => {
			const m = buildCardMap({ title: `${BAD} types`, status: 'todo', priority: 'routine' });
			m.set('notes', 'plain text, not shared');
			cardsOf(d).set(id, m);
		}),
	(d) => cardsOf(d).get('demo-card-s3')!.set('title', 42),
	(d) => cardsOf(d).get('demo-card-s3')!.set('dueAt', `${BAD} tomorrow`),
	(d) => cardsOf(d).get('demo-card-s3')!.set('order', 1e12),
	(d) => cardsOf(d).get('demo-card-s3')!.set('archived', 'yes'),
	(d, id) => cardsOf(d).set(id, `${BAD} card` as never),
	// unknown field, missing required field, bad id, an embed in notes
	(d) => cardsOf(d).get('demo-card-s4')!.set(`${BAD}Field`, 'x'),
	(d, id) =>
		d.transact(() => {
			const m = buildCardMap({ title: `${BAD} untitled`, status: 'todo', priority: 'routine' });
			m.delete('title');
			cardsOf(d).set(id, m);
		}),
	(d, id) => addCard(d, `${id} with spaces!`, { title: `${BAD} id`, status: 'todo', priority: 'routine' }),
	(d) => (cardsOf(d).get('demo-card-s5')!.get('notes') as Y.Text).insertEmbed(0, { [BAD]: true }),
	(d) => (cardsOf(d).get('demo-card-s5')!.get('checklist') as Y.Array<unknown>).push([`${BAD} item`])
];

/** An awareness message speaking for more client ids than one connection may. */
function awarenessForMany(ids: number[]): Uint8Array {
	const inner = encoding.createEncoder();
	encoding.writeVarUint(inner, ids.length);
	for (const id of ids) {
		encoding.writeVarUint(inner, id);
		encoding.writeVarUint(inner, 1);
		encoding.writeVarString(inner, '{}');
	}
	const e = encoding.createEncoder();
	encoding.writeVarUint(e, MESSAGE_AWARENESS);
	encoding.writeVarUint8Array(e, encoding.toUint8Array(inner));
	return encoding.toUint8Array(e);
}

/** Would the server answer this message with a sync step 2 (it is a decodable sync step 1)? */
function isAnsweredStep1(bytes: Uint8Array): boolean {
	try {
		const d = decoding.createDecoder(bytes);
		if (decoding.readVarUint(d) !== MESSAGE_SYNC || decoding.readVarUint(d) !== SYNC_STEP1) return false;
		Y.decodeStateVector(decoding.readVarUint8Array(d));
		return true;
	} catch {
		return false;
	}
}

function randomBytes(rnd: () => number, n: number): Uint8Array {
	const b = new Uint8Array(n);
	for (let i = 0; i < n; i++) b[i] = Math.floor(rnd() * 256);
	return b;
}

/** The barrage, in a fixed order from a fixed seed. */
function makeBarrage(base: Uint8Array, goodClientId: number, goodAwarenessId: number): Malformed[] {
	const rnd = seededRandom(SEED);
	const int = (n: number) => Math.floor(rnd() * n);
	const newCard = (d: Y.Doc, id: string) =>
		addCard(d, id, { title: `${BAD} card ${id}`, status: 'todo', priority: 'urgent', agency: 'station', createdAt: isoWithOffset(new Date(), 480) });
	const valid = Array.from({ length: 40 }, (_, i) => updateFrom(base, (d) => newCard(d, `${BAD}-valid-${i}`)));
	// Shares of the barrage, in per cent.
	const mix: Array<[Kind, number]> = [
		['random', 30],
		['truncated', 20],
		['schema', 20],
		['awareness', 10],
		['boundClient', 8],
		['readOnly', 7],
		['textFrame', 3],
		['oversized', 2]
	];
	const kinds = mix.flatMap(([k, share]) => Array.from({ length: (TOTAL * share) / 100 }, () => k));
	// Shuffle, so that every kind arrives throughout the barrage.
	for (let i = kinds.length - 1; i > 0; i--) {
		const j = int(i + 1);
		[kinds[i], kinds[j]] = [kinds[j], kinds[i]];
	}
	return kinds.map((kind, n): Malformed => {
		const id = `${BAD}-${n}`;
		const m = (data: Uint8Array | string, role: Malformed['role'] = 'writer', variant?: string): Malformed => ({
			kind,
			label: variant ? `${kind}:${variant}` : kind,
			role,
			data,
			answered: typeof data !== 'string' && isAnsweredStep1(data)
		});
		switch (kind) {
			case 'random':
				return m(randomBytes(rnd, 1 + int(400)));
			case 'truncated': {
				const update = valid[int(valid.length)];
				// Either the update inside a well-formed message is cut short, or the message itself is.
				return rnd() < 0.5
					? m(syncMessage(SYNC_UPDATE, update.slice(0, 1 + int(update.length - 1))))
					: m(syncMessage(rnd() < 0.5 ? SYNC_UPDATE : SYNC_STEP2, update).slice(0, 3 + int(update.length - 3)));
			}
			case 'oversized':
				// Over our limit, some even over twice it (where ws itself ends the connection).
				return m(syncMessage(SYNC_UPDATE, randomBytes(rnd, MAX_MESSAGE_BYTES + 1 + int(MAX_MESSAGE_BYTES * 1.2))));
			case 'schema':
				return m(syncMessage(rnd() < 0.5 ? SYNC_UPDATE : SYNC_STEP2, updateFrom(base, (d) => SCHEMA_BREAKERS[n % SCHEMA_BREAKERS.length](d, id))));
			case 'awareness': {
				const r = rnd();
				// Mostly the good client's own presence id, newer than what the document holds (a stale one is what a
				// stock client forwards of others, and is skipped without effect); also more ids than one connection
				// may speak for, and states that are no object.
				if (r < 0.6) return m(awarenessMessage(goodAwarenessId, { user: { name: `${BAD} impostor` } }, 1000 + int(1000)), 'writer', 'foreign');
				if (r < 0.7) return m(awarenessMessage(goodAwarenessId, { user: { name: `${BAD} impostor` } }, 0), 'writer', 'stale');
				if (r < 0.85) return m(awarenessMessage(1 + int(2 ** 30), [`${BAD}`] as never), 'writer', 'notObject');
				return m(awarenessForMany([1, 2, 3, 4, 5, 6].map((k) => k + int(2 ** 30))), 'writer', 'tooMany');
			}
			case 'boundClient':
				// A well-formed card, but written with the Yjs client id the commander owns.
				return m(syncMessage(SYNC_UPDATE, updateFrom(base, (d) => newCard(d, id), goodClientId)));
			case 'readOnly':
				return m(syncMessage(SYNC_UPDATE, valid[int(valid.length)]), 'reader');
			case 'textFrame':
				return m(JSON.stringify({ type: 'update', [BAD]: n }));
		}
	});
}

/** A raw connection that reports, for each message sent, whether the server closed it or answered a probe after it. */
class RawConnection {
	readonly ws: WebSocket;
	closed: { code: number; reason: string } | null = null;
	#step2 = 0;
	#waiter: (() => void) | null = null;

	constructor(ws: WebSocket) {
		this.ws = ws;
		ws.on('message', (data: Buffer) => {
			if (data[0] === MESSAGE_SYNC && data[1] === SYNC_STEP2) this.#step2++;
			this.#waiter?.();
		});
		ws.on('close', (code: number, reason: Buffer) => {
			this.closed = { code, reason: reason.toString() };
			this.#waiter?.();
		});
		ws.on('error', () => {});
	}

	/**
	 * Sends a message and then a probe (a sync step 1); messages are handled in order, so an answer to the probe
	 * means the message was handled and the connection stays open.
	 */
	async exchange(m: Malformed, probe: Uint8Array): Promise<{ code: number; reason: string } | 'open'> {
		const target = this.#step2 + 1 + (m.answered ? 1 : 0);
		this.ws.send(m.data, { binary: typeof m.data !== 'string' }, () => {});
		this.ws.send(probe, { binary: true }, () => {});
		await new Promise<void>((resolve, reject) => {
			const timer = setTimeout(() => reject(new Error(`no answer to a ${m.kind} message`)), 15_000);
			this.#waiter = () => {
				if (this.closed || this.#step2 >= target) {
					clearTimeout(timer);
					this.#waiter = null;
					resolve();
				}
			};
			this.#waiter();
		});
		return this.closed ?? 'open';
	}
}

describe('malformed input to the sync hub', () => {
	let server: TestServer;
	let cookies: Record<string, string>;
	const open: LiveDoc[] = [];

	beforeAll(async () => {
		// Ten thousand messages from one account in well under a minute: no person's budget, so none applies here.
		server = await startServer({ demo: true, env: { MAX_MESSAGE_BYTES: String(MAX_MESSAGE_BYTES), ...CROWD_QUOTAS } });
		cookies = await signInDemo(server.url, ['commander', 'member.station', 'lead.station', 'lead.traffic', 'reviewer']);
	});
	afterAll(async () => {
		// Disposed even if closing a client throws: no test server may outlive its file.
		try {
			for (const live of open) live.destroy();
		} finally {
			await server?.dispose();
		}
	});

	it('refuses 10,000 malformed messages one by one while the server stays up, a good client keeps syncing, and storage keeps only the good edits', { timeout: 400_000 }, async () => {
		const good = connectDoc(server.url, STATION, { cookie: cookies.commander });
		const watcher = connectDoc(server.url, STATION, { cookie: cookies['member.station'] });
		open.push(good, watcher);
		await Promise.all([whenSynced(good, SYNC_MS), whenSynced(watcher, SYNC_MS)]);
		const goodCard = (n: number) =>
			addCard(good.doc, `good-${n}`, { title: `正常卡片 ${n}`, status: 'todo', priority: 'routine', agency: 'station', createdBy: demoUserId('commander') });
		// The good client's Yjs id is bound to the commander by its first edit, and it shows its presence (a state at
		// clock 1: the initial state at clock 0 is one no other awareness takes).
		goodCard(0);
		good.provider.awareness.setLocalStateField('selected', 'good-0');
		await eventually(() => cardsOf(watcher.doc).has('good-0'), 30_000, 'the first good edit');
		const goodPresence = () => watcher.provider.awareness.getStates().get(awarenessIdOf(good)) as { user?: { id?: string } } | undefined;
		await eventually(() => goodPresence()?.user?.id === demoUserId('commander'), 30_000, "the good client's presence");

		const barrage = makeBarrage(Y.encodeStateAsUpdate(watcher.doc), good.doc.clientID, awarenessIdOf(good));
		expect(barrage.length).toBe(TOTAL);

		let impostors = 0;
		watcher.provider.awareness.on('change', () => {
			const state = goodPresence();
			if (state && state.user?.id !== demoUserId('commander')) impostors++;
		});

		// The good client goes on editing during the barrage; each edit must reach the watcher.
		let barrageRunning = true;
		let goodEdits = 1;
		let healthChecks = 0;
		const goodLoop = (async () => {
			while (barrageRunning) {
				goodCard(goodEdits);
				const n = goodEdits++;
				await eventually(() => cardsOf(watcher.doc).has(`good-${n}`), 15_000, `good edit ${n} to reach the watcher during the barrage`);
				expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
				healthChecks++;
			}
		})();
		// Its failure is reported where it is awaited, after the barrage.
		goodLoop.catch(() => {});

		const outcomes = new Map<string, Map<string, number>>();
		const note = (kind: string, outcome: string) => {
			const byOutcome = outcomes.get(kind) ?? new Map<string, number>();
			byOutcome.set(outcome, (byOutcome.get(outcome) ?? 0) + 1);
			outcomes.set(kind, byOutcome);
		};
		let next = 0;
		let connections = 0;
		const worker = async () => {
			const conns: Record<Malformed['role'], RawConnection | null> = { writer: null, reader: null };
			while (next < barrage.length) {
				const m = barrage[next++];
				let conn = conns[m.role];
				if (!conn || conn.closed) {
					conn = conns[m.role] = new RawConnection(await openRawSocket(server.url, STATION, cookies[m.role === 'writer' ? 'lead.station' : 'lead.traffic']));
					connections++;
				}
				const probe = syncMessage(SYNC_STEP1, Y.encodeStateVector(watcher.doc));
				const outcome = await conn.exchange(m, probe);
				note(m.label, outcome === 'open' ? 'open' : `${outcome.code} ${outcome.reason.replace(/\d+/g, 'N').replace(/^(schema: )\S+ .*/, '$1…')}`);
			}
			for (const c of Object.values(conns)) c?.ws.close();
		};
		try {
			await Promise.all(Array.from({ length: PARALLEL }, worker));
		} finally {
			barrageRunning = false;
		}
		await goodLoop;

		const count = (label: string) => barrage.filter((m) => m.label === label).length;
		const summary = Object.fromEntries([...outcomes].map(([k, v]) => [k, Object.fromEntries(v)]));
		const codesOf = (kind: string) => new Set([...(outcomes.get(kind)?.keys() ?? [])].map((o) => o.split(' ')[0]));
		const total = [...outcomes.values()].reduce((sum, v) => sum + [...v.values()].reduce((a, b) => a + b, 0), 0);
		expect(total, JSON.stringify(summary)).toBe(TOTAL);
		// Each kind is refused with its documented code and reason (random bytes may also be a harmless message).
		expect(summary.truncated, 'truncated updates').toEqual({
			[`${CLOSE_CODES.refused} update could not be decoded`]: expect.any(Number),
			[`${CLOSE_CODES.refused} sync message could not be decoded`]: expect.any(Number)
		});
		expect(summary.schema, 'schema-breaking values').toEqual({ [`${CLOSE_CODES.refused} schema: …`]: count('schema') });
		expect(summary.boundClient, "another user's client id").toEqual({ [`${CLOSE_CODES.refused} client id N belongs to another user`]: count('boundClient') });
		expect(summary.readOnly, 'writes on a read-only connection').toEqual({ [`${CLOSE_CODES.readOnly} this connection may only read this document`]: count('readOnly') });
		expect(summary.textFrame, 'text frames').toEqual({ [`${CLOSE_CODES.refused} text frames are not part of the protocol`]: count('textFrame') });
		expect(codesOf('oversized'), JSON.stringify(summary.oversized)).toEqual(new Set([String(CLOSE_CODES.tooLarge), '1009']));
		expect(summary['awareness:foreign'], 'presence for the good client').toEqual({
			[`${CLOSE_CODES.refused} awareness client N belongs to another connection`]: count('awareness:foreign')
		});
		// A stale entry for an id the document holds is what a stock client forwards of others: skipped, no effect.
		expect(summary['awareness:stale'], 'a stale forwarded presence').toEqual({ open: count('awareness:stale') });
		expect(summary['awareness:notObject'], 'a presence that is no object').toEqual({
			[`${CLOSE_CODES.refused} awareness state must be an object`]: count('awareness:notObject')
		});
		expect(summary['awareness:tooMany'], 'presence for too many ids').toEqual({
			[`${CLOSE_CODES.refused} too many awareness clients`]: count('awareness:tooMany')
		});
		// Nobody ever saw the good client's presence under another name.
		expect(impostors).toBe(0);
		expect(goodPresence()?.user?.id).toBe(demoUserId('commander'));
		expect([...codesOf('random')].every((c) => c === String(CLOSE_CODES.refused) || c === 'open'), JSON.stringify(summary.random)).toBe(true);
		expect(outcomes.get('random')?.get('open') ?? 0).toBeLessThan(count('random'));

		// The server stayed up and the good clients were never disturbed.
		expect(healthChecks).toBeGreaterThan(0);
		expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
		expect(good.closes).toEqual([]);
		expect(watcher.closes).toEqual([]);
		await eventually(() => sameState(good.doc, watcher.doc), 15_000, 'the watcher to hold every good edit');

		// Storage: after a crash and a restart, a fresh client loads exactly what the good client made, nothing else.
		await server.stop('SIGKILL');
		good.provider.disconnect();
		watcher.provider.disconnect();
		await server.restart();
		const fresh = connectDoc(server.url, STATION, { cookie: cookies.reviewer });
		open.push(fresh);
		await whenSynced(fresh, SYNC_MS);
		expect(sameState(fresh.doc, good.doc)).toBe(true);
		expect(cardsOf(fresh.doc).toJSON()).toEqual(cardsOf(good.doc).toJSON());
		const roots = [...fresh.doc.share.keys()];
		expect(roots.filter((r) => !(r in DOC_ROOTS.agency))).toEqual([]);
		expect(JSON.stringify(roots.map((r) => fresh.doc.getMap(r).toJSON()))).not.toContain(BAD);
		expect([...cardsOf(fresh.doc).keys()].filter((k) => k.startsWith('good-')).length).toBe(goodEdits);
		console.log(`[hub-malformed] ${TOTAL} messages over ${connections} connections, ${goodEdits} good edits meanwhile`);
	});
});
