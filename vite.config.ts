import { sveltekit } from '@sveltejs/kit/vite';
import { paraglideVitePlugin } from '@inlang/paraglide-js';
import { defineConfig } from 'vitest/config';

// Under vitest the message catalog is already compiled (npm's prepare step and every build compile it), and
// the plugin's file watcher would hold the test run open for ten seconds after the last test.
const compileMessages = !process.env.VITEST;

/**
 * A suite under tests/<name> that starts real server processes. Its files run one at a time, since each holds
 * servers, ports and (for the browser suite) Chromium; the integration suite's files, two at a time (its
 * `npm run test:integration` caps the workers at two): each has its own servers, databases and folders, and it
 * leaves a core idle when run alone. The browser suite does not: its timings flake with two Chromiums on two cores.
 */
function serverSuite(name: string, testTimeout: number, hookTimeout = 180_000, fileParallelism = false) {
	return {
		extends: true,
		test: {
			name,
			include: [`tests/${name}/**/*.test.ts`],
			environment: 'node' as const,
			testTimeout,
			hookTimeout,
			fileParallelism,
			// Servers start from a migrated template database made once per run.
			globalSetup: ['tests/helpers/template-setup.ts']
		}
	};
}

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
			serverSuite('integration', 60_000, 120_000, true),
			serverSuite('e2e', 120_000),
			// Kill -9, a PostgreSQL restart, cut connections, a lost instance.
			serverSuite('chaos', 240_000),
			// Seeded fuzzing of every input surface; FUZZ_SEED and FUZZ_RUNS make a longer run (see README).
			serverSuite('fuzz', 600_000),
			// 2,000 live clients on one event, 50 of them writing.
			serverSuite('load', 600_000)
		]
	}
});
