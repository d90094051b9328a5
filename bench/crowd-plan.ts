/**
 * Who the crowd of the load phase is: a given number of y-websocket clients on one event, spread over its
 * documents the way the people at an event are. Most have their own agency's document open, command staff the
 * command document, and each wall display every document a wall shows. Some of the people on each document are
 * writing. Pure: the same counts always give the same plan.
 */
import { agencyDocName, commandDocName } from '../src/lib/domain/documents.ts';

/** Demo accounts by the document they work on; the first ones may write it (see the permission matrix). */
export const CROWD_ACCOUNTS = {
	command: { writers: ['commander'], others: ['lead.station', 'lead.cid', 'lead.traffic', 'lead.patrol', 'reviewer'] },
	station: { writers: ['lead.station', 'member.station', 'chen.lei', 'guo.jing'], others: [] },
	patrol: { writers: ['lead.patrol', 'xu.guilan', 'lin.haitao', 'zhao.shufen'], others: [] },
	traffic: { writers: ['lead.traffic', 'member.traffic', 'wu.qiang'], others: [] },
	cid: { writers: ['lead.cid', 'yang.fan', 'huang.min'], others: [] }
} as const;

/**
 * Shares of the people (not walls) by document: the station and the patrol teams bring the most people to a
 * fair, criminal investigation the fewest; command staff are a small group.
 */
const SHARES: Array<[part: keyof typeof CROWD_ACCOUNTS, share: number]> = [
	['station', 0.33],
	['patrol', 0.28],
	['traffic', 0.19],
	['cid', 0.12],
	['command', 0.08]
];

/** The documents a wall display shows: the command document and every agency's. */
const WALL_PARTS: Array<keyof typeof CROWD_ACCOUNTS> = ['command', 'station', 'patrol', 'traffic', 'cid'];

export interface CrowdClient {
	/** Index in the plan; also the client's label. */
	index: number;
	doc: string;
	/** A demo account (signed in with its session cookie), or null for a wall display (display token). */
	username: string | null;
	/** `w<n>` for a writer: it edits an entity of its own (a card, or a post in the command document). */
	writer: string | null;
}

export interface CrowdPlan {
	eventId: string;
	clients: CrowdClient[];
	/** Clients per document. */
	byDoc: Map<string, number>;
	/** The document each writer writes, by label. */
	writerDocs: Map<string, string>;
	walls: number;
}

/** Splits `total` by weights, largest remainders first, so the parts add up exactly. */
export function apportion(total: number, weights: number[]): number[] {
	const sum = weights.reduce((a, b) => a + b, 0);
	const exact = weights.map((w) => (total * w) / sum);
	const out = exact.map(Math.floor);
	const order = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0]);
	const missing = total - out.reduce((a, b) => a + b, 0);
	for (let k = 0; k < missing; k++) out[order[k][1]]++;
	return out;
}

/**
 * Plans `clients` connections with `writers` of them writing and `walls` wall displays (each holding one
 * connection per document it shows). Writers go to the documents in proportion to their people, at least one
 * on the command document.
 */
export function planCrowd(eventId: string, counts: { clients: number; writers: number; walls: number }): CrowdPlan {
	const wallConnections = counts.walls * WALL_PARTS.length;
	const people = counts.clients - wallConnections;
	if (people < counts.writers || counts.writers < SHARES.length) {
		throw new Error(`a crowd of ${counts.clients} with ${counts.walls} walls cannot hold ${counts.writers} writers (at least ${SHARES.length})`);
	}
	const docOf = (part: keyof typeof CROWD_ACCOUNTS) => (part === 'command' ? commandDocName(eventId) : agencyDocName(eventId, part));
	const perPart = apportion(people, SHARES.map(([, s]) => s));
	// Writers in proportion to the people on each document, but never fewer than one per document.
	const writersPerPart = apportion(counts.writers - SHARES.length, perPart).map((n) => n + 1);

	const clients: CrowdClient[] = [];
	const writerDocs = new Map<string, string>();
	let w = 0;
	SHARES.forEach(([part, _share], p) => {
		const doc = docOf(part);
		const accounts = CROWD_ACCOUNTS[part];
		const everyone = [...accounts.writers, ...accounts.others];
		for (let i = 0; i < perPart[p]; i++) {
			const writes = i < writersPerPart[p];
			const label = writes ? `w${w++}` : null;
			if (label) writerDocs.set(label, doc);
			const username = writes ? accounts.writers[i % accounts.writers.length] : everyone[i % everyone.length];
			clients.push({ index: clients.length, doc, username, writer: label });
		}
	});
	for (let wall = 0; wall < counts.walls; wall++) {
		for (const part of WALL_PARTS) clients.push({ index: clients.length, doc: docOf(part), username: null, writer: null });
	}
	const byDoc = new Map<string, number>();
	for (const c of clients) byDoc.set(c.doc, (byDoc.get(c.doc) ?? 0) + 1);
	return { eventId, clients, byDoc, writerDocs, walls: counts.walls };
}

/**
 * Deals the clients out to `threads` threads in a shuffled (but fixed) order, so that every thread holds part of
 * every document and the documents fill up side by side while the crowd connects, as they do when an event opens.
 */
export function dealClients(plan: CrowdPlan, threads: number, seed = 2026): CrowdClient[][] {
	const order = [...plan.clients];
	let a = seed >>> 0;
	const random = () => {
		// mulberry32
		a = (a + 0x6d2b79f5) >>> 0;
		let t = Math.imul(a ^ (a >>> 15), a | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
	for (let i = order.length - 1; i > 0; i--) {
		const j = Math.floor(random() * (i + 1));
		[order[i], order[j]] = [order[j], order[i]];
	}
	const out: CrowdClient[][] = Array.from({ length: threads }, () => []);
	order.forEach((c, i) => out[i % threads].push(c));
	return out;
}
