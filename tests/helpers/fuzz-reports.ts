/**
 * Fuzzing of field reports through the JSON API (issue: field reports with photos): reports as streamed multipart
 * (broken boundaries, a missing final boundary, huge fields, too many files, wrong part headers, bodies cut off,
 * odd file names, images that are broken, claim gigapixels or are no image at all) and as JSON (a valid report with
 * one field broken), resumable upload pieces (bad, overlapping, out-of-order and oversized ranges, bodies of the
 * wrong length, ids that are no ids) and triage decisions; attachments and stored files are in
 * fuzz-report-files.ts. Sent by members, leads, the commander, a reviewer, someone of no event and nobody.
 *
 * Every answer is compared with what the domain's own checks say it must be (fuzz-report-rules.ts); the suite's
 * usual invariants (no 5xx, no internals, the process up, nothing of a refused case stored) are held around it.
 */
import http from 'node:http';
import { caseRandom, chance, hostileString, mutateFields, mutatePayload, pickOf, tagOf } from './fuzz.ts';
import { asSent, concat, cutForm, oddFile, photo, reportForm, type SampleFile } from './fuzz-files.ts';
import { expectPiece, expectReport, expectTriage, gate, PEOPLE, type Expected, type Person, type Actor } from './fuzz-report-rules.ts';
import { API, encodePart, FuzzCase, isPlainId, sentObject, type ReportFuzzer } from './fuzz-report-case.ts';
import { attachCase, listCase, markCase, readCase, wallCase } from './fuzz-report-files.ts';
import { MAX_FILE_BYTES, REPORT_KINDS } from '../../src/lib/domain/field-reports.ts';

const REPORTERS: readonly Actor[] = ['member.station', 'member.station', 'member.traffic', 'lead.station', 'commander'];
const BODIES = ['南门垃圾桶旁无人看管的黑色背包', '一名儿童与家长走散，穿红色外套', '北广场人员聚集', '两人争执推搡', '有人晕倒', '路口拥堵'];

const CASES: Array<[(c: FuzzCase) => Promise<void>, number]> = [
	[multipartCase, 22],
	[jsonCase, 16],
	[pieceCase, 14],
	[triageCase, 12],
	[attachCase, 12],
	[markCase, 7],
	[readCase, 7],
	[wallCase, 6],
	[listCase, 5]
];

/** Every this many cases, one phone loses its connection half-way through a photo (so every run has some). */
const CUT_EVERY = 50;
/**
 * Every this many cases, a photo over the size limit: it streams ten megabytes into the database before it is
 * refused, seconds on the embedded database, so it comes in longer runs only.
 */
const OVERSIZE_EVERY = 500;

/** Runs case `index` of the field-report surface: its kind and everything in it drawn from its own generator. */
export async function runReportCase(f: ReportFuzzer, index: number): Promise<void> {
	const rnd = caseRandom(f.seed, 'r', index);
	let roll = rnd() * CASES.reduce((n, [, w]) => n + w, 0);
	const [run] = index % OVERSIZE_EVERY === OVERSIZE_EVERY - 1 ? [oversizeCase] : index % CUT_EVERY === CUT_EVERY / 2 ? [cutOffCase] : CASES.find(([, w]) => (roll -= w) < 0)!;
	await run(new FuzzCase(f, index, rnd, tagOf('r', index)));
}

/** A valid report's fields as the form sends them; sometimes the id of a report already stored (a second sending). */
function reportFields(c: FuzzCase): Record<string, string> {
	const rnd = c.rnd;
	const kind = pickOf(rnd, REPORT_KINDS);
	const known = [...c.f.known.reports.keys()];
	const fields: Record<string, string> = { id: chance(rnd, 0.08) && known.length ? pickOf(rnd, known) : c.tag, kind, body: `${pickOf(rnd, BODIES)} ${c.tag}` };
	if (kind === 'crowding' && chance(rnd, 0.7)) Object.assign(fields, { level: String(1 + Math.floor(rnd() * 4)), headCount: String(Math.floor(rnd() * 5000)) });
	if (chance(rnd, 0.5)) fields.pin = `${Math.round(rnd() * 1400)},${Math.round(rnd() * 1000)}`;
	if (chance(rnd, 0.3)) Object.assign(fields, { lng: '108.947', lat: '34.261' });
	if (chance(rnd, 0.3)) fields.reportedAt = new Date(Date.now() - 60_000).toISOString();
	return fields;
}

