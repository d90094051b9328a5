/**
 * What the sync hub tells the metrics (server/metrics.ts): a small interface so the hub never depends on how they
 * are kept. Every method is a counter's increment or a histogram's observation: nothing here allocates per message.
 */
export interface HubMetrics {
	/** One update stored: from a client's connection, or written by the server on a user's behalf. */
	accepted(source: 'client' | 'server', count?: number): void;
	/** An update or message refused, with the close code and reason sent to the client. */
	refused(code: number, reason: string): void;
	/** A connection refused before it was taken (sign-in, access, quota, load). */
	connectionRefused(code: number): void;
	/** One group commit of the update log: how long its transaction took and how many updates it held. */
	committed(seconds: number, size: number): void;
	/**
	 * Delivery of stored updates to this instance's connections: `local` is the updates of a document committed in
	 * one turn of the event loop sent to its peers (delivery.ts),
	 * `remote` is the time from another instance's notification to its updates reaching the peers here.
	 */
	fannedOut(path: 'local' | 'remote', seconds: number): void;
	/**
	 * A client's update, from the hub taking it off its connection to its place in the outbox: the checks, the commit
	 * and every queue between. With the fan-out's own time (fannedOut), what the server adds to an edit's way from its
	 * writer to the readers.
	 */
	held(seconds: number): void;
}

/** Metrics that go nowhere: for a hub built without them (benchmarks, tools). */
export const NO_HUB_METRICS: HubMetrics = {
	accepted() {},
	refused() {},
	connectionRefused() {},
	committed() {},
	fannedOut() {},
	held() {}
};
