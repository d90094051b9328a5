/** An import problem and its column in the reader's words. */
import { m } from '$lib/paraglide/messages';
import type { CsvColumn, ImportErrorCode } from '$lib/domain/dispute-csv';

const PROBLEMS: Record<ImportErrorCode, () => string> = {
	required: m.dispute_import_error_required,
	tooLong: m.dispute_import_error_too_long,
	invalidChoice: m.dispute_import_error_invalid_choice,
	invalidTime: m.dispute_import_error_invalid_time,
	invalidFormat: m.dispute_import_error_invalid_format,
	notFound: m.dispute_import_error_not_found,
	taken: m.dispute_import_error_taken,
	forbidden: m.dispute_import_error_forbidden,
	notCleared: m.dispute_import_error_not_cleared,
	partiesMismatch: m.dispute_import_error_parties_mismatch,
	unknownColumn: m.dispute_import_error_unknown_column,
	missingColumn: m.dispute_import_error_missing_column,
	duplicateColumn: m.dispute_import_error_duplicate_column,
	noRows: m.dispute_import_error_no_rows,
	tooManyRows: m.dispute_import_error_too_many_rows
};

const COLUMNS: Record<CsvColumn, () => string> = {
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

export function importErrorText(code: ImportErrorCode): string {
	return PROBLEMS[code]?.() ?? code;
}

export function importColumnLabel(column: CsvColumn | null): string {
	return column ? (COLUMNS[column]?.() ?? column) : '—';
}