async function someFiles(c: FuzzCase, counts: number[], good: number): Promise<SampleFile[]> {
	const files: SampleFile[] = [];
	for (let i = pickOf(c.rnd, counts); i > 0; i--) files.push(chance(c.rnd, good) ? await photo(c.rnd) : await oddFile(c.rnd, c.tag));
	return files;
}

// ---- reports as multipart ---------------------------------------------------------------------------------------

async function multipartCase(c: FuzzCase): Promise<void> {
	const actor = c.actor(REPORTERS);
	const entries = chance(c.rnd, 0.5) ? Object.entries(reportFields(c)) : mutateFields(c.rnd, reportFields(c), c.tag);
	const files = await someFiles(c, [0, 1, 1, 1, 2, 3], 0.75);
	const input = { actor, fields: entries, files: files.map((f) => `${f.what} (${f.bytes.length} bytes)`) };
	const form = await reportForm(c.rnd, c.tag, entries, files, chance(c.rnd, 0.4));
	const what = `POST reports (multipart${form.how === 'valid' ? '' : `, ${form.how}`})`;
	const now = new Date();
	const got = await c.send('POST reports (multipart)', actor, `${API}/reports`, { method: 'POST', body: form.body, headers: { 'content-type': form.type } }, { ...input, how: form.how });
	if (!got) return c.record(what, 'not sent');
	c.stored = got.status === 201;
	let expected: Expected | null = gate(actor) ?? (PEOPLE[actor as Person].role === 'reviewer' ? { statuses: [403], error: 'forbidden' } : null);
	if (!expected && form.judged) expected = multipartExpectation(c, actor, entries, files, form.names, now);
	c.check('POST reports (multipart)', expected, got, { ...input, how: form.how });
	if (got.status === 201 || got.status === 200) c.learnReport(actor, got.json?.report);
	// Each photo sent is one photo stored (every case's photos are its own noise, so none is the same as another).
	const photos = files.filter((f, i) => f.image && form.names[i] !== '').length;
	if (got.status === 201 && form.judged && got.json?.report?.photos?.length !== photos) c.fail(`stored ${got.json?.report?.photos?.length} photos of ${photos} sent`, { ...input, how: form.how });
	c.record(what, `HTTP ${got.status}`);
}

/** What the route must answer to a well-formed form, the fields turned into a report as the route does. */
function multipartExpectation(c: FuzzCase, actor: Actor, entries: Array<[string, string]>, files: SampleFile[], names: string[], now: Date): Expected | null {
	const bytes = (s: string) => new TextEncoder().encode(s).length;
	// busboy refuses a field over 8 KiB, and shortens a name over 100 bytes (which then names no field of a report).
	// A part under an empty file name is a field to busboy, not a file.
	if (entries.some(([, v]) => bytes(v) > 8 * 1024) || files.some((f, i) => names[i] === '' && f.bytes.length > 8 * 1024)) return { statuses: [400], error: 'malformed' };
	if (entries.some(([k]) => bytes(k) > 100)) return null;
	// As busboy hands the fields over: the last of a name wins, text decoded as UTF-8, quotes in names escaped as sent.
	const fields: Record<string, string> = {};
	for (const [k, v] of entries) if (k !== '__proto__') fields[k.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A')] = asSent(v);
	const raw: Record<string, unknown> = { ...fields, position: fields.lng || fields.lat ? { lng: fields.lng, lat: fields.lat } : null };
	if (raw.id == null || raw.id === '') raw.id = 'made-by-the-server';
	const sent = files.filter((_, i) => names[i] !== '');
	return expectReport(actor, raw, sent.map((f) => (f.image ? 'image' : f.bytes.length ? 'bad' : 'empty')), c.f.reporters(), now);
}

/**
 * Sends the head of a form and over 256 KiB of a photo (so that the server has stored its first piece), then drops
 * the connection: nothing of it may stay stored (the storage check finds any piece left behind).
 */
async function cutOffCase(c: FuzzCase): Promise<void> {
	const actor = c.actor(REPORTERS, 0.9);
	const form = cutForm(Object.entries(reportFields(c)), 300 * 1024 + Math.floor(c.rnd() * 400 * 1024));
	const url = new URL(`${c.f.base}${API}/reports`);
	const headers = { cookie: c.f.client(actor).cookieHeader(), origin: c.f.base, 'content-type': form.type, 'content-length': form.head.length + form.filler.length * 3 };
	await new Promise<void>((resolve) => {
		const req = http.request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers });
		req.on('error', () => resolve());
		req.on('response', (res) => {
			res.resume();
			resolve();
		});
		req.write(form.head);
		// Long enough for the server to have stored the first pieces of the file.
		req.write(form.filler, () => setTimeout(() => (req.destroy(), resolve()), 150));
	});
	c.record('POST reports (multipart, cut off)', 'cut off');
}

