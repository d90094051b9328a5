/**
 * Gathers what the after-action record is built from: the event's rows, the final state of its documents,
 * the activity log and the instructions.
 */
import { pinOf, postPlace, readMapBase, readZones } from '../../domain/venue-map.ts';
import type { RecordMap } from '../../domain/after-action.ts';
import * as Y from 'yjs';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { AppServices } from '../services.ts';
import { getEvent, listMembers } from '../repositories/event.repository.ts';
import { listAgencies } from '../repositories/agency.repository.ts';
import { listInstructions } from '../repositories/instruction.repository.ts';
import { getRecord } from '../repositories/record.repository.ts';
import { issuedForRecord } from '../repositories/sitrep.repository.ts';
import { agencyDocName, commandDocName, parseDocName, restrictedDocName } from '../../domain/documents.ts';
import { cardsOf, readCard } from '../../domain/board.ts';
import { readPosts, readShifts } from '../../domain/roster.ts';
import { figuresMoment } from '../../domain/figures.ts';
import type { RecordActivity, RecordCard, RecordDispute, RecordInputs } from '../../domain/after-action.ts';
import type { RecordReport } from '../../domain/record-reports.ts';
import { recordRollCall, type RecordPatrol } from '../../domain/record-rhythm.ts';
import { listRollCalls } from '../repositories/roll-call.repository.ts';
import { listScans, patrolRoutes } from '../patrol.ts';
import { listReports } from '../repositories/field-report.repository.ts';
import { namedLinks, recordLinks } from './record-files.ts';

export interface Party {
	disputeId: string;
	name: string;
	phone: string;
	idNumber: string;
	address: string;
	note: string;
}

function readPeriods(doc: Y.Doc): RecordInputs['periods'] {
	const out: RecordInputs['periods'] = [];
	for (const [id, m] of doc.getMap('periods').entries()) {
		if (!(m instanceof Y.Map)) continue;
		out.push({ id, name: String(m.get('name') ?? ''), startsAt: String(m.get('startsAt') ?? ''), endsAt: String(m.get('endsAt') ?? '') });
	}
	return out;
}

function readDisputes(doc: Y.Doc, agency: string, escalations: Map<string, number>): RecordDispute[] {
	const out: RecordDispute[] = [];
	for (const [id, m] of doc.getMap('disputes').entries()) {
		if (!(m instanceof Y.Map)) continue;
		const s = (k: string) => (typeof m.get(k) === 'string' ? (m.get(k) as string) : '');
		out.push({
			id,
			agency,
			summary: s('summary'),
			category: s('category'),
			risk: s('risk'),
			status: s('status'),
			level: s('level'),
			partiesMasked: s('partiesMasked'),
			escalations: escalations.get(id) ?? 0
		});
	}
	return out.sort((a, b) => a.id.localeCompare(b.id));
}

/** The parties of every dispute, from the restricted document. Only for cleared exporters. */
export async function collectParties(services: AppServices, eventId: string): Promise<Party[]> {
	const doc = await services.readDocument(restrictedDocName(eventId));
	const out: Party[] = [];
	for (const [disputeId, list] of doc.getMap('parties').entries()) {
		if (!(list instanceof Y.Array)) continue;
		for (const p of list.toArray()) {
			if (!(p instanceof Y.Map)) continue;
			const s = (k: string) => (typeof p.get(k) === 'string' ? (p.get(k) as string) : '');
			out.push({ disputeId, name: s('name'), phone: s('phone'), idNumber: s('idNumber'), address: s('address'), note: s('note') });
		}
	}
	return out;
}

/** Activity rows read per query. */
const ACTIVITY_PAGE = 5_000;

/** One page of an event's activity after `after` (by time, then id), for the record. */
function activityPage(db: Kysely<DB>, eventId: string, after: { at: Date | string; id: string } | null) {
	let q = db
		.selectFrom('activity as a')
		.leftJoin('users as u', 'u.id', 'a.user_id')
		.select(['a.id', 'a.at', 'a.doc', 'u.display_name', 'a.user_id', 'a.entity_type', 'a.entity_id', 'a.action', 'a.field', 'a.from_value', 'a.to_value'])
		.where('a.event_id', '=', eventId)
		.where('a.doc', '!=', restrictedDocName(eventId));
	if (after) {
		const at = new Date(after.at);
		q = q.where((eb) => eb.or([eb('a.at', '>', at), eb.and([eb('a.at', '=', at), eb('a.id', '>', after.id)])]));
	}
	return q.orderBy('a.at').orderBy('a.id').limit(ACTIVITY_PAGE).execute();
}

