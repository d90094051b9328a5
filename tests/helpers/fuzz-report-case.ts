/**
 * The field-report fuzzer's state and one case's plumbing: who is signed in, what the run has stored so far (reports
 * with their reporter and state, cards, files and where they hang, resumable uploads as the server holds them), and
 * for a case its generator, its tag, sending a request under the suite's invariants (no 5xx, no internals, JSON that
 * parses) and comparing the answer with what the rules expect.
 */
import { HttpClient } from './http.ts';
import { signIn } from './accounts.ts';
import { DEMO_EVENT, DEMO_PASSWORD } from './live.ts';
import { createDisplayToken } from './commands.ts';
import { chance, FuzzLedger, pickOf, type Rnd } from './fuzz.ts';
import { leaksInternals } from './fuzz-storage.ts';
import type { SampleFile } from './fuzz-files.ts';
import { differs, PEOPLE, type Actor, type Expected, type FileState, type KnownThings, type Person, type UploadState } from './fuzz-report-rules.ts';
import { SEED_AGENCIES } from '../../src/lib/domain/roles.ts';

export const API = `/api/events/${DEMO_EVENT}`;
/** Longer than any request of the run takes unless something holds it. */
const SLOW_MS = 4_000;
export const EVERYONE: readonly Actor[] = [...(Object.keys(PEOPLE) as Person[]), 'anonymous'];

/** One stored file and one place it hangs (to read its flags back as the commander sees them). */
export interface KnownFile {
	id: string;
	target: 'report' | 'card' | 'dispute';
	targetId: string;
}

export interface Upload extends UploadState {
	/** What the whole file is, once every piece is there. */
	content: FileState | 'pdf';
}

export interface Answer {
	status: number;
	json: Record<string, any> | null;
	bytes: Uint8Array;
	type: string;
}

export class ReportFuzzer {
	readonly ledger: FuzzLedger;
	readonly base: string;
	readonly seed: number;
	readonly #clients = new Map<Actor, HttpClient>();
	display = '';
	readonly known: KnownThings = {
		reports: new Map(),
		cards: new Map([
			['station', new Set(['demo-card-s1', 'demo-card-s4', 'demo-card-s6'])],
			['cid', new Set(['demo-card-c1'])],
			['traffic', new Set(['demo-card-t1', 'demo-card-t3'])]
		]),
		agencies: SEED_AGENCIES.map((a) => a.code)
	};
	/** Cards and dispute entries files may be attached to, as `agency/card|dispute/id`. */
	readonly targets = new Set(['station/card/demo-card-s1', 'station/dispute/demo-dispute-s1', 'patrol/dispute/demo-dispute-p1']);
	readonly files: KnownFile[] = [];
	/** Files the commander has put on the wall (a mark applies to every place a file hangs). */
	readonly onWall = new Set<string>();
	readonly #uploads = new Map<string, Upload>();

	constructor(base: string, seed: number) {
		this.base = base;
		this.seed = seed;
		this.ledger = new FuzzLedger('field reports and files', 'r', seed);
	}

	/**
	 * Signs the run's people in on clients of their own (no other fuzzer's request can change their sessions) and
	 * makes a display link. Called before anything fails logins from this address.
	 */
	async prepare(): Promise<void> {
		for (const p of Object.keys(PEOPLE) as Person[]) this.#clients.set(p, await signIn(new HttpClient(this.base), p, DEMO_PASSWORD));
		this.#clients.set('anonymous', new HttpClient(this.base));
		this.display = await createDisplayToken(this.client('commander'), '模糊测试大屏');
	}

	client(a: Actor): HttpClient {
		return this.#clients.get(a)!;
	}

	upload(actor: Actor, id: string): Upload {
		const key = `${actor}:${id}`;
		let u = this.#uploads.get(key);
		if (!u) this.#uploads.set(key, (u = { received: 0, total: null, content: 'incomplete' }));
		return u;
	}

	/** A report or attachment that was stored (or sent again) takes its uploads with it. */
	dropUploads(actor: Actor, ids: unknown[]): void {
		for (const id of ids) if (typeof id === 'string') this.#uploads.delete(`${actor}:${id}`);
	}

	/** This person's uploads as a report or attachment naming them would find them. */
	uploadStates(actor: Actor, ids: unknown[]): Array<FileState | 'pdf'> {
		return ids.map((id) => {
			const u = typeof id === 'string' ? this.#uploads.get(`${actor}:${id}`) : undefined;
			return !u || u.total === null || u.received !== u.total ? 'incomplete' : u.content;
		});
	}

	/** Who sent each report stored so far. */
	reporters(): Map<string, Actor> {
		return new Map([...this.known.reports].map(([id, r]) => [id, r.reporter]));
	}
}

/** One case: what it sends, what it expects, and whether anything it carried was stored. */
export class FuzzCase {
	readonly f: ReportFuzzer;
	readonly index: number;
	readonly rnd: Rnd;
	readonly tag: string;
	/** Something this case sent was kept: its tag may then appear in storage. */
	stored = false;

	constructor(f: ReportFuzzer, index: number, rnd: Rnd, tag: string) {
		this.f = f;
		this.index = index;
		this.rnd = rnd;
		this.tag = tag;
	}

	/** Usually one of `usual`, sometimes anyone at all (nobody included). */
	actor(usual: readonly Actor[], p = 0.8): Actor {
		return chance(this.rnd, p) ? pickOf(this.rnd, usual) : pickOf(this.rnd, EVERYONE);
	}

	fail(what: string, input?: unknown): void {
		this.f.ledger.fail(this.index, what, input);
	}