/** A photo one byte or more over the limit: refused as too large, naming the file, with nothing of it kept. */
async function oversizeCase(c: FuzzCase): Promise<void> {
	const actor = c.actor(REPORTERS, 0.9);
	const entries = Object.entries(reportFields(c));
	const big = { what: 'over the limit', bytes: new Uint8Array(MAX_FILE_BYTES + 1 + Math.floor(c.rnd() * 1000)).fill(0xd8), image: false };
	const form = await reportForm(c.rnd, c.tag, entries, [big], false);
	const got = await c.send('POST reports (multipart)', actor, `${API}/reports`, { method: 'POST', body: form.body, headers: { 'content-type': form.type } }, { actor, fields: entries });
	if (!got) return c.record('POST reports (multipart, too large)', 'not sent');
	const expected = gate(actor) ?? (PEOPLE[actor as Person].role === 'reviewer' ? { statuses: [403], error: 'forbidden' } : { statuses: [413], error: 'tooLarge', file: 1 });
	c.check('POST reports (multipart, too large)', expected, got, { actor, fields: entries });
	c.record('POST reports (multipart, too large)', `HTTP ${got.status}`);
}

// ---- reports as JSON --------------------------------------------------------------------------------------------

async function jsonCase(c: FuzzCase): Promise<void> {
	const rnd = c.rnd;
	const actor = c.actor(REPORTERS);
	const fields = reportFields(c);
	const { lng: _lng, lat: _lat, ...base } = fields as Record<string, unknown>;
	if (fields.level) Object.assign(base, { level: Number(fields.level), headCount: Number(fields.headCount) });
	if (fields.pin) {
		const [x, y] = fields.pin.split(',').map(Number);
		base.pin = pickOf(rnd, [fields.pin, [x, y], { x, y }]);
	}
	if (fields.lng) base.position = { lng: 108.947, lat: 34.261 };
	if (chance(rnd, 0.4) && gate(actor) === null) {
		const uploads: string[] = [];
		// Sometimes only the first half of a photo arrived before the report was sent.
		for (const file of await someFiles(c, [1, 1, 2], 0.8)) uploads.push(chance(rnd, 0.15) ? await putHalf(c, actor, file) : await c.putWhole(actor, file));
		base.uploads = uploads;
	}
	const whole = rnd() < 0.3;
	let text = JSON.stringify(whole ? base : mutatePayload(rnd, base, c.tag)) ?? 'null';
	let type = 'application/json';
	if (chance(rnd, 0.08)) text = pickOf(rnd, ['', '{', `{"id": "${c.tag}"`, '[]', 'null', `"${c.tag}"`, text.slice(0, Math.floor(text.length / 2))]);
	if (chance(rnd, 0.05)) type = pickOf(rnd, ['text/plain', 'application/x-www-form-urlencoded', 'application/jsonx']);
	const input = { actor, type, body: text };
	const now = new Date();
	const got = await c.sendJson('POST reports (JSON)', actor, `${API}/reports`, text, input, 'POST', type);
	if (!got) return c.record('POST reports (JSON)', 'not sent');
	if (got.status === 201) c.stored = true;
	const raw = sentObject(text, type);
	let expected = gate(actor);
	if (!expected && !raw) expected = { statuses: [400], error: 'malformed' };
	else if (!expected && raw) {
		if (raw.uploads != null && (!Array.isArray(raw.uploads) || raw.uploads.some((u) => typeof u !== 'string'))) expected = { statuses: [400], error: 'incomplete', file: 1 };
		else {
			const withId = { ...raw, id: raw.id == null || raw.id === '' ? 'made-by-the-server' : raw.id };
			expected = expectReport(actor, withId, c.f.uploadStates(actor, (raw.uploads as string[] | undefined) ?? []), c.f.reporters(), now);
		}
	}
	c.check('POST reports (JSON)', expected, got, input);
	if (got.status === 201 || got.status === 200) {
		if (Array.isArray(raw?.uploads)) c.f.dropUploads(actor, raw.uploads);
		c.learnReport(actor, got.json?.report);
	}
	c.record(`POST reports (JSON${whole ? '' : ', one field broken'})`, `HTTP ${got.status}`);
}

