/**
 * Playbooks (预案): for an incident kind, the cards to create across agencies — each with its agency, title,
 * priority, checklist and a due offset in minutes. Five are built in; a commander adds the event's own (stored as
 * JSON, checked here with every error named). Running one is a single cross-agency command: the server builds the
 * card drafts with these functions and writes them into every agency's document in one transaction.
 *
 * How the cards of one run are linked: the card schema (3) has no field for related cards, and adding one would
 * change the public contract for every stock client. So each card's notes begin with a line naming the playbook,
 * who started it and when, and the other cards of the run by agency and title; the activity rows of a run share
 * the run's id, so the record can group them.
 */
import { CARD_PRIORITIES, type CardPriority } from './doc-schema.ts';
import type { NewCard } from './board.ts';
import type { FieldErrorCode, FieldErrors, Checked } from './validation.ts';

export interface PlaybookCard {
	agency: string;
	title: string;
	priority: CardPriority;
	/** Minutes from the run until the card is due. */
	dueMinutes: number;
	checklist: string[];
}

export interface Playbook {
	/** `builtin-…` for the built-in ones, a random id for the commander's own. */
	id: string;
	/** The incident kind: 走失儿童, or the commander's own name. Built-in names are catalog keys (`nameKey`). */
	name: string;
	/** The catalog key of a built-in playbook's name (the UI shows it in the reader's language). */
	nameKey?: string;
	builtIn: boolean;
	cards: PlaybookCard[];
}

/** Bounds of a commander's playbook, each inside the card schema's own (title 200, checklist 100 items of 300). */
export const PLAYBOOK_LIMITS = {
	name: 40,
	cards: 12,
	title: 200,
	checklist: 20,
	checklistItem: 300,
	/** A day: a playbook answers an incident now, not next week. */
	dueMinutes: 24 * 60
} as const;

const card = (agency: string, title: string, priority: CardPriority, dueMinutes: number, checklist: string[]): PlaybookCard => ({
	agency,
	title,
	priority,
	dueMinutes,
	checklist
});

/**
 * The built-in playbooks, across the four agencies every installation starts with. Neighborhood patrol members are
 * auxiliaries: their cards are watching, guiding and reporting, never enforcement.
 */
