/**
 * Issue 9: fuzzing of the CSV imports: the dispute register's, the roster's, the event's posts and periods, and
 * the administrator's member list. Each case starts from a file the
 * app itself exported (a valid import) and breaks it: quoting, a BOM or none, GBK-like and invalid UTF-8 bytes,
 * wrong column counts, huge rows, formula injection, NUL bytes, line endings, an empty file, a header alone,
 * duplicate or unknown headers, and hostile text in any cell. Sent by the commander and by people who may not
 * import. Every answer is a proper status; the process stays up; nothing invalid is stored, nothing of a refused
 * file is stored, and the exports afterwards still guard every cell a spreadsheet would run as a formula.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.ts';
import { HttpClient } from '../helpers/http.ts';
import { signIn } from '../helpers/accounts.ts';
import { DEMO_EVENT, DEMO_PASSWORD } from '../helpers/live.ts';
import { caseIndexes, caseRandom, chance, FuzzLedger, fuzzConfig, hostileString, pickOf, tagOf, type Rnd } from '../helpers/fuzz.ts';
import { checkLiveDocuments, checkStoredData, leaksInternals, runInBatches } from '../helpers/fuzz-storage.ts';
import { parseCsv, toCsv } from '../../src/lib/domain/csv-format.ts';
import { agencyDocName, commandDocName, restrictedDocName } from '../../src/lib/domain/documents.ts';
import { SEED_AGENCIES } from '../../src/lib/domain/roles.ts';
import { createEventAsAdmin } from '../helpers/admin-forms.ts';

const config = fuzzConfig();
const CASES = caseIndexes(config, 600);
const BATCH = 100;
const AGENCIES = SEED_AGENCIES.map((a) => a.code);
const ACTORS = ['commander', 'commander', 'commander', 'lead.station', 'lead.patrol', 'member.station', 'reviewer'] as const;

/** Bytes as Excel on a Chinese Windows writes them (GB18030 pairs), and bytes that are no encoding at all. */
const ODD_BYTES: readonly number[][] = [
	[0xd5, 0xc5, 0xc8, 0xfd], // 张三 in GBK
	[0xc4, 0xcf, 0xc3, 0xc5], // 南门
	[0xff, 0xfe],
	[0xc0, 0x80],
	[0xed, 0xa0, 0x80],
	[0x81],
	[0x00]
];

type Kind = 'disputes' | 'roster' | 'posts' | 'periods' | 'members';

