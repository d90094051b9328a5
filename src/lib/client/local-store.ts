/**
 * One small key-value store per user in IndexedDB (`liandong:<user>:device`) for what a page needs offline besides
 * the documents: the queue of actions not yet sent and the last lists the server answered (instructions). Its name
 * starts with LOCAL_DOC_PREFIX, so signing out deletes it with the document copies.
 */
import { LOCAL_DOC_PREFIX } from './offline-cache';

const STORE = 'kv';

export class LocalStore {
	#db: Promise<IDBDatabase | null>;

	constructor(userId: string) {
		this.#db = new Promise((resolve) => {
			if (typeof indexedDB === 'undefined') return resolve(null);
			const req = indexedDB.open(`${LOCAL_DOC_PREFIX}${userId}:device`, 1);
			req.onupgradeneeded = () => req.result.createObjectStore(STORE);
			req.onsuccess = () => {
				// Signing out in another tab deletes this database: let it go rather than block the deletion.
				req.result.onversionchange = () => req.result.close();
				resolve(req.result);
			};
			// Private windows and full disks refuse IndexedDB: the page still works, it only forgets on reload.
			req.onerror = req.onblocked = () => resolve(null);
		});
	}

	async get<T>(key: string): Promise<T | undefined> {
		const db = await this.#db;
		if (!db) return undefined;
		return new Promise((resolve) => {
			try {
				const req = db.transaction(STORE, 'readonly').objectStore(STORE).get(key);
				req.onsuccess = () => resolve(req.result as T | undefined);
				req.onerror = () => resolve(undefined);
			} catch {
				resolve(undefined);
			}
		});
	}

	async set(key: string, value: unknown): Promise<void> {
		const db = await this.#db;
		if (!db) return;
		await new Promise<void>((resolve) => {
			try {
				const tx = db.transaction(STORE, 'readwrite');
				// $state proxies do not clone: store plain data.
				tx.objectStore(STORE).put(JSON.parse(JSON.stringify(value)), key);
				tx.oncomplete = tx.onerror = tx.onabort = () => resolve();
			} catch {
				resolve();
			}
		});
	}

	/**
	 * Keeps a value as it is, without the JSON round trip of `set`: for Blobs (a report's photos waiting to upload),
	 * which IndexedDB stores natively.
	 */
	async put(key: string, value: Blob | ArrayBuffer): Promise<boolean> {
		const db = await this.#db;
		if (!db) return false;
		return new Promise<boolean>((resolve) => {
			try {
				const tx = db.transaction(STORE, 'readwrite');
				tx.objectStore(STORE).put(value, key);
				tx.oncomplete = () => resolve(true);
				tx.onerror = tx.onabort = () => resolve(false);
			} catch {
				resolve(false);
			}
		});
	}

	async delete(key: string): Promise<void> {
		const db = await this.#db;
		if (!db) return;
		await new Promise<void>((resolve) => {
			try {
				const tx = db.transaction(STORE, 'readwrite');
				tx.objectStore(STORE).delete(key);
				tx.oncomplete = tx.onerror = tx.onabort = () => resolve();
			} catch {
				resolve();
			}
		});
	}

	async close(): Promise<void> {
		(await this.#db)?.close();
	}
}
