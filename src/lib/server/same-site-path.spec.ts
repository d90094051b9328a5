import { describe, it, expect } from 'vitest';
import { sameSitePath } from './same-site-path.ts';

describe('sameSitePath', () => {
	it('keeps a path of this site with its query and fragment', () => {
		expect(sameSitePath('/events/e1/board?agency=station#card')).toBe('/events/e1/board?agency=station#card');
		expect(sameSitePath('/admin')).toBe('/admin');
	});

	it('sends every way off the site home instead', () => {
		for (const target of ['//evil.example', '/\\evil.example', '/\t/evil.example', '/\n/evil.example', '\\\\evil.example', 'https://evil.example/', 'javascript:alert(1)', '', null, undefined]) {
			expect(sameSitePath(target)).toBe('/');
		}
	});

	it('refuses paths whose dot segments resolve to another host', () => {
		for (const target of ['/.//evil.example/phish', '/..//evil.example', '/a/..//evil.example', '/./\\evil.example', '/%2e//evil.example', '/a/.././/evil.example?x=1']) {
			expect(sameSitePath(target), target).toBe('/');
		}
	});
});
