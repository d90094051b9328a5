// Frozen in time: this migration never imports app code and only ever uses Kysely<any>.
import type { Kysely } from 'kysely';

/**
 * The Yjs client ids the server itself wrote with, per document. They belong to no user: an update from a
 * connection that uses one is refused, so nobody can continue the server's own writes as if the server made them.
 */
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.createTable('doc_server_clients')
		.addColumn('doc', 'text', (c) => c.notNull().references('documents.name').onDelete('cascade'))
		.addColumn('client_id', 'bigint', (c) => c.notNull())
		.addPrimaryKeyConstraint('doc_server_clients_pk', ['doc', 'client_id'])
		.execute();
}

export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.dropTable('doc_server_clients').execute();
}
