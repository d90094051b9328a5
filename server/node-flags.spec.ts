import { describe, expect, it } from 'vitest';
import { missingNodeFlags, SERVER_NODE_FLAGS } from './node-flags.ts';

describe("Node's options for the server", () => {
	it('are found on the command line or in NODE_OPTIONS, and named when missing', () => {
		expect(missingNodeFlags([...SERVER_NODE_FLAGS], undefined)).toEqual([]);
		expect(missingNodeFlags([], `--cpu-prof ${SERVER_NODE_FLAGS.join(' ')}`)).toEqual([]);
		expect(missingNodeFlags(['--cpu-prof'], '')).toEqual([...SERVER_NODE_FLAGS]);
		expect(missingNodeFlags([], undefined)).toEqual([...SERVER_NODE_FLAGS]);
		// Sized otherwise on purpose, or spelled V8's way: given.
		expect(missingNodeFlags(['--max-semi-space-size=32'], undefined)).toEqual([]);
		expect(missingNodeFlags([], '--max_semi_space_size=8')).toEqual([]);
		expect(missingNodeFlags(['--max-old-space-size=512'], undefined)).toEqual([...SERVER_NODE_FLAGS]);
	});
});
