/**
 * The durable side of the sync hub: the update log, snapshots, client-id bindings and activity rows.
 * Sequence numbers are per document and gap-free: appending bumps `documents.seq` first, and that row lock
 * orders the appends of one document across every instance until their transaction commits.
 */
import { isDeepStrictEqual } from 'node:util';
import { sql, type Kysely } from 'kysely';
import type pg from 'pg';
import type { DB } from '../db/schema.ts';
import type { ActivityDraft } from '../../domain/activity.ts';
import { log } from '../log.ts';

/**
 * Text as a database column takes it. Activity repeats what documents hold, and a document's strings may carry
 * NUL, which PostgreSQL's text type refuses: one such title made the whole append fail, so an update that passed
 * every check was reported as storage being unavailable. The character is shown as U+FFFD instead.
 */
export function storableText<T extends string | null>(value: T): T {
	return (value !== null && value.includes('\u0000') ? value.replaceAll('\u0000', '\uFFFD') : value) as T;
}

export interface StoredUpdate {
	seq: number;
	bytes: Uint8Array;
}

export interface LoadedLog {
	snapshot: { uptoSeq: number; state: Uint8Array } | null;
	updates: StoredUpdate[];
	bindings: Map<number, string>;
}

export async function loadDocumentLog(db: Kysely<DB>, doc: string): Promise<LoadedLog> {
	const snap = await db
		.selectFrom('doc_snapshots')
		.select(['upto_seq', 'state'])
		.where('doc', '=', doc)
		.orderBy('upto_seq', 'desc')
		.limit(1)
		.executeTakeFirst();
	const uptoSeq = snap ? Number(snap.upto_seq) : 0;
	const updates = await readUpdates(db, doc, uptoSeq + 1);
	const bindingRows = await db.selectFrom('doc_clients').select(['client_id', 'user_id']).where('doc', '=', doc).execute();
	const serverRows = await db.selectFrom('doc_server_clients').select('client_id').where('doc', '=', doc).execute();
	return {
		snapshot: snap ? { uptoSeq, state: new Uint8Array(snap.state) } : null,
		updates,
		bindings: new Map([
			...bindingRows.map((r) => [Number(r.client_id), r.user_id] as const),
			...serverRows.map((r) => [Number(r.client_id), SERVER_OWNER] as const)
		])
	};
}

/** Updates of a document from `fromSeq` (inclusive) to `toSeq` (inclusive, or the end). */
export async function readUpdates(db: Kysely<DB>, doc: string, fromSeq: number, toSeq?: number): Promise<StoredUpdate[]> {
	let q = db.selectFrom('doc_updates').select(['seq', 'bytes']).where('doc', '=', doc).where('seq', '>=', fromSeq);
	if (toSeq !== undefined) q = q.where('seq', '<=', toSeq);
	const rows = await q.orderBy('seq').execute();
	return rows.map((r) => ({ seq: Number(r.seq), bytes: new Uint8Array(r.bytes) }));
}

/** The last sequence number of a document (0 when it has none). */
export async function lastSeq(db: Kysely<DB>, doc: string): Promise<number> {
	const r = await db.selectFrom('documents').select('seq').where('name', '=', doc).executeTakeFirst();
	return r ? Number(r.seq) : 0;
}

export interface AppendEntry {
	doc: string;
	eventId: string;
	userId: string | null;
	connId: string | null;
	at: Date;
	bytes: Uint8Array;
	activity: ActivityDraft[];
	/** Client ids seen for the first time in this update, to bind to `userId`. */
	newClients: number[];
	/** For the server's own writes: the client id it wrote with, bound to no user. */
	serverClients?: number[];
}

/**
 * Appends updates inside the caller's transaction and returns each one's sequence number, in input order.
 * Updates of one document get consecutive numbers.
 */
