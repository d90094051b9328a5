/**
 * Spots personal data typed into free text that everyone in the event receives (a card's title or notes, a
 * dispute's progress note, an escalation reason): Chinese mobile and landline numbers and resident ID numbers.
 * The pages warn and point to the parties' record, which only cleared users receive. A warning, not a refusal: a
 * hotline or a shop's number is public, and the person typing decides.
 */

export interface PersonalDataFound {
	phones: string[];
	idNumbers: string[];
}

const MOBILE = /(?<![\d])(?:\+?86[-\s]?)?1[3-9]\d[-\s]?\d{4}[-\s]?\d{4}(?![\d])/g;
const LANDLINE = /(?<![\d])0\d{2,3}[-\s]?\d{7,8}(?![\d])/g;
const ID18 = /(?<![\dA-Za-z])\d{17}[\dXx](?![\dA-Za-z])/g;
const ID15 = /(?<![\d])\d{15}(?![\d])/g;

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = '10X98765432';

/** Does an 18-character resident ID number carry a valid check character (GB 11643)? */
export function validResidentId(id: string): boolean {
	if (!/^\d{17}[\dXx]$/.test(id)) return false;
	const sum = WEIGHTS.reduce((n, w, i) => n + w * Number(id[i]), 0);
	return CHECK[sum % 11] === id[17].toUpperCase();
}

/** A plausible birth date (YYMMDD) in a 15-digit resident ID number of the first generation. */
function plausibleOldId(id: string): boolean {
	const month = Number(id.slice(8, 10));
	const day = Number(id.slice(10, 12));
	return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

/** The phone and ID numbers in `text`, each once, in order of appearance. */
export function findPersonalData(text: string): PersonalDataFound {
	const unique = (xs: string[]) => [...new Set(xs)];
	const idNumbers = unique([
		...[...text.matchAll(ID18)].map((m) => m[0]).filter(validResidentId),
		...[...text.matchAll(ID15)].map((m) => m[0]).filter(plausibleOldId)
	]);
	const withoutIds = idNumbers.reduce((t, id) => t.split(id).join(' '), text);
	const phones = unique([...withoutIds.matchAll(MOBILE), ...withoutIds.matchAll(LANDLINE)].map((m) => m[0].trim()));
	return { phones, idNumbers };
}

export function hasPersonalData(text: string): boolean {
	const found = findPersonalData(text);
	return found.phones.length > 0 || found.idNumbers.length > 0;
}
