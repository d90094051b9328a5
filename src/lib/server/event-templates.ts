/**
 * Templates on the server: an event's setup read out of its row, memberships and documents
 * (`readEventSetup`), and a new event made from a template (`createEventFromTemplate`) — its row, memberships, plan
 * image and documents written in one transaction through the sync hub's server write, so that a refusal or a
 * failure leaves nothing of the new event behind. A copy of an event is a template built and used at once.
 */
import type { Kysely } from 'kysely';
import * as Y from 'yjs';
import type { DB } from './db/schema.ts';
import type { AppServices, DocWrite } from './services.ts';
import { agencyDocName, commandDocName } from '../domain/documents.ts';
import { readPeriods, readPosts, readShifts, toZoneIso } from '../domain/roster.ts';
import { addShift, savePeriod, savePost } from '../domain/roster-write.ts';
import { addCard, cardsOf, readCard } from '../domain/board.ts';
import { addZone, readMapBase, readZones, setMapBase } from '../domain/venue-map.ts';
import { flatten } from '../domain/geometry.ts';
import { newId } from '../domain/ids.ts';
import { SCHEMA_VERSION } from '../domain/doc-schema.ts';
import { roleNeedsAgency } from '../domain/roles.ts';
import type { EventInput } from '../domain/validation.ts';
import { canonicalJson } from '../domain/after-action.ts';
import {
	buildTemplate,
	parseTemplateText,
	pickParts,
	retimeTemplate,
	type EventSetup,
	type EventTemplate,
	type TemplateError,
	type TemplatePart
} from '../domain/event-template.ts';
import { getTemplateRow, insertTemplate } from './repositories/template.repository.ts';
import { getEvent, listMembers } from './repositories/event.repository.ts';
import { listAgencies } from './repositories/agency.repository.ts';
import { listTeams } from './repositories/team.repository.ts';

/** What making an event from a template needs of the app's services (the CLI brings its own hub). */
export type TemplateDeps = Pick<AppServices, 'db' | 'readDocument' | 'writeDocuments'>;

const num = (v: unknown): number[] | null => (Array.isArray(v) && v.every((x) => typeof x === 'number') ? (v as number[]) : null);

/** An event's setup as it stands; null when there is no such event. */
export async function readEventSetup(deps: Pick<TemplateDeps, 'db' | 'readDocument'>, eventId: string): Promise<EventSetup | null> {
	const event = await getEvent(deps.db, eventId);
	if (!event) return null;
	const members = await listMembers(deps.db, eventId);
	const command = await deps.readDocument(commandDocName(eventId));
	const postsRoot = command.getMap('posts');
	const posts = readPosts(command).map((p) => {
		const m = postsRoot.get(p.id);
		return { ...p, geo: m instanceof Y.Map ? num(m.get('geo')) : null };
	});
	const base = readMapBase(command);
	const agencies = await listAgencies(deps.db);
	const shifts: EventSetup['shifts'] = [];
	const cards: EventSetup['cards'] = [];
	for (const a of agencies) {
		const doc = await deps.readDocument(agencyDocName(eventId, a.code));
		for (const s of readShifts(doc, a.code)) {
			shifts.push({ agency: a.code, postId: s.postId, periodId: s.periodId, startsAt: s.startsAt, endsAt: s.endsAt, notes: s.notes, people: s.people.map((p) => ({ userId: p.userId, role: p.role })) });
		}
		for (const [id, m] of cardsOf(doc).entries()) {
			if (!(m instanceof Y.Map)) continue;
			const c = readCard(id, m);
			cards.push({ agency: c.agency, docAgency: a.code, title: c.title, notes: c.notes, priority: c.priority, teamId: c.teamId, location: c.location, dueAt: c.dueAt, archived: c.archived, checklist: c.checklist });
		}
	}
	const userIds = [...new Set(shifts.flatMap((s) => s.people.map((p) => p.userId)).filter((x): x is string => !!x))];
	const users = userIds.length ? await deps.db.selectFrom('users').select(['id', 'username']).where('id', 'in', userIds).execute() : [];
	const teams = await listTeams(deps.db);
	return {
		event: { name: event.name, venue: event.venue, startsAt: event.startsAt, endsAt: event.endsAt, timezone: event.timezone, checkinGraceMinutes: event.checkinGraceMinutes, locale: event.locale },
		members: members.map((m) => ({ username: m.username, role: m.role, agencyCode: m.agencyCode })),
		usernames: new Map(users.map((u) => [u.id, u.username])),
		teamNames: new Map(teams.map((t) => [t.id, t.name])),
		posts,
		zones: readZones(command).map((z) => ({ id: z.id, name: z.name, kind: z.kind, area: flatten(z.points), notes: z.notes })),
		plan: base?.planId ? { planId: base.planId, width: base.width, height: base.height, controls: num(command.getMap('map').get('controls')), basemap: base.basemap } : null,
		periods: readPeriods(command),
		shifts,
		cards
	};
}

