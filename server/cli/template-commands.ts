/**
 * `event copy` and `template list|save|export|import`. Writing a new event's documents goes through a sync hub of
 * the CLI's own, on the same database and with the same checks as the server's: the new event's documents are
 * loaded nowhere else yet, so no live server needs to hear of them.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { readConfig } from '../config.ts';
import { SyncHub } from '../hub/hub.ts';
import { GroupCommitter } from '../hub/group-commit.ts';
import { checkEvent } from '../../src/lib/domain/validation.ts';
import { partsFrom, TEMPLATE_PARTS, type TemplateError, type TemplateProblem } from '../../src/lib/domain/event-template.ts';
import { getEvent } from '../../src/lib/server/repositories/event.repository.ts';
import { getTemplateRow, listTemplates } from '../../src/lib/server/repositories/template.repository.ts';
import {
	copyEvent,
	createEventFromTemplate,
	importTemplate,
	loadTemplate,
	saveEventAsTemplate,
	type CreatedFromTemplate,
	type TemplateDeps
} from '../../src/lib/server/event-templates.ts';
import type { CliContext, CommandHandler } from './context.ts';
import { badInput, failed, formatLocalTime, formatTable, invalidFields, optionText } from './context.ts';
import { requireEvent } from './event-commands.ts';

const EVENT_LABELS: Record<string, string> = { name: '--name', venue: '--venue', startsAt: '--starts', endsAt: '--ends', timezone: '--timezone' };

const PROBLEMS: Record<TemplateProblem, string> = {
	notJson: 'is not JSON',
	tooLarge: 'is larger than 2 MB',
	notTemplate: 'is not a Liandong event template',
	newerFormat: 'is of a format this version cannot read',
	required: 'is required',
	wrongType: 'has the wrong type',
	tooLong: 'is too long',
	tooMany: 'has too many entries',
	invalidChoice: 'is not one of the allowed values',
	outOfRange: 'is out of range',
	endBeforeStart: 'ends before it starts',
	unknownPost: 'names a post the template does not have',
	unknownPeriod: 'names a period the template does not have',
	duplicate: 'appears twice',
	badGeometry: 'is not a valid place on the plan',
	invalidTimezone: 'is not a valid time zone'
};

/** Standard input as text, up to a little over the template limit (what is larger is refused as too large). */
async function readAll(input: NodeJS.ReadStream): Promise<string> {
	const chunks: Buffer[] = [];
	let size = 0;
	for await (const chunk of input) {
		chunks.push(chunk as Buffer);
		size += (chunk as Buffer).length;
		if (size > 2_100_000) break;
	}
	return Buffer.concat(chunks).toString('utf8');
}

/** One line per problem, named by its place in the file. */
export function describeTemplateErrors(errors: TemplateError[]): string {
	return errors.map((e) => `  ${e.path || 'the file'} ${PROBLEMS[e.problem] ?? e.problem}.`).join('\n');
}

/** Runs `work` with a sync hub on the CLI's database, closed afterwards. */
async function withHub<T>(ctx: CliContext, work: (deps: TemplateDeps) => Promise<T>): Promise<T> {
	const hub = new SyncHub({
		db: ctx.db,
		committer: new GroupCommitter(ctx.db),
		maxMessageBytes: readConfig().maxMessageBytes,
		onRefused() {}
	});
	try {
		return await work({
			db: ctx.db,
			readDocument: async (name) => (await hub.document(name)).durable,
			writeDocuments: (userId, writes, also, first) => hub.serverWrite(userId, writes, also, first)
		});
	} finally {
		await hub.close();
	}
}

function printCreated(ctx: CliContext, r: CreatedFromTemplate, name: string, from: string): void {
	ctx.print(`Created event ${name} (planning) from ${from}: ${r.members} members, ${r.posts} posts, ${r.shifts} shifts, ${r.cards} cards.`);
	if (r.dropped.shifts || r.clipped.shifts) ctx.print(`${r.dropped.shifts} shifts after the new end were left out; ${r.clipped.shifts} were cut at the end.`);
	if (r.missingUsers.length) ctx.print(`No account here, so left out: ${r.missingUsers.join(', ')}.`);
	if (r.planMissing) ctx.print('The venue plan image is not in this database: upload it on the map page.');
	ctx.print(`Event id: ${r.eventId}`);
}

