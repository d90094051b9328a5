/**
 * Accessibility checks in the browser tests: axe-core (from its npm package, injected into the page) run against
 * the WCAG 2.0/2.1 A and AA rules. A test fails on any violation; the message names each rule, the elements it found
 * and, for contrast, the colours and ratio, so the fix can be made in the palette rather than guessed.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export const WCAG_AA_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

export interface AxeFinding {
	rule: string;
	impact: string | null;
	help: string;
	targets: string[];
	/** For colour contrast: "#777 on #fff 4.2:1" per element. */
	details: string[];
}

/** Runs axe on the page as it is now and answers its violations (empty when the page passes). */
export async function axeViolations(page: Page, options: { exclude?: string[] } = {}): Promise<AxeFinding[]> {
	// Web fonts change text metrics, and a page still fading in has colours in between: check the settled page.
	await page.evaluate(() => document.fonts.ready);
	// Evaluated through the DevTools protocol: the pages' Content Security Policy rightly refuses inline scripts.
	if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
	return page.evaluate(
		async ({ tags, exclude }) => {
			type Node = { target: string[]; any: Array<{ id: string; data?: { fgColor?: string; bgColor?: string; contrastRatio?: number } }> };
			type Violation = { id: string; impact: string | null; help: string; nodes: Node[] };
			const axe = (window as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<{ violations: Violation[] }> } }).axe;
			const context = exclude.length ? { include: [document], exclude: exclude.map((s) => [s]) } : document;
			const result = await axe.run(context, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
			return result.violations.map((v) => ({
				rule: v.id,
				impact: v.impact,
				help: v.help,
				targets: v.nodes.map((n) => n.target.join(' ')),
				details: v.nodes.flatMap((n) =>
					n.any.filter((a) => a.data?.contrastRatio).map((a) => `${a.data!.fgColor} on ${a.data!.bgColor} ${a.data!.contrastRatio}:1`)
				)
			}));
		},
		{ tags: WCAG_AA_TAGS, exclude: options.exclude ?? [] }
	);
}

/** A finding list in lines a person can act on. */
export function describeFindings(findings: AxeFinding[]): string {
	return findings
		.map((f) => `${f.rule} (${f.impact}): ${f.help}\n${f.targets.slice(0, 8).map((t, i) => `    ${t}${f.details[i] ? `  ${f.details[i]}` : ''}`).join('\n')}${f.targets.length > 8 ? `\n    … ${f.targets.length - 8} more` : ''}`)
		.join('\n');
}
