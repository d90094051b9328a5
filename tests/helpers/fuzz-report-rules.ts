/**
 * What the field-report endpoints should answer, worked out on the test's side from the domain's own checks
 * (src/lib/domain/field-reports.ts) and what the run has stored so far: the fuzzer compares every answer to this,
 * so a request the domain refuses must be refused for that reason, and one it takes must be stored.
 */
import { BUILTIN_PLAYBOOKS } from '../../src/lib/domain/playbooks.ts';
import { checkReportInput, checkTriageInput, MAX_FILE_BYTES, MAX_PART_BYTES, MAX_PHOTOS_PER_REPORT } from '../../src/lib/domain/field-reports.ts';
import { isId } from '../../src/lib/domain/ids.ts';

/** The people the fuzzer sends as, with their role and agency in the demo event (admin is no member of it). */
export const PEOPLE = {
	commander: { role: 'commander', agency: 'station' },
	'lead.station': { role: 'lead', agency: 'station' },
	'lead.cid': { role: 'lead', agency: 'cid' },
	'member.station': { role: 'member', agency: 'station' },
	'member.traffic': { role: 'member', agency: 'traffic' },
	reviewer: { role: 'reviewer', agency: null },
	admin: { role: null, agency: null }
} as const;
export type Person = keyof typeof PEOPLE;
export type Actor = Person | 'anonymous';

export interface Expected {
	statuses: number[];
	/** The refusal's code when the answer must be that refusal. */
	error?: string;
	/** For a refusal of one file: which, counted from 1. */
	file?: number;
}

/** The answer before any rule of the endpoint: nobody signed in, or someone who is no member of the event. */
export function gate(actor: Actor): Expected | null {
	if (actor === 'anonymous') return { statuses: [401], error: 'unauthenticated' };
	if (PEOPLE[actor].role === null) return { statuses: [404], error: 'notFound' };
	return null;
}

const reports = (actor: Actor) => actor !== 'anonymous' && ['commander', 'lead', 'member'].includes(PEOPLE[actor].role ?? '');
const triages = (actor: Actor) => actor !== 'anonymous' && ['commander', 'lead'].includes(PEOPLE[actor].role ?? '');

/** A file as the case sent it: a photo the server reads, one it must refuse, or an upload that is not whole. */
export type FileState = 'image' | 'bad' | 'empty' | 'incomplete';

/**
 * A report submission (multipart fields already turned into the JSON shape, `id` defaulted as the route does):
 * the domain's check decides, then the number of photos, a second sending, then each file in order.
 */
export function expectReport(actor: Actor, raw: Record<string, unknown>, files: Array<FileState | 'pdf'>, stored: Map<string, Actor>, now: Date): Expected {
	const g = gate(actor);
	if (g) return g;
	if (!reports(actor)) return { statuses: [403], error: 'forbidden' };
	const checked = checkReportInput(raw, now);
	if (!checked.ok) return { statuses: [400], error: checked.problem };
	if (files.length > MAX_PHOTOS_PER_REPORT) return { statuses: [400], error: 'tooManyPhotos' };
	const earlier = stored.get(checked.input.id);
	if (earlier !== undefined) return earlier === actor ? { statuses: [200] } : { statuses: [409], error: 'idTaken' };
	const first = files.findIndex((f) => f !== 'image');
	if (first < 0) return { statuses: [201] };
	const error = { incomplete: 'incomplete', empty: 'empty', bad: undefined, pdf: undefined, image: undefined }[files[first]];
	// A PDF is no photo. A bad file is refused by what it turned out to be (not an image, too many pixels, …):
	// any refusal that names that file will do.
	return { statuses: [400, 413], error, file: first + 1 };
}

/** Where an upload stands on the server, per person and upload id. */
export interface UploadState {
	received: number;
	total: number | null;
}

/** The resumable upload's rules for one piece, in the route's order; `state` is where the upload stood before it. */
export function expectPiece(actor: Actor, uploadId: string, range: string | null, bodyLength: number, state: UploadState): Expected & { stores?: boolean } {
	const g = gate(actor);
	if (g) return g;
	if (!reports(actor)) return { statuses: [403], error: 'forbidden' };
	if (!isId(uploadId)) return { statuses: [400], error: 'incomplete' };
	const m = /^bytes (\d{1,9})-(\d{1,9})\/(\d{1,9})$/.exec(range ?? '');
	if (!m) return { statuses: [400], error: 'malformed' };
	const [start, end, total] = m.slice(1).map(Number);
	if (total > MAX_FILE_BYTES) return { statuses: [413], error: 'tooLarge' };
	if (end < start || end >= total || end - start + 1 > MAX_PART_BYTES) return { statuses: [400], error: 'malformed' };
	if (bodyLength !== end - start + 1) return { statuses: [400], error: 'incomplete' };
	if (state.total !== null && state.total !== total) return { statuses: [400], error: 'malformed' };
	if (start < state.received) return { statuses: [200] };
	if (start > state.received) return { statuses: [409], error: 'partOrder' };
	return { statuses: [200], stores: true };
}

