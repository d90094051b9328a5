/** `members import`: many members at once from a CSV list, checked and saved as the administrator's page does. */
import { writeAudit } from '../../src/lib/server/repositories/audit.repository.ts';
import { readFile, stat } from 'node:fs/promises';
import { announceAccessChange } from '../fanout.ts';
import type { MemberListError, MemberListRow } from '../../src/lib/domain/member-list.ts';
import { checkMemberList, decodeListBytes, importMemberList, MAX_MEMBER_LIST_BYTES } from '../../src/lib/server/member-import.ts';
import type { CliContext, CommandHandler } from './context.ts';
import { badInput, failed } from './context.ts';
import { requireEvent } from './event-commands.ts';
import type { ParsedCommand } from '../cli-args.ts';

const COLUMN_WORDS: Record<string, string> = { username: 'username', role: 'role', agency: 'agency' };

/** A problem in English, as the page says it in the reader's language. */
export function describeListError(e: MemberListError): string {
	const where = e.line === null ? '' : `line ${e.line}${e.column ? `, ${COLUMN_WORDS[e.column]}` : ''}: `;
	const v = JSON.stringify(e.value);
	const what: Record<MemberListError['code'], string> = {
		unknownUser: `no such username ${v}. See: user list`,
		disabledUser: `the account ${v} is disabled`,
		unknownRole: `no such role ${v} (use commander, lead, member, reviewer or observer)`,
		unknownAgency: `no such agency ${v}. See: agency list`,
		agencyRequired: 'leads and members need an agency',
		duplicate: `the same person as line ${e.ref}`,
		required: 'required',
		fieldCount: `too many columns (${e.value}; 3 at most: username, role, agency)`,
		badHeader: `wrong header ${v}; the header words are username, role, agency (or 用户名, 角色, 警种)`,
		unclosedQuote: 'a quote is never closed',
		empty: 'the list holds no one',
		tooManyRows: `too many lines (${e.value}; 2,000 at most)`,
		moreErrors: `and ${e.value} more problems`
	};
	return `  ${where}${what[e.code]}`;
}

async function readList(ctx: CliContext, cmd: ParsedCommand): Promise<string> {
	const file = cmd.args.file;
	if (file && file !== '-') {
		let size: number;
		try {
			size = (await stat(file)).size;
		} catch {
			throw badInput(`Cannot read ${file}: no such file.`);
		}
		if (size > MAX_MEMBER_LIST_BYTES) throw badInput(`${file} is too large (512 KB at most).`);
		return decodeListBytes(new Uint8Array(await readFile(file)));
	}
	const piped = await ctx.readStdin(MAX_MEMBER_LIST_BYTES);
	if (piped === 'terminal') throw badInput('Give the list as a file, or pipe it on stdin: members import <event id> members.csv');
	if (piped === 'tooLarge') throw badInput('The list on stdin is too large (512 KB at most).');
	return decodeListBytes(piped);
}

function rowLine(r: MemberListRow): string {
	const as = (role: string, agency: string | null) => `${role}${agency ? ` (${agency})` : ''}`;
	const mark = r.change === 'add' ? '+' : r.change === 'change' ? '~' : '=';
	const was = r.change === 'change' && r.before ? `, was ${as(r.before.role, r.before.agencyCode)}` : '';
	return `  ${mark} ${r.username} (${r.displayName}) ${as(r.role, r.agencyCode)}${was}`;
}

const membersImport: CommandHandler = async (ctx, cmd) => {
	const event = await requireEvent(ctx, cmd.args['event id']);
	if (event.status === 'closed') throw failed(`Event ${event.name} is closed; its members stay as they were.`);
	const text = await readList(ctx, cmd);
	const dryRun = cmd.options['dry-run'] === true;
	const result = dryRun ? await checkMemberList(ctx.db, event.id, text) : await importMemberList(ctx.db, event.id, text, (tx, counts) =>
				writeAudit(tx, { actor: ctx.actor, action: 'member.bulk', target: { kind: 'event', id: event.id, name: event.name }, eventId: event.id, details: counts })
			);
	if (!result.ok) {
		const count = result.errors.filter((e) => e.code !== 'moreErrors').length;
		throw badInput(`Nothing was saved: the list has ${count === 1 ? 'a problem' : 'these problems'}:\n${result.errors.map(describeListError).join('\n')}`);
	}
	for (const r of result.rows) ctx.print(rowLine(r));
	const { add, change, same } = result.counts;
	if (dryRun) {
		ctx.print(`Checked: would add ${add}, change ${change}, leave ${same} unchanged in ${event.name}. Nothing saved (--dry-run).`);
		return;
	}
	// Open connections of a member whose role changed are re-checked by every server instance.
	for (const r of result.rows) if (r.change === 'change') await announceAccessChange(ctx.db, r.userId);
	ctx.print(`Added ${add}, changed ${change}, left ${same} unchanged in ${event.name}.`);
};

export const MEMBER_IMPORT_COMMANDS: Record<string, CommandHandler> = {
	'members import': membersImport
};
