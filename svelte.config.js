import adapter from '@sveltejs/adapter-node';

/** @type {import('@sveltejs/kit').Config} */
const config = {
	kit: {
		// The Node entry in server/ imports build/handler.js and serves it on the same port as the sync hub.
		adapter: adapter({ out: 'build', precompress: false }),
		// Open pages ask once a minute whether a new version was deployed, and offer to reload (UpdateNotice).
		version: { pollInterval: 60_000 },
		// Form posts from another origin are refused: SvelteKit's CSRF origin check is on by default and we
		// trust no other origin (csrf.trustedOrigins stays empty).
		typescript: {
			// server/, migrations/ and bench/ run directly on Node; type-check them with the app.
			config(tsconfig) {
				tsconfig.include.push('../server/**/*.ts', '../migrations/**/*.ts', '../bench/**/*.ts');
			}
		}
	}
};

export default config;
