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

/** Deletes the cached pages and every local document copy on this device. */
export async function clearLocalData(): Promise<void> {
	if (typeof caches !== 'undefined') await caches.delete(PAGES_CACHE);
	if (typeof indexedDB === 'undefined') return;
	const dbs = typeof indexedDB.databases === 'function' ? await indexedDB.databases() : [];
	await Promise.all(
		dbs
			.map((d) => d.name)
			.filter((name): name is string => !!name && name.startsWith(LOCAL_DOC_PREFIX))
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
