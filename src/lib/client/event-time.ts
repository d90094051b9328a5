/** Times as the schema stores them: ISO-8601 with the event zone's offset; read and shown in that zone. */
import { parseTimeIn, toLocalInputValue, zoneOffsetMs } from '$lib/domain/validation';
import { isoWithOffset } from '$lib/domain/board';

/** `2026-11-24T18:30:00+08:00` for a moment, in the event's zone. */
export function toEventIso(at: Date, timeZone: string): string {
	return isoWithOffset(at, Math.round(zoneOffsetMs(at, timeZone) / 60_000));
}

/** The value for an `<input type="datetime-local">` showing a stored time in the event's zone. */
export function toInputValue(iso: string | null, timeZone: string): string {
	if (!iso) return '';
	const d = new Date(iso);
	return Number.isNaN(d.getTime()) ? '' : toLocalInputValue(d, timeZone);
}

/** A stored time from a `datetime-local` value read in the event's zone; null for empty or invalid. */
export function fromInputValue(value: string, timeZone: string): string | null {
	const d = parseTimeIn(value, timeZone);
	return d ? toEventIso(d, timeZone) : null;
}
