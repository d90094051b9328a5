/**
 * A worker thread holding part of the load phase's crowd: stock y-websocket providers on the documents of one
 * event, some of them writing. Thousands of clients each applying every update are far more work than the
 * server's sending it, so the crowd is spread over threads (see crowd.ts). The thread answers each request of
 * the main thread with one message.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { createHash } from 'node:crypto';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import { encodeAwarenessUpdate } from 'y-protocols/awareness';
import type { WebsocketProvider } from 'y-websocket';
import { addCard, cardsOf } from '../src/lib/domain/board.ts';
import { parseDocName } from '../src/lib/domain/documents.ts';
import { connectDoc, whenSynced, type LiveDoc } from '../tests/helpers/live.ts';
import { ArrivalLog, makeStamp, type Arrivals } from './stamps.ts';
import type { CrowdClient } from './crowd-plan.ts';

export interface CrowdWorkerData {
	base: string;
	/** Session cookies by demo account. */
	cookies: Record<string, string>;
	/** The wall displays' token. */
	wallToken: string | null;
	clients: CrowdClient[];
	/** Connections this thread opens at once. */
	batch: number;
	syncTimeoutMs: number;
	/**
	 * `stock`: every client forwards every presence change it hears back to the server, as a stock provider does;
	 * `own`: each sends its own presence only, as the board's page does (src/lib/client/live-doc.svelte.ts).
	 */
	presence: 'stock' | 'own';
}

export type ToCrowdWorker =
	| { type: 'open' }
	| { type: 'prepare' }
	| { type: 'track'; tag: string | null }
	| { type: 'edit'; tag: string; seconds: number; intervalMs: number }
	| { type: 'collect' }
	| { type: 'states' }
	| { type: 'close' };

/** One client's view at the end: its document's state (state vector and delete set) as a digest. */
export interface ClientState {
	index: number;
	doc: string;
	digest: string;
	stateVector: Array<[number, number]>;
}

export type FromCrowdWorker =
	| { type: 'opened'; connectMs: Float64Array; failures: Array<{ index: number; doc: string; message: string }> }
	| { type: 'prepared' }
	| { type: 'tracking' }
	| { type: 'edited'; sent: string[] }
	| ({ type: 'collected'; loopUtilization: number; closes: Array<[string, number]> } & Arrivals)
	| { type: 'states'; states: ClientState[] }
	| { type: 'closed' };

// Each y-websocket provider adds a process 'exit' listener; this thread holds a thousand.
process.setMaxListeners(0);
const data = workerData as CrowdWorkerData;
const port = parentPort!;
const log = new ArrivalLog();
let elu = performance.eventLoopUtilization();

interface Held {
	spec: CrowdClient;
	live: LiveDoc;
	/** The map its stamped entities live in: cards of an agency, posts of the command document. */
	root: Y.Map<Y.Map<unknown>>;
	count: number;
}
const held: Held[] = [];

/** The id of a writer's entity in its document. */
const entityId = (label: string) => `load-${label}`;

function rootOf(doc: Y.Doc, name: string): Y.Map<Y.Map<unknown>> {
	return parseDocName(name)?.kind === 'command' ? doc.getMap('posts') : cardsOf(doc);
}

/** Notes every stamped location another client sets in the document. */
function observe(h: Held): void {
	h.root.observeDeep((events, tr) => {
		if (tr.local) return;
		const at = Number(process.hrtime.bigint()) / 1e6;
		for (const e of events) {
			if (e.path.length !== 1 || !(e instanceof Y.YMapEvent) || !e.keysChanged.has('location')) continue;
			const v = (e.target as Y.Map<unknown>).get('location');
			if (typeof v === 'string' && v.startsWith('bench:')) log.record(v, at);
		}
	});
}

/** Stops a stock provider from forwarding other people's presence; it still sends its own (message type 1). */
function sendOwnPresenceOnly(provider: WebsocketProvider): void {
	const { awareness } = provider;
	awareness.off('update', provider._awarenessUpdateHandler);
	provider._awarenessUpdateHandler = ({ added, updated, removed }: Record<'added' | 'updated' | 'removed', number[]>) => {
		const own = awareness.clientID;
		if (!provider.wsconnected || !provider.ws || ![added, updated, removed].some((list) => list.includes(own))) return;
		const encoder = encoding.createEncoder();
		encoding.writeVarUint(encoder, 1);
		encoding.writeVarUint8Array(encoder, encodeAwarenessUpdate(awareness, [own]));
		provider.ws.send(encoding.toUint8Array(encoder));
	};
	awareness.on('update', provider._awarenessUpdateHandler);
}

