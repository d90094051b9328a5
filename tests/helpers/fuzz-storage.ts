/**
 * What the fuzz suite asserts besides each answer: the server process is the one that started and is healthy,
 * it printed no crash, and what it stored is valid. Storage is read twice over: the live documents through a
 * fresh y-websocket client, then (with the server stopped, as the embedded database admits one process) every
 * table and every document's log through the app's own database code, each row re-checked by the domain's
 * validators and searched for the tags of cases the server refused.
 */
import { parseTemplateText } from '../../src/lib/domain/event-template.ts';
import { QUEUEABLE_COMMANDS } from '../../src/lib/domain/queued-actions.ts';
import * as Y from 'yjs';
import type { Kysely } from 'kysely';
import type { TestServer } from './server.ts';
import { connectDoc, whenSynced } from './live.ts';
import { FuzzLedger, TAG_RE } from './fuzz.ts';
import { openDatabase } from '../../src/lib/server/db/database.ts';
import type { DB } from '../../src/lib/server/db/schema.ts';
import { loadDocumentLog } from '../../src/lib/server/repositories/doc-log.repository.ts';
import { parseDocName, type DocKind } from '../../src/lib/domain/documents.ts';
import { prepareRoots, validateTouched, type Touched } from '../../src/lib/domain/doc-validate.ts';
import { DOC_ROOTS } from '../../src/lib/domain/doc-schema.ts';
import { checkAgency, checkEvent, checkMember, checkTeam, checkUser, LIMITS } from '../../src/lib/domain/validation.ts';
import { checkInstruction } from '../../src/lib/domain/instructions.ts';
import { checkFindings } from '../../src/lib/domain/findings.ts';
import { checkFileRows } from './fuzz-file-rows.ts';

/**
 * Signs of a crash or an unhandled failure in the server's output. A stack trace shows as real lines when printed
 * by Node itself, and inside a JSON log line (its `err.stack`) as escaped ones.
 */