async function putHalf(c: FuzzCase, actor: Actor, file: SampleFile): Promise<string> {
	const id = `${c.tag}-h${Math.floor(c.rnd() * 1e6)}`;
	const n = file.bytes.length;
	if (n < 2) return id;
	const half = Math.floor(n / 2);
	const got = await c.send('PUT uploads', actor, `${API}/uploads/${id}`, {
		method: 'PUT',
		body: file.bytes.slice(0, half),
		headers: { 'content-type': 'application/octet-stream', 'content-range': `bytes 0-${half - 1}/${n}` }
	});
	if (got?.status === 200) {
		c.stored = true;
		Object.assign(c.f.upload(actor, id), { received: half, total: n, content: file.image ? 'image' : 'bad' });
	}
	return id;
}

// ---- resumable upload pieces ------------------------------------------------------------------------------------

const PIECE_MODES = ['repeat', 'gap', 'badRange', 'inverted', 'past', 'huge', 'overTotal', 'shortBody', 'longBody', 'bigBody', 'otherTotal', 'noRange'] as const;

async function pieceCase(c: FuzzCase): Promise<void> {
	const rnd = c.rnd;
	const actor = c.actor(REPORTERS, 0.85);
	const idRoll = rnd();
	const id = idRoll < 0.85 ? `${c.tag}${pickOf(rnd, ['', '-a', '_b'])}` : idRoll < 0.95 ? encodePart(hostileString(rnd, c.tag)) : pickOf(rnd, ['%', '%ff', 'a%2Fb', '..', 'x'.repeat(65)]);
	const isPhoto = chance(rnd, 0.8);
	const file = isPhoto ? (await photo(rnd)).bytes : new Uint8Array(2000 + Math.floor(rnd() * 300_000)).fill(7);
	const total = file.length;
	for (let steps = 1 + Math.floor(rnd() * 3); steps > 0; steps--) {
		const state = { ...c.f.upload(actor, id) };
		const mode = chance(rnd, 0.55) ? 'next' : pickOf(rnd, PIECE_MODES);
		let start = state.received;
		let end = Math.min(total - 1, start + Math.floor(rnd() * total));
		let declared = total;
		let range: string | null = null;
		if (mode === 'repeat') start = Math.max(0, state.received - 1 - Math.floor(rnd() * 100));
		if (mode === 'gap') start = Math.min(total - 1, state.received + 1 + Math.floor(rnd() * 1000));
		if (mode === 'repeat' || mode === 'gap') end = Math.min(total - 1, start + 10);
		let body = file.slice(start, end + 1);
		switch (mode) {
			case 'badRange':
				range = pickOf(rnd, ['bytes */100', `bytes 0-${end}/*`, `bytes=0-${end}/${total}`, `0-${end}/${total}`, `bytes 0-${end}/${total} `, 'bytes -1-5/10', 'bytes 0-1234567890/1234567891', `bytes ½-${end}/${total}`, hostileString(rnd, c.tag).replace(/[^\x20-\x7e]/g, '')]);
				break;
			case 'inverted':
				range = `bytes ${end + 5}-${end}/${total}`;
				break;
			case 'past':
				range = `bytes ${start}-${total}/${total}`;
				break;
			case 'huge':
				range = `bytes ${start}-${start + 2 * 1024 * 1024}/${8 * 1024 * 1024}`;
				break;
			case 'overTotal':
				range = `bytes 0-99/${MAX_FILE_BYTES + 1}`;
				break;
			case 'shortBody':
				body = body.slice(0, Math.max(0, body.length - 1 - Math.floor(rnd() * 10)));
				break;
			case 'longBody':
				body = concat([body, new Uint8Array(1 + Math.floor(rnd() * 100))]);
				break;
			case 'bigBody':
				// Far more than the range declares: refused without the server holding it all.
				body = new Uint8Array(2 * 1024 * 1024 + Math.floor(rnd() * 1024 * 1024));
				break;
			case 'otherTotal':
				declared = total + 1 + Math.floor(rnd() * 100);
				break;
		}
		if (mode !== 'noRange') range ??= `bytes ${start}-${end}/${declared}`;
		const input = { actor, id, mode, range, bytes: body.length };
		const headers: Record<string, string> = { 'content-type': 'application/octet-stream', ...(range === null ? {} : { 'content-range': range }) };
		const got = await c.send('PUT uploads/[upload]', actor, `${API}/uploads/${id}`, { method: 'PUT', body, headers }, input);
		if (!got) break;
		// HTTP drops the spaces around a header's value before the route sees it.
		const expected = expectPiece(actor, id, range?.trim() ?? null, body.length, state);
		if (isPlainId(id)) c.check('PUT uploads/[upload]', expected, got, input);
		else if (got.status < 400) c.fail(`PUT of an upload id that is none answered ${got.status}`, input);
		if (got.status === 200 && expected.stores) {
			c.stored = true;
			// Stored pieces are the file's own bytes; the whole is a photo only if the total declared was the file's.
			Object.assign(c.f.upload(actor, id), { received: end + 1, total: declared, content: isPhoto && declared === total ? 'image' : 'bad' });
		}
		const now = c.f.upload(actor, id);
		if (got.status === 200 && isPlainId(id) && (got.json?.received !== now.received || got.json?.total !== (now.total ?? declared))) {
			c.fail(`PUT answered ${JSON.stringify(got.json)}, the pieces sent left ${JSON.stringify({ received: now.received, total: now.total })}`, input);
		}
		c.record(`PUT uploads/[upload] (${mode})`, `HTTP ${got.status}`);
	}
	// Where the upload stands, asked as a phone coming back does: what the pieces left, no more, no less.
	if (isPlainId(id) && gate(actor) === null && chance(rnd, 0.3)) {
		const got = await c.send('GET uploads/[upload]', actor, `${API}/uploads/${id}`, {}, { actor, id });
		const state = c.f.upload(actor, id);
		if (got?.status === 200 && (got.json?.received !== state.received || got.json?.total !== state.total)) {
			c.fail(`GET uploads says ${JSON.stringify(got.json)}, the pieces sent left ${JSON.stringify({ received: state.received, total: state.total })}`);
		}
		if (got) c.record('GET uploads/[upload]', `HTTP ${got.status}`);
	}
}