export const BUILTIN_PLAYBOOKS: readonly Playbook[] = [
	{
		id: 'builtin-lost-child',
		name: '走失儿童',
		nameKey: 'playbook_builtin_lost_child',
		builtIn: true,
		cards: [
			card('station', '走失儿童：接报登记并统筹查找', 'critical', 10, ['向报警人核实儿童姓名、年龄、衣着、走失地点和时间', '通报各卡点、流动岗', '联系监护人保持通话', '找到后核实监护关系再交接']),
			card('cid', '走失儿童：调取监控研判去向', 'critical', 20, ['调取走失地点周边监控', '研判是否有可疑人员带离', '结果通报派出所']),
			card('traffic', '走失儿童：出入口及周边道路查控', 'urgent', 15, ['通报各出入口和停车场岗位', '留意单独或被陌生人带领的儿童', '必要时协助拦查车辆']),
			card('patrol', '走失儿童：网格巡查与广播寻人', 'urgent', 10, ['按网格分片巡查', '协调现场广播寻人', '发现线索立即报告，不自行处置'])
		]
	},
	{
		id: 'builtin-suspicious-item',
		name: '可疑物品',
		nameKey: 'playbook_builtin_suspicious_item',
		builtIn: true,
		cards: [
			card('station', '可疑物品：现场警戒与处置', 'critical', 5, ['设立警戒区，疏散周边人员', '联系排爆力量', '记录发现人和发现经过']),
			card('cid', '可疑物品：调查物品来源', 'urgent', 30, ['调取放置时段监控', '排查放置人员']),
			card('traffic', '可疑物品：周边交通管制', 'urgent', 10, ['封闭临近道路', '为处置车辆预留通道']),
			card('patrol', '可疑物品：协助疏导人员', 'urgent', 5, ['劝导群众远离警戒区', '不触碰、不移动物品', '维护警戒线秩序'])
		]
	},
	{
		id: 'builtin-crowd-crush',
		name: '踩踏预警',
		nameKey: 'playbook_builtin_crowd_crush',
		builtIn: true,
		cards: [
			card('station', '踩踏预警：人流限流与疏散指挥', 'critical', 5, ['启动限流措施，暂停入场', '开启备用疏散通道', '现场喊话引导单向通行']),
			card('traffic', '踩踏预警：周边道路疏导', 'critical', 10, ['疏导散场车流人流', '保障救护车通道畅通']),
			card('patrol', '踩踏预警：通道节点引导', 'urgent', 5, ['在台阶、桥梁等节点设置人墙引导', '劝阻逆行和停留', '发现跌倒人员立即报告']),
			card('cid', '踩踏预警：监控研判人流密度', 'urgent', 15, ['持续研判重点区域人流密度', '防范趁乱盗窃'])
		]
	},
	{
		id: 'builtin-fire',
		name: '火情',
		nameKey: 'playbook_builtin_fire',
		builtIn: true,
		cards: [
			card('station', '火情：报警并组织疏散', 'critical', 5, ['确认已拨打119', '组织起火点周边人员疏散', '设立警戒区']),
			card('traffic', '火情：为消防车开辟通道', 'critical', 5, ['清理消防通道', '引导消防车进场路线']),
			card('patrol', '火情：初期扑救与人员引导', 'urgent', 5, ['使用就近灭火器初期扑救（确保安全）', '引导群众沿疏散通道撤离', '清点本网格人员']),
			card('cid', '火情：起火原因初查', 'routine', 60, ['保护现场', '调取起火前后监控'])
		]
	},
	{
		id: 'builtin-medical',
		name: '医疗',
		nameKey: 'playbook_builtin_medical',
		builtIn: true,
		cards: [
			card('station', '医疗急救：现场处置与联络', 'critical', 5, ['确认已拨打120', '联系最近医疗点', '维持现场秩序，留出救治空间']),
			card('traffic', '医疗急救：救护车通道引导', 'critical', 10, ['引导救护车进出路线', '保持通道畅通']),
			card('patrol', '医疗急救：引导与陪护', 'urgent', 5, ['到路口接应医护人员', '劝导围观群众散开'])
		]
	}
];

/** Finds a built-in playbook by id. */
export function builtinPlaybook(id: string): Playbook | undefined {
	return BUILTIN_PLAYBOOKS.find((p) => p.id === id);
}

/** The agencies a playbook creates cards in, in the order of its cards. */
export function playbookAgencies(p: Pick<Playbook, 'cards'>): string[] {
	return [...new Set(p.cards.map((c) => c.agency))];
}

/** Error codes of a playbook's fields, besides the common ones: an agency that is not one of the installation's. */
export type PlaybookErrorCode = FieldErrorCode | 'unknownAgency' | 'noCards' | 'tooMany';

function plain(v: unknown): string {
	return typeof v === 'string' ? v.trim() : '';
}

const length = (s: string) => [...s].length;

/**
 * Checks a commander's playbook: `{ name, cards: [{ agency, title, priority, dueMinutes, checklist }] }` from a form
 * or from stored JSON. Errors are named by field (`name`, `cards`, `cards.2.title`, `cards.2.checklist.1`) with a
 * code the catalog turns into words; nothing is half-accepted.
 */
