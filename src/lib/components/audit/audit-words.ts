/** The catalog's words for the audit log's actions and actors. */
import { m } from '$lib/paraglide/messages';
import { roleLabel } from '$lib/i18n';
import { EVENT_ROLES, type EventRole } from '$lib/domain/roles';

const ACTIONS: Record<string, () => string> = {
	'user.create': m.audit_action_user_create,
	'user.update': m.audit_action_user_update,
	'user.disable': m.audit_action_user_disable,
	'user.enable': m.audit_action_user_enable,
	'user.passwordReset': m.audit_action_user_passwordReset,
	'user.clearanceChange': m.audit_action_user_clearanceChange,
	'user.adminChange': m.audit_action_user_adminChange,
	'member.add': m.audit_action_member_add,
	'member.change': m.audit_action_member_change,
	'member.remove': m.audit_action_member_remove,
	'member.bulk': m.audit_action_member_bulk,
	'displayToken.create': m.audit_action_displayToken_create,
	'displayToken.revoke': m.audit_action_displayToken_revoke,
	'apiToken.create': m.audit_action_apiToken_create,
	'apiToken.revoke': m.audit_action_apiToken_revoke,
	'session.signIn': m.audit_action_session_signIn,
	'session.signInFailed': m.audit_action_session_signInFailed,
	'session.signOut': m.audit_action_session_signOut,
	'parties.open': m.audit_action_parties_open,
	'export.personal': m.audit_action_export_personal,
	'personalData.purge': m.audit_action_personalData_purge
};

export function auditActionLabel(action: string): string {
	return ACTIONS[action]?.() ?? action;
}

export function auditActorLabel(row: { actorKind: string; actorName: string }): string {
	switch (row.actorKind) {
		case 'cli':
			return `${m.audit_actor_cli()} ${row.actorName.replace(/^cli\s*/, '')}`.trim();
		case 'system':
			return m.audit_actor_system();
		case 'anonymous':
			return m.audit_actor_anonymous();
		default:
			return row.actorName;
	}
}

const DETAILS: Record<string, () => string> = {
	access: m.audit_detail_access,
	format: m.audit_detail_format,
	parties: m.audit_detail_parties,
	peoplePhotos: m.audit_detail_peoplePhotos,
	positions: m.audit_detail_positions,
	disputesWithParties: m.audit_detail_disputesWithParties,
	historyUpdates: m.audit_detail_historyUpdates,
	photos: m.audit_detail_photos,
	changed: m.audit_detail_changed,
	clearedPersonalData: m.audit_detail_clearedPersonalData,
	isAdmin: m.audit_detail_isAdmin,
	role: m.audit_detail_role,
	agencyCode: m.audit_detail_agencyCode,
	add: m.audit_detail_add,
	change: m.audit_detail_change,
	entries: m.audit_detail_entries,
	reason: m.audit_detail_reason,
	username: m.audit_detail_username
};

function detailValue(v: unknown): string {
	if (v === true) return m.audit_yes();
	if (v === false) return m.audit_no();
	if (v === null || v === undefined) return '—';
	return Array.isArray(v) ? v.join('、') : String(v);
}

/** The details as short words: ids and counts only, as they were written, named in the reader's language. */
export function auditDetailsText(details: Record<string, unknown>): string {
	return Object.entries(details)
		.map(([k, v]) => {
			const value =
				k === 'role' && (EVENT_ROLES as readonly unknown[]).includes(v)
					? roleLabel(v as EventRole)
					: k === 'access' && (v === 'write' || v === 'read')
						? (v === 'write' ? m.audit_access_write : m.audit_access_read)()
						: detailValue(v);
			return `${DETAILS[k]?.() ?? k}：${value}`;
		})
		.join('；');
}
