/**
 * The words of an exported record, in the exporter's language, from the message catalog. Codes stored in the
 * record (statuses, roles, priorities) are translated here, never in the record itself.
 */
import * as msg from '../../paraglide/messages.js';

type Locale = 'zh-CN' | 'en';
type MessageFn = (inputs?: Record<string, unknown>, options?: { locale?: Locale }) => string;

/** One message in the given locale. */
export function t(key: string, locale: Locale, inputs: Record<string, unknown> = {}): string {
	const fn = (msg as unknown as Record<string, MessageFn>)[key];
	return fn ? fn(inputs, { locale }) : key;
}

const CODE_KEYS: Record<string, Record<string, string>> = {
	status: { todo: 'card_status_todo', doing: 'card_status_doing', blocked: 'card_status_blocked', done: 'card_status_done' },
	priority: { routine: 'card_priority_routine', urgent: 'card_priority_urgent', critical: 'card_priority_critical', alarm: 'instruction_priority_alarm' },
	role: { commander: 'role_commander', lead: 'role_lead', member: 'role_member', reviewer: 'role_reviewer', observer: 'role_observer' },
	risk: { low: 'dispute_risk_low', medium: 'dispute_risk_medium', high: 'dispute_risk_high', critical: 'dispute_risk_critical' },
	disputeStatus: {
		open: 'dispute_status_open',
		mediating: 'dispute_status_mediating',
		resolved: 'dispute_status_resolved',
		reported: 'dispute_status_reported',
		transferred: 'dispute_status_transferred'
	},
	level: { community: 'dispute_level_community', street: 'dispute_level_street', district: 'dispute_level_district' }
};

/** A stored code in words, e.g. code('status', 'doing', 'zh-CN') → 进行中. */
export function code(kind: keyof typeof CODE_KEYS, value: string | null | undefined, locale: Locale): string {
	if (!value) return '';
	const key = CODE_KEYS[kind][value];
	return key ? t(key, locale) : value;
}

/**
 * One formatter per zone: making an Intl.DateTimeFormat costs far more than using one, and a large report formats
 * tens of thousands of times (a second of a PDF export went to making formatters).
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

/** Formats an ISO time in the event's zone as YYYY-MM-DD HH:mm. */
export function when(iso: string | null | undefined, timeZone: string): string {
	if (!iso) return '';
	let format = formatters.get(timeZone);
	if (!format) {
		format = new Intl.DateTimeFormat('en-CA', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
		formatters.set(timeZone, format);
	}
	const parts = format.formatToParts(new Date(iso));
	const get = (k: string) => parts.find((p) => p.type === k)?.value ?? '';
	return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}`;
}

export type { Locale };