export function checkPlaybook(input: unknown, agencies: readonly string[]): Checked<{ name: string; cards: PlaybookCard[] }> {
	const errors: FieldErrors = {};
	const set = (key: string, code: PlaybookErrorCode) => {
		errors[key] ??= code as FieldErrorCode;
	};
	const obj = (input && typeof input === 'object' ? input : {}) as Record<string, unknown>;
	const name = plain(obj.name);
	if (!name) set('name', 'required');
	else if (length(name) > PLAYBOOK_LIMITS.name) set('name', 'tooLong');
	const rawCards = Array.isArray(obj.cards) ? obj.cards : [];
	if (rawCards.length === 0) set('cards', 'noCards');
	if (rawCards.length > PLAYBOOK_LIMITS.cards) set('cards', 'tooMany');
	const cards: PlaybookCard[] = [];
	rawCards.slice(0, PLAYBOOK_LIMITS.cards).forEach((raw, i) => {
		const c = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
		const at = (field: string) => `cards.${i}.${field}`;
		const agency = plain(c.agency);
		if (!agency) set(at('agency'), 'required');
		else if (!agencies.includes(agency)) set(at('agency'), 'unknownAgency');
		const title = plain(c.title);
		if (!title) set(at('title'), 'required');
		else if (length(title) > PLAYBOOK_LIMITS.title) set(at('title'), 'tooLong');
		const priority = plain(c.priority) || 'urgent';
		if (!(CARD_PRIORITIES as readonly string[]).includes(priority)) set(at('priority'), 'invalidChoice');
		const due = typeof c.dueMinutes === 'string' ? (c.dueMinutes.trim() === '' ? NaN : Number(c.dueMinutes)) : c.dueMinutes;
		if (typeof due !== 'number' || !Number.isInteger(due) || due < 0 || due > PLAYBOOK_LIMITS.dueMinutes) set(at('dueMinutes'), 'outOfRange');
		const rawList = Array.isArray(c.checklist) ? c.checklist : typeof c.checklist === 'string' ? c.checklist.split('\n') : [];
		const checklist = rawList.map(plain).filter(Boolean);
		if (checklist.length > PLAYBOOK_LIMITS.checklist) set(at('checklist'), 'tooMany');
		checklist.forEach((item, j) => {
			if (length(item) > PLAYBOOK_LIMITS.checklistItem) set(`${at('checklist')}.${j}`, 'tooLong');
		});
		cards.push({ agency, title, priority: priority as CardPriority, dueMinutes: due as number, checklist });
	});
	return Object.keys(errors).length ? { ok: false, errors } : { ok: true, value: { name, cards } };
}

/** A stored playbook body (JSON) as cards, or null when it no longer passes the checks (an agency was removed). */
export function parsePlaybookBody(name: string, body: string, agencies: readonly string[]): PlaybookCard[] | null {
	let parsed: unknown;
	try {
		parsed = JSON.parse(body);
	} catch {
		return null;
	}
	const cards = parsed && typeof parsed === 'object' ? (parsed as { cards?: unknown }).cards : undefined;
	const checked = checkPlaybook({ name, cards }, agencies);
	return checked.ok ? checked.value.cards : null;
}

/** The JSON stored for a commander's playbook. */
export function playbookBody(cards: PlaybookCard[]): string {
	return JSON.stringify({ version: 1, cards });
}

/** One card a run creates, with the document it goes to. */
export interface PlaybookDraft {
	agency: string;
	cardId: string;
	card: NewCard;
}

export interface RunContext {
	/** The playbook's name as the documents carry it (Chinese for the built-in ones). */
	name: string;
	/** Who started the run, by name. */
	runByName: string;
	runBy: string;
	now: Date;
	/** A name for an agency code (its Chinese name). */
	agencyName: (code: string) => string;
	/** Makes ids (random on the server, fixed in tests). */
	newId: () => string;
	/** The time as the documents' readers see it, e.g. "14:02". */
	clock: (at: Date) => string;
}

/**
 * The line that links a run's cards: which playbook, who started it and when, and the other cards by agency and
 * title (names, never ids).
 */
export function runLinkLine(ctx: Pick<RunContext, 'name' | 'runByName' | 'now' | 'agencyName' | 'clock'>, cards: PlaybookCard[], self: number): string {
	const others = cards.flatMap((c, i) => (i === self ? [] : [`${ctx.agencyName(c.agency)}「${c.title}」`]));
	const head = `【预案】${ctx.name}（${ctx.runByName} ${ctx.clock(ctx.now)} 启动）`;
	return others.length ? `${head}\n联动任务：${others.join('；')}` : head;
}

/** The card drafts of one run: an id each, due times counted from now, the run's link line in each card's notes. */
export function buildRunDrafts(cards: PlaybookCard[], ctx: RunContext): PlaybookDraft[] {
	const createdAt = ctx.now.toISOString();
	return cards.map((c, i) => ({
		agency: c.agency,
		cardId: ctx.newId(),
		card: {
			title: c.title,
			notes: runLinkLine(ctx, cards, i),
			status: 'todo',
			priority: c.priority,
			agency: c.agency,
			dueAt: new Date(ctx.now.getTime() + c.dueMinutes * 60_000).toISOString(),
			createdBy: ctx.runBy,
			createdAt,
			checklist: c.checklist.map((text) => ({ id: ctx.newId(), text, done: false }))
		}
	}));
}
