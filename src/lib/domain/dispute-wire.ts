/** socket.io events of the dispute register: escalation, and the notice the receiving agency gets. */
import type { DisputeLevel, DisputeRisk, DisputeStatus } from './doc-schema.ts';
import type { CommandResult } from './wire.ts';
import type { QueuedEnvelope } from './queued-actions.ts';

export interface EscalateDisputeInput {
	eventId: string;
	disputeId: string;
	/** The agency whose document holds the dispute now. */
	fromAgency: string;
	/** Hand it to this agency (it moves to that agency's document, keeping its id). */
	toAgency?: string | null;
	/** Report it up to this level (社区 → 街道 → 区). */
	toLevel?: DisputeLevel | null;
	/** Why: kept as the dispute's progress note. */
	reason: string;
	/** Sent from the offline queue: done once per action id. */
	queued?: QueuedEnvelope;
}

/** What the receiving agency is told when a dispute arrives. Masked parties only: sockets are not need-to-know. */
export interface DisputeArrival {
	eventId: string;
	disputeId: string;
	/** The agency whose document holds it now. */
	agency: string;
	fromAgency: string;
	fromLevel: DisputeLevel;
	level: DisputeLevel;
	status: DisputeStatus;
	risk: DisputeRisk;
	summary: string;
	partiesMasked: string;
	reason: string;
	byName: string;
	at: string;
}

export interface DisputeClientEvents {
	'dispute:escalate': (
		input: EscalateDisputeInput,
		ack: (result: CommandResult<{ agency: string; status: DisputeStatus; level: DisputeLevel }>) => void
	) => void;
}

export interface DisputeServerEvents {
	/** A dispute was escalated to this socket's agency (handed over, or reported up within it). */
	'dispute:escalated': (arrival: DisputeArrival) => void;
}
