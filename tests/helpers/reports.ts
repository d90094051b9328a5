/**
 * Field reports made the way a phone or an integration makes them, for tests that need reports with photos: a
 * distinct JPEG per call, a report posted as multipart with its photos, the desk's triage, a file attached to a
 * card or dispute entry, and a file marked by the commander.
 */
import sharp from 'sharp';
import type { HttpClient } from './http.ts';
import { newId } from '../../src/lib/domain/ids.ts';
import type { ReportView } from '../../src/lib/domain/field-reports.ts';

let tint = 0;

/** A small JPEG of one colour, different on every call (the same bytes would be one stored file). */
export async function testPhoto(width = 1200, height = 900): Promise<Uint8Array> {
	tint = (tint + 37) % 256;
	return new Uint8Array(await sharp({ create: { width, height, channels: 3, background: { r: tint, g: 255 - tint, b: 90 } } }).jpeg().toBuffer());
}

async function answer<T>(res: Response, what: string, ok: number[]): Promise<T> {
	const body = await res.json();
	if (!ok.includes(res.status)) throw new Error(`${what} answered ${res.status}: ${JSON.stringify(body)}`);
	return body as T;
}

/** Posts a report with photos as multipart (fields as the form sends them) and answers with the stored report. */
export async function sendReport(client: HttpClient, eventId: string, fields: Record<string, string>, photos: Uint8Array[] = []): Promise<ReportView> {
	const form = new FormData();
	form.set('id', newId());
	for (const [k, v] of Object.entries(fields)) form.set(k, v);
	photos.forEach((bytes, i) => form.append('photos', new Blob([new Uint8Array(bytes)], { type: 'image/jpeg' }), `photo-${i + 1}.jpg`));
	const res = await client.request(`/api/events/${eventId}/reports`, { method: 'POST', body: form });
	return (await answer<{ report: ReportView }>(res, 'the report', [201])).report;
}

/** The desk's decision on a report; answers with the report as triaged. */
export async function triage(client: HttpClient, eventId: string, reportId: string, decision: Record<string, unknown>): Promise<ReportView> {
	const res = await client.request(`/api/events/${eventId}/reports/${reportId}/triage`, {
		method: 'POST',
		body: JSON.stringify(decision),
		headers: { 'content-type': 'application/json' }
	});
	return (await answer<{ report: ReportView }>(res, 'the triage', [200])).report;
}

/** Uploads one file in a single piece and attaches it to a card or dispute entry; answers with its hash. */
export async function attachFile(client: HttpClient, eventId: string, target: { target: 'card' | 'dispute'; targetId: string; agency: string }, bytes: Uint8Array, name: string): Promise<string> {
	const upload = newId();
	const put = await client.request(`/api/events/${eventId}/uploads/${upload}`, {
		method: 'PUT',
		body: new Uint8Array(bytes),
		headers: { 'content-type': 'application/octet-stream', 'content-range': `bytes 0-${bytes.length - 1}/${bytes.length}` }
	});
	if (put.status !== 200) throw new Error(`the upload answered ${put.status}`);
	const res = await client.request(`/api/events/${eventId}/attachments`, {
		method: 'POST',
		body: JSON.stringify({ ...target, files: [{ uploadId: upload, name }] }),
		headers: { 'content-type': 'application/json' }
	});
	return (await answer<{ ids: string[] }>(res, 'the attachment', [201])).ids[0];
}

/** The commander marks a stored file (as showing people, or for the wall). */
export async function markFile(commander: HttpClient, eventId: string, sha256: string, flags: { people?: boolean; onWall?: boolean }): Promise<void> {
	const res = await commander.request(`/api/events/${eventId}/files/${sha256}`, { method: 'PATCH', body: JSON.stringify(flags), headers: { 'content-type': 'application/json' } });
	await answer(res, 'marking the file', [200]);
}
