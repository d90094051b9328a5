/**
 * The rules of an agency document that the schema cannot say, checked by the hub on every client write (server
 * writes, made on a user's behalf after their own checks, skip them). The pages apply the same rules, through
 * the same functions where they decide (mayEditShifts, the dispute status transitions): a stock Yjs client gets
 * no further than the page would let its user go. The record is evidence, so nothing in it may be forged:
 * - an existing card, shift or dispute is never replaced wholesale under its key, and cards and disputes are
 *   never deleted (cards are archived; a dispute's trail stays);
 * - shifts, their times, posts and people change only for those who may edit the agency's shifts; a member
 *   records check-ins only for themselves;
 * - a dispute's status moves only along the allowed transitions; escalation notes are written by the server;
 *   notes and comments are never taken out;
 * - pins on the venue map are placed by the agency's lead or the commander;
 * - when a check-in was received (`inReceivedAt`, `outReceivedAt`) is written by the server alone;
 * - every attribution a client writes (`by`, `recordedBy`, `createdBy`, `ackedBy`) names the writer.
 * Call from the observer of a root while its events can still tell their changes.
 */
import * as Y from 'yjs';
import { mayChangeStatus } from './disputes.ts';
import type { DisputeStatus } from './doc-schema.ts';

/** Who writes, as the hub knows at connect time. */
export interface Writer {
	userId: string;
	/** May this writer plan and change the agency's shifts (mayEditShifts)? */
	mayEditShifts: boolean;
}

/** Pins on the venue map are placed by the agency's lead or the commander; members see them. */
const PIN_RULE = 'only the agency’s lead or the commander places pins';

/** Check-in fields only the server writes: when it received a one-tap check. */
const SERVER_CHECK_STAMPS = new Set(['inReceivedAt', 'outReceivedAt']);

/** Progress kinds only the server writes (escalation carries its reason through the command channel). */
const SERVER_PROGRESS_KINDS = new Set(['escalation']);

type Changes = Y.YEvent<any>['changes'];

function addedMaps(changes: Changes): Y.Map<unknown>[] {
	const out: Y.Map<unknown>[] = [];
	for (const item of changes.added) for (const c of item.content.getContent()) if (c instanceof Y.Map) out.push(c);
	return out;
}

/** The user a shift's person has an account as, or null. */
function personUser(shift: Y.Map<unknown>, personId: string): string | null {
	const people = shift.get('people');
	if (!(people instanceof Y.Array)) return null;
	for (const p of people.toArray()) if (p instanceof Y.Map && p.get('id') === personId) return (p.get('userId') as string | undefined) ?? null;
	return null;
}

/** The first rule a client's change to one root of an agency document breaks, or null. */
export function agencyWriteProblem(rootName: string, events: ReadonlyArray<Y.YEvent<any>>, writer: Writer): string | null {
	for (const e of events) {
		const problem =
			rootName === 'cards' ? cardProblem(e, writer) : rootName === 'shifts' ? shiftProblem(e, writer) : rootName === 'disputes' ? disputeProblem(e, writer) : null;
		if (problem) return problem;
	}
	return null;
}

/** An entity added under a key that held one is a replacement; deleting is allowed only where `mayDelete`. */
function rootProblem(root: string, e: Y.YEvent<any>, mayDelete: boolean): string | null {
	for (const [key, change] of e.changes.keys) {
		if (change.action === 'update') return `${root}.${key}: an existing entry is not replaced`;
		if (change.action === 'delete' && !mayDelete) return `${root}.${key}: is not deleted`;
	}
	return null;
}

function cardProblem(e: Y.YEvent<any>, writer: Writer): string | null {
	const path = e.path;
	if (path.length === 0) {
		const problem = rootProblem('cards', e, false);
		if (problem) return problem;
		for (const [key, change] of e.changes.keys) {
			if (change.action !== 'add') continue;
			const card = (e.target as Y.Map<unknown>).get(key);
			if (card instanceof Y.Map && card.has('createdBy') && card.get('createdBy') !== writer.userId) return `cards.${key}.createdBy: names the writer`;
			if (card instanceof Y.Map && card.has('ackedBy') && card.get('ackedBy') !== writer.userId) return `cards.${key}.ackedBy: names the writer`;
			if (card instanceof Y.Map && card.has('pin') && !writer.mayEditShifts) return `cards.${key}.pin: ${PIN_RULE}`;
		}
		return null;
	}
	const id = String(path[0]);
	const target = e.target;
	if (path.length === 1 && target instanceof Y.Map) {
		for (const [key, change] of e.changes.keys) {
			if (key === 'createdBy' || key === 'requestedBy') return `cards.${id}.${key}: is not changed`;
			if (key === 'pin' && !writer.mayEditShifts) return `cards.${id}.pin: ${PIN_RULE}`;
			if (key === 'comments' && change.action !== 'add') return `cards.${id}.comments: comments are not replaced`;
			if (key === 'ackedBy' && change.action !== 'delete' && target.get('ackedBy') !== writer.userId) return `cards.${id}.ackedBy: names the writer`;
		}
	}
	if (path.length === 2 && path[1] === 'comments' && target instanceof Y.Array) {
		if (e.changes.deleted.size > 0) return `cards.${id}.comments: comments are not taken out`;
		for (const c of addedMaps(e.changes)) if (c.get('by') !== writer.userId) return `cards.${id}.comments: a comment is by its writer`;
	}
	if (path.length === 3 && path[1] === 'comments') return `cards.${id}.comments: a comment is not changed`;
	return null;
}