/** Everything the record needs, read now. */
export async function collectRecordInputs(db: Kysely<DB>, services: AppServices, eventId: string): Promise<RecordInputs | null> {
	const event = await getEvent(db, eventId);
	if (!event) return null;
	const closed = await db.selectFrom('events').select('closed_at').where('id', '=', eventId).executeTakeFirst();
	const [agencies, members, record, instructions, situationReports] = await Promise.all([
		listAgencies(db),
		listMembers(db, eventId),
		getRecord(db, eventId),
		listInstructions(db, eventId, { seeAll: true }, { limit: 100_000 }),
		issuedForRecord(db, eventId)
	]);
	const people: Record<string, string> = Object.fromEntries(members.map((m) => [m.userId, m.displayName]));

	// The activity log, oldest first, without the restricted document's rows. Read a page at a time, with a turn of
	// the event loop between pages: the embedded database runs a query on this thread (its promise settles without
	// one), and one query of 50,000 rows held everything else up for seconds.
	const rows: Awaited<ReturnType<typeof activityPage>> = [];
	for (let page = await activityPage(db, eventId, null); ; page = await activityPage(db, eventId, page.at(-1)!)) {
		rows.push(...page);
		if (page.length < ACTIVITY_PAGE) break;
		await new Promise<void>((resolve) => setImmediate(resolve));
	}
	const doneAt = new Map<string, string>();
	const escalatedAt = new Map<string, Set<string>>();
	const levelEdits = new Map<string, number>();
	const activity: RecordActivity[] = rows.map((r) => {
		const at = new Date(r.at).toISOString();
		const address = parseDocName(r.doc);
		if (r.entity_type === 'card' && r.field === 'status' && r.to_value === 'done') doneAt.set(r.entity_id, at);
		if (r.entity_type === 'dispute') {
			// The dispute command records each escalation as 'escalated' rows stamped with one time (a row for the
			// level and one for the agency; moving to another agency is a delete and a create in the log, so no
			// 'level' change is derived from it). Only a dispute never escalated that way counts level edits.
			if (r.action === 'escalated') {
				const times = escalatedAt.get(r.entity_id) ?? new Set<string>();
				escalatedAt.set(r.entity_id, times.add(at));
			} else if (r.field === 'level' && r.action === 'changed') levelEdits.set(r.entity_id, (levelEdits.get(r.entity_id) ?? 0) + 1);
		}
		return {
			at,
			agency: address?.kind === 'agency' ? address.agency : null,
			who: r.display_name ?? null,
			entityType: r.entity_type,
			entityId: r.entity_id,
			action: r.action,
			field: r.field,
			from: r.from_value,
			to: r.to_value
		};
	});

	const escalations = new Map<string, number>();
	for (const id of new Set([...escalatedAt.keys(), ...levelEdits.keys()])) escalations.set(id, escalatedAt.get(id)?.size || (levelEdits.get(id) ?? 0));

	const command = await services.readDocument(commandDocName(eventId));
	const base = readMapBase(command);
	const map: RecordMap | null = base
		? {
				planId: base.planId,
				basemap: base.basemap,
				width: base.width,
				height: base.height,
				zones: readZones(command).map((z) => ({ id: z.id, name: z.name, kind: z.kind, area: z.points.flat() })),
				posts: readPosts(command).flatMap((p) => {
					const place = postPlace(command, p.id);
					return place && !p.archived ? [{ id: p.id, name: p.name, geo: place.flat() }] : [];
				}),
				pins: []
			}
		: null;
	const mapOf = map;
	const cards: RecordCard[] = [];
	const shifts: RecordInputs['shifts'] = [];
	const disputes: RecordDispute[] = [];
	for (const a of agencies) {
		const doc = await services.readDocument(agencyDocName(eventId, a.code));
		for (const [id, map] of cardsOf(doc).entries()) {
			if (!(map instanceof Y.Map)) continue;
			const c = readCard(id, map);
			const pin = pinOf(map);
			if (pin && !c.archived) mapOf?.pins.push({ kind: 'card', id, agency: a.code, label: c.title, point: [...pin] });
			cards.push({
				id,
				agency: a.code,
				title: c.title,
				status: c.status,
				priority: c.priority,
				teamId: c.teamId,
				assignees: c.assignees,
				createdAt: c.createdAt,
				dueAt: c.dueAt,
				doneAt: c.status === 'done' ? (doneAt.get(id) ?? null) : null,
				requestedBy: c.requestedBy,
				archived: c.archived
			});
		}
		shifts.push(...readShifts(doc, a.code));
		disputes.push(...readDisputes(doc, a.code, escalations));
		for (const [id, entry] of doc.getMap('disputes').entries()) {
			if (!(entry instanceof Y.Map)) continue;
			const pin = pinOf(entry);
			if (pin) mapOf?.pins.push({ kind: 'dispute', id, agency: a.code, label: String(entry.get('summary') ?? ''), point: [...pin] });
		}
	}
	mapOf?.pins.sort((x, y) => x.kind.localeCompare(y.kind) || x.agency.localeCompare(y.agency) || x.id.localeCompare(y.id));
	cards.sort((x, y) => x.agency.localeCompare(y.agency) || (x.createdAt ?? '').localeCompare(y.createdAt ?? '') || x.id.localeCompare(y.id));
	shifts.sort((x, y) => x.startsAt.localeCompare(y.startsAt) || x.id.localeCompare(y.id));

	const { reports, attachments } = await collectReports(db, eventId, cards, disputes);
	const rollCalls = (await listRollCalls(db, eventId)).map(recordRollCall).sort((x, y) => x.startedAt.localeCompare(y.startedAt) || x.id.localeCompare(y.id));
	const routes = await patrolRoutes(db, readPosts(command), eventId);
	const patrol: RecordPatrol = {
		routes: routes.map((r) => ({ ...r, checkpoints: r.checkpoints.map((c) => ({ id: c.id, name: c.name, seq: c.seq })) })),
		scans: (await listScans(db, eventId)).map((s) => ({ checkpointId: s.checkpointId, by: s.userName, scannedAt: s.scannedAt, receivedAt: s.receivedAt }))
	};

	const iso = (d: Date) => d.toISOString();
	const closedAt = closed?.closed_at ? iso(new Date(closed.closed_at)) : null;
	return {
		event: {
			id: event.id,
			name: event.name,
			venue: event.venue,
			startsAt: iso(event.startsAt),
			endsAt: iso(event.endsAt),
			timezone: event.timezone,
			closedAt,
			checkinGraceMinutes: event.checkinGraceMinutes,
			drill: event.drill
		},
		agencies: agencies.map((a) => ({ code: a.code, nameZh: a.nameZh, nameEn: a.nameEn })),
		participants: members.map((m) => ({ name: m.displayName, role: m.role, agencyCode: m.agencyCode })),
		cards,
		posts: readPosts(command),
		periods: readPeriods(command),
		shifts,
		disputes,
		instructions: [...instructions]
			.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id))
			.map((i) => ({
				id: i.id,
				senderName: i.senderName,
				priority: i.priority,
				body: i.body,
				createdAt: i.createdAt,
				ackBy: i.ackBy,
				recipients: i.recipients.map((r) => ({ name: r.name, agencyCode: r.agencyCode, ackedAt: r.ackedAt }))
			})),
		activity,
		findings: record.findings,
		exercise: event.drill ? record.exercise : null,
		people,
		asOf: new Date(figuresMoment({ status: event.status, closedAt }, Date.now())).toISOString(),
		map,
		reports,
		attachments,
		rollCalls,
		patrol,
		situationReports,
		status: record.status,
		finalizedAt: record.finalizedAt?.toISOString() ?? null,
		finalizedBy: record.finalizedBy ? (people[record.finalizedBy] ?? record.finalizedBy) : null
	};
}

