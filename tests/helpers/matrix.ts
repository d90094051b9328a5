/**
 * The permission matrix as data: who (every role of the demo event, an observer, an administrator who is no
 * member, a wall display and someone with no session) × every document and every action, each cell computed by
 * the permission functions themselves (documentAccess, mayPerform, EVENT_ACTIONS in src/lib/domain/permissions.ts).
 * tests/integration/permission-matrix.test.ts checks every cell against the running server; `npm run matrix`
 * prints the same cells as the Markdown the README's "Permissions" section holds.
 */
import { documentAccess, EVENT_ACTIONS, mayPerform, type Access, type EventAction, type Principal } from '../../src/lib/domain/permissions.ts';
import type { DocAddress } from '../../src/lib/domain/documents.ts';
import { SEED_AGENCIES, type EventStatus } from '../../src/lib/domain/roles.ts';
import { DEMO_EVENT, DEMO_USERS } from '../../src/lib/server/demo/demo-data.ts';

export const MATRIX_EVENT = DEMO_EVENT.id;

/** The agencies of the demo event, in their order on the board. */
export const AGENCIES: readonly string[] = SEED_AGENCIES.map((a) => a.code);
const AGENCY_ZH: Record<string, string> = Object.fromEntries(SEED_AGENCIES.map((a) => [a.code, a.nameZh]));

/** The demo has no observer: the matrix test adds this account through the admin pages. */
export const OBSERVER = { username: 'observer', displayName: '观察员', password: 'observer-password-1' } as const;

export interface Actor {
	/** A demo username, `observer`, `display` or `none`. */
	key: string;
	/** How the README names the row. */
	label: string;
	/** What the permission functions are asked about; null for a request with no session or token at all. */
	principal: Principal | null;
	/** Administrators reach /admin; nobody else does. */
	isAdmin: boolean;
}

/** The member of each agency the matrix uses (the demo has several; one of each is enough for a role's row). */
const MEMBERS: Record<string, string> = { station: 'member.station', cid: 'yang.fan', traffic: 'member.traffic', patrol: 'xu.guilan' };

function demoActor(username: string, label: string): Actor {
	const u = DEMO_USERS.find((x) => x.username === username);
	if (!u) throw new Error(`no demo user ${username}`);
	const cleared = u.clearedPersonalData ? ' (cleared)' : '';
	return {
		key: username,
		label: `${label}${cleared}`,
		principal: { kind: 'user', userId: u.id, isAdmin: u.isAdmin, clearedPersonalData: u.clearedPersonalData, membership: u.role },
		isAdmin: u.isAdmin
	};
}

/** Every row of the matrix, in the README's order. */
export const ACTORS: readonly Actor[] = [
	demoActor('admin', '系统管理员 administrator, no membership'),
	demoActor('commander', '指挥长 commander'),
	...AGENCIES.map((a) => demoActor(`lead.${a}`, `带班领导 lead · ${AGENCY_ZH[a]}`)),
	...AGENCIES.map((a) => demoActor(MEMBERS[a], `队员 member · ${AGENCY_ZH[a]}`)),
	demoActor('reviewer', '复盘人员 reviewer'),
	{
		key: 'observer',
		label: '观察员 observer',
		principal: {
			kind: 'user',
			userId: OBSERVER.username,
			isAdmin: false,
			clearedPersonalData: false,
			membership: { role: 'observer', agencyCode: null }
		},
		isAdmin: false
	},
	{ key: 'display', label: '大屏 wall display (token)', principal: { kind: 'display', eventId: MATRIX_EVENT }, isAdmin: false },
	{ key: 'none', label: 'no session', principal: null, isAdmin: false }
];

export function actor(key: string): Actor {
	const a = ACTORS.find((x) => x.key === key);
	if (!a) throw new Error(`no actor ${key}`);
	return a;
}

/** Every document of the event, as columns. */
export const DOCUMENTS: readonly DocAddress[] = [
	{ eventId: MATRIX_EVENT, kind: 'command' },
	...AGENCIES.map((agency): DocAddress => ({ eventId: MATRIX_EVENT, kind: 'agency', agency })),
	{ eventId: MATRIX_EVENT, kind: 'restricted' }
];

export function documentLabel(d: DocAddress): string {
	return d.kind === 'agency' ? `agency/${d.agency}` : d.kind;
}