async function open(): Promise<FromCrowdWorker> {
	const connectMs: number[] = [];
	const failures: Array<{ index: number; doc: string; message: string }> = [];
	for (let i = 0; i < data.clients.length; i += data.batch) {
		await Promise.all(
			data.clients.slice(i, i + data.batch).map(async (spec) => {
				const t0 = performance.now();
				const live = connectDoc(data.base, spec.doc, spec.username ? { cookie: data.cookies[spec.username] } : { displayToken: data.wallToken ?? undefined });
				if (data.presence === 'own') sendOwnPresenceOnly(live.provider);
				try {
					await whenSynced(live, data.syncTimeoutMs);
				} catch {
					const closes = live.closes.map((c) => `${c.code} ${c.reason}`).join(', ');
					failures.push({ index: spec.index, doc: spec.doc, message: `not synced in ${data.syncTimeoutMs} ms${closes ? ` (closed: ${closes})` : ''}` });
					live.destroy();
					return;
				}
				connectMs.push(performance.now() - t0);
				const h: Held = { spec, live, root: rootOf(live.doc, spec.doc), count: 0 };
				observe(h);
				held.push(h);
			})
		);
	}
	return { type: 'opened', connectMs: Float64Array.from(connectMs), failures };
}

/** Each writer makes the entity it will edit: a card in an agency document, a post in the command document. */
function prepare(): void {
	for (const h of held) {
		const label = h.spec.writer;
		if (!label) continue;
		if (parseDocName(h.spec.doc)?.kind === 'command') {
			const post = new Y.Map<unknown>();
			h.live.doc.transact(() => {
				post.set('name', `压测岗位 ${label}`);
				post.set('kind', 'post');
				post.set('location', 'bench:start');
				h.root.set(entityId(label), post as Y.Map<unknown>);
			});
		} else {
			addCard(h.live.doc, entityId(label), { title: `压测写入 ${label}`, status: 'doing', priority: 'routine', location: 'bench:start' });
		}
	}
}

/** Each writer edits once every `intervalMs`, from a random offset so that writers do not march in step. */
async function edit(tag: string, seconds: number, intervalMs: number): Promise<string[]> {
	const sent: string[] = [];
	const timers: NodeJS.Timeout[] = [];
	const one = (h: Held) => {
		const stamp = makeStamp(tag, h.spec.writer!, ++h.count);
		sent.push(stamp);
		h.root.get(entityId(h.spec.writer!))?.set('location', stamp);
	};
	for (const h of held) {
		if (!h.spec.writer) continue;
		timers.push(
			setTimeout(() => {
				one(h);
				timers.push(setInterval(() => one(h), intervalMs));
			}, Math.random() * intervalMs)
		);
	}
	await new Promise((r) => setTimeout(r, seconds * 1000));
	for (const t of timers) clearTimeout(t);
	return sent;
}

function closes(): Array<[string, number]> {
	const byReason = new Map<string, number>();
	for (const h of held) for (const c of h.live.closes) byReason.set(`${c.code} ${c.reason}`, (byReason.get(`${c.code} ${c.reason}`) ?? 0) + 1);
	return [...byReason];
}

function states(): ClientState[] {
	return held.map((h) => {
		const doc = h.live.doc;
		return {
			index: h.spec.index,
			doc: h.spec.doc,
			// A snapshot is the state vector and the delete set, both in canonical order: equal for equal states.
			digest: createHash('sha256').update(Y.encodeSnapshot(Y.snapshot(doc))).digest('hex'),
			stateVector: [...Y.decodeStateVector(Y.encodeStateVector(doc))].sort((a, b) => a[0] - b[0])
		};
	});
}

async function answer(m: ToCrowdWorker): Promise<FromCrowdWorker> {
	switch (m.type) {
		case 'open':
			return open();
		case 'prepare':
			prepare();
			return { type: 'prepared' };
		case 'track':
			log.track(m.tag);
			elu = performance.eventLoopUtilization();
			return { type: 'tracking' };
		case 'edit':
			return { type: 'edited', sent: await edit(m.tag, m.seconds, m.intervalMs) };
		case 'collect': {
			const { perPeer, edits } = log.snapshot();
			return { type: 'collected', perPeer, edits, loopUtilization: performance.eventLoopUtilization(elu).utilization, closes: closes() };
		}
		case 'states':
			return { type: 'states', states: states() };
		case 'close':
			for (const h of held.splice(0)) h.live.destroy();
			return { type: 'closed' };
	}
}

port.on('message', (m: ToCrowdWorker) => {
	void answer(m).then((reply) => {
		port.postMessage(reply, reply.type === 'collected' ? [reply.perPeer.buffer as ArrayBuffer] : []);
		if (reply.type === 'closed') port.close();
	});
});
