/**
 * Shared by the web-security tests (tests/integration/web-security*.test.ts): a foreign origin and a public one
 * behind a TLS proxy, a client as a browser behind that proxy, the SQL each input is tried with, and the demo's
 * state as administrators and the commander see it, to compare before and after an attack.
 */
import { HttpClient } from './http.ts';
import { pageData } from './admin-forms.ts';
import { eventually, type LiveDoc } from './live.ts';
import { DEMO_EVENT, DEMO_USERS } from '../../src/lib/server/demo/demo-data.ts';

export const FOREIGN = 'https://evil.example';
export const PUBLIC_ORIGIN = 'https://board.example.test';
/** A server configured as behind a TLS-terminating reverse proxy that forwards the protocol and client address. */
export const PROXY_ENV = { ORIGIN: PUBLIC_ORIGIN, PROTOCOL_HEADER: 'x-forwarded-proto', ADDRESS_HEADER: 'x-forwarded-for', XFF_DEPTH: '1' };
export const PROXY_ADMIN = { username: 'root', displayName: '管理员', password: 'proxy-admin-password' } as const;

/** What a careless query builder would run; each must arrive as plain text. */
export const SQL = [
	"' OR '1'='1",
	"' OR 1=1--",
	"admin'--",
	"'; DROP TABLE users; --",
	'" OR ""="',
	"') OR ('1'='1",
	"1; DELETE FROM sessions WHERE '1'='1",
	"%' OR 1=1 --",
	"\\'; UPDATE users SET is_admin = true; --"
];

export const userId = (username: string) => DEMO_USERS.find((u) => u.username === username)!.id;

/** A client as a browser behind the TLS proxy: the public origin, https forwarded, and a client address of its own. */
export class ProxiedClient extends HttpClient {
	readonly address: string;
	constructor(base: string, address: string) {
		super(base);
		this.address = address;
	}
	override request(path: string, init: RequestInit & { origin?: string | null } = {}): Promise<Response> {
		const headers = new Headers(init.headers);
		headers.set('x-forwarded-proto', 'https');
		headers.set('x-forwarded-for', this.address);
		return super.request(path, { ...init, headers, origin: init.origin === undefined ? PUBLIC_ORIGIN : init.origin });
	}
}

/** Makes proxied clients, each from an address of its own (so no test meets another's per-address limit). */
export function addressBook(base: () => string): () => ProxiedClient {
	let next = 1;
	return () => {
		const n = next++;
		return new ProxiedClient(base(), `10.20.${Math.floor(n / 250)}.${(n % 250) + 1}`);
	};
}

/** The session cookie a response sets, with its attributes; null when it sets none. */
export function sessionSetCookie(res: Response): string | null {
	return res.headers.getSetCookie().find((c) => c.startsWith('session=')) ?? null;
}

export function firstClose(live: LiveDoc): Promise<{ code: number; reason: string }> {
	return eventually(() => live.closes.length > 0, 15_000, 'the server to close the connection').then(() => live.closes[0]);
}

/** Everything an administrator and the commander see of the demo (settings, members, links, record), as text to compare. */
export async function demoState(admin: HttpClient, commander: HttpClient): Promise<string> {
	const adminViews = await Promise.all(
		['/admin/users', '/admin/agencies', '/admin/teams', '/admin/events', `/admin/events/${DEMO_EVENT.id}`, `/admin/users/${userId('member.station')}`].map((p) =>
			pageData(admin, p)
		)
	);
	const review = await pageData<{ record: { findings: unknown; status: string } }>(commander, `/events/${DEMO_EVENT.id}/review`);
	const displays = await pageData<{ tokens: unknown[] }>(commander, `/events/${DEMO_EVENT.id}/displays`);
	const events = await (await commander.request('/api/events')).json();
	return JSON.stringify({ adminViews, findings: review.record.findings, status: review.record.status, displays: displays.tokens, events }, (key, value) =>
		// When a wall link was last used moves on its own.
		key === 'lastUsedAt' ? undefined : value
	);
}
