import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.ts';
import { HttpClient } from '../helpers/http.ts';
import { ADMIN, setupAdmin, signIn } from '../helpers/accounts.ts';
import { addMemberAsAdmin, createEventAsAdmin, createUserAsAdmin, userIdAsAdmin } from '../helpers/admin-forms.ts';

const PASSWORD = 'member-password-1';

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

describe('GET /api/events', () => {
	let server: TestServer;
	let admin: HttpClient;
	const ev: Record<'lantern' | 'marathon' | 'concert', string> = { lantern: '', marathon: '', concert: '' };

	beforeAll(async () => {
		server = await startServer();
		admin = await setupAdmin(new HttpClient(server.url));
		const ids = {
			wang: await createUserAsAdmin(admin, { username: 'wang', displayName: '王队长', password: PASSWORD, agencyCode: 'traffic' }),
			li: await createUserAsAdmin(admin, { username: 'li', displayName: '李指挥', password: PASSWORD, agencyCode: 'station' }),
			zhao: await createUserAsAdmin(admin, { username: 'zhao', displayName: '赵队员', password: PASSWORD, agencyCode: 'patrol' })
		};
		const adminId = await userIdAsAdmin(admin, ADMIN.username);
		ev.lantern = await createEventAsAdmin(admin, { name: '元宵灯会', startsAt: '2026-02-12T18:00', endsAt: '2026-02-12T23:00' });
		ev.marathon = await createEventAsAdmin(admin, { name: '城市马拉松', startsAt: '2026-03-22T06:00', endsAt: '2026-03-22T14:00' });
		ev.concert = await createEventAsAdmin(admin, { name: '体育场演唱会', startsAt: '2026-05-01T19:00', endsAt: '2026-05-01T23:30' });
		await addMemberAsAdmin(admin, ev.lantern, { userId: ids.wang, role: 'lead', agencyCode: 'traffic' });
		await addMemberAsAdmin(admin, ev.marathon, { userId: ids.wang, role: 'member', agencyCode: 'traffic' });
		await addMemberAsAdmin(admin, ev.lantern, { userId: ids.li, role: 'commander', agencyCode: 'station' });
		await addMemberAsAdmin(admin, ev.concert, { userId: adminId, role: 'commander', agencyCode: 'station' });
	});
	afterAll(async () => {
		await server?.dispose();
	});

	it('answers an unauthenticated request with 401 JSON, not a redirect to the login page', async () => {
		const res = await new HttpClient(server.url).request('/api/events');
		expect(res.status).toBe(401);
		expect(res.headers.get('content-type')).toMatch(/^application\/json/);
		expect(res.headers.get('location')).toBeNull();
		expect(await res.json()).toMatchObject({ error: 'unauthenticated' });
	});

	it('answers a forged session cookie with 401 and clears the cookie', async () => {
		const forger = new HttpClient(server.url);
		forger.cookies.set('session', 'a'.repeat(32));
		const res = await forger.request('/api/events');
		expect(res.status).toBe(401);
		expect(res.headers.getSetCookie().some((l) => /^session=;.*Max-Age=0/i.test(l))).toBe(true);
	});

	it('shows an administrator every event, as admin where they are no member and with their role where they are', async () => {
		const events = await eventsOf(admin);
		expect(events.map((e) => e.id)).toEqual([ev.concert, ev.marathon, ev.lantern]);
		expect(Object.fromEntries(events.map((e) => [e.id, e.role]))).toEqual({
			[ev.lantern]: 'admin',
			[ev.marathon]: 'admin',
			[ev.concert]: 'commander'
		});
	});

	it('shows a member only their own events, each with their role there, in the documented shape', async () => {
		const wang = await signIn(new HttpClient(server.url), 'wang', PASSWORD);
		const events = await eventsOf(wang);
		expect(events.map((e) => [e.id, e.role])).toEqual([
			[ev.marathon, 'member'],
			[ev.lantern, 'lead']
		]);
		expect(events[1]).toEqual({
			id: ev.lantern,
			name: '元宵灯会',
			status: 'planning',
			// 18:00 and 23:00 in Asia/Shanghai (UTC+8).
			startsAt: '2026-02-12T10:00:00.000Z',
			endsAt: '2026-02-12T15:00:00.000Z',
			timezone: 'Asia/Shanghai',
			role: 'lead'
		});

		const li = await signIn(new HttpClient(server.url), 'li', PASSWORD);
		expect((await eventsOf(li)).map((e) => [e.id, e.role])).toEqual([[ev.lantern, 'commander']]);
	});

	it('gives a user who belongs to no event an empty list', async () => {
		const zhao = await signIn(new HttpClient(server.url), 'zhao', PASSWORD);
		expect(await eventsOf(zhao)).toEqual([]);
	});
});