/** A broken version of a valid file, as bytes, with what was done to it. */
function mutateCsv(rnd: Rnd, valid: string[][], tag: string): { bytes: Uint8Array<ArrayBuffer>; how: string } {
	let rows = valid.map((r) => [...r]);
	const enc = new TextEncoder();
	const cellAt = (): [number, number] => {
		const r = 1 + Math.floor(rnd() * Math.max(1, rows.length - 1));
		const row = rows[Math.min(r, rows.length - 1)];
		return [Math.min(r, rows.length - 1), Math.floor(rnd() * row.length)];
	};
	let how: string;
	let text: string | null = null;
	const roll = Math.floor(rnd() * 16);
	switch (roll) {
		case 0: {
			const [r, c] = cellAt();
			rows[r][c] = `${rows[r][c]} ${tag}`;
			how = 'tagged cell';
			break;
		}
		case 1: {
			const [r, c] = cellAt();
			rows[r][c] = hostileString(rnd, tag);
			how = 'hostile cell';
			break;
		}
		case 2: {
			const [r, c] = cellAt();
			rows[r][c] = pickOf(rnd, [`=cmd|' /C calc'!A0 ${tag}`, `+SUM(A1) ${tag}`, `@HYPERLINK("http://x") ${tag}`, `-1+1 ${tag}`, `\t=1+1 ${tag}`]);
			how = 'formula cell';
			break;
		}
		case 3: {
			const [r] = cellAt();
			if (chance(rnd, 0.5)) rows[r].pop();
			else rows[r].push(tag, tag);
			how = 'wrong column count';
			break;
		}
		case 4: {
			const [r, c] = cellAt();
			rows[r][c] = tag + 'x'.repeat(pickOf(rnd, [1_000, 100_000, 1_000_000]));
			how = 'huge cell';
			break;
		}
		case 5:
			rows = [];
			how = 'empty';
			break;
		case 6:
			rows = rows.slice(0, 1);
			how = 'header only';
			break;
		case 7:
			rows[0] = [...rows[0], rows[0][Math.floor(rnd() * rows[0].length)]];
			rows.slice(1).forEach((r) => r.push(tag));
			how = 'duplicate header';
			break;
		case 8:
			rows[0] = rows[0].map((h) => (chance(rnd, 0.3) ? hostileString(rnd, tag) : h));
			how = 'hostile header';
			break;
		case 9:
			text = toCsv(rows).replace(/"/, '') + `\n"${tag},unterminated`;
			how = 'broken quoting';
			break;
		case 10:
			text = toCsv(rows).replace(/\r?\n/g, pickOf(rnd, ['\r', '\n', '\r\r\n', '\u2028']));
			how = 'line endings';
			break;
		case 11:
			// Many rows: over the import's row limit now and then.
			rows = [rows[0], ...Array.from({ length: pickOf(rnd, [50, 2_001, 5_001]) }, () => [...(rows[1] ?? rows[0])])];
			how = 'many rows';
			break;
		case 12: {
			const [r, c] = cellAt();
			rows[r][c] = `${rows[r][c]}\u0000${tag}`;
			how = 'NUL in a cell';
			break;
		}
		case 13:
			text = toCsv(rows).replaceAll(',', '\t');
			how = 'tabs';
			break;
		default:
			how = 'odd bytes';
			break;
	}
	let bytes: Uint8Array<ArrayBuffer> = enc.encode(text ?? toCsv(rows));
	if (roll >= 14 || chance(rnd, 0.1)) {
		// Odd bytes spliced in at a random place.
		const at = Math.floor(rnd() * (bytes.length + 1));
		const odd = pickOf(rnd, ODD_BYTES);
		bytes = new Uint8Array([...bytes.slice(0, at), ...odd, ...enc.encode(tag), ...bytes.slice(at)]);
		if (roll < 14) how += ' + odd bytes';
	}
	if (chance(rnd, 0.3)) {
		const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
		bytes = bom ? bytes.slice(3) : new Uint8Array([0xef, 0xbb, 0xbf, ...bytes]);
		how += bom ? ' − BOM' : ' + BOM';
	}
	return { bytes, how };
}

describe('fuzzing the CSV imports', () => {
	let server: TestServer;
	let pid: number;
	const clients = new Map<string, HttpClient>();
	const ledger = new FuzzLedger('CSV imports', 'c', config.seed);
	const valid: Record<Kind, string[][]> = { disputes: [], roster: [], posts: [], periods: [], members: [] };
	/** The member lists go to an event of the run's own, so the demo's people keep their roles for the other cases. */
	let membersEvent = '';

	async function exported(kind: Kind, client: HttpClient, agency = 'station'): Promise<string> {
		const path =
			kind === 'disputes'
				? `/events/${DEMO_EVENT}/disputes/export`
				: kind === 'posts' || kind === 'periods'
					? `/events/${DEMO_EVENT}/roster/setup-export?table=${kind}`
					: `/events/${DEMO_EVENT}/roster/export?agency=${agency}`;
		const res = await client.request(path);
		expect(res.status).toBe(200);
		return res.text();
	}

	async function runCase(index: number): Promise<void> {
		const rnd = caseRandom(config.seed, 'c', index);
		const tag = tagOf('c', index);
		const roll = rnd();
		const kind: Kind = roll < 0.3 ? 'disputes' : roll < 0.6 ? 'roster' : roll < 0.73 ? 'posts' : roll < 0.86 ? 'periods' : 'members';
		const actor = kind === 'members' && chance(rnd, 0.8) ? 'admin' : pickOf(rnd, ACTORS);
		const client = clients.get(actor)!;
		const untouched = chance(rnd, 0.1);
		const { bytes, how } = untouched ? { bytes: new TextEncoder().encode(toCsv(valid[kind])), how: 'valid' } : mutateCsv(rnd, valid[kind], tag);
		const form = new FormData();
		const agency = chance(rnd, 0.85) ? 'station' : pickOf(rnd, [...AGENCIES, hostileString(rnd, tag)]);
		if (kind === 'roster') form.append('agency', agency);
		form.append('file', new Blob([bytes], { type: 'text/csv' }), chance(rnd, 0.8) ? `${kind}.csv` : hostileString(rnd, tag));
		const route = {
			disputes: `/events/${DEMO_EVENT}/disputes/import`,
			roster: `/events/${DEMO_EVENT}/roster/csv?/import`,
			posts: `/events/${DEMO_EVENT}/roster/csv?/importPosts`,
			periods: `/events/${DEMO_EVENT}/roster/csv?/importPeriods`,
			members: `/admin/events/${membersEvent}?/bulkAdd`
		}[kind];
		const input = { actor, kind, how, agency: kind === 'roster' ? agency : undefined, bytes: bytes.length, head: new TextDecoder().decode(bytes.slice(0, 300)) };
		let res: Response;
		try {
			const send = () => client.request(route, { method: 'POST', body: form, headers: { 'x-sveltekit-action': 'true', accept: 'application/json' } });
			// An answer given before the body was read (an admin page refusing a non-administrator) closes the
			// connection; the client may pick it for its next request before it notices. One retry tells that apart
			// from a server that stopped answering, as the form fuzzer does.
			res = await send().catch(async () => {
				ledger.count('(connection reused after close, retried)', 'retried');
				return send();
			});
		} catch (err) {
			ledger.fail(index, `POST ${route} failed: ${(err as Error).message}`, input);
			return;
		}
		const body = await res.text();
		if (res.status >= 500) ledger.fail(index, `POST ${route} answered ${res.status}: ${body.slice(0, 300)}`, input);
		if (leaksInternals(body)) ledger.fail(index, `POST ${route} shows internals: ${body.slice(0, 300)}`, input);
		let outcome = `HTTP ${res.status}`;
		let accepted = false;
		try {
			const answer = JSON.parse(body) as { type: string; status?: number };
			outcome = answer.type === 'success' ? 'imported' : `${answer.type} ${answer.status ?? res.status}`;
			accepted = answer.type === 'success';
			if ((answer.status ?? 0) >= 500) ledger.fail(index, `POST ${route} answered ${answer.type} ${answer.status}: ${body.slice(0, 300)}`, input);
		} catch {
			// A refusal before the action (a body over the limit) answers in plain text; its status is what counts.
		}
		ledger.record(index, `${kind}: ${how.split(' ')[0] === 'valid' ? 'valid' : how}`, outcome, accepted);
	}

	beforeAll(async () => {
		server = await startServer({ demo: true });
		pid = server.pid()!;
		for (const a of new Set([...ACTORS, 'admin'])) clients.set(a, await signIn(new HttpClient(server.url), a, DEMO_PASSWORD));
		const commander = clients.get('commander')!;
		membersEvent = await createEventAsAdmin(clients.get('admin')!, { name: '成员名单模糊测试', startsAt: '2027-01-01T08:00', endsAt: '2027-01-02T08:00' });
		valid.posts = parseCsv(await exported('posts', commander));
		valid.periods = parseCsv(await exported('periods', commander));
		valid.members = [['username', 'role', 'agency'], ['member.station', 'member', 'station'], ['lead.traffic', '带班领导', '交警'], ['reviewer', 'reviewer', '']];
		// The dispute register's export, ids emptied so that its rows import as new entries.
		const disputes = parseCsv(await exported('disputes', commander));
		valid.disputes = [disputes[0], ...disputes.slice(1, 4).map((r) => ['', ...r.slice(1)])];
		valid.roster = parseCsv(await exported('roster', commander));
		expect(valid.disputes.length).toBeGreaterThan(1);
		expect(valid.roster.length).toBeGreaterThan(1);
		expect(valid.posts.length).toBeGreaterThan(1);
		expect(valid.periods.length).toBeGreaterThan(1);
	});

	afterAll(async () => {
		await server?.dispose();
	});

	it('answers every broken file with a proper status, and stays up', async () => {
		await runInBatches(server, pid, ledger, CASES, BATCH, (i) => runCase(i));
		expect(ledger.problems).toEqual([]);
		if (config.only === null) {
			expect(ledger.tally(/^disputes/, /^imported$/)).toBeGreaterThan(5);
			expect(ledger.tally(/^roster/, /^imported$/)).toBeGreaterThan(5);
			for (const kind of [/^posts/, /^periods/, /^members/]) {
				expect.soft(ledger.tally(kind, /^imported$/), `${kind} imported`).toBeGreaterThan(2);
				expect.soft(ledger.tally(kind, /^failure 4\d\d$/), `${kind} refused`).toBeGreaterThan(2);
			}
			expect(ledger.tally(/./, /^failure 400$/)).toBeGreaterThan(50);
			expect(ledger.tally(/./, /^failure 403$/)).toBeGreaterThan(5);
		}
	});

	it('exports afterwards guard every cell a spreadsheet would run as a formula', async () => {
		const commander = clients.get('commander')!;
		for (const [what, text] of [
			['disputes', await exported('disputes', commander)],
			['posts', await exported('posts', commander)],
			['periods', await exported('periods', commander)],
			...(await Promise.all(AGENCIES.map(async (a) => [`roster ${a}`, await exported('roster', commander, a)])))
		]) {
			for (const row of parseCsv(text)) {
				for (const cell of row) if (/^[=+@\t\r]/.test(cell)) ledger.fail(null, `the ${what} export holds an unguarded formula cell: ${JSON.stringify(cell.slice(0, 80))}`);
			}
		}
		expect(ledger.problems).toEqual([]);
	});

	it('stores nothing a refused file carried, and nothing invalid', async () => {
		const docs = [commandDocName(DEMO_EVENT), ...AGENCIES.map((a) => agencyDocName(DEMO_EVENT, a)), restrictedDocName(DEMO_EVENT)];
		await checkLiveDocuments(server, clients.get('commander')!.cookieHeader(), docs, ledger);
		const stored = await checkStoredData(server, ledger);
		console.log(`checked ${stored.rows} rows and ${stored.docs} stored documents`);
		expect(ledger.problems).toEqual([]);
	});
});