export async function appendUpdates(tx: Kysely<DB>, entries: AppendEntry[]): Promise<number[]> {
	const byDoc = new Map<string, AppendEntry[]>();
	for (const e of entries) {
		const list = byDoc.get(e.doc);
		if (list) list.push(e);
		else byDoc.set(e.doc, [e]);
	}
	const seqOf = new Map<AppendEntry, number>();
	// Sorted so that two instances appending to the same documents take the row locks in the same order.
	for (const doc of [...byDoc.keys()].sort()) {
		const list = byDoc.get(doc)!;
		const row = await tx
			.insertInto('documents')
			.values({ name: doc, event_id: list[0].eventId, seq: list.length })
			.onConflict((oc) => oc.column('name').doUpdateSet({ seq: sql`documents.seq + ${list.length}` }))
			.returning('seq')
			.executeTakeFirstOrThrow();
		const last = Number(row.seq);
		list.forEach((e, i) => seqOf.set(e, last - list.length + 1 + i));
	}
	await tx
		.insertInto('doc_updates')
		.values(entries.map((e) => ({ doc: e.doc, seq: seqOf.get(e)!, user_id: e.userId, conn_id: e.connId, at: e.at, bytes: e.bytes })))
		.execute();
	const serverClients = entries.flatMap((e) => (e.serverClients ?? []).map((c) => ({ doc: e.doc, client_id: c })));
	if (serverClients.length) {
		await tx
			.insertInto('doc_server_clients')
			.values(serverClients)
			.onConflict((oc) => oc.columns(['doc', 'client_id']).doNothing())
			.execute();
	}
	const bindings = entries.flatMap((e) => (e.userId ? e.newClients.map((c) => ({ doc: e.doc, client_id: c, user_id: e.userId! })) : []));
	if (bindings.length) {
		await tx
			.insertInto('doc_clients')
			.values(bindings)
			.onConflict((oc) => oc.columns(['doc', 'client_id']).doNothing())
			.execute();
	}
	const activity = entries.flatMap((e) =>
		e.activity.map((a) => ({
			event_id: e.eventId,
			doc: e.doc,
			seq: seqOf.get(e)!,
			user_id: e.userId,
			at: e.at,
			entity_type: a.entityType,
			entity_id: a.entityId,
			action: a.action,
			field: storableText(a.field),
			subject: storableText(a.subject),
			from_value: storableText(a.from),
			to_value: storableText(a.to)
		}))
	);
	// Postgres caps a statement at 65535 parameters; 12 columns a row.
	for (let i = 0; i < activity.length; i += 4000) {
		await tx.insertInto('activity').values(activity.slice(i, i + 4000)).execute();
	}
	return entries.map((e) => seqOf.get(e)!);
}

/** Parameters one single-statement append may bind (PostgreSQL allows 65,535; beyond this the transaction path). */
const ONE_STATEMENT_PARAMS = 4_000;

/**
 * A one-update append with at most this many activity rows goes to PostgreSQL as a statement prepared once per
 * connection, named by its shape: the usual commit (one edit, one or two rows of activity) is then neither sent as
 * SQL text nor parsed and planned again. Larger shapes are rare and unnamed, so the prepared ones stay few.
 */
export const NAMED_MAX_ACTIVITY = 4;

/**
 * The text of each named append's shape, as built the first time (it depends on the shape only). Building it with
 * Kysely on every commit was 5-7 % of the server's time in V8's profile of the peers bench.
 */
const namedAppendText = new Map<string, string | null>();

/**
 * The parameters of a one-update append (appendInOneStatement's named shapes), in the order its text binds them.
 * Checked against what Kysely binds when a shape's text is first built; a difference is logged, and that shape is
 * then built every time (null in namedAppendText).
 */
export function namedAppendParameters(e: AppendEntry, notify: { channel: string; instanceId: string } | null): unknown[] {
	const out: unknown[] = [e.doc, e.eventId, 1, 1, e.doc, 1, 1, e.userId, e.connId, e.at, e.bytes];
	if (e.activity.length) {
		out.push(e.eventId, e.doc, 1);
		for (const a of e.activity) {
			out.push(1, e.userId, e.at, a.entityType, a.entityId, a.action, storableText(a.field), storableText(a.subject), storableText(a.from), storableText(a.to));
		}
	}
	if (notify) out.push(notify.channel, notify.instanceId, e.doc, 1);
	return out;
}

/**
 * Appends updates of one document, with their activity, in one statement (data-modifying CTEs, so one implicit
 * transaction and one round trip instead of begin, four inserts and commit), and, when `notify` is given, sends the
 * instances' NOTIFY of the appended range from the same statement. Returns each entry's sequence number, or null
 * when the entries need the general path: several documents, client ids to bind, or too many parameters.
 * Rows and numbers are exactly what appendUpdates writes.
 */
