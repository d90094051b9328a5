/**
 * Fuzzing of what hangs on cards, dispute entries and reports (with fuzz-reports.ts): attaching uploads, the
 * commander's marks (shows people, on the wall), and reading stored files by their address — known ones and odd
 * ones, by everyone, through a wall display's link and by nobody. A file answered in full must be the bytes its
 * hash names; a mark that was taken must be what the commander then sees; a wall gets exactly the files the
 * commander put on it, never one showing people.
 */
import { createHash } from 'node:crypto';
import { chance, hostileString, mutatePayload, pickOf } from './fuzz.ts';
import { oddFile, pdf, photo, type SampleFile } from './fuzz-files.ts';
import { expectAttach, gate, PEOPLE, type Person } from './fuzz-report-rules.ts';
import { API, encodePart, EVERYONE, sentObject, type Answer, type FuzzCase, type KnownFile } from './fuzz-report-case.ts';

/** Hashes that are no stored file's address, and addresses that are no hash at all. */
const ODD_HASHES = ['a'.repeat(64), 'A'.repeat(64), 'f'.repeat(63), 'f'.repeat(65), `${'0'.repeat(64)}.jpg`, '..%2F..%2Fhealthz', '%00', '%ff', '%20', 'null'];

export async function attachCase(c: FuzzCase): Promise<void> {
	const rnd = c.rnd;
	const [agency, target, targetId] = pickOf(rnd, [...c.f.targets]).split('/');
	// Mostly someone who may attach there: the commander, or the agency's own lead and members.
	const actor = c.actor((Object.keys(PEOPLE) as Person[]).filter((p) => p === 'commander' || PEOPLE[p].agency === agency), 0.8);
	const file: SampleFile = chance(rnd, 0.65) ? await photo(rnd) : chance(rnd, 0.5) ? { what: 'pdf', bytes: pdf(c.tag), image: false, pdf: true } : await oddFile(rnd, c.tag);
	// Only those who may report may upload; for anyone else the upload id names nothing.
	const uploadId = gate(actor) === null && actor !== 'reviewer' ? await c.putWhole(actor, file) : c.tag;
	const entry = { uploadId, name: pickOf(rnd, [`现场 ${c.tag}.jpg`, `C:\\fakepath\\${c.tag}.pdf`, `${c.tag}\u0007.jpg`]), people: chance(rnd, 0.3) };
	const base: Record<string, unknown> = { target, targetId, agency, files: [entry] };
	const roll = rnd();
	let payload: unknown = base;
	if (roll >= 0.5 && roll < 0.8) payload = mutatePayload(rnd, base, c.tag);
	else if (roll >= 0.8 && roll < 0.92) payload = { ...base, files: [mutatePayload(rnd, entry, c.tag)] };
	else if (roll >= 0.92) payload = { ...base, files: Array.from({ length: pickOf(rnd, [0, 7, 30]) }, () => entry) };
	const text = JSON.stringify(payload) ?? 'null';
	const input = { actor, body: text, file: file.what };
	const got = await c.sendJson('POST attachments', actor, `${API}/attachments`, text, input);
	if (!got) return c.record('POST attachments', 'not sent');
	const sent = sentObject(text);
	const named = Array.isArray(sent?.files) ? (sent.files as Array<{ uploadId?: unknown }>).map((f) => f?.uploadId) : [];
	c.check('POST attachments', expectAttach(actor, sent, c.f.uploadStates(actor, named), c.f.targets, c.f.known.agencies), got, input);
	if (got.status === 201 && sent) {
		c.stored = true;
		c.f.dropUploads(actor, named);
		for (const id of got.json?.ids ?? []) c.f.files.push({ id, target: sent.target as 'card' | 'dispute', targetId: String(sent.targetId) });
	}
	c.record(`POST attachments${roll < 0.5 ? '' : ' (broken)'}`, `HTTP ${got.status}`);
}

export async function markCase(c: FuzzCase): Promise<void> {
	const rnd = c.rnd;
	const actor = c.actor(['commander'], 0.75);
	const file = c.f.files.length && chance(rnd, 0.85) ? pickOf(rnd, c.f.files) : null;
	const hash = file?.id ?? pickOf(rnd, ODD_HASHES);
	const base: Record<string, unknown> = {};
	if (chance(rnd, 0.6)) base.people = chance(rnd, 0.4);
	if (chance(rnd, 0.7) || !('people' in base)) base.onWall = chance(rnd, 0.7);
	const whole = rnd() < 0.6;
	const text = JSON.stringify(whole ? base : mutatePayload(rnd, base, c.tag)) ?? 'null';
	const input = { actor, hash, body: text };
	const got = await c.sendJson('PATCH files/[file]', actor, `${API}/files/${hash}`, text, input, 'PATCH');
	if (!got) return c.record('PATCH files/[file]', 'not sent');
	if (got.status === 200 && !file) c.fail('marking a file that is not stored answered 200', input);
	if (got.status === 200 && file) {
		c.stored = true;
		await checkMarks(c, file, sentObject(text) as { people?: boolean; onWall?: boolean }, input);
	}
	c.record(`PATCH files/[file]${whole ? '' : ' (broken)'}`, `HTTP ${got.status}`);
}

