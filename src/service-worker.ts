/// <reference types="@sveltejs/kit" />
/// <reference no-default-lib="true"/>
/// <reference lib="esnext" />
/// <reference lib="webworker" />
/**
 * The offline app shell. The built app and the static files are cached at install, so the app opens with no
 * network; pages and their data are kept as the user last saw them (network first, the copy only when the
 * network fails), so an event opened before opens again offline, its live data coming from the documents' local
 * copies. Nothing live is ever served from here: the sync hub, socket.io, the API and exports always go to the
 * network. A new version waits until the page says the user agreed to reload (nothing unsent is lost to an update).
 */
import { build, files, version } from '$service-worker';
import { PAGES_CACHE, SW_MESSAGES } from '$lib/client/offline-cache';
import { m } from '$lib/paraglide/messages';

const sw = self as unknown as ServiceWorkerGlobalScope;

const SHELL = `shell-${version}`;
/** Font slices are fetched one by one as characters need them, and kept; phones usually have a Chinese font. */
const FONTS = 'fonts';

// The PDF font is for the server's exports only, and the web font's slices are cached as they are used.
const isFont = (path: string) => /\.(woff2?|ttc|ttf)$/.test(path);
const PRECACHE = [...build, ...files].filter((f) => !isFont(f));
const IMMUTABLE = new Set(PRECACHE);

/** Paths that are live or personal beyond a page: never cached, never answered from a cache. */
// Sign-in and set-up pages are nobody's: a signed-out phone keeps no page at all.
const NETWORK_ONLY = /^\/(yjs|socket\.io|api|healthz|login|logout|setup|language|wall)(\/|$)|\/export/;

sw.addEventListener('install', (event) => {
	event.waitUntil(caches.open(SHELL).then((cache) => cache.addAll(PRECACHE)));
});

sw.addEventListener('activate', (event) => {
	event.waitUntil(
		(async () => {
			for (const key of await caches.keys()) if (key.startsWith('shell-') && key !== SHELL) await caches.delete(key);
			await sw.clients.claim();
		})()
	);
});

sw.addEventListener('message', (event) => {
	// The page asks for the new version only once the user agreed and nothing waits to be sent.
	if (event.data === SW_MESSAGES.activate) void sw.skipWaiting();
});

sw.addEventListener('fetch', (event) => {
	const request = event.request;
	if (request.method !== 'GET') return;
	const url = new URL(request.url);
	if (url.origin !== sw.location.origin || NETWORK_ONLY.test(url.pathname)) return;

	if (IMMUTABLE.has(url.pathname)) {
		event.respondWith(caches.match(request, { cacheName: SHELL }).then((hit) => hit ?? fetch(request)));
		return;
	}
	if (isFont(url.pathname)) {
		event.respondWith(cacheFirst(FONTS, request));
		return;
	}
	// A venue plan never changes under its address (its content's hash): kept with the user's pages.
	if (/^\/events\/[^/]+\/map\/plan\/[0-9a-f]{64}$/.test(url.pathname)) {
		event.respondWith(cacheFirst(PAGES_CACHE, request));
		return;
	}
	const isPage = request.mode === 'navigate';
	const isPageData = url.pathname.endsWith('/__data.json');
	if (isPage || isPageData) event.respondWith(networkFirst(request, isPage, event));
});

async function cacheFirst(cacheName: string, request: Request): Promise<Response> {
	const cache = await caches.open(cacheName);
	const hit = await cache.match(request);
	if (hit) return hit;
	const response = await fetch(request);
	if (response.ok) await cache.put(request, response.clone());
	return response;
}

/**
 * How long opening a page waits for the network before showing the copy kept on this device. On a phone in a crowd
 * the network answers in seconds or not at all, and the page would sit blank; its live documents bring what changed
 * a moment later anyway. The network's answer, when it comes, still replaces the kept copy for next time. On a
 * link with a short round trip the network answers well within it, and the page is the server's own.
 */
const PAGE_DEADLINE_MS = 400;

/**
 * The network's answer, kept for next time; when the network fails (or, for a whole page, is slower than the
 * deadline), the kept copy of that address, then offline of the same page with other filters, then a page that
 * says plainly this one was never opened on this device.
 */
async function networkFirst(request: Request, isPage: boolean, event: FetchEvent): Promise<Response> {
	const cache = await caches.open(PAGES_CACHE);
	const fromNetwork = fetch(request).then(async (response) => {
		// Only whole pages the user may see: not a redirect to sign in, not an error page.
		if (response.ok && !response.redirected && response.type === 'basic') await cache.put(request, response.clone());
		return response;
	});
	try {
		if (isPage) {
			// The device knows it has no network: no reason to wait at all.
			const known = sw.navigator.onLine ? null : await cache.match(request);
			if (known) return known;
			const late = new Promise<null>((resolve) => setTimeout(() => resolve(null), PAGE_DEADLINE_MS));
			const first = await Promise.race([fromNetwork, late]);
			if (first) return first;
			const kept = await cache.match(request);
			if (kept) {
				event.waitUntil(fromNetwork.catch(() => {}));
				return kept;
			}
		}
		return await fromNetwork;
	} catch (err) {
		const hit = (await cache.match(request)) ?? (await cache.match(request, { ignoreSearch: true }));
		if (hit) return hit;
		if (!isPage) throw err;
		return neverOpened();
	}
}

/** Offline, and this page was never opened here: say so in both languages (a worker cannot read the cookie). */
function neverOpened(): Response {
	const say = (locale: 'zh-CN' | 'en') =>
		`<h1>${m.offline_never_opened_title({}, { locale })}</h1><p>${m.offline_never_opened({}, { locale })}</p>`;
	const html = `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${m.offline_never_opened_title({}, { locale: 'zh-CN' })}</title><style>body{font:16px/1.6 system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem;color:#14213d}h1{font-size:1.2rem}section+section{margin-top:2rem;border-top:1px solid #d9e0ea}</style></head><body><section>${say('zh-CN')}</section><section lang="en">${say('en')}</section></body></html>`;
	return new Response(html, { status: 503, headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' } });
}
