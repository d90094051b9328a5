/** A refusal for a used-up budget in the reader's language, naming the limit; null for any other refusal. */
import { m } from '$lib/paraglide/messages';

/** The limits as the hub's defaults set them (server/hub/quotas.ts), for the message. */
const SHOWN = { updates: 6000, megabytes: 8, connections: 60 };

export function quotaText(reason: string | null | undefined): string | null {
	switch (reason) {
		case 'quota:userRate':
			return m.quota_user_rate({ updates: SHOWN.updates, megabytes: SHOWN.megabytes });
		case 'quota:docBytes':
			return m.quota_doc_bytes();
		case 'quota:connections':
			return m.quota_connections({ count: SHOWN.connections });
		default:
			return null;
	}
}
