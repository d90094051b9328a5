/**
 * Issue 9: fuzzing of the form actions and the JSON API. Every form action of the app (the list comes from
 * src/routes, so a new one is taken in by itself) gets valid fields with one broken, hostile fields, repeated and
 * polluting keys, bodies in the wrong encoding or content type and invalid UTF-8, posted as the page's own
 * enhanced form and as a plain form, by the person the page is for, by others and anonymously. The API gets
 * hostile JSON bodies, and every GET endpoint hostile query values and path parameters. Field reports, uploads and
 * stored files have a ledger of their own (tests/helpers/fuzz-reports.ts), whose answers are also held to what the
 * domain's checks say they must be.
 *
 * No answer may be a 5xx or show a stack; the process stays up; nothing invalid is stored, and nothing a refused
 * request carried. The event's close and finalize actions are sent without their confirmation (anything else in
 * the confirm field is refused), so the board stays open for the rest of the run.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.ts';
import { HttpClient } from '../helpers/http.ts';
import { signIn } from '../helpers/accounts.ts';
import { DEMO_EVENT, DEMO_PASSWORD } from '../helpers/live.ts';
import { createEventAsAdmin, createUserAsAdmin } from '../helpers/admin-forms.ts';
import { formActionRoutes } from '../helpers/form-actions.ts';
import { SITREP_SECTIONS } from '../../src/lib/domain/sitrep.ts';
import { caseIndexes, caseRandom, chance, FuzzLedger, fuzzConfig, hostileString, hostileValue, mutateFields, mutatePayload, pickOf, tagOf, type Rnd } from '../helpers/fuzz.ts';
import { checkLiveDocuments, checkStoredData, leaksInternals, runInBatches } from '../helpers/fuzz-storage.ts';
import { ReportFuzzer } from '../helpers/fuzz-report-case.ts';
import { runReportCase } from '../helpers/fuzz-reports.ts';
import { agencyDocName, commandDocName, restrictedDocName } from '../../src/lib/domain/documents.ts';
import { SEED_AGENCIES } from '../../src/lib/domain/roles.ts';

const config = fuzzConfig();
const FORM_CASES = caseIndexes(config, 2500);
const API_CASES = caseIndexes(config, 1500);
const REPORT_CASES = caseIndexes(config, 150);
const BATCH = 250;
const AGENCIES = SEED_AGENCIES.map((a) => a.code);
const ACTORS = ['admin', 'commander', 'reviewer', 'lead.station', 'member.station', 'lead.cid'] as const;
type ActorKey = (typeof ACTORS)[number] | 'anonymous';

interface FormTarget {
	/** The route as form-actions.ts lists it. */
	route: string;
	/** The person the page is for. */
	owner: ActorKey;
	fields: (rnd: Rnd, tag: string) => Record<string, string>;
}

/** A small valid template file: two posts, a period, a shift with a person, a card with a checklist. */
const templateOf = (tag: string) => ({
	kind: 'liandong.event-template',
	format: 1,
	name: `模板 ${tag}`,
	version: 1,
	source: { name: '2026古城灯会开幕周安保', startsAt: '2026-02-12T00:00:00.000Z', endsAt: '2026-02-13T00:00:00.000Z', timezone: 'Asia/Shanghai' },
	durationMinutes: 1440,
	settings: { venue: '古城', checkinGraceMinutes: 10, locale: 'zh-CN' },
	members: [{ username: 'commander', role: 'commander', agency: null }, { username: 'lead.station', role: 'lead', agency: 'station' }],
	posts: [{ key: 'gate', name: `南门 ${tag}`, kind: 'post', agency: 'station', location: null, minStaff: 3, notes: null, geo: [10, 20] }, { key: 'line', name: '东街巡逻线', kind: 'patrol', agency: 'patrol', location: null, minStaff: 2, notes: null, geo: null }],
	zones: [],
	plan: null,
	periods: [{ key: 'day', name: '白班', start: 0, end: 720 }],
	shifts: [{ agency: 'station', post: 'gate', period: 'day', start: 0, end: 480, notes: null, people: [{ username: 'member.station', role: '队员' }] }],
	cards: [{ agency: 'station', title: `南门安检 ${tag}`, notes: '', priority: 'urgent', team: null, location: null, due: 60, checklist: ['安检门到位'] }]
});

