/** Accounts for integration tests, made the way a person would: the setup page, then the login form. */
import { HttpClient } from './http.ts';

export const ADMIN = { username: 'admin', displayName: '管理员', password: 'admin-password-1' } as const;

export interface Credentials {
	username: string;
	displayName: string;
	password: string;
}

/**
 * A client that claims a client address in `X-Forwarded-For`, for a server started with
 * `ADDRESS_HEADER=x-forwarded-for` and `XFF_DEPTH=1` (as behind a reverse proxy): lets one test machine be many
 * addresses.
 */
export class AddressedClient extends HttpClient {
	address: string;
	constructor(base: string, address: string) {
		super(base);
		this.address = address;
	}

	override request(path: string, init: RequestInit & { origin?: string | null } = {}): Promise<Response> {
		const headers = new Headers(init.headers);
		headers.set('x-forwarded-for', this.address);
		return super.request(path, { ...init, headers });
	}
}

/** Creates the first administrator through /setup; afterwards `client` is signed in as that administrator. */
export async function setupAdmin(client: HttpClient, admin: Credentials = ADMIN): Promise<HttpClient> {
	const res = await client.postForm('/setup', { ...admin });
	const body = (await res.json()) as { type: string };
	if (body.type !== 'redirect') throw new Error(`setup failed: ${JSON.stringify(body)}`);
	return client;
}

/** Signs `client` in through the login form; throws unless the form answered with a redirect. */
export async function signIn(client: HttpClient, username: string, password: string): Promise<HttpClient> {
	const res = await client.login(username, password);
	const body = (await res.json()) as { type: string };
	if (body.type !== 'redirect') throw new Error(`sign-in of ${username} failed: ${JSON.stringify(body)}`);
	return client;
}

/**
 * Posts a form as a browser without JavaScript does: the answer is the rendered page (or the load's redirect)
 * with the action's real HTTP status, where a JavaScript post always answers 200 with the status in its JSON.
 */
export function postPlainForm(
	client: HttpClient,
	path: string,
	fields: Record<string, string>,
	opts: { origin?: string | null } = {}
): Promise<Response> {
	return client.request(path, {
		method: 'POST',
		body: new URLSearchParams(fields),
		headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
		origin: opts.origin
	});
}
