/**
 * The rhythm of situation reports: a little before each due time of an event's schedule (daily times, period ends)
 * the server prepares the report's draft from the board and tells the commander — on their pages over socket.io,
 * and on the sitrep page. Every instance checks; each due time is claimed by one of them (claimSlot), so a report is
 * prepared, and the commander reminded, once.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../../src/lib/server/db/schema.ts';
import type { AppServices } from '../../src/lib/server/services.ts';
import { commandDocName } from '../../src/lib/domain/documents.ts';
import { readPeriods } from '../../src/lib/domain/roster.ts';
import { dueSlots } from '../../src/lib/domain/sitrep-schedule.ts';
import { claimSlot, getSitrep, releaseSlot, scheduledEvents, setSlotReport } from '../../src/lib/server/repositories/sitrep.repository.ts';
import { createDraft } from '../../src/lib/server/sitreps/draft.ts';
import { eventRoom, userRoom, type CommandServer } from '../command-channel.ts';
import { log } from '../../src/lib/server/log.ts';

export interface SitrepScheduleDeps {
	db: Kysely<DB>;
	services: AppServices;
	io: CommandServer;
}

async function commanders(db: Kysely<DB>, eventId: string): Promise<string[]> {
	const rows = await db.selectFrom('event_members').select('user_id').where('event_id', '=', eventId).where('role', '=', 'commander').execute();
	return rows.map((r) => r.user_id);
}

/**
 * One round at `now`: every due time within `leadMs` of now (before or after — a server that was down at the
 * moment still prepares a report that fell due meanwhile) that no instance has claimed is claimed here, its draft
 * made, and the event's commanders told. Returns the drafts made.
 */
export async function prepareDueSitreps(deps: SitrepScheduleDeps, now: Date, leadMs: number): Promise<Array<{ eventId: string; reportId: string; dueAt: string }>> {
	const made: Array<{ eventId: string; reportId: string; dueAt: string }> = [];
	for (const ev of await scheduledEvents(deps.db)) {
		const periods = readPeriods(await deps.services.readDocument(commandDocName(ev.eventId)));
		const slots = dueSlots(
			ev.schedule,
			periods,
			{ startsAt: ev.startsAt.toISOString(), endsAt: ev.endsAt.toISOString(), timezone: ev.timezone },
			{ from: now.getTime() - leadMs, to: now.getTime() + leadMs }
		);
		for (const slot of slots) {
			if (!(await claimSlot(deps.db, ev.eventId, slot, now))) continue;
			let reportId: string | null;
			try {
				reportId = await createDraft(deps.db, deps.services, ev.eventId, { periodId: slot.periodId, userId: null, dueAt: new Date(slot.dueAt) });
			} catch (err) {
				await releaseSlot(deps.db, ev.eventId, slot.dueAt);
				throw err;
			}
			// The period was deleted since the schedule named it: nothing to report on; the claim stays.
			if (!reportId) continue;
			await setSlotReport(deps.db, ev.eventId, slot.dueAt, reportId);
			const title = (await getSitrep(deps.db, ev.eventId, reportId))?.title ?? '';
			const rooms = (await commanders(deps.db, ev.eventId)).map(userRoom);
			if (rooms.length) deps.io.to(rooms).emit('sitrep:due', { eventId: ev.eventId, reportId, title, dueAt: slot.dueAt });
			deps.io.to(eventRoom(ev.eventId)).emit('sitrep:changed', { eventId: ev.eventId, reportId });
			made.push({ eventId: ev.eventId, reportId, dueAt: slot.dueAt });
		}
	}
	return made;
}

/** Checks every `everyMs` for reports due within `leadMs`; returns the function that stops it. */
export function startSitrepSchedule(deps: SitrepScheduleDeps, opts: { everyMs: number; leadMs: number }): () => void {
	let running = false;
	const timer = setInterval(() => {
		if (running) return;
		running = true;
		void prepareDueSitreps(deps, new Date(), opts.leadMs)
			.catch((err: unknown) => {
				// The database is away for a moment, or one event's draft failed; the next round tries what is unclaimed.
				log.error({ reason: err instanceof Error ? err.message : String(err) }, '[sitreps] preparing due reports failed');
			})
			.finally(() => (running = false));
	}, opts.everyMs);
	timer.unref();
	return () => clearInterval(timer);
}