export async function appendInOneStatement(
	db: Kysely<DB>,
	entries: AppendEntry[],
	notify: { channel: string; instanceId: string } | null,
	pool: pg.Pool | null = null
): Promise<number[] | null> {
	const doc = entries[0]?.doc;
	if (!doc || entries.some((e) => e.doc !== doc || e.newClients.length || e.serverClients?.length)) return null;
	const activityCount = entries.reduce((n, e) => n + e.activity.length, 0);
	if (entries.length * 5 + activityCount * 10 > ONE_STATEMENT_PARAMS) return null;
	const n = entries.length;
	const named = pool && n === 1 && activityCount <= NAMED_MAX_ACTIVITY ? `liandong_append_1_${activityCount}${notify ? '_notify' : ''}` : null;
	const known = named ? namedAppendText.get(named) : undefined;
	if (pool && named && known) {
		// The usual commit: its text is the shape's, made once; only its parameters are new.
		const rows = (await pool.query<{ seq: string | number }>({ name: named, text: known, values: namedAppendParameters(entries[0], notify) })).rows;
		return [Number(rows[0].seq)];
	}
	const compiled = appendStatement(entries, notify).compile(db);
	if (named && known === undefined) {
		const same = isDeepStrictEqual(namedAppendParameters(entries[0], notify), compiled.parameters);
		namedAppendText.set(named, same ? compiled.sql : null);
		if (!same) log.error({ statement: named }, '[db] the named append binds other parameters than its text asks; it is built each time');
	}
	const rows =
		pool && named
			? (await pool.query<{ seq: string | number }>({ name: named, text: compiled.sql, values: [...compiled.parameters] })).rows
			: (await db.executeQuery(compiled)).rows;
	const last = Number(rows[0].seq);
	return entries.map((_, i) => last - n + 1 + i);
}

/** appendInOneStatement's statement: the documents' sequence, the updates, their activity and the instances' NOTIFY. */
export function appendStatement(entries: AppendEntry[], notify: { channel: string; instanceId: string } | null) {
	const n = entries.length;
	const doc = entries[0].doc;
	const eventId = entries[0].eventId;
	const updates = sql.join(
		entries.map((e, i) => sql`(${i + 1}::int, ${e.userId}::text, ${e.connId}::text, ${e.at}::timestamptz, ${e.bytes}::bytea)`)
	);
	const activityRows = entries.flatMap((e, i) =>
		e.activity.map(
			(a) =>
				sql`(${i + 1}::int, ${e.userId}::text, ${e.at}::timestamptz, ${a.entityType}::text, ${a.entityId}::text, ${a.action}::text, ${storableText(a.field)}::text, ${storableText(a.subject)}::text, ${storableText(a.from)}::text, ${storableText(a.to)}::text)`
		)
	);
	const activity = activityRows.length
		? sql`, a as (
				insert into activity (event_id, doc, seq, user_id, at, entity_type, entity_id, action, field, subject, from_value, to_value)
				select ${eventId}, ${doc}, d.seq - ${n} + v.ord, v.user_id, v.at, v.entity_type, v.entity_id, v.action, v.field, v.subject, v.from_value, v.to_value
				from d, (values ${sql.join(activityRows)}) as v(ord, user_id, at, entity_type, entity_id, action, field, subject, from_value, to_value)
			)`
		: sql``;
	// The same payload notifyAppends sends: {i: instance, d: [[doc, from, to]]}.
	const notice = notify
		? sql`, pg_notify(${notify.channel}, json_build_object('i', ${notify.instanceId}::text, 'd', json_build_array(json_build_array(${doc}::text, d.seq - ${n} + 1, d.seq)))::text)`
		: sql``;
	return sql<{ seq: string | number }>`
		with d as (
			insert into documents (name, event_id, seq) values (${doc}, ${eventId}, ${n})
			on conflict (name) do update set seq = documents.seq + ${n}
			returning seq
		), u as (
			insert into doc_updates (doc, seq, user_id, conn_id, at, bytes)
			select ${doc}, d.seq - ${n} + v.ord, v.user_id, v.conn_id, v.at, v.bytes
			from d, (values ${updates}) as v(ord, user_id, conn_id, at, bytes)
		)${activity}
		select d.seq${notice} from d`;
}

/**
 * Appends activity that no update carries by itself (a dispute's escalation: in the update log it is one
 * document's delete and another's create). Call inside the transaction of the writes it explains.
 */
