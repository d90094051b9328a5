/**
 * Masking of dispute parties' personal data: the one place that decides what everyone who is not cleared for
 * personal data sees (`partiesMasked` in an agency document, the wall, exports for the uncleared). The cleared
 * client that edits parties, the CSV import and the demo seed all call `maskParties`, so the rule is one rule.
 *
 * Names keep the surname (a compound one whole: 欧阳, 司马, 诸葛 …) and, for given names of two or more
 * characters, the last character: 张三明 → 张*明, 王五 → 王*, 欧阳娜娜 → 欧阳*娜. One star however many
 * characters are hidden, so the mask does not tell the name's length. Latin names keep each word's initial
 * as initials are written: John Smith → J. S. A one-character name shows nothing of itself and reads as "some
 * person" (某), the usual form in Chinese records, rather than a lone star.
 * Phones keep the first three and last four digits of numbers long enough to still hide four: 138****5678.
 */

/** Compound surnames (复姓); all have two characters. */
export const COMPOUND_SURNAMES: ReadonlySet<string> = new Set([
	'欧阳', '司马', '诸葛', '上官', '东方', '皇甫', '尉迟', '公孙', '慕容', '长孙', '宇文', '司徒', '夏侯', '轩辕',
	'令狐', '钟离', '端木', '独孤', '南宫', '西门', '百里', '呼延', '万俟', '申屠', '太史', '澹台', '公羊', '闻人',
	'赫连', '司空', '濮阳', '淳于', '单于', '拓跋', '第五', '东郭', '左丘', '梁丘', '羊舌', '微生', '谷梁', '宰父',
	'夹谷', '乐正', '巫马', '公冶', '仲孙', '叔孙', '鲜于', '闾丘', '亓官', '司寇', '子车', '颛孙', '壤驷', '公良',
	'漆雕', '段干', '东门', '公西', '即墨'
]);

const CJK = /[\u3400-\u9fff\uf900-\ufaff]/u;
/** Separators kept as they are: spaces, and the middle dots of transliterated names (阿依古丽·买买提). */
const SEPARATOR = /(\s+|[·•‧・])/u;

function maskCjk(chars: string[]): string {
	if (chars.length <= 1) return '某';
	if (chars.length === 2) return `${chars[0]}*`;
	const surnameLength = COMPOUND_SURNAMES.has(chars[0] + chars[1]) ? 2 : 1;
	const surname = chars.slice(0, surnameLength).join('');
	const given = chars.slice(surnameLength);
	return given.length >= 2 ? `${surname}*${given[given.length - 1]}` : `${surname}*`;
}

function maskWord(word: string): string {
	const chars = [...word];
	if (chars.some((c) => CJK.test(c))) return maskCjk(chars);
	return chars.length <= 1 ? '*' : `${chars[0]}.`;
}

/** A party's name as people without clearance see it. */
export function maskName(name: string): string {
	const trimmed = name.trim();
	if (!trimmed) return '';
	return trimmed
		.split(SEPARATOR)
		.map((part, i) => (i % 2 === 1 ? (/\s/u.test(part) ? ' ' : part) : part ? maskWord(part) : ''))
		.join('');
}

/** A phone number as people without clearance see it; '' when there is none. */
export function maskPhone(phone: string): string {
	let digits = phone.replace(/\D/g, '');
	if (!digits) return '';
	// +86 / 0086 before a mobile number is the country code, not part of what we keep.
	const mobile = /^(?:0086|86)(1\d{10})$/.exec(digits);
	if (mobile) digits = mobile[1];
	if (digits.length >= 11) return `${digits.slice(0, 3)}****${digits.slice(-4)}`;
	if (digits.length >= 7) return `****${digits.slice(-4)}`;
	return '****';
}

/**
 * An identity number (身份证号 and the like) as people without clearance see it: the first three characters and the
 * last one, `110****4`; shorter numbers show nothing. Only for free text that may hold one (a dispute's summary in a
 * situation report); the masked parties list never carries ID numbers at all.
 */
export function maskIdNumber(id: string): string {
	const s = id.replace(/\s/g, '');
	return s.length >= 8 ? `${s.slice(0, 3)}****${s.slice(-1)}` : '****';
}

export interface MaskableParty {
	name: string;
	phone?: string | null;
}

/** One party: `张*明 138****5678`, or the name alone. */
export function maskParty(party: MaskableParty): string {
	const name = maskName(party.name);
	const phone = party.phone ? maskPhone(party.phone) : '';
	return [name, phone].filter(Boolean).join(' ');
}

/** What `partiesMasked` may hold (doc-schema.ts). */
export const MASKED_MAX = 200;

/**
 * The masked form of a dispute's parties, as `partiesMasked` stores it: `张*明 138****5678、李*`. When the list
 * would not fit the schema's length, it ends with how many more there are: `…+3`.
 */
export function maskParties(parties: readonly MaskableParty[]): string {
	const parts = parties.map(maskParty).filter(Boolean);
	let out = '';
	for (let i = 0; i < parts.length; i++) {
		const next = out ? `${out}、${parts[i]}` : parts[i];
		const rest = parts.length - i - 1;
		// Room for the "…+N" tail whenever more parties follow.
		const reserve = rest > 0 ? `…+${rest}`.length : 0;
		if ([...next].length + reserve > MASKED_MAX) return `${out}…+${parts.length - i}`;
		out = next;
	}
	return out;
}