/** What a connection of this actor to this document gets; no session reads nothing. */
export function expectedAccess(a: Actor, doc: DocAddress, status: EventStatus): Access {
	return a.principal ? documentAccess(a.principal, doc, status) : 'none';
}

/**
 * May this actor perform this action starting from this agency (the agency a card, dispute or swap belongs to,
 * or an instruction is addressed to)? Actions that concern the whole event ignore the agency.
 */
export function expectedAction(a: Actor, action: EventAction, status: EventStatus, fromAgency?: string): boolean {
	return a.principal !== null && mayPerform(a.principal, action, { status, fromAgency });
}

/** The agencies from which this actor may perform an action. */
export function allowedAgencies(a: Actor, action: EventAction, status: EventStatus): string[] {
	return AGENCIES.filter((agency) => expectedAction(a, action, status, agency));
}

/** Whether the actor reads the event's activity (of the documents it may read): anyone who reads a document. */
export function expectedActivity(a: Actor, status: EventStatus): boolean {
	return DOCUMENTS.some((d) => expectedAccess(a, d, status) !== 'none');
}

const ACCESS_CELL: Record<Access, string> = { write: 'write', read: 'read', none: '—' };

const ACTION_LABEL: Record<EventAction, string> = {
	'card.requestHelp': '请求协助 ask for help',
	'card.reassign': '改派 reassign card',
	'dispute.escalate': '上报/移交 escalate dispute',
	'instruction.send': '下达指令 send instruction',
	'event.setStatus': '活动状态 set status',
	'event.close': '结束活动 close event',
	'record.review': '复盘 review record',
	'displayToken.manage': '大屏链接 wall links',
	'roster.approveSwap': '批准换班 approve swap',
	'playbook.run': '启动预案 run playbook'
};

function actionCell(a: Actor, action: EventAction, status: EventStatus): string {
	const agencies = allowedAgencies(a, action, status);
	if (agencies.length === AGENCIES.length) return '✓';
	if (agencies.length === 0) return '—';
	return `own (${agencies.map((x) => AGENCY_ZH[x]).join('、')})`;
}

function table(header: string[], rows: string[][]): string {
	const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
	return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** The README's "Permissions" section body, generated from the permission functions. */
export function matrixMarkdown(): string {
	const docs = table(
		['who', ...DOCUMENTS.map((d) => `\`${documentLabel(d)}\``)],
		ACTORS.map((a) => [a.label, ...DOCUMENTS.map((d) => ACCESS_CELL[expectedAccess(a, d, 'active')])])
	);
	const closedChanges = ACTORS.flatMap((a) => DOCUMENTS.filter((d) => expectedAccess(a, d, 'closed') !== expectedAccess(a, d, 'active') && expectedAccess(a, d, 'closed') !== 'read'));
	if (closedChanges.length) throw new Error('a closed event should only turn writes into reads');
	const actions = table(
		['who', ...EVENT_ACTIONS.map((x) => ACTION_LABEL[x]), '工作记录 activity', '/admin'],
		ACTORS.map((a) => [
			a.label,
			...EVENT_ACTIONS.map((x) => actionCell(a, x, 'active')),
			expectedActivity(a, 'active') ? '✓' : '—',
			a.isAdmin ? '✓' : '—'
		])
	);
	const closedActions = EVENT_ACTIONS.filter((x) => ACTORS.some((a) => allowedAgencies(a, x, 'closed').length > 0));
	return [
		'Generated by `npm run matrix` from the permission functions in `src/lib/domain/permissions.ts`, and checked',
		'cell by cell against a running server by `tests/integration/permission-matrix.test.ts` (stock y-websocket',
		'providers for documents; the socket.io commands, form actions and API endpoints for actions). Rows are the',
		'demo accounts plus an observer; "cleared" means cleared for dispute parties\' personal data.',
		'',
		'**Documents** of an active event. `read`: the connection syncs and a write is refused with 4405; `—`: the',
		'connection is refused (4403, or 4401 without a session). When the event is closed every `write` becomes `read`.',
		'',
		docs,
		'',
		'**Actions** in an active event. `own`: only for cards, disputes and swaps of that agency, instructions to it, or playbooks with a card for it.',
		`In a closed event only ${closedActions.map((x) => `\`${x}\``).join(', ') || 'nothing'} remains.`,
		'An administrator manages users, agencies, teams and events under `/admin` and sees no event unless made a member of it.',
		'',
		actions
	].join('\n');
}

if (import.meta.main) console.log(matrixMarkdown());