/** What the run knows exists: reports (by id, with their state) and cards (by agency). */
export interface KnownThings {
	reports: Map<string, { reporter: Actor; state: string }>;
	cards: Map<string, Set<string>>;
	agencies: readonly string[];
}

/** A triage decision on a report, in the order triageReport applies its rules. */
export function expectTriage(actor: Actor, reportId: string, raw: Record<string, unknown> | null, known: KnownThings): Expected {
	const g = gate(actor);
	if (g) return g;
	if (raw === null) return { statuses: [400], error: 'malformed' };
	if (!triages(actor)) return { statuses: [403], error: 'forbidden' };
	const report = known.reports.get(reportId);
	if (!isId(reportId) || !report) return { statuses: [404], error: 'notFound' };
	if (report.state !== 'new') return { statuses: [409], error: 'alreadyTriaged' };
	const checked = checkTriageInput(raw);
	if (!checked.ok) return { statuses: [400], error: checked.problem };
	const d = checked.input;
	const person = PEOPLE[actor as Person];
	const routes = (agency: string) => known.agencies.includes(agency) && (person.role === 'commander' || person.agency === agency);
	switch (d.action) {
		case 'card':
			return routes(d.agency) ? { statuses: [200] } : { statuses: [403], error: 'agency' };
		case 'attach':
			if (!routes(d.agency)) return { statuses: [403], error: 'agency' };
			return known.cards.get(d.agency)?.has(d.cardId) ? { statuses: [200] } : { statuses: [404], error: 'cardId' };
		case 'duplicate':
			if (d.of === reportId) return { statuses: [400], error: 'sameReport' };
			return known.reports.has(d.of) ? { statuses: [200] } : { statuses: [404], error: 'of' };
		case 'close':
			return { statuses: [200] };
		case 'playbook': {
			// 按预案处置: a built-in playbook (the fuzzer's event has no own ones) the commander runs, or a lead with a card in it.
			const playbook = BUILTIN_PLAYBOOKS.find((p) => p.id === d.playbookId);
			if (!playbook) return { statuses: [404], error: 'playbook' };
			const mayRun = person.role === 'commander' || (person.role === 'lead' && playbook.cards.some((c) => c.agency === person.agency));
			return mayRun && playbook.cards.every((c) => known.agencies.includes(c.agency)) ? { statuses: [200] } : { statuses: [403], error: 'playbook' };
		}
	}
}

/** Attaching uploads (`files`: each named upload's state, in order) to a card or dispute entry, as the route and attachFiles decide. */
export function expectAttach(actor: Actor, raw: unknown, files: Array<FileState | 'pdf'>, targets: Set<string>, agencies: readonly string[]): Expected {
	const g = gate(actor);
	if (g) return g;
	const body = raw && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : null;
	if (!body || (body.target !== 'card' && body.target !== 'dispute') || typeof body.targetId !== 'string' || typeof body.agency !== 'string') return { statuses: [400], error: 'target' };
	const list = Array.isArray(body.files) ? (body.files as unknown[]) : null;
	if (!list || list.some((f) => !f || typeof f !== 'object' || typeof (f as { uploadId?: unknown }).uploadId !== 'string')) return { statuses: [400], error: 'incomplete', file: 1 };
	if (!isId(body.targetId) || !isId(body.agency) || !agencies.includes(body.agency)) return { statuses: [404], error: 'target' };
	const person = PEOPLE[actor as Person];
	if (!(person.role === 'commander' || ((person.role === 'lead' || person.role === 'member') && person.agency === body.agency))) return { statuses: [403], error: 'forbidden' };
	if (!list.length) return { statuses: [400], error: 'incomplete' };
	if (list.length > MAX_PHOTOS_PER_REPORT) return { statuses: [400], error: 'tooManyPhotos' };
	if (!targets.has(`${body.agency}/${body.target}/${body.targetId}`)) return { statuses: [404], error: 'target' };
	const first = files.findIndex((s) => s !== 'image' && s !== 'pdf');
	if (first < 0) return { statuses: [201] };
	const error = files[first] === 'incomplete' ? 'incomplete' : files[first] === 'empty' ? 'empty' : undefined;
	return { statuses: [400, 413], error, file: first + 1 };
}

/** Says how an answer differs from the expectation, or null when it matches. */
export function differs(expected: Expected, status: number, answer: { error?: unknown; file?: unknown } | null): string | null {
	if (!expected.statuses.includes(status)) return `answered ${status}${answer?.error ? ` ${String(answer.error)}` : ''}, expected ${expected.statuses.join(' or ')}${expected.error ? ` ${expected.error}` : ''}`;
	if (status >= 400 && expected.error && answer?.error !== expected.error) return `refused with ${String(answer?.error)}, expected ${expected.error}`;
	if (status >= 400 && expected.file !== undefined && answer?.file !== expected.file) return `named file ${String(answer?.file)}, expected file ${expected.file}`;
	return null;
}