/** A template file, mostly broken: JSON cut short, a part of the wrong type, a row with one field hostile, huge. */
function templateFileOf(rnd: Rnd, tag: string): string {
	const t = templateOf(tag) as unknown as Record<string, unknown>;
	const roll = rnd();
	if (roll < 0.25) return JSON.stringify(t);
	if (roll < 0.45) return JSON.stringify(mutatePayload(rnd, t as Record<string, never>, tag));
	if (roll < 0.7) {
		const part = pickOf(rnd, ['members', 'posts', 'periods', 'shifts', 'cards'] as const);
		const rows = t[part] as Array<Record<string, never>>;
		return JSON.stringify({ ...t, [part]: [mutatePayload(rnd, rows[0], tag), ...rows.slice(1)] });
	}
	if (roll < 0.8) return JSON.stringify(t).slice(0, Math.floor(rnd() * 400));
	if (roll < 0.86) return JSON.stringify({ ...t, cards: Array.from({ length: 2_001 }, () => (t.cards as unknown[])[0]) });
	if (roll < 0.9) return JSON.stringify({ ...t, name: `${tag}${'长'.repeat(1_000_000)}` });
	if (roll < 0.95) return `${'['.repeat(5000)}${tag}`;
	return JSON.stringify({ ...t, format: pickOf(rnd, [2, 0, -1, 1.5, '1', null]) });
}

const event = (tag: string) => ({
	name: `活动 ${tag}`,
	venue: `会场 ${tag}`,
	startsAt: '2027-01-01T08:00',
	endsAt: '2027-01-02T08:00',
	timezone: 'Asia/Shanghai',
	checkinGraceMinutes: '10'
});

