import { sveltekit } from '@sveltejs/kit/vite';
import { paraglideVitePlugin } from '@inlang/paraglide-js';
import { defineConfig } from 'vitest/config';

// Under vitest the message catalog is already compiled (npm's prepare step and every build compile it), and
// the plugin's file watcher would hold the test run open for ten seconds after the last test.
const compileMessages = !process.env.VITEST;

export default defineConfig({
	plugins: [
		...(compileMessages
			? [
					paraglideVitePlugin({
						project: './project.inlang',
						outdir: './src/lib/paraglide',
						// The chosen language is remembered in a cookie; Chinese is the default for everyone else.
						strategy: ['cookie', 'baseLocale']
					})
				]
			: []),
		sveltekit()
	],
	// Two copies of yjs in one bundle break it ("Yjs was already imported").
	resolve: { dedupe: ['yjs', 'y-protocols', 'lib0'] },
	test: {
		projects: [
			{
				extends: true,
				test: {
					name: 'unit',
					include: ['src/**/*.spec.ts', 'server/**/*.spec.ts'],
					environment: 'node'
				}
			},
			{
				extends: true,
				test: {
					name: 'integration',
					include: ['tests/integration/**/*.test.ts'],
					environment: 'node',
					testTimeout: 60_000,
					hookTimeout: 120_000,
					fileParallelism: false
				}
			},
			{
				// Kill -9, a PostgreSQL restart, cut connections, a lost instance: issue 9's chaos suite.
				extends: true,
				test: {
					name: 'chaos',
					include: ['tests/chaos/**/*.test.ts'],
					environment: 'node',
					testTimeout: 240_000,
					hookTimeout: 180_000,
					fileParallelism: false
				}
			},
			{
				// Seeded fuzzing of every input surface; FUZZ_SEED and FUZZ_RUNS make a longer run (see README).
				extends: true,
				test: {
					name: 'fuzz',
					include: ['tests/fuzz/**/*.test.ts'],
					environment: 'node',
					testTimeout: 600_000,
					hookTimeout: 180_000,
					fileParallelism: false
				}
			},
			{
				// 2,000 live clients on one event, 50 of them writing.
				extends: true,
				test: {
					name: 'load',
					include: ['tests/load/**/*.test.ts'],
					environment: 'node',
					testTimeout: 600_000,
					hookTimeout: 180_000,
					fileParallelism: false
				}
			},
			{
				extends: true,
				test: {
					name: 'e2e',
					include: ['tests/e2e/**/*.test.ts'],
					environment: 'node',
					testTimeout: 120_000,
					hookTimeout: 180_000,
					fileParallelism: false
				}
			}
		]
	}
});
