/**
 * Colour contrast as WCAG 2.1 defines it (relative luminance, ratio 1–21), and the one rule for text drawn in an
 * agency's colour: agencies choose their colours for bars, dots and map marks, and text in that colour is darkened
 * (on light surfaces) or lightened (on the wall's dark ones) just enough to be read — 4.5:1 for normal text, with a
 * margin so that the tinted backgrounds of flagged rows pass too.
 */

/** "#rgb" or "#rrggbb" to its channels 0–255; null for anything else. */
export function parseHex(color: string): [number, number, number] | null {
	const m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(color.trim());
	if (!m) return null;
	const h = m[1].length === 3 ? [...m[1]].map((c) => c + c).join('') : m[1];
	return [0, 2, 4].map((i) => parseInt(h.slice(i, i + 2), 16)) as [number, number, number];
}

function toHex([r, g, b]: [number, number, number]): string {
	return `#${[r, g, b].map((v) => Math.round(Math.min(255, Math.max(0, v))).toString(16).padStart(2, '0')).join('')}`;
}

export function luminance(rgb: [number, number, number]): number {
	const [r, g, b] = rgb.map((v) => {
		const c = v / 255;
		return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
	});
	return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** The contrast ratio of two colours (1 to 21); NaN when either is not a hex colour. */
export function contrastRatio(a: string, b: string): number {
	const x = parseHex(a);
	const y = parseHex(b);
	if (!x || !y) return NaN;
	const [hi, lo] = [luminance(x), luminance(y)].sort((p, q) => q - p);
	return (hi + 0.05) / (lo + 0.05);
}

/** Normal text; large text (≥ 24 px, or 18.66 px bold) needs 3:1. */
export const TEXT_CONTRAST = 4.5;
/** What agency-coloured text aims for on its surface, so that a flagged row's tint (a few per cent darker) still passes. */
const INK_TARGET = 5;

/**
 * The colour to write text in when it should read as `color` on `background`: the colour itself when it already
 * contrasts enough, else mixed towards black (light background) or white (dark background) until it does.
 */
export function inkOn(color: string, background = '#ffffff', target = INK_TARGET): string {
	const rgb = parseHex(color);
	const bg = parseHex(background);
	if (!rgb || !bg) return color;
	const towards = luminance(bg) > 0.18 ? 0 : 255;
	for (let step = 0; step <= 20; step++) {
		const t = step / 20;
		const mixed = rgb.map((v) => v + (towards - v) * t) as [number, number, number];
		const hex = toHex(mixed);
		if (contrastRatio(hex, background) >= target) return hex;
	}
	return towards === 0 ? '#000000' : '#ffffff';
}

/** An agency's colour for text on the app's light surfaces (the wall uses `inkOn(color, WALL_SURFACE)`). */
export function agencyInk(color: string | null | undefined): string {
	return inkOn(color ?? '#64748b');
}
