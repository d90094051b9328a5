import { error, fail } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { checkMember, LIMITS, type FieldErrors, type MemberInput } from '$lib/domain/validation';
import { m } from '$lib/paraglide/messages';
import { isId } from '$lib/domain/ids';
import { agencyExists, listAgencies } from '$lib/server/repositories/agency.repository';
import {
	activateEvent,
	getEvent,
	getMembership,
	listMembers,
	removeMember,
	setMember
} from '$lib/server/repositories/event.repository';
import { createDisplayToken, displayTokenName, listDisplayTokens, revokeDisplayToken } from '$lib/server/repositories/display-token.repository';
import { getUser, listUsers } from '$lib/server/repositories/user.repository';
import type { Kysely } from 'kysely';
import type { DB } from '$lib/server/db/schema';
import { userActor, writeAudit, type AuditAction } from '$lib/server/repositories/audit.repository';
import { requireAdmin } from '../../admin.server';
import { checkMemberList, decodeListBytes, importMemberList, MAX_MEMBER_LIST_BYTES } from '$lib/server/member-import';
import type { MemberListError } from '$lib/domain/member-list';

async function findEvent(db: Kysely<DB>, id: string) {
	const event = await getEvent(db, id);
	if (!event) error(404, { message: m.admin_event_not_found() });
	return event;
}

export const load: PageServerLoad = async ({ locals, url, params }) => {
	requireAdmin({ locals, url });
	const event = await findEvent(locals.db, params.id);
	const [members, users, agencies, tokens] = await Promise.all([
		listMembers(locals.db, event.id),
		listUsers(locals.db),
		listAgencies(locals.db),
		listDisplayTokens(locals.db, event.id)
	]);
	const lineage = await locals.db
		.selectFrom('events as e')
		.leftJoin('events as b', 'b.id', 'e.based_on')
		.select(['b.name as basedOnName', 'e.template_name', 'e.template_version'])
		.where('e.id', '=', event.id)
		.executeTakeFirst();
	return {
		event,
		/** What it was made from, by name: the event copied, or the template and its version. */
		source: lineage?.template_name
			? { kind: 'template' as const, name: lineage.template_name, version: lineage.template_version ?? 0 }
			: lineage?.basedOnName
				? { kind: 'event' as const, name: lineage.basedOnName, version: 0 }
				: null,
		members,
		// Candidates for "add member": only what the picker shows.
		users: users
			.filter((u) => !u.disabled)
			.map((u) => ({ id: u.id, username: u.username, displayName: u.displayName, agencyCode: u.agencyCode })),
		agencies,
		tokens: tokens.map((t) => ({ id: t.id, name: t.name, createdAt: t.createdAt, lastUsedAt: t.lastUsedAt, revoked: t.revoked }))
	};
};

/** The membership form's values, to fill it again after a refusal. */
function memberValues(form: FormData) {
	return {
		userId: String(form.get('userId') ?? ''),
		role: String(form.get('role') ?? ''),
		agencyCode: String(form.get('agencyCode') ?? '')
	};
}

/** Checks that the member's user and agency exist; a disabled user is refused too. */
async function memberRefProblems(db: Kysely<DB>, input: MemberInput): Promise<FieldErrors | null> {
	const errors: FieldErrors = {};
	const user = await getUser(db, input.userId);
	if (!user || user.disabled) errors.userId = 'notFound';
	if (input.agencyCode && !(await agencyExists(db, input.agencyCode))) errors.agencyCode = 'notFound';
	return Object.keys(errors).length ? errors : null;
}

/**
 * The list a bulk form sent: a chosen file wins over the text box. Null with a problem when there is nothing to
 * read or too much.
 */
async function listText(form: FormData): Promise<{ text: string } | { problem: 'empty' | 'tooLarge' }> {
	const file = form.get('file');
	const typed = form.get('text');
	if (file instanceof File && file.size > 0) {
		if (file.size > MAX_MEMBER_LIST_BYTES) return { problem: 'tooLarge' };
		return { text: decodeListBytes(new Uint8Array(await file.arrayBuffer())) };
	}
	const text = typeof typed === 'string' ? typed : '';
	if (new TextEncoder().encode(text).length > MAX_MEMBER_LIST_BYTES) return { problem: 'tooLarge' };
	if (!text.trim()) return { problem: 'empty' };
	return { text };
}

