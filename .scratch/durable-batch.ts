import * as Y from 'yjs';
// A document like a busy agency's: 2,000 cards written by 40 client ids, then 3,000 new-card updates from 10 writers.
function card(doc: Y.Doc, id: string, i: number) {
	const m = new Y.Map<unknown>();
	doc.getMap('cards').set(id, m);
	for (const [k, v] of Object.entries({ title: `入口排队 ${i}`, status: 'todo', agency: 'station', priority: 'normal', location: `北门 ${i % 20}`, createdBy: `u${i % 40}`, createdAt: 1733380000000 + i, due: null, note: '人多，需要疏导' })) m.set(k, v);
}
const base = new Y.Doc();
const writers = Array.from({ length: 40 }, () => new Y.Doc());
for (let i = 0; i < 2000; i++) { const w = writers[i % 40]; Y.applyUpdate(w, Y.encodeStateAsUpdate(base)); card(w, `c${i}`, i); Y.applyUpdate(base, Y.encodeStateAsUpdate(w, Y.encodeStateVector(base))); }
const state = Y.encodeStateAsUpdate(base);
const updates: Uint8Array[] = [];
const live = Array.from({ length: 10 }, () => { const d = new Y.Doc(); Y.applyUpdate(d, state); d.on('update', (u: Uint8Array) => updates.push(u)); return d; });
for (let i = 0; i < 3000; i++) live[i % 10].transact(() => card(live[i % 10], `n${i}`, i));
console.log(`document ${(state.byteLength / 1024).toFixed(0)} KiB, ${updates.length} updates of ${(updates.reduce((n, u) => n + u.byteLength, 0) / updates.length).toFixed(0)} bytes`);
function run(batch: number) {
	const doc = new Y.Doc();
	Y.applyUpdate(doc, state);
	const c0 = process.cpuUsage();
	if (batch === 1) for (const u of updates) Y.applyUpdate(doc, u);
	else for (let i = 0; i < updates.length; i += batch) doc.transact(() => { for (const u of updates.slice(i, i + batch)) Y.applyUpdate(doc, u); });
	const c = process.cpuUsage(c0);
	return (c.user + c.system) / updates.length;
}
for (let r = 0; r < 3; r++) console.log(`one transaction each: ${run(1).toFixed(1)} µs an update; 64 to a transaction: ${run(64).toFixed(1)} µs an update`);