export async function recordActivity(
	tx: Kysely<DB>,
	rows: Array<ActivityDraft & { eventId: string; doc: string; userId: string | null; at: Date }>
): Promise<void> {
	if (rows.length === 0) return;
	await tx
		.insertInto('activity')
		.values(
			rows.map((a) => ({
				event_id: a.eventId,
				doc: a.doc,
				seq: null,
				user_id: a.userId,
				at: a.at,
				entity_type: a.entityType,
				entity_id: a.entityId,
				action: a.action,
				field: storableText(a.field),
				subject: storableText(a.subject),
				from_value: storableText(a.from),
				to_value: storableText(a.to)
			}))
		)
		.execute();
}

export async function saveSnapshot(db: Kysely<DB>, doc: string, uptoSeq: number, state: Uint8Array): Promise<void> {
	// A newer snapshot makes this one redundant; and after a purge of personal data (personal-data-purge.ts) an
	// instance still holding the old state in memory must not store it again.
	const newer = await db.selectFrom('doc_snapshots').select('upto_seq').where('doc', '=', doc).where('upto_seq', '>', uptoSeq).limit(1).executeTakeFirst();
	if (newer) return;
	await db
		.insertInto('doc_snapshots')
		.values({ doc, upto_seq: uptoSeq, state })
		.onConflict((oc) => oc.columns(['doc', 'upto_seq']).doNothing())
		.execute();
	// Older snapshots are redundant for loading; the log itself is kept whole.
	await db.deleteFrom('doc_snapshots').where('doc', '=', doc).where('upto_seq', '<', uptoSeq).execute();
}

/** The owner of the server's own client ids in the bindings: no user id is empty. */
export const SERVER_OWNER = '';

/** Which user a client id of a document belongs to (`SERVER_OWNER` for the server's own), when it is bound. */
export async function clientOwner(db: Kysely<DB>, doc: string, clientId: number): Promise<string | null> {
	const r = await db
		.selectFrom('doc_clients')
		.select('user_id')
		.where('doc', '=', doc)
		.where('client_id', '=', clientId)
		.executeTakeFirst();
	if (r) return r.user_id;
	const server = await db.selectFrom('doc_server_clients').select('client_id').where('doc', '=', doc).where('client_id', '=', clientId).executeTakeFirst();
	return server ? SERVER_OWNER : null;
}

export interface ActivityRow {
	id: string;
	doc: string;
	seq: number | null;
	userId: string | null;
	userName: string | null;
	at: Date;
	entityType: string;
	entityId: string;
	action: string;
	field: string | null;
	subject: string | null;
	from: string | null;
	to: string | null;
}

/** Activity of an event, newest first, limited to the given documents (those the reader may read). */
export async function listActivity(
	db: Kysely<DB>,
	eventId: string,
	opts: { docs: string[]; entityId?: string; entityType?: string; limit?: number; before?: Date; beforeId?: string }
): Promise<ActivityRow[]> {
	if (opts.docs.length === 0) return [];
	let q = db
		.selectFrom('activity as a')
		.leftJoin('users as u', 'u.id', 'a.user_id')
		.select([
			'a.id',
			'a.doc',
			'a.seq',
			'a.user_id',
			'u.display_name',
			'a.at',
			'a.entity_type',
			'a.entity_id',
			'a.action',
			'a.field',
			'a.subject',
			'a.from_value',
			'a.to_value'
		])
		.where('a.event_id', '=', eventId)
		.where('a.doc', 'in', opts.docs);
	if (opts.entityId) q = q.where('a.entity_id', '=', opts.entityId);
	if (opts.entityType) q = q.where('a.entity_type', '=', opts.entityType);
	// Paging by time alone skipped rows: one update's rows share their time, so a page that ended inside such a
	// group lost the rest of it. With `beforeId` the cursor is the last row itself, (at, id), as the order is.
	if (opts.before && opts.beforeId) {
		const { before, beforeId } = opts;
		q = q.where((eb) => eb.or([eb('a.at', '<', before), eb.and([eb('a.at', '=', before), eb('a.id', '<', beforeId)])]));
	} else if (opts.before) q = q.where('a.at', '<', opts.before);
	const rows = await q
		.orderBy('a.at', 'desc')
		.orderBy('a.id', 'desc')
		.limit(opts.limit ?? 200)
		.execute();
	return rows.map((r) => ({
		id: String(r.id),
		doc: r.doc,
		seq: r.seq === null ? null : Number(r.seq),
		userId: r.user_id,
		userName: r.display_name,
		at: new Date(r.at),
		entityType: r.entity_type,
		entityId: r.entity_id,
		action: r.action,
		field: r.field,
		subject: r.subject,
		from: r.from_value,
		to: r.to_value
	}));
}
