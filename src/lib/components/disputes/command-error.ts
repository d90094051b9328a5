/** A command's refusal in the reader's words; the server's plain-English reason when the code is unknown. */
import { m } from '$lib/paraglide/messages';

export function commandErrorText(error: string, fallback: string): string {
	const known: Record<string, () => string> = {
		forbidden: m.command_error_forbidden,
		invalid: m.command_error_invalid,
		notFound: m.command_error_notFound,
		eventClosed: m.command_error_eventClosed,
		rateLimited: m.command_error_rateLimited,
		unavailable: m.command_error_unavailable
	};
	return known[error]?.() ?? fallback;
}