function shiftProblem(e: Y.YEvent<any>, writer: Writer): string | null {
	const path = e.path;
	if (path.length === 0) {
		const problem = rootProblem('shifts', e, writer.mayEditShifts);
		if (problem) return problem;
		if (!writer.mayEditShifts) return 'shifts: only the agency’s lead or the commander plans shifts';
		// A shift planned with check-ins already in it records them as its writer's.
		for (const [key, change] of e.changes.keys) {
			const checkins = change.action === 'add' ? ((e.target as Y.Map<unknown>).get(key) as Y.Map<unknown> | undefined)?.get?.('checkins') : null;
			if (!(checkins instanceof Y.Map)) continue;
			for (const [personId, rec] of checkins) {
				if (rec instanceof Y.Map && rec.has('recordedBy') && rec.get('recordedBy') !== writer.userId && rec.get('recordedBy') !== null) {
					return `shifts.${key}.checkins.${personId}.recordedBy: names the writer`;
				}
			}
		}
		return null;
	}
	const id = String(path[0]);
	// The first check-in of a shift adds its `checkins` map, with the record inside, as one change of the shift.
	const addsCheckins = path.length === 1 && [...e.changes.keys].every(([key, change]) => key === 'checkins' && change.action === 'add');
	if (path[1] !== 'checkins' && !addsCheckins) {
		return writer.mayEditShifts ? null : `shifts.${id}: only the agency’s lead or the commander changes a shift`;
	}
	// A check-in: the person's own, or recorded by whoever may edit the shifts; always recorded by the writer.
	const target = e.target as Y.Map<unknown>;
	const shift = path.length === 1 ? target : path.length === 2 ? (target.parent as Y.Map<unknown>) : (target.parent!.parent as Y.Map<unknown>);
	const checkins = shift.get('checkins');
	if (!(checkins instanceof Y.Map)) return null;
	const persons = path.length === 1 ? [...checkins.keys()] : path.length === 2 ? [...e.changes.keys.keys()] : [String(path[2])];
	// When the server received a tap is the server's to say: a client may take a stamp away with the time it
	// replaces, never write one.
	if (path.length === 3 && [...e.changes.keys].some(([key, change]) => SERVER_CHECK_STAMPS.has(key) && change.action !== 'delete')) {
		return `shifts.${id}.checkins.${String(path[2])}: the time a check-in was received is written by the server`;
	}
	for (const personId of persons) {
		if (!writer.mayEditShifts && personUser(shift, personId) !== writer.userId) return `shifts.${id}.checkins.${personId}: members check only themselves in and out`;
		if (path.length < 3) {
			const added = checkins.get(personId);
			if (added instanceof Y.Map && [...SERVER_CHECK_STAMPS].some((k) => added.has(k))) {
				return `shifts.${id}.checkins.${personId}: the time a check-in was received is written by the server`;
			}
		}
		const rec = checkins.get(personId);
		if (rec instanceof Y.Map && rec.has('recordedBy') && rec.get('recordedBy') !== writer.userId) return `shifts.${id}.checkins.${personId}.recordedBy: names the writer`;
	}
	return null;
}

function disputeProblem(e: Y.YEvent<any>, writer: Writer): string | null {
	const path = e.path;
	if (path.length === 0) {
		const problem = rootProblem('disputes', e, false);
		if (problem) return problem;
		for (const [key, change] of e.changes.keys) {
			const entry = change.action === 'add' ? (e.target as Y.Map<unknown>).get(key) : null;
			if (entry instanceof Y.Map && entry.has('pin') && !writer.mayEditShifts) return `disputes.${key}.pin: ${PIN_RULE}`;
		}
		return null;
	}
	const id = String(path[0]);
	const target = e.target;
	if (path.length === 1 && target instanceof Y.Map && e.changes.keys.has('pin') && !writer.mayEditShifts) return `disputes.${id}.pin: ${PIN_RULE}`;
	if (path.length === 1 && target instanceof Y.Map) {
		const status = e.changes.keys.get('status');
		if (status?.action === 'update') {
			const from = status.oldValue as DisputeStatus;
			const to = target.get('status') as DisputeStatus;
			if (from !== to && !mayChangeStatus(from, to)) return `disputes.${id}.status: ${from} → ${to} is not an allowed change`;
		}
		const progress = e.changes.keys.get('progress');
		if (progress && progress.action !== 'add') return `disputes.${id}.progress: the trail is not replaced`;
	}
	if (path.length === 2 && path[1] === 'progress' && target instanceof Y.Array) {
		if (e.changes.deleted.size > 0) return `disputes.${id}.progress: notes are not taken out`;
		for (const note of addedMaps(e.changes)) {
			if (note.get('by') !== writer.userId) return `disputes.${id}.progress: a note is by its writer`;
			if (SERVER_PROGRESS_KINDS.has(String(note.get('kind')))) return `disputes.${id}.progress: escalation notes are written by the server`;
		}
	}
	if (path.length === 3 && path[1] === 'progress') return `disputes.${id}.progress: a note is not changed`;
	return null;
}
