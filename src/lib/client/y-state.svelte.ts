/**
 * Svelte reactivity over Yjs: reading a value through these starts observing the Y type on first read and stops
 * when nobody reads it any more (Svelte's createSubscriber), so pages read Y types directly and stay live.
 */
import { createSubscriber } from 'svelte/reactivity';
import type * as Y from 'yjs';

/** Makes `read` reactive to deep changes of `type`. */
export function reactiveY<T>(type: Y.AbstractType<any>, read: () => T): { readonly current: T } {
	const subscribe = createSubscriber((update) => {
		type.observeDeep(update);
		return () => type.unobserveDeep(update);
	});
	return {
		get current() {
			subscribe();
			return read();
		}
	};
}
