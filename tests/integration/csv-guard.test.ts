/**
 * Formula injection: every CSV the app writes (the record's zip, the roster and the disputes register) keeps as
 * text a cell a spreadsheet would run — a minus before digits, full-width ＝, a leading space — through one guard.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { strFromU8, unzipSync } from 'fflate';
import { startServer, type TestServer } from '../helpers/server.ts';
import { HttpClient } from '../helpers/http.ts';
import { signIn } from '../helpers/accounts.ts';
import { connectDoc, DEMO_EVENT, DEMO_PASSWORD, eventually, whenSynced } from '../helpers/live.ts';
import { exportAs } from '../helpers/after-action.ts';
import { activityOf } from '../helpers/hub.ts';
import { agencyDocName } from '../../src/lib/domain/documents.ts';
import { addCard } from '../../src/lib/domain/board.ts';
import { addShift } from '../../src/lib/domain/roster-write.ts';
import { addDispute } from '../../src/lib/domain/dispute-doc.ts';

const PAYLOADS = ["-1+1+cmd|' /C calc'!A0", '＝HYPERLINK("http://evil.example","x")', ' =1+2'];

/** Every cell of a CSV text that starts like a formula without the guard. */
function unguarded(csv: string): string[] {
	return csv
		.split(/\r?\n/)
		.flatMap((line) => line.split(','))
		.map((cell) => cell.replace(/^"/, ''))
		.filter((cell) => /^[\s\u3000]*[=+\-@\uff1d\uff0b\uff0d\uff20]/.test(cell) && !/^[+-]?\d+(\.\d+)?$/.test(cell));
}

describe('CSV formula guard', () => {
	let server: TestServer;
	let commander: HttpClient;

	beforeAll(async () => {
		server = await startServer({ demo: true });
		commander = await signIn(new HttpClient(server.url), 'commander', DEMO_PASSWORD);
		const live = connectDoc(server.url, agencyDocName(DEMO_EVENT, 'station'), { cookie: commander.cookieHeader() });
		await whenSynced(live);
		PAYLOADS.forEach((title, i) => addCard(live.doc, `csv-card-${i}`, { title, status: 'todo', priority: 'routine', agency: 'station' }));
		addShift(live.doc, {
			id: 'csv-shift',
			postId: 'demo-post-south-gate',
			periodId: null,
			startsAt: '2027-01-01T08:00:00+08:00',
			endsAt: '2027-01-01T12:00:00+08:00',
			notes: PAYLOADS[0],
			people: [{ id: 'p1', userId: null, name: PAYLOADS[1], role: PAYLOADS[2] }]
		});
		addDispute(live.doc, 'csv-dispute', { summary: PAYLOADS[0], category: 'other', risk: 'low', status: 'open', level: 'community', location: PAYLOADS[1] });
		await eventually(async () => (await activityOf(server.url, commander.cookieHeader(), DEMO_EVENT, 'csv-dispute')).length > 0, 15_000, 'the writes to be logged');
		live.destroy();
	});
	afterAll(async () => {
		await server?.dispose();
	});

	it("guards the record's cards.csv and activity.csv", async () => {
		const files = unzipSync((await exportAs(commander, DEMO_EVENT, 'csv')).bytes);
		for (const name of ['cards.csv', 'activity.csv', 'disputes.csv']) {
			const text = strFromU8(files[name]);
			expect(text, name).toContain(`'${PAYLOADS[0]}`);
			expect(unguarded(text), name).toEqual([]);
		}
	});

	it('guards the roster export', async () => {
		const text = await (await commander.request(`/events/${DEMO_EVENT}/roster/export?agency=station`)).text();
		expect(text).toContain(`'${PAYLOADS[1].slice(0, 10)}`);
		expect(unguarded(text)).toEqual([]);
	});

	it('guards the disputes register export', async () => {
		const text = await (await commander.request(`/events/${DEMO_EVENT}/disputes/export`)).text();
		expect(text).toContain(`'${PAYLOADS[0]}`);
		expect(unguarded(text)).toEqual([]);
	});
});
