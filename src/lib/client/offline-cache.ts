/**
 * What the app keeps on a device for offline use, named in one place for the service worker and the pages: the
 * cache of pages as the user last saw them, and the documents' IndexedDB copies. Signing out removes both, so the
 * next person on a shared phone finds nothing of the last one's.
 */

/** Pages and page data as last seen, for reopening them offline. Personal: cleared at sign-out. */
export const PAGES_CACHE = 'pages';

/** Messages a page sends its service worker. */
export const SW_MESSAGES = { activate: 'liandong:activate' } as const;

/** The prefix of every document copy in IndexedDB (`liandong:<user>:<document>`, see live-doc). */
export const LOCAL_DOC_PREFIX = 'liandong:';

/**
 * How many changes still wait to reach the server on this page: open event pages answer the
 * `PENDING_QUERY` window event by adding theirs to `detail.pending` (the header that asks sits above them).
 */
export const PENDING_QUERY = 'liandong:pending';

export function pendingChanges(): number {
	const detail = { pending: 0 };
	window.dispatchEvent(new CustomEvent(PENDING_QUERY, { detail }));
	return detail.pending;
}

/** Which user this device's local data belongs to (the pages cache is not per user: the worker cannot tell). */
const DEVICE_USER_KEY = 'liandong:device-user';

/**
 * Called on every signed-in page: when another person signs in on this device without the last one having signed
 * out (a session that expired, a phone handed over), their cached pages and local copies go before anything of
 * theirs could be shown to the new user offline.
 */
export async function keepOnlyUser(userId: string): Promise<void> {
	try {
		if (localStorage.getItem(DEVICE_USER_KEY) === userId) return;
	} catch {
		// No storage at all (a locked-down browser): nothing is kept either.
		return;
	}
	await dropPagesOlderThanThisOne();
	await clearDocuments(`${LOCAL_DOC_PREFIX}${userId}:`);
	// Marked only once done: a page left half-way tries again on the next one.
	localStorage.setItem(DEVICE_USER_KEY, userId);
}

/**
 * Removes the pages kept before this one was fetched: the last person's. Pages of the new user that other tabs
 * or this user's next clicks are caching meanwhile are newer and stay. Times are the server's (Date headers),
 * so a phone's wrong clock does not matter.
 */
async function dropPagesOlderThanThisOne(): Promise<void> {
	if (typeof caches === 'undefined') return;
	const cache = await caches.open(PAGES_CACHE);
	const served = (r: Response | undefined) => Date.parse(r?.headers.get('date') ?? '');
	const own = served(await cache.match(location.href));
	for (const request of await cache.keys()) {
		const at = served(await cache.match(request));
		// Without this page's own time to go by, nothing kept is known to be the new user's.
		if (!Number.isFinite(own) || !Number.isFinite(at) || at < own) await cache.delete(request);
	}
}

/** Deletes the cached pages and every local document copy on this device. */
export async function clearLocalData(): Promise<void> {
	if (typeof caches !== 'undefined') await caches.delete(PAGES_CACHE);
	await clearDocuments();
}

/** Deletes the local document copies (and queues) on this device, but those whose names start with `keep`. */
async function clearDocuments(keep?: string): Promise<void> {
	if (typeof indexedDB === 'undefined') return;
	const dbs = typeof indexedDB.databases === 'function' ? await indexedDB.databases() : [];
	await Promise.all(
		dbs
			.map((d) => d.name)
			.filter((name): name is string => !!name && name.startsWith(LOCAL_DOC_PREFIX) && !(keep && name.startsWith(keep)))
			.map(
				(name) =>
					new Promise<void>((resolve) => {
						const req = indexedDB.deleteDatabase(name);
						// A copy still open in another tab is deleted when that tab lets go; do not wait for it.
						req.onsuccess = req.onerror = req.onblocked = () => resolve();
					})
			)
	);
}