/** One audit line for a membership change, in the transaction that makes it; the member is named as they are now. */
async function auditMember(tx: Kysely<DB>, me: { id: string; displayName: string }, action: AuditAction, eventId: string, member: { userId: string; role?: string; agencyCode?: string | null }, ip: string) {
	const user = await getUser(tx, member.userId);
	const details: Record<string, string | null> = member.role ? { role: member.role, agencyCode: member.agencyCode ?? null } : {};
	await writeAudit(tx, { actor: userActor(me), action, target: { kind: 'user', id: member.userId, name: user?.displayName ?? null }, eventId, details, ip });
}

/** A bulk refusal: the list comes back so the box keeps what was typed (never a huge file's whole text). */
function bulkRefusal(action: 'bulkCheck' | 'bulkAdd', status: number, text: string, errors: MemberListError[], problem?: 'empty' | 'tooLarge' | 'closed') {
	return fail(status, { action, text: text.length <= MAX_MEMBER_LIST_BYTES ? text : '', errors, problem });
}

export const actions: Actions = {
	activate: async ({ locals, url, params }) => {
		requireAdmin({ locals, url });
		const event = await findEvent(locals.db, params.id);
		if (!(await activateEvent(locals.db, event.id))) return fail(409, { action: 'activate' as const, refused: true });
		// Open boards hear of the new status at once, and the command document's meta follows.
		await locals.services.eventChanged(event.id, locals.user?.id ?? null);
		return { action: 'activate' as const, done: true };
	},

	addMember: async ({ request, locals, url, params, getClientAddress }) => {
		const me = requireAdmin({ locals, url });
		const event = await findEvent(locals.db, params.id);
		const form = await request.formData();
		const values = memberValues(form);
		const fails = (status: number, errors: FieldErrors) => fail(status, { action: 'addMember' as const, values, errors });
		if (event.status === 'closed') return fail(409, { action: 'addMember' as const, values, errors: {}, closed: true });
		const checked = checkMember(Object.fromEntries(form));
		if (!checked.ok) return fails(400, checked.errors);
		// Check and write in one transaction: the user is added only if they are still there and not yet a member.
		const errors = await locals.db.transaction().execute(async (tx) => {
			const problems = await memberRefProblems(tx, checked.value);
			if (problems) return problems;
			if (await getMembership(tx, event.id, checked.value.userId)) return { userId: 'taken' } satisfies FieldErrors;
			await setMember(tx, event.id, checked.value);
			await auditMember(tx, me, 'member.add', event.id, checked.value, getClientAddress());
			return null;
		});
		if (errors) return fails(400, errors);
		return { action: 'addMember' as const, added: checked.value.userId };
	},

	setMember: async ({ request, locals, url, params, getClientAddress }) => {
		const me = requireAdmin({ locals, url });
		const event = await findEvent(locals.db, params.id);
		const form = await request.formData();
		const values = memberValues(form);
		if (event.status === 'closed') return fail(409, { action: 'setMember' as const, values, errors: {}, closed: true });
		const checked = checkMember(Object.fromEntries(form));
		if (!checked.ok) return fail(400, { action: 'setMember' as const, values, errors: checked.errors });
		const errors = await locals.db.transaction().execute(async (tx) => {
			if (!(await getMembership(tx, event.id, checked.value.userId))) return { userId: 'notFound' } satisfies FieldErrors;
			const problems = await memberRefProblems(tx, checked.value);
			if (problems) return problems;
			await setMember(tx, event.id, checked.value);
			await auditMember(tx, me, 'member.change', event.id, checked.value, getClientAddress());
			return null;
		});
		if (errors) return fail(400, { action: 'setMember' as const, values, errors });
		// Rights are decided when a connection opens; the member's connections reopen under the new role.
		locals.services.closeLiveConnections({ userId: checked.value.userId }, 'roleChanged');
		return { action: 'setMember' as const, changed: checked.value.userId };
	},

	removeMember: async ({ request, locals, url, params, getClientAddress }) => {
		const me = requireAdmin({ locals, url });
		const event = await findEvent(locals.db, params.id);
		if (event.status === 'closed') return fail(409, { action: 'removeMember' as const, closed: true });
		const userId = String((await request.formData()).get('userId') ?? '');
		if (!isId(userId) || !(await getMembership(locals.db, event.id, userId))) return fail(404, { action: 'removeMember' as const, notFound: true });
		await locals.db.transaction().execute(async (tx) => {
			await removeMember(tx, event.id, userId);
			await auditMember(tx, me, 'member.remove', event.id, { userId }, getClientAddress());
		});
		// A removed member's open connections no longer match their rights. The filter has no event, so all of the
		// user's connections close; the client reconnects to the events they still belong to.
		locals.services.closeLiveConnections({ userId }, 'membershipRemoved');
		return { action: 'removeMember' as const, removed: true };
	},

	/** Members in bulk, step one: every row checked and the changes shown; nothing is saved. */
	bulkCheck: async ({ request, locals, url, params }) => {
		requireAdmin({ locals, url });
		const event = await findEvent(locals.db, params.id);
		const read = await listText(await request.formData());
		if ('problem' in read) return bulkRefusal('bulkCheck', 400, '', [], read.problem);
		if (event.status === 'closed') return bulkRefusal('bulkCheck', 409, read.text, [], 'closed');
		const checked = await checkMemberList(locals.db, event.id, read.text);
		if (!checked.ok) return bulkRefusal('bulkCheck', 400, read.text, checked.errors);
		return { action: 'bulkCheck' as const, text: read.text, preview: { rows: checked.rows, counts: checked.counts } };
	},

	/** Members in bulk, step two: checked again and saved in one transaction, or nothing is. */
	bulkAdd: async ({ request, locals, url, params, getClientAddress }) => {
		const me = requireAdmin({ locals, url });
		const event = await findEvent(locals.db, params.id);
		const read = await listText(await request.formData());
		if ('problem' in read) return bulkRefusal('bulkAdd', 400, '', [], read.problem);
		if (event.status === 'closed') return bulkRefusal('bulkAdd', 409, read.text, [], 'closed');
		const saved = await importMemberList(locals.db, event.id, read.text, (tx, counts) =>
			writeAudit(tx, { actor: userActor(me), action: 'member.bulk', target: { kind: 'event', id: event.id, name: event.name }, eventId: event.id, details: counts, ip: getClientAddress() })
		);
		if (!saved.ok) return bulkRefusal('bulkAdd', 400, read.text, saved.errors);
		// Rights are decided when a connection opens: a member whose role or agency changed reconnects under it.
		for (const row of saved.rows) if (row.change === 'change') locals.services.closeLiveConnections({ userId: row.userId }, 'roleChanged');
		return { action: 'bulkAdd' as const, done: saved.counts };
	},

	createToken: async ({ request, locals, url, params, getClientAddress }) => {
		const me = requireAdmin({ locals, url });
		const event = await findEvent(locals.db, params.id);
		const name = String((await request.formData()).get('name') ?? '').trim();
		const values = { name };
		if (!name) return fail(400, { action: 'createToken' as const, values, errors: { name: 'required' } satisfies FieldErrors });
		if ([...name].length > LIMITS.name) {
			return fail(400, { action: 'createToken' as const, values, errors: { name: 'tooLong' } satisfies FieldErrors });
		}
		const { token } = await locals.db.transaction().execute(async (tx) => {
			const made = await createDisplayToken(tx, event.id, name, me.id);
			await writeAudit(tx, { actor: userActor(me), action: 'displayToken.create', target: { kind: 'displayToken', id: made.id, name }, eventId: event.id, ip: getClientAddress() });
			return made;
		});
		// The token is in this answer only; the database keeps its hash, so it can never be shown again.
		return { action: 'createToken' as const, created: { name, url: `${url.origin}/wall/${token}` } };
	},

	revokeToken: async ({ request, locals, url, params, getClientAddress }) => {
		const me = requireAdmin({ locals, url });
		const event = await findEvent(locals.db, params.id);
		const id = String((await request.formData()).get('tokenId') ?? '');
		const revoked = await locals.db.transaction().execute(async (tx) => {
			if (!(await revokeDisplayToken(tx, event.id, id))) return false;
			const name = await displayTokenName(tx, event.id, id);
			await writeAudit(tx, { actor: userActor(me), action: 'displayToken.revoke', target: { kind: 'displayToken', id, name }, eventId: event.id, ip: getClientAddress() });
			return true;
		});
		if (!revoked) return fail(404, { action: 'revokeToken' as const, refused: true });
		locals.services.closeLiveConnections({ displayTokenId: id }, 'revoked');
		return { action: 'revokeToken' as const, done: true };
	}
};
