/**
 * CSV as spreadsheets read and write it (RFC 4180): a BOM so that Excel opens UTF-8 Chinese text right, CRLF,
 * quoted cells with "" and line breaks, and cells that would run as formulas kept as text.
 */

/** Reads CSV text into records of cells. Accepts a BOM, CRLF or LF, quoted cells with "" and line breaks. */
export function parseCsv(text: string): string[][] {
	const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
	const firstLine = src.slice(0, src.search(/\r?\n|$/));
	const sep = (firstLine.match(/\t/g)?.length ?? 0) > (firstLine.match(/,/g)?.length ?? 0) ? '\t' : ',';
	const rows: string[][] = [];
	let row: string[] = [];
	let cell = '';
	let quoted = false;
	for (let i = 0; i < src.length; i++) {
		const c = src[i];
		if (quoted) {
			if (c === '"' && src[i + 1] === '"') {
				cell += '"';
				i++;
			} else if (c === '"') quoted = false;
			else cell += c;
		} else if (c === '"' && cell === '') quoted = true;
		else if (c === sep) {
			row.push(cell);
			cell = '';
		} else if (c === '\n' || c === '\r') {
			if (c === '\r' && src[i + 1] === '\n') i++;
			row.push(cell);
			rows.push(row);
			row = [];
			cell = '';
		} else cell += c;
	}
	if (cell !== '' || row.length) {
		row.push(cell);
		rows.push(row);
	}
	// Blank lines (a trailing newline, rows Excel leaves empty) are not records.
	return rows.filter((r) => r.some((c) => c.trim() !== ''));
}

/** A plain number, the only cell starting with + or - that a spreadsheet may read as it is. */
const PLAIN_NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
/**
 * What a spreadsheet may run as a formula: a cell whose first character, after any spaces (half- or full-width),
 * tabs or line breaks, is = + - @ or their full-width forms (＝ ＋ － ＠, which some spreadsheets fold to ASCII).
 */
const FORMULA_START = /^[\s\u3000]*[=+\-@\uff1d\uff0b\uff0d\uff20]|^[\t\r\n]/;

/** Would a spreadsheet run this cell? Only plain numbers are exempt. */
export function looksLikeFormula(value: string): boolean {
	return FORMULA_START.test(value) && !PLAIN_NUMBER.test(value);
}

/**
 * The one guard for every CSV the app writes: a cell a spreadsheet would run as a formula gets a leading
 * apostrophe, which spreadsheets show as text; `unguardCell` takes it off again on import.
 */
export function guardCell(value: string): string {
	return looksLikeFormula(value) ? `'${value}` : value;
}

export function unguardCell(value: string): string {
	return value.startsWith("'") && looksLikeFormula(value.slice(1)) ? value.slice(1) : value;
}

/** Writes records as CSV for spreadsheets: UTF-8 BOM, CRLF, every cell guarded and quoted when it must be. */
export function toCsv(rows: readonly (readonly string[])[]): string {
	const quote = (v: string) => {
		const g = guardCell(v);
		return /[",\r\n]/.test(g) ? `"${g.replace(/"/g, '""')}"` : g;
	};
	return '\ufeff' + rows.map((r) => r.map(quote).join(',')).join('\r\n') + '\r\n';
}