const CRASH_SIGNS = [/uncaught/i, /unhandled/i, /\n\s+at [^\n]*:\d+:\d+/, /\\n\s+at [^"\n]*:\d+:\d+/, /FATAL/, /"level":"fatal"/, /Segmentation/, /heap out of memory/i];

/**
 * Runs the cases in batches, checking the server between batches (checkServerAlive), and prints the ledger's
 * summary with the time taken.
 */
export async function runInBatches(
	server: TestServer,
	pid: number,
	ledger: FuzzLedger,
	cases: readonly number[],
	batchSize: number,
	run: (index: number) => Promise<void>
): Promise<void> {
	const started = Date.now();
	let from = server.output().length;
	for (let b = 0; b < cases.length; b += batchSize) {
		const batch = cases.slice(b, b + batchSize);
		for (const index of batch) await run(index);
		await checkServerAlive(server, pid, ledger, batch.at(-1)!, from);
		from = server.output().length;
	}
	console.log(`${ledger.summary()}\n  (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

/** Checks a server between batches: same live process, healthy, and nothing alarming printed since `from`. */
export async function checkServerAlive(server: TestServer, pid: number, ledger: FuzzLedger, lastIndex: number | null, from = 0): Promise<void> {
	const now = server.pid();
	if (now !== pid) ledger.fail(lastIndex, `server process changed: started as ${pid}, now ${now}`);
	else {
		try {
			process.kill(pid, 0);
		} catch {
			ledger.fail(lastIndex, `server process ${pid} is gone`);
		}
	}
	try {
		const res = await fetch(`${server.url}/healthz`, { signal: AbortSignal.timeout(10_000) });
		if (res.status !== 200) ledger.fail(lastIndex, `/healthz answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
	} catch (err) {
		ledger.fail(lastIndex, `/healthz failed: ${(err as Error).message}`);
	}
	const printed = server.output().slice(from);
	for (const sign of CRASH_SIGNS) {
		const m = sign.exec(printed);
		if (m) {
			const at = Math.max(0, m.index - 400);
			ledger.fail(lastIndex, `server output shows ${sign}: …${printed.slice(at, m.index + 400)}…`);
			break;
		}
	}
}

/** A stack trace or a server path in an answer's body gives internals away. */
export function leaksInternals(body: string): boolean {
	return /\n\s+at [^\n]*:\d+:\d+/.test(body) || /node_modules|\/server\/|\.ts:\d+/.test(body);
}

/** Every string a Yjs value holds, nested types included. */
function* stringsOf(value: unknown): Generator<string> {
	if (typeof value === 'string') yield value;
	else if (value instanceof Y.Text) yield value.toString();
	else if (value instanceof Y.Map) for (const [k, v] of value.entries()) {
		yield k;
		yield* stringsOf(v);
	}
	else if (value instanceof Y.Array) for (const v of value.toArray()) yield* stringsOf(v);
	else if (Array.isArray(value)) for (const v of value) yield* stringsOf(v);
	else if (value && typeof value === 'object' && !(value instanceof Uint8Array)) for (const v of Object.values(value)) yield* stringsOf(v);
}

/** Validates a whole document: every entity of every root, as if one update had touched them all. */
export function validateWholeDoc(doc: Y.Doc, kind: DocKind): string | null {
	const touched: Touched = new Map();
	for (const name of doc.share.keys()) {
		const root = doc.share.get(name)!;
		const keys = root instanceof Y.Map ? [...root.keys()] : [];
		touched.set(name, new Set(keys));
	}
	// A fields root (the meta) is checked as a whole whatever keys are named.
	for (const [name, spec] of Object.entries(DOC_ROOTS[kind])) if (spec.kind === 'fields' && !touched.has(name)) touched.set(name, new Set());
	const p = validateTouched(doc, kind, touched, true);
	return p ? `${p.path}: ${p.problem}` : null;
}

/** Reports every tag found in `texts` whose case was not accepted. */
function checkTags(ledger: FuzzLedger, where: string, texts: Iterable<string>): void {
	const reported = new Set<string>();
	for (const t of texts) {
		for (const m of t.matchAll(TAG_RE)) {
			const tag = m[0];
			if (!tag.startsWith(`fz${ledger.surface}`) || ledger.acceptedTags.has(tag) || reported.has(tag)) continue;
			reported.add(tag);
			const index = Number(tag.slice(3, -1));
			ledger.fail(index, `${where} holds ${tag}, from a case the server refused (${ledger.sentTags.get(tag) ?? 'never sent'}): ${JSON.stringify(t.slice(0, 200))}`);
		}
	}
}

/**
 * Reads the live documents through a stock y-websocket client and checks each against its schema and for refused
 * tags (of every ledger given; problems go to the first).
 */
export async function checkLiveDocuments(server: TestServer, cookie: string, docNames: string[], ledgers: FuzzLedger | FuzzLedger[]): Promise<number> {
	const every = Array.isArray(ledgers) ? ledgers : [ledgers];
	const ledger = every[0];
	let checked = 0;
	for (const name of docNames) {
		const address = parseDocName(name);
		if (!address) {
			ledger.fail(null, `not a document name: ${name}`);
			continue;
		}
		// Roots made with their proper types first, as the app's clients do, so the validator sees maps.
		const doc = new Y.Doc();
		prepareRoots(doc, address.kind);
		const live = connectDoc(server.url, name, { cookie, doc });
		try {
			await whenSynced(live, 30_000);
			const problem = validateWholeDoc(live.doc, address.kind);
			if (problem) ledger.fail(null, `live document ${name} breaks its schema: ${problem}`);
			const texts = [...stringsOf([...live.doc.share.values()])];
			for (const l of every) checkTags(l, `live document ${name}`, texts);
			checked++;
		} catch (err) {
			ledger.fail(null, `live document ${name} could not be read: ${(err as Error).message}`);
		} finally {
			live.destroy();
		}
	}
	return checked;
}

type Row = Record<string, unknown>;
const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : String(v));

/**
 * Tables that remember refused input on purpose: a queued action's id is kept with its refusal, so that the same
 * action sent again is answered the same and never done. Their rows are checked, their text not searched for tags.
 */
const REMEMBERS_REFUSALS = new Set(['client_actions']);

/** Rows of other tables that remember a refusal on purpose: the audit log's failed sign-ins name the username tried. */
const remembersRefusal = (table: string, row: Row) => REMEMBERS_REFUSALS.has(table) || (table === 'audit_log' && row.action === 'session.signInFailed');

/** Domain checks of the tables a fuzzer can write through the app. */
const ROW_CHECKS: Record<string, (row: Row) => string | null> = {
	// A saved template is read again before use: a stored one must pass the same check as an imported file.
	event_templates: (r) => {
		const c = parseTemplateText(String(r.body));
		if (!c.ok) return JSON.stringify(c.errors.slice(0, 3));
		return c.template.name === r.name ? null : 'name differs from its body';
	},
	client_actions: (r) => {
		if (!(QUEUEABLE_COMMANDS as readonly string[]).includes(String(r.command))) return 'unknown command';
		if (!/^[a-z0-9_-]{8,64}$/i.test(String(r.action_id))) return 'action id out of form';
		const result = typeof r.result === 'string' ? JSON.parse(r.result) : r.result;
		return result && typeof result === 'object' && typeof (result as { ok?: unknown }).ok === 'boolean' ? null : 'no answer stored';
	},
	users: (r) => {
		const c = checkUser({ username: r.username, displayName: r.display_name, phone: r.phone ?? '' }, false);
		if (!c.ok) return JSON.stringify(c.errors);
		return c.value.username === r.username ? null : 'username not in its normal form';
	},
	agencies: (r) => {
		const c = checkAgency({ code: r.code, nameZh: r.name_zh, nameEn: r.name_en, color: r.color });
		return c.ok ? null : JSON.stringify(c.errors);
	},
	teams: (r) => {
		const c = checkTeam({ agencyCode: r.agency_code, name: r.name, level: r.level, parentId: r.parent_id ?? '' });
		return c.ok ? null : JSON.stringify(c.errors);
	},
	events: (r) => {
		const c = checkEvent({
			name: r.name,
			venue: r.venue,
			startsAt: iso(r.starts_at),
			endsAt: iso(r.ends_at),
			timezone: r.timezone,
			checkinGraceMinutes: String(r.checkin_grace_minutes)
		});
		if (!c.ok) return JSON.stringify(c.errors);
		return ['planning', 'active', 'closed'].includes(String(r.status)) ? null : `status ${r.status}`;
	},
	event_members: (r) => {
		const c = checkMember({ userId: r.user_id, role: r.role, agencyCode: r.agency_code ?? '' });
		return c.ok ? null : JSON.stringify(c.errors);
	},
	display_tokens: (r) => {
		const name = String(r.name ?? '');
		return name.trim() && [...name].length <= LIMITS.name ? null : 'name empty or too long';
	},
	instructions: (r) => {
		let targets: unknown;
		try {
			targets = typeof r.targets === 'string' ? JSON.parse(r.targets) : r.targets;
		} catch {
			return 'targets are not JSON';
		}
		return checkInstruction({
			eventId: r.event_id as string,
			scope: r.scope as never,
			targets: targets as string[],
			priority: r.priority as never,
			body: r.body as string,
			ackBy: r.ack_by ? iso(r.ack_by) : null
		});
	},
	records: (r) => {
		try {
			const c = checkFindings(JSON.parse(String(r.findings)));
			return c.ok ? null : JSON.stringify(c.problems).slice(0, 300);
		} catch {
			return 'findings are not JSON';
		}
	},
	shift_swaps: (r) => ([...String(r.note ?? '')].length <= 500 ? null : 'note too long')
};

/** Tables whose rows record refused attempts on purpose, or hold only what the server made itself. */
const NOT_SEARCHED = new Set(['login_failures', 'sessions', 'doc_updates', 'doc_snapshots', 'kysely_migration', 'kysely_migration_lock']);

/**
 * Stops the server and checks its database: every row of the checked tables passes its domain check, the stored
 * files and what they hang on hold together (fuzz-file-rows.ts), no text column holds a refused case's tag (of any
 * ledger given; problems go to the first), and every document rebuilt from its stored snapshot and log passes the
 * document validator. Returns how many rows and documents were checked.
 */
export async function checkStoredData(server: TestServer, ledgers: FuzzLedger | FuzzLedger[]): Promise<{ rows: number; docs: number }> {
	const every = Array.isArray(ledgers) ? ledgers : [ledgers];
	const ledger = every[0];
	await server.stop();
	const handle = await openDatabase({ databaseUrl: server.env.DATABASE_URL, dataDir: server.env.DATA_DIR ?? '', poolSize: 2 });
	let rows = 0;
	let docs = 0;
	try {
		const db = handle.db as unknown as Kysely<Record<string, Row>>;
		const tables = (await handle.db.introspection.getTables()).map((t) => t.name);
		for (const table of tables) {
			if (NOT_SEARCHED.has(table)) continue;
			const all = (await db.selectFrom(table).selectAll().execute()) as Row[];
			rows += all.length;
			const check = ROW_CHECKS[table];
			for (const row of all) {
				const problem = check?.(row);
				if (problem) ledger.fail(null, `table ${table} holds an invalid row (${problem}): ${JSON.stringify(row).slice(0, 400)}`);
				if (remembersRefusal(table, row)) continue;
				const texts = Object.values(row).filter((v): v is string => typeof v === 'string');
				for (const l of every) checkTags(l, `table ${table}`, texts);
			}
		}
		for (const problem of await checkFileRows(handle.db)) ledger.fail(null, problem);
		const names = await handle.db.selectFrom('documents').select('name').execute();
		for (const { name } of names) {
			const address = parseDocName(name);
			if (!address) {
				ledger.fail(null, `table documents names a document that is none: ${JSON.stringify(name)}`);
				continue;
			}
			const log = await loadDocumentLog(handle.db, name);
			const doc = new Y.Doc();
			prepareRoots(doc, address.kind);
			if (log.snapshot) Y.applyUpdate(doc, log.snapshot.state);
			for (const u of log.updates) Y.applyUpdate(doc, u.bytes);
			const problem = validateWholeDoc(doc, address.kind);
			if (problem) ledger.fail(null, `stored document ${name} breaks its schema: ${problem}`);
			const texts = [...stringsOf([...doc.share.values()])];
			for (const l of every) checkTags(l, `stored document ${name}`, texts);
			doc.destroy();
			docs++;
		}
	} finally {
		await handle.close();
	}
	return { rows, docs };
}
