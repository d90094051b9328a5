/** The after-action record's words in the browser: activity rows as the exports say them, in the reader's language. */
import { m } from '$lib/paraglide/messages';
import { agencyName, formatTime } from '$lib/i18n';
import { activityLineWords, type ActivityFact, type Translate } from '$lib/domain/activity-words';

type MessageFn = (inputs?: Record<string, unknown>) => string;

/** A message by its key (the shared wording in src/lib/domain/activity-words.ts names messages by key). */
export const translate: Translate = (key, inputs) => {
	const fn = (m as unknown as Record<string, MessageFn | undefined>)[key];
	return fn ? fn(inputs ?? {}) : key;
};

/** "任务「…」 · 状态：待办 → 进行中", with times in the event's zone, ids named from `titles`, agencies by name. */
export function recordActivityLine(
	a: ActivityFact & { entityId: string },
	timeZone: string,
	titles: Record<string, string>,
	agencies: Array<{ code: string; nameZh: string; nameEn: string }>
): string {
	return activityLineWords(a, translate, (iso) => formatTime(iso, timeZone), {
		names: (id) => titles[id],
		agency: (code) => agencyName(agencies.find((x) => x.code === code)) || undefined
	});
}

