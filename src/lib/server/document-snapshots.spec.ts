import { describe, it, expect } from 'vitest';
import * as Y from 'yjs';
import { agencyDocName, commandDocName } from '$lib/domain/documents';
import { documentSnapshots, SNAPSHOT_BUDGET_BYTES, WALL_SNAPSHOT_BUDGET_BYTES } from './document-snapshots.ts';

/** Real documents held in memory, as the hub holds them; `text` sets how large each one is. */
function services(text: Record<string, number>) {
	const docs = new Map<string, Y.Doc>();
	for (const [name, size] of Object.entries(text)) {
		const doc = new Y.Doc();
		doc.getMap('cards').set('c1', 'x'.repeat(size));
		docs.set(name, doc);
	}
	const read = (name: string) => {
		const doc = docs.get(name);
		if (!doc) throw new Error(`no document ${name}`);
		return doc;
	};
	return {
		readDocument: async (name: string) => read(name),
		storedBytes: async (name: string) => Y.encodeStateAsUpdate(read(name)).byteLength
	};
}

const command = commandDocName('e1');
const station = agencyDocName('e1', 'station');
const traffic = agencyDocName('e1', 'traffic');

describe('documentSnapshots', () => {
	it('carries every document the page may read, and no other, each restoring the same state', async () => {
		const s = services({ [command]: 100, [station]: 200, [traffic]: 300 });
		const out = await documentSnapshots(s, 'e1', { command: 'read', agencies: { station: 'write', traffic: 'none' } });
		expect(Object.keys(out).sort()).toEqual([station, command].sort());
		const copy = new Y.Doc();
		Y.applyUpdate(copy, Buffer.from(out[station], 'base64'));
		expect((copy.getMap('cards').get('c1') as string).length).toBe(200);
	});

	it('carries nothing when the documents together are over the budget, and a wall has a larger one', async () => {
		const s = services({ [command]: 1000, [station]: SNAPSHOT_BUDGET_BYTES });
		const access = { command: 'read', agencies: { station: 'read' } } as const;
		expect(await documentSnapshots(s, 'e1', access)).toEqual({});
		expect(Object.keys(await documentSnapshots(s, 'e1', access, WALL_SNAPSHOT_BUDGET_BYTES))).toHaveLength(2);
	});

	it('does not encode documents whose stored history is far over the budget', async () => {
		const s = services({ [command]: 10, [station]: 10 });
		let encoded = 0;
		const huge = {
			readDocument: async (name: string) => {
				encoded++;
				return s.readDocument(name);
			},
			storedBytes: async () => 100 * SNAPSHOT_BUDGET_BYTES
		};
		expect(await documentSnapshots(huge, 'e1', { command: 'read', agencies: { station: 'read' } })).toEqual({});
		expect(encoded).toBe(0);
	});
});