	/** Sends a request; a 5xx or a stack in the answer is a failure. Null when no request could be made. */
	async send(what: string, actor: Actor, path: string, init: RequestInit = {}, input?: unknown): Promise<Answer | null> {
		const client = this.f.client(actor);
		let res: Response;
		try {
			// A connection the server closed after an early answer can be picked for the next request before the
			// client notices; one retry tells that apart from a server that stopped answering.
			const started = performance.now();
			res = await client.request(path, init).catch(() => client.request(path, init));
			// Every request here takes milliseconds; seconds mean a connection left waiting (behind the unread rest
			// of an earlier body) until it was reset. Only a file over the size limit takes long by itself.
			const waited = performance.now() - started;
			const large = init.body instanceof Uint8Array && init.body.length > 1024 * 1024;
			if (waited > SLOW_MS && !large) this.fail(`${what} took ${Math.round(waited)} ms`, input);
		} catch (err) {
			// fetch itself refuses some addresses (a NUL in a path); that is the client's limit, not the server's.
			if (/URL/.test((err as Error).message)) return null;
			this.fail(`${what} got no answer: ${(err as Error).message}`, input);
			return null;
		}
		const bytes = new Uint8Array(await res.arrayBuffer().catch(() => new ArrayBuffer(0)));
		const type = res.headers.get('content-type') ?? '';
		const text = type.startsWith('image/') || type === 'application/pdf' ? '' : new TextDecoder().decode(bytes);
		if (res.status >= 500) this.fail(`${what} answered ${res.status}: ${text.slice(0, 300)}`, input);
		else if (leaksInternals(text)) this.fail(`${what} shows internals in its answer: ${text.slice(0, 300)}`, input);
		let json: Record<string, any> | null = null;
		if (type.includes('application/json')) {
			try {
				json = JSON.parse(text);
			} catch {
				this.fail(`${what} answered JSON that does not parse: ${text.slice(0, 200)}`, input);
			}
		}
		return { status: res.status, json, bytes, type };
	}

	/** Sends JSON text as the body. */
	sendJson(what: string, actor: Actor, path: string, text: string, input?: unknown, method = 'POST', type = 'application/json'): Promise<Answer | null> {
		return this.send(what, actor, path, { method, body: text, headers: { 'content-type': type } }, input);
	}

	check(what: string, expected: Expected | null, got: Answer, input: unknown): void {
		const problem = expected && differs(expected, got.status, got.json);
		if (problem) this.fail(`${what} ${problem}`, input);
	}

	record(target: string, outcome: string): void {
		this.f.ledger.record(this.index, target, outcome, this.stored);
	}

	/** Stores a whole file as one resumable upload of `actor`'s, as a phone does before naming it. */
	async putWhole(actor: Actor, file: SampleFile, id = `${this.tag}-${Math.floor(this.rnd() * 1e6)}`): Promise<string> {
		const n = file.bytes.length;
		const got = await this.send('PUT uploads', actor, `${API}/uploads/${id}`, {
			method: 'PUT',
			body: file.bytes as Uint8Array<ArrayBuffer>,
			headers: { 'content-type': 'application/octet-stream', 'content-range': `bytes 0-${Math.max(0, n - 1)}/${n}` }
		});
		if (got?.status === 200) {
			this.stored = true;
			Object.assign(this.f.upload(actor, id), { received: n, total: n, content: file.pdf ? 'pdf' : file.image ? 'image' : 'bad' });
		}
		return id;
	}

	/** Remembers what a report in an answer says: its id and reporter, its state, its photos, the card it became. */
	learnReport(actor: Actor, report: Record<string, any> | undefined): void {
		if (!report || typeof report.id !== 'string') return;
		const earlier = this.f.known.reports.get(report.id);
		this.f.known.reports.set(report.id, { reporter: earlier?.reporter ?? actor, state: String(report.state) });
		for (const p of report.photos ?? []) if (!this.f.files.some((f) => f.id === p.id)) this.f.files.push({ id: p.id, target: 'report', targetId: report.id });
		if (typeof report.cardId === 'string' && typeof report.cardAgency === 'string') {
			if (!this.f.known.cards.has(report.cardAgency)) this.f.known.cards.set(report.cardAgency, new Set());
			this.f.known.cards.get(report.cardAgency)!.add(report.cardId);
			this.f.targets.add(`${report.cardAgency}/card/${report.cardId}`);
		}
	}
}

/** Parses what was sent as the server's jsonBody would: an object, or null. */
export function sentObject(text: string, type = 'application/json'): Record<string, unknown> | null {
	if (!/^application\/json/i.test(type) || text.length > 64 * 1024) return null;
	try {
		const v = JSON.parse(text);
		return v && typeof v === 'object' && !Array.isArray(v) ? v : null;
	} catch {
		return null;
	}
}

/**
 * A value as a piece of an address. Lone surrogates, which encodeURIComponent refuses, go as the bytes a careless
 * client would send (their UTF-8 replacement).
 */
export function encodePart(value: string, max = 300): string {
	const encode = (v: string) => {
		try {
			return encodeURIComponent(v);
		} catch {
			return [...new TextEncoder().encode(v)].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
		}
	};
	// Shortened by whole characters: half an escape, or half of a character's bytes, would be refused as an
	// unreadable address before the route judged anything.
	let chars = [...value];
	let out = encode(value);
	while (out.length > max) out = encode((chars = chars.slice(0, Math.floor(chars.length * 0.9))).join(''));
	return out;
}

/** An id sent as itself in the path (no escapes, no slashes): the route sees exactly it. */
export function isPlainId(id: string): boolean {
	return /^[a-z0-9_-]{1,64}$/i.test(id);
}
