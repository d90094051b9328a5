/**
 * The update log's append on the embedded database, through statements prepared once.
 *
 * PGlite runs PostgreSQL on the server's own thread, so every statement it parses and plans is the hub's CPU. The
 * single-statement append (appendInOneStatement) changes its text with each batch's size and is planned afresh every
 * time: about 0.7 ms a commit, measured, against 0.25 ms for the same rows bound to two statements prepared once
 * (one numbers and stores an update; the other stores one activity row). PGlite's `query()` prepares
 * only unnamed statements, so the append speaks the extended protocol itself: Parse under a name once per
 * database, then for each batch Bind and Execute per row and one Sync, which makes the whole batch one implicit
 * transaction (a failing row rolls back all of it, as before).
 *
 * Rows and numbers are exactly what appendUpdates writes.
 */
import { protocol, type PGlite } from '@electric-sql/pglite';
import { storableText, type AppendEntry } from './doc-log.repository.ts';

const UPDATE_STATEMENT = 'liandong_append_update';
const ACTIVITY_STATEMENT = 'liandong_append_activity';

/** Bumps the document's sequence (creating its row the first time) and stores the update under it. */
const UPDATE_SQL = `with d as (
	insert into documents (name, event_id, seq) values ($1::text, $2::text, 1)
	on conflict (name) do update set seq = documents.seq + 1
	returning seq
)
insert into doc_updates (doc, seq, user_id, conn_id, at, bytes)
select $1::text, d.seq, $3::text, $4::text, $5::timestamptz, $6::bytea from d
returning seq`;

/** One activity row of the update just stored: in the same transaction, the document's sequence is that update's. */
const ACTIVITY_SQL = `insert into activity (event_id, doc, seq, user_id, at, entity_type, entity_id, action, field, subject, from_value, to_value)
select $1::text, $2::text, documents.seq, $3::text, $4::timestamptz, $5::text, $6::text, $7::text, $8::text, $9::text, $10::text, $11::text
from documents where name = $2::text`;

/** The databases whose session holds the two statements (PGlite is one session for its whole life). */
const preparedIn = new WeakSet<PGlite>();

/**
 * Appends updates with their activity in one transaction and returns each one's sequence number, in input order.
 * Returns null for a batch that binds client ids (the general path, appendUpdates, writes those).
 */
export async function appendPrepared(pglite: PGlite, entries: AppendEntry[]): Promise<number[] | null> {
	if (entries.some((e) => e.newClients.length || e.serverClients?.length)) return null;
	const { serialize } = protocol;
	const parts: Uint8Array[] = [];
	for (const e of entries) {
		const at = e.at.toISOString();
		parts.push(serialize.bind({ statement: UPDATE_STATEMENT, values: [e.doc, e.eventId, e.userId, e.connId, at, e.bytes] }), serialize.execute());
		for (const a of e.activity) {
			const values = [e.eventId, e.doc, e.userId, at, a.entityType, a.entityId, a.action, storableText(a.field), storableText(a.subject), storableText(a.from), storableText(a.to)];
			parts.push(serialize.bind({ statement: ACTIVITY_STATEMENT, values }), serialize.execute());
		}
	}
	parts.push(serialize.sync());
	// As query() does: a database closing or closed says so ("PGlite is closed") instead of failing inside.
	await pglite._checkReady();
	// The same locks PGlite's own query() takes, so that this never runs inside another caller's transaction.
	const { messages } = await pglite._runExclusiveTransaction(() =>
		pglite._runExclusiveQuery(async () => {
			if (!preparedIn.has(pglite)) {
				await pglite.execProtocol(
					Buffer.concat([serialize.parse({ name: UPDATE_STATEMENT, text: UPDATE_SQL }), serialize.parse({ name: ACTIVITY_STATEMENT, text: ACTIVITY_SQL }), serialize.sync()])
				);
				preparedIn.add(pglite);
			}
			return pglite.execProtocol(Buffer.concat(parts));
		})
	);
	// Only the update statement returns rows: one each, in the order bound.
	const seqs = messages.flatMap((m) => (m instanceof protocol.messages.DataRowMessage ? [Number(m.fields[0])] : []));
	if (seqs.length !== entries.length) throw new Error(`append returned ${seqs.length} sequence numbers for ${entries.length} updates`);
	return seqs;
}

