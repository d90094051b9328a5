/**
 * Test data made the way an administrator makes it: through the form actions of the admin pages, posted as the
 * pages' own enhanced forms do. Ids the pages do not put in a redirect are read from the page data SvelteKit
 * serves at `<page>/__data.json` (devalue's format, as the browser reads it).
 */
import { unflatten } from 'devalue';
import type { HttpClient } from './http.ts';

type ActionAnswer = { type: 'success' | 'failure' | 'redirect' | 'error'; status?: number; location?: string; data?: string };

async function act(client: HttpClient, path: string, fields: Record<string, string>): Promise<ActionAnswer> {
	const res = await client.postForm(path, fields);
	if (!res.ok) throw new Error(`POST ${path} answered HTTP ${res.status}: ${await res.text()}`);
	return (await res.json()) as ActionAnswer;
}

function expectAnswer(answer: ActionAnswer, type: ActionAnswer['type'], what: string): void {
	if (answer.type !== type) throw new Error(`${what}: expected ${type}, got ${JSON.stringify(answer)}`);
}

/** The data of the page at `path` (its own load's, the last node), as its client receives it. */
export async function pageData<T>(client: HttpClient, path: string): Promise<T> {
	const res = await client.request(`${path.replace(/\/$/, '')}/__data.json`);
	if (!res.ok) throw new Error(`GET ${path}/__data.json answered HTTP ${res.status}`);
	const body = (await res.json()) as { type: string; nodes: Array<{ type: string; data?: unknown[] } | null> };
	if (body.type !== 'data') throw new Error(`GET ${path}/__data.json answered ${JSON.stringify(body)}`);
	const node = body.nodes.at(-1);
	if (!node || node.type !== 'data' || !node.data) throw new Error(`no page data at ${path}`);
	return unflatten(node.data) as T;
}

export interface NewUser {
	username: string;
	displayName: string;
	password: string;
	agencyCode?: string;
	isAdmin?: boolean;
}

/** Creates a user on /admin/users/new and returns their id. */
export async function createUserAsAdmin(admin: HttpClient, user: NewUser): Promise<string> {
	const fields: Record<string, string> = {
		username: user.username,
		displayName: user.displayName,
		password: user.password,
		agencyCode: user.agencyCode ?? ''
	};
	if (user.isAdmin) fields.isAdmin = 'on';
	expectAnswer(await act(admin, '/admin/users/new', fields), 'redirect', `creating user ${user.username}`);
	return userIdAsAdmin(admin, user.username);
}

/** The id of a user, as the list on /admin/users has it. */
export async function userIdAsAdmin(admin: HttpClient, username: string): Promise<string> {
	const { users } = await pageData<{ users: Array<{ id: string; username: string }> }>(admin, '/admin/users');
	const found = users.find((u) => u.username === username.toLowerCase());
	if (!found) throw new Error(`user ${username} is not in /admin/users`);
	return found.id;
}

/** Disables a user with the "disable" action of /admin/users/[id]. */
export async function disableUserAsAdmin(admin: HttpClient, userId: string): Promise<void> {
	expectAnswer(await act(admin, `/admin/users/${userId}?/disable`, {}), 'success', `disabling user ${userId}`);
}

export interface NewEvent {
	name: string;
	venue?: string;
	/** Wall clock in the event's time zone, as the datetime-local input sends it: `2026-02-12T18:00`. */
	startsAt: string;
	endsAt: string;
	timezone?: string;
	/** The language of its walls; zh-CN when left out. */
	locale?: string;
	/** A drill (演练). */
	drill?: boolean;
	/** The event it follows (last time, compared in the record). */
	basedOn?: string;
}

/** Creates an event on /admin/events/new and returns its id (from the redirect to its page). */
export async function createEventAsAdmin(admin: HttpClient, event: NewEvent): Promise<string> {
	const answer = await act(admin, '/admin/events/new', {
		name: event.name,
		venue: event.venue ?? '',
		startsAt: event.startsAt,
		endsAt: event.endsAt,
		timezone: event.timezone ?? 'Asia/Shanghai',
		checkinGraceMinutes: '10',
		...(event.locale ? { locale: event.locale } : {}),
		...(event.drill ? { drill: 'on' } : {}),
		...(event.basedOn ? { basedOn: event.basedOn } : {})
	});
	expectAnswer(answer, 'redirect', `creating event ${event.name}`);
	const id = /^\/admin\/events\/([^/?]+)/.exec(answer.location ?? '')?.[1];
	if (!id) throw new Error(`creating event ${event.name} redirected to ${answer.location}`);
	return id;
}

/** Adds a member to an event with the "addMember" action of /admin/events/[id]. */
export async function addMemberAsAdmin(
	admin: HttpClient,
	eventId: string,
	member: { userId: string; role: string; agencyCode?: string }
): Promise<void> {
	const answer = await act(admin, `/admin/events/${eventId}?/addMember`, {
		userId: member.userId,
		role: member.role,
		agencyCode: member.agencyCode ?? ''
	});
	expectAnswer(answer, 'success', `adding ${member.userId} to event ${eventId}`);
}
