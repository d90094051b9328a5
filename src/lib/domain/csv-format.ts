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

/**
 * A cell a spreadsheet would run as a formula (=, +, -, @, tab, CR) gets a leading apostrophe, which spreadsheets
 * show as text; import takes it off again.
 */
function guardCell(value: string): string {
	return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

export function unguardCell(value: string): string {
	return /^'[=+\-@\t\r]/.test(value) ? value.slice(1) : value;
}

/** Writes records as CSV for spreadsheets: UTF-8 BOM, CRLF, every cell guarded and quoted when it must be. */
export function toCsv(rows: readonly (readonly string[])[]): string {
	const quote = (v: string) => {
		const g = guardCell(v);
		return /[",\r\n]/.test(g) ? `"${g.replace(/"/g, '""')}"` : g;
	};
	return '\ufeff' + rows.map((r) => r.map(quote).join(',')).join('\r\n') + '\r\n';
}
