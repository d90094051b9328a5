/**
 * The dispute CSV's words from the message catalog: column names and enumeration labels in the reader's language
 * first (what an export writes), then every other language and the codes (what an import accepts).
 */
import { m } from '$lib/paraglide/messages';
import { getLocale, locales } from '$lib/paraglide/runtime';
import { CSV_COLUMNS, type CsvColumn, type CsvVocabulary, type EnumField } from '$lib/domain/dispute-csv';

type Locale = (typeof locales)[number];
type Message = (inputs?: Record<string, never>, options?: { locale?: Locale }) => string;

const HEADER: Record<CsvColumn, Message> = {
	id: m.dispute_csv_id,
	agency: m.dispute_csv_agency,
	summary: m.dispute_csv_summary,
	category: m.dispute_csv_category,
	risk: m.dispute_csv_risk,
	status: m.dispute_csv_status,
	level: m.dispute_csv_level,
	mediation: m.dispute_csv_mediation,
	location: m.dispute_csv_location,
	screenedAt: m.dispute_csv_screened_at,
	dueAt: m.dispute_csv_due_at,
	ownerTeam: m.dispute_csv_owner_team,
	partiesMasked: m.dispute_csv_parties_masked,
	partyNames: m.dispute_csv_party_names,
	partyPhones: m.dispute_csv_party_phones,
	partyIdNumbers: m.dispute_csv_party_id_numbers,
	partyAddresses: m.dispute_csv_party_addresses,
	progress: m.dispute_csv_progress
};

const VALUES: Record<EnumField, Record<string, Message>> = {
	category: {
		neighbor: m.dispute_category_neighbor,
		family: m.dispute_category_family,
		labor: m.dispute_category_labor,
		property: m.dispute_category_property,
		consumer: m.dispute_category_consumer,
		land: m.dispute_category_land,
		other: m.dispute_category_other
	},
	risk: { low: m.dispute_risk_low, medium: m.dispute_risk_medium, high: m.dispute_risk_high, critical: m.dispute_risk_critical },
	status: {
		open: m.dispute_status_open,
		mediating: m.dispute_status_mediating,
		resolved: m.dispute_status_resolved,
		reported: m.dispute_status_reported,
		transferred: m.dispute_status_transferred
	},
	level: { community: m.dispute_level_community, street: m.dispute_level_street, district: m.dispute_level_district },
	mediation: { people: m.dispute_mediation_people, administrative: m.dispute_mediation_administrative, judicial: m.dispute_mediation_judicial }
};

/** Every language, the reader's first. */
function order(): Locale[] {
	const current = getLocale();
	return [current, ...locales.filter((l) => l !== current)];
}

export function csvVocabulary(): CsvVocabulary {
	const langs = order();
	const headers = Object.fromEntries(CSV_COLUMNS.map((c) => [c, langs.map((locale) => HEADER[c]({}, { locale }))])) as CsvVocabulary['headers'];
	const values = Object.fromEntries(
		(Object.keys(VALUES) as EnumField[]).map((field) => {
			const words = VALUES[field];
			return [field, Object.fromEntries(Object.keys(words).map((code) => [code, langs.map((locale) => words[code]({}, { locale }))]))];
		})
	) as CsvVocabulary['values'];
	return { headers, values };
}
