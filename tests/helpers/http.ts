/** A tiny browser-like HTTP client for tests: keeps cookies, sends the Origin header a browser would. */
export class HttpClient {
	readonly cookies = new Map<string, string>();
	readonly base: string;
	constructor(base: string) {
		this.base = base;
	}

	cookieHeader(): string {
		return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
	}

	async request(path: string, init: RequestInit & { origin?: string | null } = {}): Promise<Response> {
		const headers = new Headers(init.headers);
		if (this.cookies.size) headers.set('cookie', this.cookieHeader());
		const method = (init.method ?? 'GET').toUpperCase();
		if (method !== 'GET' && init.origin !== null) headers.set('origin', init.origin ?? this.base);
		const res = await fetch(this.base + path, { ...init, headers, redirect: 'manual' });
		for (const line of res.headers.getSetCookie()) {
			const [pair, ...attrs] = line.split(';');
			const eq = pair.indexOf('=');
			const name = pair.slice(0, eq).trim();
			const value = pair.slice(eq + 1).trim();
			const expired = attrs.some((a) => /max-age=0/i.test(a.trim())) || value === '';
			if (expired) this.cookies.delete(name);
			else this.cookies.set(name, value);
		}
		return res;
	}

	/** Posts a form the way a browser with JavaScript does for SvelteKit actions (answer in JSON). */
	async postForm(path: string, fields: Record<string, string>, opts: { origin?: string | null } = {}): Promise<Response> {
		return this.request(path, {
			method: 'POST',
			body: new URLSearchParams(fields),
			headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-sveltekit-action': 'true', accept: 'application/json' },
			origin: opts.origin
		});
	}

	async login(username: string, password: string): Promise<Response> {
		return this.postForm('/login', { username, password });
	}
}
