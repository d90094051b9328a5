import { describe, it, expect } from 'vitest';
import { guardCell, looksLikeFormula, toCsv, unguardCell } from './csv-format.ts';

describe('the one formula guard of every CSV', () => {
	const formulas = [
		'=1+1',
		'+cmd',
		'-1+1+cmd|\' /C calc\'!A0',
		'@SUM(A1)',
		'＝HYPERLINK("http://evil.example")',
		'＋1',
		'－1',
		'＠A1',
		' =1+1',
		'\u3000=1+1',
		'\t=1+1',
		'\r=1',
		'\n=1',
		'-2-3',
		'+1e5+cmd'
	];

	it('keeps as text every cell a spreadsheet would run, however it hides its first character', () => {
		for (const f of formulas) {
			expect(looksLikeFormula(f), JSON.stringify(f)).toBe(true);
			expect(guardCell(f)).toBe(`'${f}`);
		}
	});

	it('lets plain numbers and ordinary text through unchanged', () => {
		for (const v of ['-1', '+2', '-0.5', '.5', '1e3', '-1.5E-3', '南门入口', 'a-b', "'quoted", '']) {
			expect(guardCell(v), JSON.stringify(v)).toBe(v);
		}
	});

	it('takes the guard off again on import, and only the guard', () => {
		for (const f of formulas) expect(unguardCell(guardCell(f))).toBe(f);
		expect(unguardCell("'text")).toBe("'text");
	});

	it('guards every cell of a written table', () => {
		expect(toCsv([['-1+1+cmd', '-1']])).toContain("'-1+1+cmd,-1");
	});
});