/** What a new event came from: an event (a copy) or a saved template. */
export interface Lineage {
	basedOn: string | null;
	templateName: string | null;
	templateVersion: number | null;
}

export interface CreatedFromTemplate {
	eventId: string;
	members: number;
	posts: number;
	shifts: number;
	cards: number;
	/** Usernames in the template with no account here (or whose agency is unknown here): left out. */
	missingUsers: string[];
	dropped: { shifts: number; periods: number };
	clipped: { shifts: number; periods: number; cards: number };
	/** The plan image was not found in this installation (a template file carries its reference, not the image). */
	planMissing: boolean;
}

/**
 * Creates an event from a (checked) template with the parts chosen, re-timed to the new dates. The event's row,
 * memberships, plan image and every document are written in one transaction; a refusal of any document write
 * leaves no trace (no row, no document, no membership).
 */
export async function createEventFromTemplate(
	deps: TemplateDeps,
	source: EventTemplate,
	input: EventInput,
	parts: ReadonlySet<TemplatePart>,
	byUserId: string | null,
	lineage: Lineage
): Promise<CreatedFromTemplate> {
	const { db } = deps;
	const t = pickParts(source, parts);
	const tz = input.timezone;
	const settings = parts.has('settings') ? t.settings : { checkinGraceMinutes: input.checkinGraceMinutes, locale: input.locale };
	const retimed = retimeTemplate(t, input.startsAt, input.endsAt, tz);
	const eventId = newId();

	const agencies = new Set((await listAgencies(db)).map((a) => a.code));
	const usernames = [...new Set([...t.members.map((m) => m.username), ...retimed.shifts.flatMap((s) => s.people.map((p) => p.username))])];
	const users = usernames.length
		? await db.selectFrom('users').select(['id', 'username', 'display_name']).where('username', 'in', usernames).where('disabled_at', 'is', null).execute()
		: [];
	const byUsername = new Map(users.map((u) => [u.username, u]));
	const missing = new Set(usernames.filter((u) => !byUsername.has(u)));
	const members = t.members.flatMap((m) => {
		const u = byUsername.get(m.username);
		if (!u) return [];
		const agency = m.agency && agencies.has(m.agency) ? m.agency : null;
		if (roleNeedsAgency(m.role) && !agency) {
			missing.add(m.username);
			return [];
		}
		return [{ event_id: eventId, user_id: u.id, role: m.role, agency_code: m.role === 'reviewer' || m.role === 'observer' ? null : agency }];
	});
	const teams = await listTeams(db);
	const teamId = (agency: string, name: string | null) => (name ? (teams.find((x) => x.agencyCode === agency && x.name === name)?.id ?? null) : null);

	let planMissing = false;
	let planFrom: string | null = null;
	if (t.plan) {
		const row = await db.selectFrom('attachments').select('event_id').where('id', '=', t.plan.planId).where('kind', '=', 'plan').executeTakeFirst();
		planFrom = row?.event_id ?? null;
		planMissing = !row;
	}

	// New ids for everything; the template's keys are only its own cross-references.
	const postIds = new Map(t.posts.map((p) => [p.key, newId()]));
	const periodIds = new Map(retimed.periods.map((p) => [p.key, newId()]));
	const iso = (d: Date) => toZoneIso(d, tz);
	const now = iso(new Date());

	const writes: DocWrite[] = [
		{
			doc: commandDocName(eventId),
			quiet: true,
			change: (doc) => {
				const meta = doc.getMap('meta');
				meta.set('schema', SCHEMA_VERSION);
				meta.set('name', input.name);
				meta.set('venue', input.venue);
				meta.set('startsAt', input.startsAt.toISOString().replace('Z', '+00:00'));
				meta.set('endsAt', input.endsAt.toISOString().replace('Z', '+00:00'));
				meta.set('timezone', tz);
				meta.set('status', 'planning');
				for (const p of t.posts) {
					const id = postIds.get(p.key)!;
					savePost(doc, id, { name: p.name, kind: p.kind, agency: p.agency && agencies.has(p.agency) ? p.agency : null, location: p.location, minStaff: p.minStaff, notes: p.notes });
					if (p.geo && t.plan && !planMissing) (doc.getMap('posts').get(id) as Y.Map<unknown>).set('geo', p.geo);
				}
				for (const p of retimed.periods) savePeriod(doc, periodIds.get(p.key)!, { name: p.name, startsAt: iso(p.startsAt), endsAt: iso(p.endsAt) });
				if (t.plan && !planMissing) {
					setMapBase(doc, {
						planId: t.plan.planId,
						width: t.plan.width,
						height: t.plan.height,
						...(t.plan.controls ? { controls: t.plan.controls } : {}),
						...(t.plan.basemap ? { basemap: t.plan.basemap } : {})
					});
					for (const z of t.zones) addZone(doc, newId(), { name: z.name, kind: z.kind, area: z.area });
				}
			}
		}
	];
	let shiftCount = 0;
	let cardCount = 0;
	for (const agency of agencies) {
		const shifts = retimed.shifts.filter((s) => s.agency === agency && postIds.has(s.post));
		const cards = retimed.cards.filter((c) => c.agency === agency);
		if (!shifts.length && !cards.length) continue;
		shiftCount += shifts.length;
		cardCount += cards.length;
		writes.push({
			doc: agencyDocName(eventId, agency),
			quiet: true,
			change: (doc) => {
				for (const s of shifts) {
					const people = s.people.flatMap((p, i) => {
						const u = byUsername.get(p.username);
						return u ? [{ id: `p${i + 1}`, userId: u.id, name: u.display_name.slice(0, 40), role: p.role }] : [];
					});
					addShift(doc, { id: newId(), postId: postIds.get(s.post)!, periodId: s.period ? (periodIds.get(s.period) ?? null) : null, startsAt: iso(s.startsAt), endsAt: iso(s.endsAt), notes: s.notes, people });
				}
				cards.forEach((c, i) =>
					addCard(doc, newId(), {
						title: c.title,
						notes: c.notes,
						status: 'todo',
						priority: c.priority,
						agency,
						teamId: teamId(agency, c.team),
						location: c.location,
						dueAt: c.dueAt ? iso(c.dueAt) : null,
						checklist: c.checklist.map((text) => ({ id: newId(8), text, done: false })),
						createdBy: byUserId,
						createdAt: now,
						order: i
					})
				);
			}
		});
	}

	await deps.writeDocuments(
		byUserId,
		writes,
		async (tx) => {
			if (members.length) await tx.insertInto('event_members').values(members).execute();
		},
		async (tx) => {
			await tx
				.insertInto('events')
				.values({
					id: eventId,
					name: input.name,
					venue: input.venue,
					starts_at: input.startsAt,
					ends_at: input.endsAt,
					timezone: tz,
					checkin_grace_minutes: settings.checkinGraceMinutes,
					locale: settings.locale,
					created_by: byUserId,
					drill: input.drill ?? false,
					// "Last time" as the form chose it, else the event copied from.
					based_on: input.basedOn || lineage.basedOn,
					template_name: lineage.templateName,
					template_version: lineage.templateVersion
				})
				.execute();
			if (t.plan && planFrom) {
				// The plan's bytes are the same file (content-addressed); the new event gets its own row of it.
				const plan = await tx
					.selectFrom('attachments')
					.select(['id', 'kind', 'mime', 'width', 'height', 'bytes', 'thumbnail', 'size'])
					.where('event_id', '=', planFrom)
					.where('id', '=', t.plan.planId)
					.executeTakeFirstOrThrow();
				await tx.insertInto('attachments').values({ ...plan, event_id: eventId, created_by: byUserId }).execute();
			}
		}
	);
	return {
		eventId,
		members: members.length,
		posts: t.posts.length,
		shifts: shiftCount,
		cards: cardCount,
		missingUsers: [...missing].sort(),
		dropped: retimed.dropped,
		clipped: retimed.clipped,
		planMissing
	};
}