const eventCopy: CommandHandler = async (ctx, cmd) => {
	const fromTemplate = cmd.options.template === true;
	const sourceId = cmd.args['event id'];
	const only = optionText(cmd, 'only');
	const listed = only ? only.split(',').map((s) => s.trim()).filter(Boolean) : [...TEMPLATE_PARTS];
	const parts = partsFrom(listed);
	if (parts.size !== listed.length) throw badInput(`--only takes some of ${TEMPLATE_PARTS.join(',')}.`);
	const name = optionText(cmd, 'name') ?? '';
	const checked = checkEvent({ name, venue: optionText(cmd, 'venue'), startsAt: optionText(cmd, 'starts'), endsAt: optionText(cmd, 'ends'), timezone: optionText(cmd, 'timezone') });
	if (fromTemplate) {
		const template = await loadTemplate(ctx.db, sourceId);
		if (!template) throw failed(`No template "${sourceId}". See: template list`);
		if (!checked.ok) throw invalidFields(`Cannot create event ${name}`.trimEnd(), checked.errors, EVENT_LABELS);
		const input = checked.value;
		const r = await withHub(ctx, (deps) => createEventFromTemplate(deps, template, input, parts, null, { basedOn: null, templateName: template.name, templateVersion: template.version }));
		printCreated(ctx, r, input.name, `template ${template.name} v${template.version}`);
		return;
	}
	const source = await requireEvent(ctx, sourceId);
	// Unless given, the venue and zone are the source event's own.
	const filled = checkEvent({ name, venue: optionText(cmd, 'venue') ?? source.venue, startsAt: optionText(cmd, 'starts'), endsAt: optionText(cmd, 'ends'), timezone: optionText(cmd, 'timezone') ?? source.timezone });
	if (!filled.ok) throw invalidFields(`Cannot copy event ${source.name}`, filled.errors, EVENT_LABELS);
	const input = filled.value;
	const r = await withHub(ctx, (deps) => copyEvent(deps, source.id, input, parts, null));
	if (!r) throw failed(`No event "${sourceId}". See: event list`);
	printCreated(ctx, r, input.name, `event ${source.name}`);
	const made = await getEvent(ctx.db, r.eventId);
	if (made) ctx.print(`When: ${formatLocalTime(made.startsAt, made.timezone)} – ${formatLocalTime(made.endsAt, made.timezone)} ${made.timezone}`);
};

const templateList: CommandHandler = async (ctx, cmd) => {
	const templates = await listTemplates(ctx.db);
	if (cmd.json) {
		ctx.printJson(templates.map((t) => ({ ...t, createdAt: t.createdAt.toISOString() })));
		return;
	}
	if (templates.length === 0) {
		ctx.print('No templates yet. Save one: template save <event id> --name <name>, or template import <file>');
		return;
	}
	const rows = templates.map((t) => [t.id, t.name, `v${t.version}`, formatLocalTime(t.createdAt, 'Asia/Shanghai'), t.createdByName ?? '-']);
	for (const line of formatTable(['ID', 'NAME', 'VERSION', 'SAVED (Asia/Shanghai)', 'BY'], rows)) ctx.print(line);
};

const templateSave: CommandHandler = async (ctx, cmd) => {
	const event = await requireEvent(ctx, cmd.args['event id']);
	const name = (optionText(cmd, 'name') ?? '').trim();
	if (!name || [...name].length > 80) throw badInput('--name is required, at most 80 characters.');
	const saved = await withHub(ctx, (deps) => saveEventAsTemplate(deps, event.id, name, null));
	if (!saved) throw failed(`No event "${event.id}".`);
	ctx.print(`Saved ${event.name} as template ${name} v${saved.version}.`);
	ctx.print(`Template id: ${saved.id}`);
};

const templateExport: CommandHandler = async (ctx, cmd) => {
	const row = await getTemplateRow(ctx.db, cmd.args['template id']);
	if (!row) throw failed(`No template "${cmd.args['template id']}". See: template list`);
	const out = optionText(cmd, 'out');
	if (out) {
		await writeFile(out, row.body);
		ctx.print(`Wrote template ${row.name} v${row.version} to ${out}.`);
	} else process.stdout.write(`${row.body}\n`);
};

const templateImport: CommandHandler = async (ctx, cmd) => {
	const file = cmd.args.file;
	let text: string;
	try {
		text = file === '-' ? await readAll(process.stdin) : await readFile(file, 'utf8');
	} catch {
		throw failed(`Cannot read ${file}.`);
	}
	const result = await importTemplate(ctx.db, text, null);
	if (!result.ok) throw badInput(`Cannot import ${file}; nothing was saved:\n${describeTemplateErrors(result.errors)}`);
	ctx.print(`Imported template ${result.name} as v${result.version}.`);
	ctx.print(`Template id: ${result.id}`);
};

export const TEMPLATE_COMMANDS: Record<string, CommandHandler> = {
	'event copy': eventCopy,
	'template list': templateList,
	'template save': templateSave,
	'template export': templateExport,
	'template import': templateImport
};
