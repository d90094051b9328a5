import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { agencyInk, contrastRatio, inkOn, TEXT_CONTRAST } from './palette.ts';
import { SEED_AGENCIES } from './roles.ts';

/** The design tokens as app.css declares them on :root. */
function tokens(): Record<string, string> {
	const css = readFileSync(new URL('../../app.css', import.meta.url), 'utf8');
	const root = /:root\s*{([^}]*)}/.exec(css)![1];
	return Object.fromEntries([...root.matchAll(/--([\w-]+):\s*(#[0-9a-fA-F]{3,6})\s*;/g)].map((m) => [m[1], m[2]]));
}

describe('the palette', () => {
	const t = tokens();

	it('keeps every text colour at 4.5:1 or more on every surface and tone background', () => {
		const texts = ['ink', 'ink-2', 'ink-3', 'primary', 'danger', 'warn', 'ok', 'brand'];
		const grounds = ['bg', 'surface', 'surface-2', 'danger-bg', 'warn-bg', 'ok-bg'];
		const short = texts.flatMap((x) => grounds.map((g) => ({ pair: `${x} on ${g}`, ratio: contrastRatio(t[x], t[g]) }))).filter((p) => !(p.ratio >= TEXT_CONTRAST));
		expect(short).toEqual([]);
	});

	it('keeps the ink of filled buttons and the top bar readable', () => {
		expect(contrastRatio(t['primary-ink'], t.primary)).toBeGreaterThanOrEqual(TEXT_CONTRAST);
		expect(contrastRatio(t['brand-ink'], t.brand)).toBeGreaterThanOrEqual(TEXT_CONTRAST);
	});

	it('darkens an agency colour for text just enough, and keeps one that already reads', () => {
		for (const a of SEED_AGENCIES) {
			const ink = agencyInk(a.color);
			expect(contrastRatio(ink, '#ffffff'), a.code).toBeGreaterThanOrEqual(TEXT_CONTRAST);
			// A flagged row's tint is a shade darker than white.
			expect(contrastRatio(ink, '#fff1f1'), a.code).toBeGreaterThanOrEqual(TEXT_CONTRAST);
		}
		expect(agencyInk('#1d4ed8')).toBe('#1d4ed8');
		expect(agencyInk('#d97706')).not.toBe('#d97706');
	});

	it('lightens a colour for text on a dark wall, and leaves what it cannot read alone', () => {
		expect(contrastRatio(inkOn('#1d4ed8', '#111f36'), '#111f36')).toBeGreaterThanOrEqual(TEXT_CONTRAST);
		expect(inkOn('not a colour')).toBe('not a colour');
		expect(agencyInk(null)).toMatch(/^#[0-9a-f]{6}$/);
	});
});
