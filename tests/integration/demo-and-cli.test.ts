import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { postgresBaseUrl, runCli, startServer, type TestServer } from '../helpers/server.ts';
import { HttpClient } from '../helpers/http.ts';
import { demoSchedule } from '../../src/lib/server/demo/demo-data.ts';

const EMBEDDED = !postgresBaseUrl();
const DEMO_PASSWORD = 'liandong-demo';
const DEMO_EVENT_ID = 'demo-lantern-2026';

/**
 * Runs `work` while the CLI may open the server's database: on the embedded database only one process may hold
 * the data folder, so the server is stopped around it; PostgreSQL takes the CLI beside the running server.
 */
async function whileCliMayRun<T>(server: TestServer, work: () => Promise<T>): Promise<T> {
	if (!EMBEDDED) return work();
	await server.stop();
	try {
		return await work();
	} finally {
		await server.restart();
	}
}

async function cliJson<T>(server: TestServer, args: string[]): Promise<T> {
	const r = await runCli(server, [...args, '--json']);
	if (r.code !== 0) throw new Error(`cli ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
	return JSON.parse(r.stdout) as T;
}

/** Signs in through the login form; the answer is SvelteKit's action JSON (`redirect` on success). */
async function signIn(server: TestServer, username: string, password: string): Promise<{ client: HttpClient; type: string }> {
	const client = new HttpClient(server.url);
	const res = await client.login(username, password);
	const body = (await res.json()) as { type: string };
	return { client, type: body.type };
}

interface ApiEvent {
	id: string;
	name: string;
	status: string;
	startsAt: string;
	endsAt: string;
	timezone: string;
	role: string;
}

async function eventsOf(client: HttpClient): Promise<ApiEvent[]> {
	const res = await client.request('/api/events');
	expect(res.status).toBe(200);
	return ((await res.json()) as { events: ApiEvent[] }).events;
}

describe('the demo seed (npm run demo)', () => {
	let server: TestServer;
	beforeAll(async () => {
		// As on a new machine: a database nothing has touched.
		server = await startServer({ demo: true, fresh: true });
	});
	afterAll(async () => {
		await server?.dispose();
	});

	it('seeds before the server listens and says so', () => {
		expect(server.output()).toContain('[demo] seeded: 2026古城灯会开幕周安保');
	});

	it('lets the demo accounts sign in with the demo password and sets the session cookie', async () => {
		for (const username of [
			'admin',
			'commander',
			'lead.station',
			'lead.cid',
			'lead.traffic',
			'lead.patrol',
			'member.station',
			'member.traffic',
			'reviewer'
		]) {
			const { client, type } = await signIn(server, username, DEMO_PASSWORD);
			expect(type, username).toBe('redirect');
			expect(client.cookies.get('session'), username).toMatch(/^[a-z2-7]{32}$/);
		}
	});

	it('shows the commander the active demo event with the role commander', async () => {
		const { client } = await signIn(server, 'commander', DEMO_PASSWORD);
		const demo = (await eventsOf(client)).find((e) => e.id === DEMO_EVENT_ID);
		// Dated around the moment it was seeded: from yesterday's day period to tomorrow's night one.
		const schedule = demoSchedule(Date.now());
		expect(demo).toEqual({
			id: DEMO_EVENT_ID,
			name: '2026古城灯会开幕周安保',
			status: 'active',
			startsAt: new Date(schedule.startsAt).toISOString(),
			endsAt: new Date(schedule.endsAt).toISOString(),
			timezone: 'Asia/Shanghai',
			role: 'commander'
		});
	});

	it('gives leads, members and the reviewer their own roles in the demo event', async () => {
		for (const [username, role] of [
			['lead.traffic', 'lead'],
			['member.station', 'member'],
			['reviewer', 'reviewer']
		]) {
			const { client } = await signIn(server, username, DEMO_PASSWORD);
			expect((await eventsOf(client)).map((e) => [e.id, e.role]), username).toEqual([[DEMO_EVENT_ID, role]]);
		}
	});

	it('closes first-run setup, so /setup sends a visitor to the login page', async () => {
		const res = await new HttpClient(server.url).request('/setup');
		expect(res.status).toBe(303);
		expect(res.headers.get('location')).toBe('/login');
	});

	it('clears only the commander and the station and patrol leads for personal data', async () => {
		const users = await whileCliMayRun(server, () =>
			cliJson<Array<{ username: string; clearedPersonalData: boolean }>>(server, ['user', 'list'])
		);
		expect(users.length).toBeGreaterThanOrEqual(17);
		expect(users.filter((u) => u.clearedPersonalData).map((u) => u.username).sort()).toEqual([
			'commander',
			'lead.patrol',
			'lead.station'
		]);
	});

	it('changes nothing when the next start seeds again', async () => {
		const snapshot = () =>
			whileCliMayRun(server, async () => ({
				users: await cliJson(server, ['user', 'list']),
				teams: await cliJson(server, ['team', 'list']),
				events: await cliJson(server, ['event', 'list']),
				members: await cliJson(server, ['member', 'list', DEMO_EVENT_ID])
			}));
		const before = await snapshot();
		await server.stop();
		await server.restart();
		expect(server.output()).toContain('[demo] already seeded: 2026古城灯会开幕周安保');
		const after = await snapshot();
		expect(after).toEqual(before);
		expect((before.teams as unknown[]).length).toBe(26);
		expect((before.members as unknown[]).length).toBe(16);
		// Eight command-line runs, each opening the database, and a restart: a loaded machine needs more than the default.
	}, 180_000);
});

describe('the command line (npm run cli)', () => {
	let server: TestServer;
	beforeAll(async () => {
		server = await startServer();
	});
	afterAll(async () => {
		await server?.dispose();
	});

	it('prints help listing every command and exits 0', async () => {
		const r = await runCli(server, ['help']);
		expect(r.code).toBe(0);
		for (const usage of [
			'user add <username> --name <display name>',
			'user reset-password <username>',
			'team add',
			'event status',
			'member set',
			'token revoke',
			'backup <file>',
			'verify <file>',
			'restore <file>'
		]) {
			expect(r.stdout).toContain(usage);
		}
	});

	it('refuses an unknown command or option with exit 2 and names it', async () => {
		const unknown = await runCli(server, ['frobnicate']);
		expect(unknown.code).toBe(2);
		expect(unknown.stderr).toContain('Unknown command "frobnicate"');
		const password = await runCli(server, ['user', 'add', 'x.y', '--name', 'X', '--password', 'on-argv-1']);
		expect(password.code).toBe(2);
		expect(password.stderr).toContain('unknown option --password');
	});

	it.runIf(EMBEDDED)('refuses to open the embedded database while the server runs, in one clear line', async () => {
		const r = await runCli(server, ['user', 'list']);
		expect(r.code).toBe(1);
		expect(r.stderr.trim()).toMatch(
			/^Cannot open the database: DATA_DIR \S+ is in use by another Liandong process \(pid \d+\)\. Stop it first, or use DATABASE_URL\.$/
		);
		expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
	});

	it('adds a user whose password comes from stdin; that user signs in, and an admin closes setup', async () => {
		const r = await whileCliMayRun(server, () =>
			runCli(server, ['user', 'add', 'wang.jg', '--name', '王建国', '--agency', 'station', '--admin'], 'wang-password-1\n')
		);
		expect(r.stderr).toBe('');
		expect(r.code).toBe(0);
		expect(r.stdout).toContain('Added user wang.jg (王建国)');
		expect(r.stdout).toContain('First-run setup is now closed');
		const { client, type } = await signIn(server, 'wang.jg', 'wang-password-1');
		expect(type).toBe('redirect');
		expect(client.cookies.has('session')).toBe(true);
		const setup = await new HttpClient(server.url).request('/setup');
		expect(setup.headers.get('location')).toBe('/login');
	});

	it('refuses a bad username with a non-zero exit that names the field, and adds no one', async () => {
		const { bad, users } = await whileCliMayRun(server, async () => ({
			bad: await runCli(server, ['user', 'add', 'Wang JG!', '--name', '王建国'], 'wang-password-1\n'),
			users: await cliJson<Array<{ username: string }>>(server, ['user', 'list'])
		}));
		expect(bad.code).not.toBe(0);
		expect(bad.stderr).toContain('username is not in the right format');
		expect(users.map((u) => u.username)).toEqual(['wang.jg']);
	});

	it('refuses a password shorter than 8 characters read from stdin', async () => {
		const r = await whileCliMayRun(server, () => runCli(server, ['user', 'add', 'li.xm', '--name', '李晓梅'], 'short\n'));
		expect(r.code).toBe(2);
		expect(r.stderr).toContain('password (stdin) is too short');
	});

	it('disables a user: their session ends and signing in fails; enabling lets them back', async () => {
		const { client } = await signIn(server, 'wang.jg', 'wang-password-1');
		expect((await client.request('/api/events')).status).toBe(200);

		const disabled = await whileCliMayRun(server, () => runCli(server, ['user', 'disable', 'wang.jg']));
		expect(disabled.code).toBe(0);
		expect((await client.request('/api/events')).status).toBe(401);
		const refused = await signIn(server, 'wang.jg', 'wang-password-1');
		expect(refused.type).toBe('failure');
		expect(refused.client.cookies.has('session')).toBe(false);

		const enabled = await whileCliMayRun(server, () => runCli(server, ['user', 'enable', 'wang.jg']));
		expect(enabled.code).toBe(0);
		expect((await signIn(server, 'wang.jg', 'wang-password-1')).type).toBe('redirect');
	});

	it('creates an event, makes a member its commander, and lists it for them', async () => {
		const { created, members } = await whileCliMayRun(server, async () => {
			const made = await runCli(server, [
				'event',
				'create',
				'--name',
				'国际马拉松安保',
				'--starts',
				'2026-12-06T05:00',
				'--ends',
				'2026-12-06T14:00',
				'--venue',
				'滨江大道'
			]);
			const id = /Event id: (\S+)/.exec(made.stdout)?.[1] ?? '';
			const set = await runCli(server, ['member', 'set', id, 'wang.jg', 'commander']);
			const members = await cliJson<Array<{ username: string; role: string }>>(server, ['member', 'list', id]);
			return { created: { ...made, id, set }, members };
		});
		expect(created.code).toBe(0);
		expect(created.set.code).toBe(0);
		expect(members).toMatchObject([{ username: 'wang.jg', role: 'commander', agencyCode: 'station' }]);
		const { client } = await signIn(server, 'wang.jg', 'wang-password-1');
		const events = await eventsOf(client);
		expect(events.find((e) => e.id === created.id)).toMatchObject({
			name: '国际马拉松安保',
			status: 'planning',
			startsAt: '2026-12-05T21:00:00.000Z',
			role: 'commander'
		});
	});
});