/**
 * The event's reports, oldest first, with people and the outcome's card by name, and the files the record lists.
 * Every reader of the record (reviewers, the commander) reads every report.
 */
async function collectReports(db: Kysely<DB>, eventId: string, cards: RecordCard[], disputes: RecordDispute[]): Promise<Pick<RecordInputs, 'reports' | 'attachments'>> {
	const rows = (await listReports(db, eventId)).sort((a, b) => a.receivedAt.localeCompare(b.receivedAt) || a.id.localeCompare(b.id));
	const links = await namedLinks(db, eventId, { cards, disputes, reports: rows.map((r) => ({ id: r.id, text: r.body })) });
	const attachments = recordLinks(links);
	const cardTitle = new Map(cards.map((c) => [`${c.agency}/${c.id}`, c.title]));
	const reports: RecordReport[] = rows.map((r) => ({
		id: r.id,
		kind: r.kind,
		state: r.state,
		text: r.body,
		level: r.level,
		headCount: r.headCount,
		reporterName: r.reporterName,
		reporterAgency: r.reporterAgency,
		reportedAt: r.reportedAt,
		receivedAt: r.receivedAt,
		triagedAt: r.triagedAt,
		triagedBy: r.triagedByName,
		cardTitle: r.cardId ? (cardTitle.get(`${r.cardAgency}/${r.cardId}`) ?? null) : null,
		cardAgency: r.cardAgency,
		cardId: r.cardId,
		duplicateOf: r.duplicateOf,
		reason: r.reason,
		pin: r.pin ? [...r.pin] : null,
		photos: attachments.filter((a) => a.target === 'report' && a.targetId === r.id).map((a) => a.sha256)
	}));
	return { reports, attachments };
}

/** How many activity rows an event has (to size progress). */
export async function activityCount(db: Kysely<DB>, eventId: string): Promise<number> {
	const r = await db.selectFrom('activity').select(sql<string>`count(*)`.as('n')).where('event_id', '=', eventId).executeTakeFirstOrThrow();
	return Number(r.n);
}