// ---- triage -------------------------------------------------------------------------------------------------------

async function triageCase(c: FuzzCase): Promise<void> {
	const rnd = c.rnd;
	// A fresh report to decide on, sometimes with a photo the card will carry.
	const reporter = pickOf(rnd, ['member.station', 'member.traffic'] as const);
	const uploads = chance(rnd, 0.25) ? [await c.putWhole(reporter, await photo(rnd))] : [];
	const body = { id: `${c.tag}-t`, kind: 'fight', body: `${pickOf(rnd, BODIES)} ${c.tag}`, pin: chance(rnd, 0.5) ? [300, 200] : null, uploads };
	const made = await c.sendJson('POST reports (JSON)', reporter, `${API}/reports`, JSON.stringify(body));
	if (made?.status === 201) {
		c.stored = true;
		c.f.dropUploads(reporter, uploads);
		c.learnReport(reporter, made.json?.report);
	}
	const known = [...c.f.known.reports.keys()];
	const idRoll = rnd();
	const reportId = idRoll < 0.8 && made?.status === 201 ? body.id : idRoll < 0.9 && known.length ? pickOf(rnd, known) : encodePart(hostileString(rnd, c.tag), 200);
	const actor = c.actor(['commander', 'commander', 'lead.station', 'lead.cid'], 0.8);
	const own = actor === 'lead.cid' ? 'cid' : 'station';
	const cards = [...(c.f.known.cards.get(own) ?? [])];
	const base: Record<string, unknown> = pickOf(rnd, [
		{ action: 'card', agency: own, title: `处置 ${c.tag}`, priority: pickOf(rnd, ['routine', 'urgent', 'critical']) },
		{ action: 'attach', agency: own, cardId: pickOf(rnd, cards) },
		{ action: 'duplicate', of: known.length ? pickOf(rnd, known) : 'none' },
		{ action: 'close', reason: `已处置 ${c.tag}` }
	]);
	const whole = rnd() < 0.35;
	const text = JSON.stringify(whole ? base : mutatePayload(rnd, base, c.tag)) ?? 'null';
	const input = { actor, reportId, body: text };
	const got = await c.sendJson('POST reports/[report]/triage', actor, `${API}/reports/${reportId}/triage`, text, input);
	if (!got) return c.record('POST reports/[report]/triage', 'not sent');
	if (got.status === 200) c.stored = true;
	const raw = sentObject(text);
	if (isPlainId(reportId)) c.check('POST reports/[report]/triage', expectTriage(actor, reportId, raw, c.f.known), got, input);
	else if (got.status < 400) c.fail(`triage of a report id that is none answered ${got.status}`, input);
	if (got.status === 200) {
		const state = { card: 'card', attach: 'attached', duplicate: 'duplicate', close: 'closed' }[String(raw?.action)];
		if (got.json?.report?.state !== state) c.fail(`a ${String(raw?.action)} decision left the report ${got.json?.report?.state}`, input);
		c.learnReport(actor, got.json?.report);
	}
	c.record(`POST reports/[report]/triage (${whole ? String(base.action) : 'one field broken'})`, `HTTP ${got.status}`);
}
