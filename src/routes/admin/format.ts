import { formatTime } from '$lib/i18n';

/** "2026-03-03 16:00 — 23:30" for one day, "2026-03-03 16:00 — 2026-03-04 02:00" across midnight; in `timeZone`. */
export function formatRange(start: Date | string, end: Date | string, timeZone: string): string {
	const a = formatTime(start, timeZone);
	const b = formatTime(end, timeZone);
	return a.slice(0, 10) === b.slice(0, 10) ? `${a} — ${b.slice(11)}` : `${a} — ${b}`;
}
