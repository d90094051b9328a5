/**
 * Where a form may send the browser back to: a path on this site, never another one. Checking the text alone
 * (`starts with / but not //`) let `/\evil.example` and `/<tab>/evil.example` through: browsers read a backslash
 * as a slash and drop tabs and newlines from URLs, so both lead off the site. The URL parser reads them the way
 * browsers do, so what it resolves to is what the browser will visit. What it resolves to must itself be safe
 * to send as a Location: dot segments can leave a path that starts with `//` (`/.//evil.example`, `/a/..//x`),
 * which a browser reads as another host, so such a result is refused too.
 */
const BASE = 'http://same-site.invalid';

/** The same-site path `target` names (path, query and fragment), or `/` for anything else. */
export function sameSitePath(target: string | null | undefined): string {
	if (!target || !target.startsWith('/')) return '/';
	let url: URL;
	try {
		url = new URL(target, BASE);
	} catch {
		return '/';
	}
	if (url.origin !== BASE) return '/';
	const path = url.pathname + url.search + url.hash;
	return /^\/[\/\\]/.test(path) ? '/' : path;
}