describe('fuzzing the form actions and the JSON API', () => {
	let server: TestServer;
	let pid: number;
	const clients = new Map<ActorKey, HttpClient>();
	let victimId = '';
	let fuzzEventId = '';
	let templateId = '';
	const forms = new FuzzLedger('form actions', 'f', config.seed);
	const api = new FuzzLedger('JSON API', 'a', config.seed);
	let reports: ReportFuzzer;

	/** What each form action is sent when valid, and by whom. Ids point at objects made for the run. */
	function targets(): Record<string, FormTarget> {
		const t: Record<string, FormTarget> = {
			'/login': { route: '/login', owner: 'anonymous', fields: (_r, tag) => ({ username: `member.traffic${tag}`, password: DEMO_PASSWORD }) },
			'/logout': { route: '/logout', owner: 'anonymous', fields: () => ({}) },
			'/setup': { route: '/setup', owner: 'anonymous', fields: (_r, tag) => ({ username: tag, displayName: tag, password: 'setup-password-1' }) },
			'/language': { route: '/language', owner: 'anonymous', fields: (r) => ({ locale: pickOf(r, ['en', 'zh-CN']), redirectTo: '/' }) },
			'/admin/agencies?/create': { route: '/admin/agencies?/create', owner: 'admin', fields: (_r, tag) => ({ code: tag, nameZh: `单位 ${tag}`, nameEn: `Unit ${tag}`, color: '#336699' }) },
			'/admin/agencies/[code]': { route: '/admin/agencies/patrol', owner: 'admin', fields: (_r, tag) => ({ nameZh: `社区巡防 ${tag}`, nameEn: `Patrol ${tag}`, color: '#2e7d32' }) },
			'/admin/teams?/create': { route: '/admin/teams?/create', owner: 'admin', fields: (_r, tag) => ({ agencyCode: 'station', level: 'brigade', name: `大队 ${tag}`, parentId: '' }) },
			'/admin/teams?/rename': { route: '/admin/teams?/rename', owner: 'admin', fields: (_r, tag) => ({ teamId: 'demo-station', name: `派出所 ${tag}` }) },
			'/admin/users/new': { route: '/admin/users/new', owner: 'admin', fields: (_r, tag) => ({ username: tag, displayName: `用户${tag}`, password: 'fuzz-password-1', agencyCode: 'station' }) },
			'/admin/users/[id]?/save': { route: `/admin/users/${victimId}?/save`, owner: 'admin', fields: (_r, tag) => ({ username: 'fuzz.victim', displayName: `受试${tag}`, agencyCode: 'station', teamId: '', phone: '138 0000 0000' }) },
			'/admin/users/[id]?/disable': { route: `/admin/users/${victimId}?/disable`, owner: 'admin', fields: () => ({}) },
			'/admin/users/[id]?/enable': { route: `/admin/users/${victimId}?/enable`, owner: 'admin', fields: () => ({}) },
			'/admin/users/[id]?/resetPassword': { route: `/admin/users/${victimId}?/resetPassword`, owner: 'admin', fields: (_r, tag) => ({ password: `pw-${tag}` }) },
			'/admin/events/new': {
				route: '/admin/events/new',
				owner: 'admin',
				// Blank, a copy of the demo or an event from a saved template (some parts, or an id that is none).
				fields: (r, tag) => {
					const source = pickOf(r, ['blank', 'blank', 'event', 'template']);
					if (source === 'blank') return event(tag);
					return { ...event(tag), source, sourceId: source === 'event' ? pickOf(r, [DEMO_EVENT, 'no-such-event']) : templateId || 'no-such-template', parts: pickOf(r, ['members', 'shifts', 'cards', 'posts']) };
				}
			},
			'/admin/templates?/save': { route: '/admin/templates?/save', owner: 'admin', fields: (r, tag) => ({ eventId: pickOf(r, [DEMO_EVENT, fuzzEventId, 'no-such-event']), name: `模板 ${tag}` }) },
			'/admin/templates?/import': { route: '/admin/templates?/import', owner: 'admin', fields: (r, tag) => ({ file: templateFileOf(r, tag) }) },
			'/admin/events/[id]/edit': { route: `/admin/events/${fuzzEventId}/edit`, owner: 'admin', fields: (_r, tag) => event(tag) },
			'/admin/events/[id]?/activate': { route: `/admin/events/${fuzzEventId}?/activate`, owner: 'admin', fields: () => ({}) },
			'/admin/events/[id]?/addMember': { route: `/admin/events/${fuzzEventId}?/addMember`, owner: 'admin', fields: (r) => ({ userId: victimId, role: pickOf(r, ['member', 'lead', 'observer']), agencyCode: 'station' }) },
			'/admin/events/[id]?/setMember': { route: `/admin/events/${fuzzEventId}?/setMember`, owner: 'admin', fields: (r) => ({ userId: victimId, role: pickOf(r, ['member', 'reviewer']), agencyCode: 'traffic' }) },
			'/admin/events/[id]?/removeMember': { route: `/admin/events/${fuzzEventId}?/removeMember`, owner: 'admin', fields: () => ({ userId: victimId }) },
			'/admin/events/[id]?/bulkCheck': { route: `/admin/events/${fuzzEventId}?/bulkCheck`, owner: 'admin', fields: (r) => ({ text: memberListOf(r) }) },
			'/admin/events/[id]?/bulkAdd': { route: `/admin/events/${fuzzEventId}?/bulkAdd`, owner: 'admin', fields: (r) => ({ text: memberListOf(r) }) },
			'/admin/events/[id]?/createToken': { route: `/admin/events/${fuzzEventId}?/createToken`, owner: 'admin', fields: (_r, tag) => ({ name: `大屏 ${tag}` }) },
			'/admin/events/[id]?/revokeToken': { route: `/admin/events/${fuzzEventId}?/revokeToken`, owner: 'admin', fields: () => ({ tokenId: 'a'.repeat(64) }) },
			'/events/[id]/displays?/create': { route: `/events/${DEMO_EVENT}/displays?/create`, owner: 'commander', fields: (_r, tag) => ({ name: `指挥大屏 ${tag}` }) },
			'/events/[id]/displays?/revoke': { route: `/events/${DEMO_EVENT}/displays?/revoke`, owner: 'commander', fields: () => ({ id: 'b'.repeat(64) }) },
			'/events/[id]/review?/close': { route: `/events/${DEMO_EVENT}/review?/close`, owner: 'commander', fields: () => ({ confirm: 'no' }) },
			'/events/[id]/review?/finalize': { route: `/events/${DEMO_EVENT}/review?/finalize`, owner: 'reviewer', fields: () => ({ confirm: 'no' }) },
			'/events/[id]/review?/saveFindings': {
				route: `/events/${DEMO_EVENT}/review?/saveFindings`,
				owner: 'reviewer',
				fields: (r, tag) => ({ findings: JSON.stringify(findingsOf(r, tag)) })
			},
			// The demo event is no drill: every evaluation is refused (409) after its checks, which still see every shape.
			'/events/[id]/review?/saveExercise': {
				route: `/events/${DEMO_EVENT}/review?/saveExercise`,
				owner: 'reviewer',
				fields: (r, tag) => ({
					exercise: JSON.stringify({
						objectives: [{ id: `o${tag}`.slice(0, 60), text: `目标 ${tag}`, capabilities: [{ id: 'c1', name: `能力 ${tag}`, rating: pickOf(r, ['P', 'S', 'M', 'U', '', 'X']) }], strengths: [tag], improvements: [] }]
					})
				})
			},
			// CSV imports have their own fuzzer (csv-imports.test.ts); here they get form-level breakage only.
			'/events/[id]/disputes/import': { route: `/events/${DEMO_EVENT}/disputes/import`, owner: 'commander', fields: () => ({ file: '' }) },
			'/events/[id]/roster/csv?/import': { route: `/events/${DEMO_EVENT}/roster/csv?/import`, owner: 'commander', fields: () => ({ agency: 'station', file: '' }) },
			'/events/[id]/roster/csv?/importPosts': { route: `/events/${DEMO_EVENT}/roster/csv?/importPosts`, owner: 'commander', fields: () => ({ file: '' }) },
			'/events/[id]/roster/csv?/importPeriods': { route: `/events/${DEMO_EVENT}/roster/csv?/importPeriods`, owner: 'commander', fields: () => ({ file: '' }) },
			// The venue plan: anything that is not an image must be refused by name, the process never hurt.
			'/events/[id]/map?/controls': { route: `/events/${DEMO_EVENT}/map?/controls`, owner: 'commander', fields: (r) => ({ controls: pickOf(r, ['0, 0, 108.94, 34.26\n1000, 0, 108.95, 34.26\n0, 800, 108.94, 34.25', '1, 2, 3, 4', '']) }) },
			// The basemap: the demo's file, none, names that try to leave the folder or name no file.
			'/events/[id]/map?/basemap': { route: `/events/${DEMO_EVENT}/map?/basemap`, owner: 'commander', fields: (r, tag) => ({ basemap: pickOf(r, ['demo-lantern', '', '../demo-lantern', 'demo-lantern.pmtiles', tag]) }) },
			'/events/[id]/map?/plan': { route: `/events/${DEMO_EVENT}/map?/plan`, owner: 'commander', fields: (r, tag) => ({ plan: pickOf(r, ['', tag, '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', '\x89PNG\r\n\x1a\n' + tag]) }) },
			// Patrol routes: the demo's patrol line, a route of another agency's lead, and ids that are no route.
			// Playbooks (预案): the commander's own, valid as a base (the fuzzer breaks one field at a time); ids that are no playbook.
			'/events/[id]/playbooks?/create': {
				route: `/events/${DEMO_EVENT}/playbooks?/create`,
				owner: 'commander',
				fields: (r, tag) => ({
					name: `预案 ${tag}`.slice(0, 40),
					'cards.0.agency': pickOf(r, ['station', 'traffic']),
					'cards.0.title': `处置 ${tag}`,
					'cards.0.priority': pickOf(r, ['urgent', 'critical']),
					'cards.0.dueMinutes': pickOf(r, ['15', '0']),
					'cards.0.checklist': pickOf(r, ['', '核实情况\n通报指挥部']),
					'cards.1.agency': 'cid',
					'cards.1.title': `研判 ${tag}`,
					'cards.1.priority': 'routine',
					'cards.1.dueMinutes': '30'
				})
			},
			'/events/[id]/playbooks?/update': {
				route: `/events/${DEMO_EVENT}/playbooks?/update`,
				owner: 'commander',
				fields: (r, tag) => ({ id: pickOf(r, ['no-such-playbook', 'builtin-fire', '../x']), name: `预案 ${tag}`.slice(0, 40), 'cards.0.agency': 'station', 'cards.0.title': `处置 ${tag}`, 'cards.0.priority': 'urgent', 'cards.0.dueMinutes': '10' })
			},
			'/events/[id]/playbooks?/delete': { route: `/events/${DEMO_EVENT}/playbooks?/delete`, owner: 'commander', fields: (r) => ({ id: pickOf(r, ['no-such-playbook', 'builtin-fire', 'p'.repeat(65)]) }) },
			'/events/[id]/patrol?/add': {
				route: `/events/${DEMO_EVENT}/patrol?/add`,
				owner: 'commander',
				fields: (r, tag) => ({ postId: pickOf(r, ['demo-post-east-patrol', 'demo-post-east-patrol', 'no-such-post']), name: `巡更点 ${tag}`, point: pickOf(r, ['', '120,80', '1e9,2', 'x,y']) })
			},
			'/events/[id]/patrol?/interval': {
				route: `/events/${DEMO_EVENT}/patrol?/interval`,
				owner: 'commander',
				fields: (r) => ({ postId: 'demo-post-east-patrol', minutes: pickOf(r, ['60', '30', '5', '100000', '12.5']) })
			},
			// Situation reports: drafts made and scheduled for real; the edits go to a report id that does not exist.
			'/events/[id]/sitreps?/create': { route: `/events/${DEMO_EVENT}/sitreps?/create`, owner: 'commander', fields: (r) => ({ periodId: pickOf(r, ['', 'no-such-period']) }) },
			'/events/[id]/sitreps?/schedule': {
				route: `/events/${DEMO_EVENT}/sitreps?/schedule`,
				owner: 'commander',
				fields: (r) => ({ times: pickOf(r, ['18:00', '08:00, 18:00', '25:61', '']), periodEnds: pickOf(r, ['on', '']) })
			},
			'/events/[id]/sitreps/[reportId]?/save': {
				route: `/events/${DEMO_EVENT}/sitreps/no-such-report?/save`,
				owner: 'commander',
				fields: (_r, tag) => Object.fromEntries(SITREP_SECTIONS.map((k) => [k, `${k} ${tag}`]))
			},
			'/events/[id]/sitreps/[reportId]?/refresh': { route: `/events/${DEMO_EVENT}/sitreps/no-such-report?/refresh`, owner: 'commander', fields: () => ({}) },
			'/events/[id]/sitreps/[reportId]?/issue': { route: `/events/${DEMO_EVENT}/sitreps/no-such-report?/issue`, owner: 'commander', fields: (r) => ({ ackMinutes: pickOf(r, ['15', '0', 'x']) }) },
			'/events/[id]/sitreps/[reportId]?/discard': { route: `/events/${DEMO_EVENT}/sitreps/no-such-report?/discard`, owner: 'commander', fields: () => ({}) },
			'/events/[id]/patrol?/remove': {
				route: `/events/${DEMO_EVENT}/patrol?/remove`,
				owner: 'commander',
				fields: (r) => ({ postId: 'demo-post-east-patrol', checkpointId: pickOf(r, ['no-such-checkpoint', 'c'.repeat(64)]) })
			}
		};
		return t;
	}

	/** A member list for the run's own event: the victim and demo people, now and then a row that is wrong. */
	function memberListOf(rnd: Rnd): string {
		const rows = [pickOf(rnd, ['username,role,agency', '用户名,角色,警种', '']), `fuzz.victim,${pickOf(rnd, ['member', '队员', 'lead'])},${pickOf(rnd, ['station', '派出所', 'traffic'])}`];
		if (chance(rnd, 0.5)) rows.push(`reviewer,${pickOf(rnd, ['reviewer', '复盘人员', 'captain'])},`);
		return rows.filter(Boolean).join(pickOf(rnd, ['\n', '\r\n']));
	}

	/** Valid findings, sometimes with one part broken (the action reads JSON from a form field). */
	function findingsOf(rnd: Rnd, tag: string): unknown {
		const valid = {
			strengths: [{ id: 's1', text: `南门疏导及时 ${tag}` }],
			improvements: [{ id: 'i1', area: `通信 ${tag}`, observation: '对讲机信号弱', rootCause: '中继站不足' }],
			plan: [{ id: 'p1', improvementId: 'i1', action: '增设中继', agency: 'station', contact: '刘卫东', dueDate: '2026-03-01' }]
		};
		if (chance(rnd, 0.4)) return valid;
		const part = pickOf(rnd, ['strengths', 'improvements', 'plan'] as const);
		return { ...valid, [part]: [mutatePayload(rnd, valid[part][0] as Record<string, unknown>, tag)] };
	}

	function encodeQuery(value: string): string {
		try {
			return encodeURIComponent(value);
		} catch {
			// Lone surrogates: sent as the bytes a careless client would send.
			return [...new TextEncoder().encode(value)].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
		}
	}

	/** A 5xx or a stack in the body is a failure; returns the body for the caller. */
	async function judgeHttp(ledger: FuzzLedger, index: number, what: string, res: Response, input: unknown): Promise<string> {
		const body = await res.text().catch(() => '');
		if (res.status >= 500) ledger.fail(index, `${what} answered ${res.status}: ${body.slice(0, 300)}`, input);
		else if (leaksInternals(body)) ledger.fail(index, `${what} shows internals in its answer: ${body.slice(0, 300)}`, input);
		return body;
	}

	function bodyOf(rnd: Rnd, entries: Array<[string, string]>, fileField: boolean): { body: BodyInit; headers: Record<string, string>; encoding: string } {
		const roll = rnd();
		if (fileField || roll < 0.12) {
			const form = new FormData();
			for (const [k, v] of entries) {
				if (k === 'file' || k === 'plan' || chance(rnd, 0.1)) form.append(k, new Blob([v]), chance(rnd, 0.5) ? `${v.slice(0, 40)}.csv` : k === 'plan' ? 'plan.png' : 'x.csv');
				else form.append(k, v);
			}
			return { body: form, headers: {}, encoding: 'multipart' };
		}
		if (roll < 0.2) {
			// Invalid UTF-8 and broken percent escapes in an urlencoded body.
			const raw = entries.map(([k, v]) => `${encodeQuery(k)}=${encodeQuery(v)}`).join('&') + pickOf(rnd, ['&x=%ff%fe', '&%c0%80=1', '&a=%', '&a=%zz', '&&&=', '&a=%00']);
			return { body: raw, headers: { 'content-type': 'application/x-www-form-urlencoded' }, encoding: 'raw bytes' };
		}
		if (roll < 0.26) {
			return { body: JSON.stringify(Object.fromEntries(entries)), headers: { 'content-type': pickOf(rnd, ['application/json', 'text/plain', 'application/x-www-form-urlencoded; charset=gbk']) }, encoding: 'wrong type' };
		}
		const params = new URLSearchParams();
		for (const [k, v] of entries) params.append(k, v);
		return { body: params, headers: { 'content-type': 'application/x-www-form-urlencoded' }, encoding: 'urlencoded' };
	}

	async function runFormCase(index: number, routes: string[], all: Record<string, FormTarget>): Promise<void> {
		const rnd = caseRandom(config.seed, 'f', index);
		const tag = tagOf('f', index);
		const key = pickOf(rnd, routes);
		const target = all[key];
		const actor: ActorKey = chance(rnd, 0.75) ? target.owner : pickOf(rnd, [...ACTORS, 'anonymous'] as ActorKey[]);
		const client = actor === 'anonymous' ? new HttpClient(server.url) : clients.get(actor)!;
		const base = target.fields(rnd, tag);
		const entries = chance(rnd, 0.2) ? Object.entries(base) : mutateFields(rnd, base, tag);
		const isFile = /\/import\w*$|\?\/plan$/.test(key);
		const { body, headers, encoding } = bodyOf(rnd, entries, isFile);
		const enhanced = chance(rnd, 0.8);
		const h = new Headers(headers);
		if (enhanced) {
			h.set('x-sveltekit-action', 'true');
			h.set('accept', 'application/json');
		} else h.set('accept', 'text/html');
		const input = { actor, route: target.route, encoding, enhanced, fields: entries };
		// Logging out the run's own people would end their sessions: /logout goes out on a throwaway client.
		const sender = key === '/logout' ? new HttpClient(server.url) : client;
		let res: Response;
		try {
			// A connection the server closed after an early answer (a body over the limit) can be picked for the next
			// request before the client notices; one retry tells that apart from a server that stopped answering.
			res = await sender.request(target.route, { method: 'POST', body, headers: h }).catch(async () => {
				forms.count('(connection reused after close, retried)', 'retried');
				return sender.request(target.route, { method: 'POST', body, headers: h });
			});
		} catch (err) {
			const cause = (err as { cause?: { code?: string; message?: string } }).cause;
			forms.fail(index, `POST ${target.route} failed: ${(err as Error).message} (${cause?.code ?? ''} ${cause?.message ?? ''})`, input);
			forms.record(index, key, 'no answer', false);
			return;
		}
		const text = await judgeHttp(forms, index, `POST ${target.route}`, res, input);
		let outcome = `HTTP ${res.status}`;
		let accepted = !enhanced && res.status < 400;
		if (enhanced && res.headers.get('content-type')?.includes('application/json')) {
			try {
				const answer = JSON.parse(text) as { type: string; status?: number };
				outcome = answer.type === 'failure' || answer.type === 'error' ? `${answer.type} ${answer.status ?? res.status}` : answer.type;
				accepted = answer.type === 'success' || answer.type === 'redirect';
				if ((answer.status ?? 0) >= 500) forms.fail(index, `POST ${target.route} answered ${answer.type} ${answer.status}: ${text.slice(0, 300)}`, input);
			} catch {
				forms.fail(index, `POST ${target.route} answered JSON that does not parse: ${text.slice(0, 200)}`, input);
			}
		}
		forms.record(index, key, outcome, accepted);
	}

	/** The GET endpoints and the one JSON body, each with a valid request to start from. */
	const API_TARGETS: Array<{ name: string; actor: ActorKey; build: (rnd: Rnd, tag: string) => { path: string; init?: RequestInit } }> = [
		{
			name: 'POST /api/events/[id]/record/exports',
			actor: 'reviewer',
			build: (rnd, tag) => {
				const roll = rnd();
				const body =
					roll < 0.15
						? JSON.stringify({ format: 'json' })
						: roll < 0.6
							? JSON.stringify(mutatePayload(rnd, { format: 'json' }, tag))
							: roll < 0.8
								? JSON.stringify(hostileValue(rnd, tag))
								: pickOf(rnd, ['', '{', '{"format":', 'null', '[[[[[[[[[[', `{"format": "json"}${tag}`, '\u0000', '{"__proto__": {"format": "json"}}']);
				return {
					path: `/api/events/${DEMO_EVENT}/record/exports`,
					init: { method: 'POST', body, headers: { 'content-type': pickOf(rnd, ['application/json', 'application/json', 'text/plain', 'multipart/form-data']) } }
				};
			}
		},
		{
			name: 'GET /api/events/[id]/activity',
			actor: 'lead.station',
			build: (rnd, tag) => {
				const params = ['limit', 'before', 'beforeId', 'kind', 'entity', 'agency'];
				const q = params
					.filter(() => chance(rnd, 0.5))
					.map((p) => `${p}=${chance(rnd, 0.2) ? pickOf(rnd, ['%ff', '%', '%00', '%c0%80']) : encodeQuery(hostileString(rnd, tag))}`)
					.join('&');
				return { path: `/api/events/${DEMO_EVENT}/activity?${q}` };
			}
		},
		{ name: 'GET /api/events/[id]/replay', actor: 'reviewer', build: (rnd, tag) => ({ path: `/api/events/${DEMO_EVENT}/replay?at=${encodeQuery(chance(rnd, 0.3) ? '2026-02-12T19:00:00+08:00' : hostileString(rnd, tag))}` }) },
		{ name: 'GET /api/events/[hostile]/activity', actor: 'commander', build: (rnd, tag) => ({ path: `/api/events/${encodeQuery(hostileString(rnd, tag))}/activity` }) },
		{ name: 'GET /api/templates', actor: 'admin', build: (rnd, tag) => ({ path: `/api/templates?${encodeQuery(hostileString(rnd, tag))}=1` }) },
		{ name: 'GET /admin/templates/[id]/export', actor: 'admin', build: (rnd, tag) => ({ path: `/admin/templates/${chance(rnd, 0.3) ? templateId : encodeQuery(hostileString(rnd, tag))}/export` }) },
		{ name: 'GET /api/events', actor: 'member.station', build: (rnd, tag) => ({ path: `/api/events?${encodeQuery(hostileString(rnd, tag))}=1` }) },
		{
			name: 'GET /events/[id]/disputes/export',
			actor: 'commander',
			build: (rnd, tag) => {
				const params = ['q', 'risk', 'status', 'level', 'category', 'agency', 'sort', 'overdue', 'template', 'team'];
				const q = params.filter(() => chance(rnd, 0.4)).map((p) => `${p}=${encodeQuery(hostileString(rnd, tag))}`).join('&');
				return { path: `/events/${DEMO_EVENT}/disputes/export?${q}` };
			}
		},
		{ name: 'GET /events/[id]/roster/setup-export', actor: 'lead.station', build: (rnd, tag) => ({ path: `/events/${DEMO_EVENT}/roster/setup-export?table=${encodeQuery(chance(rnd, 0.4) ? pickOf(rnd, ['posts', 'periods']) : hostileString(rnd, tag))}` }) },
		{ name: 'GET /events/[id]/roster/export', actor: 'lead.station', build: (rnd, tag) => ({ path: `/events/${DEMO_EVENT}/roster/export?agency=${encodeQuery(chance(rnd, 0.3) ? pickOf(rnd, AGENCIES) : hostileString(rnd, tag))}` }) },
		{ name: 'GET /api/events/[id]/record/exports/[job]', actor: 'reviewer', build: (rnd, tag) => ({ path: `/api/events/${DEMO_EVENT}/record/exports/${encodeQuery(hostileString(rnd, tag))}${chance(rnd, 0.5) ? '/file' : ''}` }) },
		{ name: 'GET /wall/[token]/activity', actor: 'anonymous', build: (rnd, tag) => ({ path: `/wall/${encodeQuery(hostileString(rnd, tag))}/activity` }) },
		{ name: 'GET /events/[hostile]', actor: 'commander', build: (rnd, tag) => ({ path: `/events/${encodeQuery(hostileString(rnd, tag))}/${pickOf(rnd, ['', 'roster', 'disputes', 'review', 'displays', 'wall'])}` }) }
	];

	async function runApiCase(index: number): Promise<void> {
		const rnd = caseRandom(config.seed, 'a', index);
		const tag = tagOf('a', index);
		const target = pickOf(rnd, API_TARGETS);
		const actor: ActorKey = chance(rnd, 0.8) ? target.actor : pickOf(rnd, [...ACTORS, 'anonymous'] as ActorKey[]);
		const client = actor === 'anonymous' ? new HttpClient(server.url) : clients.get(actor)!;
		const { path, init } = target.build(rnd, tag);
		const input = { actor, path, body: init?.body };
		let res: Response;
		try {
			res = await client.request(path, init ?? {});
		} catch (err) {
			// fetch itself refuses some URLs (a bare % in a path is fine, a NUL is not); that is the client's limit.
			api.record(index, target.name, `not sent (${(err as Error).message.slice(0, 40)})`, false);
			return;
		}
		await judgeHttp(api, index, `${init?.method ?? 'GET'} ${path.slice(0, 120)}`, res, input);
		api.record(index, target.name, `HTTP ${res.status}`, res.status < 300);
	}

	beforeAll(async () => {
		server = await startServer({ demo: true });
		pid = server.pid()!;
		for (const a of ACTORS) clients.set(a, await signIn(new HttpClient(server.url), a, DEMO_PASSWORD));
		const admin = clients.get('admin')!;
		victimId = await createUserAsAdmin(admin, { username: 'fuzz.victim', displayName: '受试者', password: 'victim-password-1', agencyCode: 'station' });
		fuzzEventId = await createEventAsAdmin(admin, { name: '模糊测试活动', startsAt: '2027-01-01T08:00', endsAt: '2027-01-02T08:00' });
		await admin.postForm('/admin/templates?/save', { eventId: DEMO_EVENT, name: '模糊测试模板' });
		templateId = ((await (await admin.request('/api/templates')).json()) as { templates: Array<{ id: string }> }).templates[0].id;
		reports = new ReportFuzzer(server.url, config.seed);
		await reports.prepare();
	});

	afterAll(async () => {
		await server?.dispose();
	});

	// Before the forms: their login cases lock this address out of further sign-ins, and their agency cases add
	// agencies a triage decision could route to, which the expected answers would not know.
	it('answers every hostile field report, upload and file request as the domain’s rules say, and stays up', async () => {
		await runInBatches(server, pid, reports.ledger, REPORT_CASES, BATCH, (i) => runReportCase(reports, i));
		expect(reports.ledger.problems).toEqual([]);
		if (config.only === null && REPORT_CASES.length >= 150) {
			// Each way in shows both answers: some requests taken, some refused.
			for (const target of [/^POST reports \(multipart/, /^POST reports \(JSON/, /^PUT uploads/, /^POST reports\/\[report\]\/triage/, /^POST attachments/, /^PATCH files/, /^GET files\/\[file\]$/, /^GET wall/]) {
				expect.soft(reports.ledger.tally(target, /^HTTP 2\d\d$/), `${target} taken`).toBeGreaterThan(0);
				expect.soft(reports.ledger.tally(target, /^HTTP 4\d\d$/), `${target} refused`).toBeGreaterThan(0);
			}
			expect(reports.ledger.tally(/cut off/, /./)).toBeGreaterThan(0);
		}
	});

	it('answers every hostile form post with a proper status, and stays up', async () => {
		const all = targets();
		const routes = formActionRoutes();
		// Every form action of the app is fuzzed: one added later without a target here fails this test.
		expect(routes.filter((r) => !(r in all))).toEqual([]);
		await runInBatches(server, pid, forms, FORM_CASES, BATCH, (i) => runFormCase(i, routes, all));
		expect(forms.problems).toEqual([]);
		if (config.only === null) {
			expect(forms.tally(/./, /^(success|redirect)$/)).toBeGreaterThan(50);
			expect(forms.tally(/./, /^failure 400$/)).toBeGreaterThan(100);
			expect(forms.tally(/./, /403|401|404|login/)).toBeGreaterThan(10);
		}
	});

	it('answers every hostile API request with a proper status, and stays up', async () => {
		await runInBatches(server, pid, api, API_CASES, BATCH, (i) => runApiCase(i));
		expect(api.problems).toEqual([]);
		if (config.only === null) {
			expect(api.tally(/./, /^HTTP 2\d\d$/)).toBeGreaterThan(20);
			expect(api.tally(/./, /^HTTP 4\d\d$/)).toBeGreaterThan(50);
		}
	});

	it('stores nothing a refused request carried, and nothing invalid', async () => {
		const docs = [commandDocName(DEMO_EVENT), ...AGENCIES.map((a) => agencyDocName(DEMO_EVENT, a)), restrictedDocName(DEMO_EVENT)];
		const commander = clients.get('commander')!;
		await checkLiveDocuments(server, commander.cookieHeader(), docs, [forms, reports.ledger]);
		// One database, three ledgers: each checks its own tags, and all the rows' validity.
		const stored = await checkStoredData(server, [forms, reports.ledger]);
		await checkStoredTagsOnly(api);
		console.log(`checked ${stored.rows} rows and ${stored.docs} stored documents`);
		expect([...forms.problems, ...api.problems, ...reports.ledger.problems]).toEqual([]);
	});

	/** The API ledger's tags, searched in the database the forms' check has just read (the server is stopped). */
	async function checkStoredTagsOnly(ledger: FuzzLedger): Promise<void> {
		const { openDatabase } = await import('../../src/lib/server/db/database.ts');
		const handle = await openDatabase({ databaseUrl: server.env.DATABASE_URL, dataDir: server.env.DATA_DIR ?? '', poolSize: 2 });
		try {
			for (const table of ['users', 'agencies', 'teams', 'events', 'display_tokens', 'records', 'activity'] as const) {
				const rows = await handle.db.selectFrom(table).selectAll().execute();
				for (const row of rows) {
					for (const v of Object.values(row)) {
						if (typeof v !== 'string') continue;
						for (const m of v.matchAll(/fza\d+q/g)) if (!ledger.acceptedTags.has(m[0])) ledger.fail(Number(m[0].slice(3, -1)), `table ${table} holds ${m[0]} from a refused API request`);
					}
				}
			}
		} finally {
			await handle.close();
		}
	}
});
