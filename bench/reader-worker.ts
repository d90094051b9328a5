/**
 * A worker thread holding a share of the readers: stock y-websocket providers that only receive. Hundreds of
 * clients each applying every update are far more work than the server's sending it; spread over threads they
 * can use the cores the server leaves free instead of queueing in one event loop.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import type { LiveDoc } from '../tests/helpers/live.ts';
import { openClient } from './clients.ts';
import { ArrivalLog, observeStamps } from './stamps.ts';

export interface ReaderWorkerData {
	base: string;
	/** Where the server takes documents (see connectDoc). */
	path?: string;
	doc: string;
	cookies: Array<string | null>;
	count: number;
}

export type ToReaderWorker = { type: 'track'; tag: string | null } | { type: 'collect' } | { type: 'close' };

export type FromReaderWorker =
	| { type: 'ready' }
	| { type: 'failed'; message: string }
	| { type: 'tracking' }
	| { type: 'collected'; perPeer: Float64Array; edits: Array<[string, number, number]>; loopUtilization: number; closes: Array<[string, number]> }
	| { type: 'closed' };

const BATCH = 25;
// Each y-websocket provider adds a process 'exit' listener; this thread holds a hundred or more.
process.setMaxListeners(0);
const data = workerData as ReaderWorkerData;
const port = parentPort!;
const log = new ArrivalLog();
const readers: LiveDoc[] = [];
let elu = performance.eventLoopUtilization();

function send(message: FromReaderWorker, transfer: ArrayBuffer[] = []): void {
	port.postMessage(message, transfer);
}

function closes(): Array<[string, number]> {
	const byReason = new Map<string, number>();
	for (const r of readers) for (const c of r.closes) byReason.set(`${c.code} ${c.reason}`, (byReason.get(`${c.code} ${c.reason}`) ?? 0) + 1);
	return [...byReason];
}

port.on('message', (m: ToReaderWorker) => {
	if (m.type === 'track') {
		log.track(m.tag);
		elu = performance.eventLoopUtilization();
		send({ type: 'tracking' });
	} else if (m.type === 'collect') {
		const { perPeer, edits } = log.snapshot();
		const loopUtilization = performance.eventLoopUtilization(elu).utilization;
		send({ type: 'collected', perPeer, edits, loopUtilization, closes: closes() }, [perPeer.buffer as ArrayBuffer]);
	} else if (m.type === 'close') {
		for (const r of readers) r.destroy();
		send({ type: 'closed' });
		port.close();
	}
});

try {
	for (let i = 0; i < data.count; i += BATCH) {
		const batch = [];
		for (let j = i; j < Math.min(data.count, i + BATCH); j++) batch.push(openClient(data.base, data.doc, data.cookies[j % data.cookies.length], data.path));
		for (const live of await Promise.all(batch)) {
			observeStamps(live.doc, log);
			readers.push(live);
		}
	}
	send({ type: 'ready' });
} catch (err) {
	for (const r of readers) r.destroy();
	send({ type: 'failed', message: err instanceof Error ? err.message : String(err) });
}
