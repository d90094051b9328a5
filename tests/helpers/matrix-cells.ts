/**
 * The cells of the permission-matrix test (tests/integration/permission-matrix.test.ts): which actor tries which
 * action from which agency, in an order that keeps every cell meaningful; how an answer is sorted into allowed or
 * refused; and the objects each cell acts on, written into the documents before the test starts.
 */
import * as Y from 'yjs';
import { ACTORS, AGENCIES, expectedAction, type Actor } from './matrix.ts';
import type { EventAction } from '../../src/lib/domain/permissions.ts';
import type { EventStatus } from '../../src/lib/domain/roles.ts';
import type { DocAddress } from '../../src/lib/domain/documents.ts';
import { addCard, cardsOf } from '../../src/lib/domain/board.ts';
import { addDispute } from '../../src/lib/domain/dispute-doc.ts';
import { addShift } from '../../src/lib/domain/roster-write.ts';
import { DEMO_USERS } from '../../src/lib/server/demo/demo-data.ts';

/** Two colleagues per agency for the swaps the approvers decide: `from` asks `to` to take a shift over. */
export const SWAP_PAIRS: Record<string, { from: string; to: string }> = {
	station: { from: 'chen.lei', to: 'guo.jing' },
	cid: { from: 'huang.min', to: 'yang.fan' },
	traffic: { from: 'wu.qiang', to: 'member.traffic' },
	patrol: { from: 'lin.haitao', to: 'zhao.shufen' }
};

export const demoUser = (username: string) => DEMO_USERS.find((u) => u.username === username)!;
export const nextAgency = (a: string) => AGENCIES[(AGENCIES.indexOf(a) + 1) % AGENCIES.length];
export const slug = (s: string) => s.replace(/[^A-Za-z0-9]+/g, '-');

/** One cell of an action's column: who, from which agency when the action is agency-scoped, and the answer due. */
export interface Cell {
	actor: Actor;
	agency?: string;
	expected: boolean;
}

/** The cells of an action, refused ones first: nothing an allowed cell changes can then stand in a refused one's way. */
export function actionCells(action: EventAction, status: EventStatus, perAgency: boolean): Cell[] {
	const cells = ACTORS.flatMap((a) =>
		perAgency
			? AGENCIES.map((agency) => ({ actor: a, agency, expected: expectedAction(a, action, status, agency) }))
			: [{ actor: a, expected: expectedAction(a, action, status) }]
	);
	return [...cells.filter((c) => !c.expected), ...cells.filter((c) => c.expected)];
}

export const cellName = (c: Pick<Cell, 'actor' | 'agency'>) => `${c.actor.key}${c.agency ? ` from ${c.agency}` : ''}`;
export const verdict = (allowed: boolean) => (allowed ? 'allowed' : 'refused');
export const fixtureId = (kind: string, c: Pick<Cell, 'actor' | 'agency'>) => slug(`mx-${kind}-${c.actor.key}-${c.agency ?? 'event'}`);

export type Answer = { ok: true } | { ok: false; error: string; message?: string };

/** Sorts a command's answer: allowed, refused for want of rights (or, in a closed event, because it is closed), or anything else. */
export function outcomeOf(answer: Answer, status: EventStatus): string {
	if (answer.ok) return 'allowed';
	if (answer.error === 'forbidden' || answer.error === 'unauthenticated') return 'refused';
	if (status === 'closed' && answer.error === 'eventClosed') return 'refused';
	return `answered ${answer.error} (${answer.message ?? ''})`;
}

/** Sorts a form action's answer (posted as an enhanced form): success, or refused by the rights check. */
export function formOutcome(httpStatus: number, body: { type: string; status?: number; location?: string }): string {
	if (body.type === 'success') return 'allowed';
	if (body.type === 'error' && [401, 403, 404].includes(httpStatus)) return 'refused';
	if (body.type === 'redirect' && body.location?.startsWith('/login')) return 'refused';
	if (body.type === 'failure' && body.status === 403) return 'refused';
	return `answered ${httpStatus} ${JSON.stringify(body)}`;
}

/**
 * Writes the fixtures of one agency, one per cell of each agency-scoped action: a card to reassign, a
 * community-level dispute to report up, and a future shift of the agency's swap requester (who then asks a
 * colleague to take it over). An allowed cell changes its own; a refused one's must stay as it was.
 */
export function writeActionFixtures(doc: Y.Doc, agency: string): void {
	const person = demoUser(SWAP_PAIRS[agency].from);
	const iso = (d: Date) => d.toISOString().replace('Z', '+00:00');
	doc.transact(() => {
		ACTORS.forEach((actor, i) => {
			const c = { actor, agency };
			addCard(doc, fixtureId('card', c), { title: `矩阵改派 ${cellName(c)}`, status: 'todo', priority: 'routine', agency });
			addDispute(doc, fixtureId('dispute', c), { summary: `矩阵上报 ${cellName(c)}`, category: 'neighbor', risk: 'low', level: 'community' });
			// An hour each, one after another, far after the event: nothing has started, nothing overlaps.
			const start = new Date(Date.UTC(2027, 2, 1 + AGENCIES.indexOf(agency), i));
			addShift(doc, {
				id: fixtureId('shift', c),
				postId: 'demo-post-south-gate',
				periodId: null,
				startsAt: iso(start),
				endsAt: iso(new Date(start.getTime() + 3_600_000)),
				notes: null,
				people: [{ id: fixtureId('p', c), userId: person.id, name: person.displayName, role: null }]
			});
		});
	});
}

/** A small write of the document's own kind, valid by the schema, tagged so it can be looked for. */
export function writeMarker(doc: Y.Doc, address: DocAddress, marker: string): void {
	if (address.kind === 'agency') {
		addCard(doc, marker, { title: `矩阵写入 ${marker}`, status: 'todo', priority: 'routine', agency: address.agency });
	} else if (address.kind === 'command') {
		doc.transact(() => {
			const post = new Y.Map<unknown>();
			post.set('name', `矩阵写入 ${marker}`);
			post.set('kind', 'post');
			doc.getMap('posts').set(marker, post);
		});
	} else {
		doc.transact(() => {
			const party = new Y.Map<unknown>();
			party.set('name', '张*');
			const list = new Y.Array<Y.Map<unknown>>();
			list.push([party]);
			doc.getMap('parties').set(marker, list);
		});
	}
}

export function hasMarker(doc: Y.Doc, address: DocAddress, marker: string): boolean {
	const root = address.kind === 'agency' ? cardsOf(doc) : doc.getMap(address.kind === 'command' ? 'posts' : 'parties');
	return root.has(marker);
}
