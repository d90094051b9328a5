/**
 * Reading stdin for the CLI: a password (from a pipe, its first line; on a terminal, typed twice without echo), or
 * a whole piped file such as a member list.
 */
import { CliError, badInput } from './context.ts';

async function readFirstLine(input: NodeJS.ReadStream): Promise<string> {
	input.setEncoding('utf8');
	let text = '';
	for await (const chunk of input) {
		text += chunk;
		const newline = text.indexOf('\n');
		if (newline >= 0) {
			// Leaving the loop stops reading; the rest of stdin is not ours to consume.
			text = text.slice(0, newline);
			break;
		}
	}
	return text.replace(/\r$/, '');
}

function readHidden(input: NodeJS.ReadStream, prompt: string): Promise<string> {
	return new Promise((resolve, reject) => {
		let value = '';
		const finish = () => {
			input.off('data', onData);
			input.setRawMode(false);
			input.pause();
			process.stderr.write('\n');
		};
		const onData = (chunk: string) => {
			for (const ch of chunk) {
				if (ch === '\r' || ch === '\n') {
					finish();
					resolve(value);
					return;
				}
				if (ch === '\u0003' || ch === '\u0004') {
					finish();
					reject(new CliError('Cancelled.', 1));
					return;
				}
				if (ch === '\u007f' || ch === '\b') value = [...value].slice(0, -1).join('');
				else if (ch >= ' ') value += ch;
			}
		};
		process.stderr.write(prompt);
		input.setEncoding('utf8');
		input.setRawMode(true);
		input.resume();
		input.on('data', onData);
	});
}

/** Reads a secret such as a password; `what` names it in the prompt ("password for wang.jg"). */
export async function readSecret(what: string, input: NodeJS.ReadStream = process.stdin): Promise<string> {
	if (!input.isTTY) return readFirstLine(input);
	const first = await readHidden(input, `Type the ${what}: `);
	const second = await readHidden(input, 'Type it again: ');
	if (first !== second) throw badInput('The two entries differ; nothing was changed.');
	return first;
}

/**
 * Reads everything piped to stdin, as bytes (the caller decodes: a list saved by Excel may be GB18030). Says so
 * when stdin is a terminal (nothing is piped) or when more than `maxBytes` arrive.
 */
export async function readAllStdin(maxBytes: number, input: NodeJS.ReadStream = process.stdin): Promise<Uint8Array | 'terminal' | 'tooLarge'> {
	if (input.isTTY) return 'terminal';
	const chunks: Buffer[] = [];
	let size = 0;
	for await (const chunk of input) {
		const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
		size += buf.length;
		if (size > maxBytes) return 'tooLarge';
		chunks.push(buf);
	}
	return new Uint8Array(Buffer.concat(chunks));
}
