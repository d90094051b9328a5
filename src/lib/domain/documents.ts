/**
 * Document names: the unit of access. Each event has a command document, one document per agency and a
 * restricted document for personal data (see DESIGN.md, Documents and permission boundaries).
 */

export type DocKind = 'command' | 'agency' | 'restricted';

export type DocAddress =
	| { eventId: string; kind: 'command' }
	| { eventId: string; kind: 'agency'; agency: string }
	| { eventId: string; kind: 'restricted' };

const ID = '[A-Za-z0-9_-]{1,64}';
const NAME_RE = new RegExp(`^event/(${ID})/(?:(command)|(restricted)|agency/([a-z][a-z0-9-]{0,23}))$`);

/** Reads a document name; null for anything that is not one of the three shapes. */
export function parseDocName(name: string): DocAddress | null {
	const m = NAME_RE.exec(name);
	if (!m) return null;
	const [, eventId, command, restricted, agency] = m;
	if (command) return { eventId, kind: 'command' };
	if (restricted) return { eventId, kind: 'restricted' };
	return { eventId, kind: 'agency', agency };
}

export function commandDocName(eventId: string): string {
	return `event/${eventId}/command`;
}

export function agencyDocName(eventId: string, agency: string): string {
	return `event/${eventId}/agency/${agency}`;
}

export function restrictedDocName(eventId: string): string {
	return `event/${eventId}/restricted`;
}

export function docName(address: DocAddress): string {
	switch (address.kind) {
		case 'command':
			return commandDocName(address.eventId);
		case 'restricted':
			return restrictedDocName(address.eventId);
		case 'agency':
			return agencyDocName(address.eventId, address.agency);
	}
}