/** After a mark was taken: the commander sees the flags asked for, and a file showing people is off the wall. */
async function checkMarks(c: FuzzCase, file: KnownFile, asked: { people?: boolean; onWall?: boolean }, input: unknown): Promise<void> {
	type Flags = { id: string; people: boolean; onWall: boolean };
	let seen: Flags | undefined;
	if (file.target === 'report') {
		const got = await c.send('GET reports', 'commander', `${API}/reports`);
		const reports = (got?.json?.reports ?? []) as Array<{ id: string; photos: Flags[] }>;
		seen = reports.find((r) => r.id === file.targetId)?.photos.find((p) => p.id === file.id);
	} else {
		const got = await c.send('GET attachments', 'commander', `${API}/attachments?target=${file.target}&id=${file.targetId}`);
		seen = ((got?.json?.attachments ?? []) as Flags[]).find((a) => a.id === file.id);
	}
	if (!seen) return c.fail(`a marked file is missing from the commander's view of ${file.target} ${file.targetId}`, input);
	const wall = asked.people === true ? false : asked.onWall;
	if ((asked.people !== undefined && seen.people !== asked.people) || (wall !== undefined && seen.onWall !== wall)) {
		c.fail(`the mark answered 200, yet the file shows people: ${seen.people}, on the wall: ${seen.onWall}`, input);
	}
	if (seen.onWall && !seen.people) c.f.onWall.add(file.id);
	else c.f.onWall.delete(file.id);
}

/** A file answered in full is the bytes its address names; every file answered is a JPEG or a PDF. */
function checkBytes(c: FuzzCase, id: string, query: string, got: Answer, input: unknown): void {
	const thumb = new URLSearchParams(query).getAll('size')[0] === 'thumb';
	if (!thumb && createHash('sha256').update(got.bytes).digest('hex') !== id) c.fail('a file answered under its hash is not the bytes of that hash', input);
	if (!['image/jpeg', 'application/pdf'].includes(got.type)) c.fail(`a stored file answered as ${got.type}`, input);
}

export async function readCase(c: FuzzCase): Promise<void> {
	const rnd = c.rnd;
	const actor = c.actor(EVERYONE, 1);
	const file = c.f.files.length && chance(rnd, 0.65) ? pickOf(rnd, c.f.files) : null;
	const hash = file?.id ?? (chance(rnd, 0.7) ? pickOf(rnd, ODD_HASHES) : encodePart(hostileString(rnd, c.tag)));
	const query = pickOf(rnd, ['', '', '?size=thumb', `?size=${encodePart(hostileString(rnd, c.tag), 100)}`, '?size=thumb&size=full']);
	const input = { actor, hash, query };
	const got = await c.send('GET files/[file]', actor, `${API}/files/${hash}${query}`, {}, input);
	if (!got) return c.record('GET files/[file]', 'not sent');
	if (!file && got.status < 400) c.fail(`GET of a file that is not stored answered ${got.status}`, input);
	// A NUL anywhere in the address is refused before anyone is asked who they are.
	const g = query.includes('%00') ? null : gate(actor);
	if (g && file) c.check('GET files/[file]', g, got, input);
	if (got.status === 200 && file) checkBytes(c, file.id, query, got, input);
	c.record(`GET files/[file]${file ? '' : ' (odd address)'}`, `HTTP ${got.status}`);
}

/** A wall display reads a file by its link: exactly the files the commander put on the wall, none showing people. */
export async function wallCase(c: FuzzCase): Promise<void> {
	const rnd = c.rnd;
	const shown = [...c.f.onWall];
	const file = shown.length && chance(rnd, 0.5) ? c.f.files.find((f) => f.id === pickOf(rnd, shown))! : c.f.files.length && chance(rnd, 0.6) ? pickOf(rnd, c.f.files) : null;
	const hash = file?.id ?? pickOf(rnd, ODD_HASHES);
	const ours = chance(rnd, 0.85);
	const token = ours ? c.f.display : pickOf(rnd, ['b'.repeat(43), encodePart(hostileString(rnd, c.tag), 100), '%ff']);
	const query = pickOf(rnd, ['', '?size=thumb']);
	const input = { token, hash, query };
	const got = await c.send('GET wall/[token]/files/[file]', 'anonymous', `/wall/${token}/files/${hash}${query}`, {}, input);
	if (!got) return c.record('GET wall/[token]/files/[file]', 'not sent');
	const expected = file && ours && c.f.onWall.has(file.id) ? 200 : 404;
	if (got.status !== expected && !(expected === 404 && got.status === 400)) c.fail(`the wall answered ${got.status} for ${file ? (c.f.onWall.has(file.id) ? 'a file on the wall' : 'a file not on the wall') : 'no stored file'} on ${ours ? 'its link' : 'a link that is none'}`, input);
	if (got.status === 200 && file) checkBytes(c, file.id, query, got, input);
	c.record(`GET wall/[token]/files/[file]${file && ours ? '' : ' (odd)'}`, `HTTP ${got.status}`);
}

export async function listCase(c: FuzzCase): Promise<void> {
	const rnd = c.rnd;
	const actor = c.actor(EVERYONE, 1);
	const q = (v: string) => encodePart(v, 200);
	const target = chance(rnd, 0.5) ? pickOf(rnd, ['card', 'dispute', 'report']) : hostileString(rnd, c.tag);
	const id = chance(rnd, 0.5) ? pickOf(rnd, ['demo-card-s1', 'demo-dispute-s1']) : hostileString(rnd, c.tag);
	const [what, path] = pickOf(rnd, [
		['GET attachments', `${API}/attachments?target=${q(target)}&id=${q(id)}`],
		['GET uploads/[upload]', `${API}/uploads/${q(chance(rnd, 0.5) ? `${c.tag}-x` : hostileString(rnd, c.tag))}`],
		['GET reports', `${API}/reports${chance(rnd, 0.5) ? `?${q(hostileString(rnd, c.tag))}=1` : ''}`]
	] as const);
	const got = await c.send(what, actor, path, {}, { actor, path });
	if (!got) return c.record(what, 'not sent');
	// A NUL anywhere in the address is refused before anyone is asked who they are.
	const g = path.includes('%00') ? null : gate(actor);
	if (g) c.check(what, g, got, { actor, path });
	c.record(what, `HTTP ${got.status}`);
}