/** Copies an event: its template, taken now, used at once (nothing is saved as a template). */
export async function copyEvent(
	deps: TemplateDeps,
	fromEventId: string,
	input: EventInput,
	parts: ReadonlySet<TemplatePart>,
	byUserId: string | null
): Promise<CreatedFromTemplate | null> {
	const setup = await readEventSetup(deps, fromEventId);
	if (!setup) return null;
	const template = buildTemplate(setup, setup.event.name.slice(0, 80));
	return createEventFromTemplate(deps, template, input, parts, byUserId, { basedOn: fromEventId, templateName: null, templateVersion: null });
}

/** Saves an event's setup as the next version of a named template; null when there is no such event. */
export async function saveEventAsTemplate(
	deps: Pick<TemplateDeps, 'db' | 'readDocument'>,
	eventId: string,
	name: string,
	byUserId: string | null
): Promise<{ id: string; version: number } | null> {
	const setup = await readEventSetup(deps, eventId);
	if (!setup) return null;
	const template = buildTemplate(setup, name);
	return insertTemplate(deps.db, name, (version) => canonicalJson({ ...template, version }), byUserId);
}

/** Imports a template file: checked whole first; saved as the next version of its name only when nothing is wrong. */
export async function importTemplate(db: Kysely<DB>, text: string, byUserId: string | null): Promise<{ ok: false; errors: TemplateError[] } | { ok: true; id: string; name: string; version: number }> {
	const checked = parseTemplateText(text);
	if (!checked.ok) return checked;
	const t = checked.template;
	const saved = await insertTemplate(db, t.name, (version) => canonicalJson({ ...t, version }), byUserId);
	return { ok: true, id: saved.id, name: t.name, version: saved.version };
}

/** A saved template, read and checked again (a stored body is evidence too); null when there is none. */
export async function loadTemplate(db: Kysely<DB>, id: string): Promise<EventTemplate | null> {
	const row = await getTemplateRow(db, id);
	if (!row) return null;
	const checked = parseTemplateText(row.body);
	return checked.ok ? { ...checked.template, version: row.version } : null;
}
