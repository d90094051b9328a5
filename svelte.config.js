import adapter from '@sveltejs/adapter-node';

/** @type {import('@sveltejs/kit').Config} */
const config = {
	kit: {
		// The Node entry in server/ imports build/handler.js and serves it on the same port as the sync hub.
		// Static files are stored gzip- and brotli-compressed beside the originals: a phone on a slow link gets the
		// app in a third of the bytes (npm run bench, phone phase).
		adapter: adapter({ out: 'build', precompress: true }),
		// Open pages ask once a minute whether a new version was deployed, and offer to reload (UpdateNotice).
		version: { pollInterval: 60_000 },
		// One script and one stylesheet for the whole app instead of some seventy chunks: on a phone's link every
		// request costs a round trip of half a second, and once loaded every page of the app is there offline.
		output: { bundleStrategy: 'single' },
		// Content-Security-Policy on every page, with a fresh nonce for SvelteKit's own scripts: only this site's
		// scripts run, pages talk only to this site (its WebSocket too: 'self' covers ws/wss of the same host),
		// and no other site may frame any page, walls included. Styles keep 'unsafe-inline' for the style
		// attributes Svelte writes (agency colours); with it SvelteKit adds no style nonce.
		csp: {
			mode: 'auto',
			directives: {
				'default-src': ['self'],
				'script-src': ['self'],
				'style-src': ['self', 'unsafe-inline'],
				'img-src': ['self', 'data:', 'blob:'],
				'font-src': ['self', 'data:'],
				'connect-src': ['self'],
				'worker-src': ['self'],
				'manifest-src': ['self'],
				'media-src': ['self', 'blob:'],
				'object-src': ['none'],
				'base-uri': ['self'],
				'form-action': ['self'],
				'frame-ancestors': ['none']
			}
		},
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
