/**
 * Situation reports driven as the sitrep pages drive them: a draft made with the page's form action, its page data
 * read back, its sections saved or issued through the editor's actions.
 */
import type { HttpClient } from './http.ts';
import { formAction } from './after-action.ts';
import { pageData } from './admin-forms.ts';
import type { SitrepFigures, SitrepTexts } from '../../src/lib/domain/sitrep.ts';

export interface SitrepPage {
	report: { id: string; status: 'draft' | 'issued'; title: string; sha256: string | null; issuedAt: string | null; issuedByName: string | null; dueAt: string | null };
	sections: SitrepTexts;
	generated: SitrepTexts;
	figures: SitrepFigures;
	mayWrite: boolean;
	ack: { acked: number; recipients: number } | null;
}

/** Drafts a report for a period ('' for now, on demand) as the commander's page does; returns its id. */
export async function draftReport(client: HttpClient, eventId: string, periodId = ''): Promise<string> {
	const res = await client.postForm(`/events/${eventId}/sitreps?/create`, { periodId });
	const answer = (await res.json()) as { type: string; location?: string };
	const id = answer.type === 'redirect' ? answer.location?.split('/').at(-1) : undefined;
	if (!id) throw new Error(`drafting answered ${JSON.stringify(answer)}`);
	return id;
}

/** The report's page data as its reader's browser receives it. */
export function sitrepPage(client: HttpClient, eventId: string, reportId: string): Promise<SitrepPage> {
	return pageData<SitrepPage>(client, `/events/${eventId}/sitreps/${reportId}`);
}

/** Posts one of the editor's actions (save, refresh, issue, discard) with the given sections and fields. */
export function editorAction(client: HttpClient, eventId: string, reportId: string, action: 'save' | 'refresh' | 'issue' | 'discard', texts: SitrepTexts, extra: Record<string, string> = {}) {
	return formAction(client, `/events/${eventId}/sitreps/${reportId}?/${action}`, { ...texts, ...extra });
}
